"""The pool's figures and rules, read from ``opkval/config/pulje.yaml`` and validated."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from opkval.errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent / "config"


class Round(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    navn: str
    aar: list[int]
    udbetaling: Literal["aarlig", "samlet"]
    udbetalingsaar: int | None = None
    aktivitet_start_fra: dt.date | None = None
    aktivitet_start_til: dt.date | None = None
    afsluttet_senest: dt.date
    betingelse: str | None = None
    kilde: str
    #: Round 1: the year each grant year's tranche is paid (default: the grant year itself).
    udbetalingsaar_pr_aar: dict[int, int] | None = None
    udbetaling_tekst: str | None = None
    udbetaling_kilde: str | None = None
    #: Grant years whose payment year no source gives (shown as "antaget").
    udbetaling_antaget: list[int] = []
    #: Source of ``afsluttet_senest``; None = no source, the deadline is an assumption.
    frist_kilde: str | None = None
    planlaegges_fra: dt.date | None = None

    def payment_year(self, year: int) -> int:
        if self.udbetaling == "samlet":
            return int(self.udbetalingsaar or self.aar[0])
        return int((self.udbetalingsaar_pr_aar or {}).get(year, year))

    @property
    def frist_antaget(self) -> bool:
        return self.frist_kilde is None


class PuljeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pulje: dict[str, Any]
    runder: list[Round]
    noegler: dict[str, Any]
    backtest: dict[str, Any]

    @model_validator(mode="after")
    def _check(self) -> PuljeConfig:
        years = [y for r in self.runder for y in r.aar]
        if sorted(years) != list(range(self.first_year, self.last_year + 1)):
            raise ValueError("runder must cover each year first_year..last_year exactly once")
        for y in years:
            if int(self.pulje["beloeb_kr"].get(y, -1)) < 0:
                raise ValueError(f"pulje.beloeb_kr mangler et ikke-negativt beløb for {y}")
        if self.default_key not in self.noegler:
            raise ValueError(f"noegler.default '{self.default_key}' er ikke en nøgle")
        return self

    @property
    def navn(self) -> str:
        return str(self.pulje["navn"])

    @property
    def known_allocations_pulje(self) -> str:
        return str(self.pulje["known_allocations_pulje"])

    @property
    def first_year(self) -> int:
        return int(self.pulje["first_year"])

    @property
    def last_year(self) -> int:
        return int(self.pulje["last_year"])

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def default_key(self) -> str:
        return str(self.noegler["default"])

    def pool_kr(self, year: int) -> int:
        return int(self.pulje["beloeb_kr"][year])

    def round_of(self, year: int) -> Round:
        for r in self.runder:
            if year in r.aar:
                return r
        raise KeyError(year)


def load_config(path: Path | str | None = None) -> PuljeConfig:
    return _load(str(Path(path) if path else CONFIG_DIR / "pulje.yaml"))


@lru_cache(maxsize=4)
def _load(path: str) -> PuljeConfig:
    return parse_config(PuljeConfig, Path(path))


def read_yaml(p: Path):
    """A config file's YAML (safe loader); ConfigError names the file when it is missing/bad."""
    try:
        return yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: config-filen mangler.") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{p}: ugyldig YAML ({e}).") from None


def parse_config(model: type[BaseModel], p: Path):
    """Read and validate a config file with a pydantic model; one message on the first error."""
    raw = read_yaml(p)
    try:
        return model.model_validate(raw or {})
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"{p}: felt '{loc}': {first['msg']}.") from None
