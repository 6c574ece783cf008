"""The four config files in ``opkval/config/``, read one way: YAML → a typed, validated model.

* ``pulje.yaml`` → :class:`PuljeConfig` (pool amounts, rounds and their roles, keys, backtest);
* ``regler.yaml`` → :class:`RulesConfig` (a plan's vocabulary and the rules' parameters);
* ``overvejelser.yaml`` → :class:`PointsConfig` (the Bilag 2 checklist);
* ``maal.yaml`` → :class:`MaalConfig` (targets for the staff mix, projection parameters).

Every loader is cached per path; a missing or malformed file is a :class:`ConfigError` that
names the file and the field. Nothing else in opkval reads these files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from opkval.base.domain import ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN, ROLES
from opkval.base.errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"



class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: Text from a YAML folded block (``>-``) as one line with single spaces.
OneLine = Annotated[str, AfterValidator(lambda text: " ".join(text.split()))]


# ----------------------------------------------------------------------------- pulje.yaml

class Engangsloeft(_Model):
    aar: int
    beloeb_kr: int | None = None  # None: the size is not known
    tekst: OneLine
    kilde: str


class Pulje(_Model):
    navn: str
    known_allocations_pulje: str
    first_year: int
    last_year: int
    beloeb_kr: dict[int, int]
    engangsloeft: Engangsloeft
    forbehold: OneLine
    forbehold_kilde: str
    #: The kommune whose bilag ``forbehold_kilde`` is: cited as such only in its own note.
    forbehold_kilde_kommunekode: int | None = None
    #: The caveat's source in other notes (when the plan gives no tilsagn letter).
    forbehold_kilde_generel: str = "tilsagnsvilkår for puljen"


class Round(_Model):
    id: int
    navn: str  # "Første tildelingsrunde"
    kort: str  # "Første runde", as in "første rundes midler"
    aar: list[int]
    roller: list[Literal[ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN]] = []
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
    udbetaling_kilde: OneLine | None = None
    #: What the ministry allocates the round by, in words, and where that is said.
    noegle_tekst: str | None = None
    noegle_kilde: OneLine | None = None
    #: Grant years whose payment year no source gives (shown as "antaget").
    udbetaling_antaget: list[int] = []
    #: Source of ``afsluttet_senest``; None = no source, the deadline is an assumption.
    frist_kilde: str | None = None
    planlaegges_fra: dt.date | None = None

    @model_validator(mode="after")
    def _check(self) -> Round:
        if not self.aar:
            raise ValueError(f"runde {self.id}: aar er tom")
        if self.udbetaling == "samlet" and self.udbetalingsaar is None:
            raise ValueError(f"runde {self.id}: udbetaling samlet kræver udbetalingsaar")
        if ROLE_AKTIVITETSVINDUE in self.roller and not (self.aktivitet_start_fra
                                                         and self.aktivitet_start_til):
            raise ValueError(f"runde {self.id}: rollen aktivitetsvindue kræver "
                             "aktivitet_start_fra og aktivitet_start_til")
        if ROLE_LOKAL_PLAN in self.roller and not self.betingelse:
            raise ValueError(f"runde {self.id}: rollen lokal_plan kræver betingelse")
        return self

    def payment_year(self, year: int) -> int:
        """The year the money for ``year`` is paid: the round's one payment, or per year as
        ``udbetalingsaar_pr_aar`` gives it (default: that year)."""
        if self.udbetaling == "samlet":
            return int(self.udbetalingsaar)
        return int((self.udbetalingsaar_pr_aar or {}).get(year, year))

    @property
    def frist_antaget(self) -> bool:
        """No source gives ``afsluttet_senest`` (``frist_kilde`` is null)."""
        return self.frist_kilde is None

    @property
    def payment_years(self) -> list[int]:
        return sorted({self.payment_year(y) for y in self.aar})


class Noegle(_Model):
    navn: str
    kilde: str
    forbehold: OneLine = ""


class Backtest(_Model):
    pulje_prefix: str
    aar: int
    beloeb_kr: int
    noegle: str
    kilde: str
    tolerance_abs_kr: float
    tolerance_rel: float
    #: The published amounts' rounding (0,1 mio. kr. → ±50.000 kr.).
    afrunding_kr: int = 50000


class PuljeConfig(_Model):
    pulje: Pulje
    runder: list[Round]
    standard_noegle: str
    noegler: dict[str, Noegle]
    backtest: Backtest

    @model_validator(mode="after")
    def _check(self) -> PuljeConfig:
        years = [y for r in self.runder for y in r.aar]
        if sorted(years) != list(range(self.first_year, self.last_year + 1)):
            raise ValueError("runder skal dække hvert år fra first_year til last_year én gang")
        for y in years:
            if self.pulje.beloeb_kr.get(y, -1) < 0:
                raise ValueError(f"pulje.beloeb_kr mangler et ikke-negativt beløb for {y}")
        if len({r.id for r in self.runder}) != len(self.runder):
            raise ValueError("runder: to runder har samme id")
        for role in ROLES:
            n = sum(role in r.roller for r in self.runder)
            if n != 1:
                raise ValueError(f"runder: præcis én runde skal have rollen {role} ({n} har)")
        if self.standard_noegle not in self.noegler:
            raise ValueError(f"standard_noegle '{self.standard_noegle}' er ikke en nøgle")
        if self.backtest.noegle not in self.noegler:
            raise ValueError(f"backtest.noegle '{self.backtest.noegle}' er ikke en nøgle")
        return self

    @property
    def navn(self) -> str:
        return self.pulje.navn

    @property
    def known_allocations_pulje(self) -> str:
        return self.pulje.known_allocations_pulje

    @property
    def first_year(self) -> int:
        return self.pulje.first_year

    @property
    def last_year(self) -> int:
        return self.pulje.last_year

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def default_key(self) -> str:
        return self.standard_noegle

    def pool_kr(self, year: int) -> int:
        return int(self.pulje.beloeb_kr[year])

    def round_of(self, year: int) -> Round:
        for r in self.runder:
            if year in r.aar:
                return r
        raise KeyError(year)

    def round_by_id(self, rid: int) -> Round:
        return next(r for r in self.runder if r.id == rid)

    def round_with_role(self, role: str) -> Round:
        """The one round with ``role`` (validated on load: exactly one has each role)."""
        return next(r for r in self.runder if role in r.roller)

    @property
    def rounds_in_order(self) -> list[Round]:
        """The rounds by their first year, whatever order pulje.yaml lists them in."""
        return sorted(self.runder, key=lambda r: min(r.aar))


# ----------------------------------------------------------------------------- regler.yaml

class Kategori(_Model):
    kort: str
    navn: str
    formel: bool
    #: In rule formel_andel: formel, uformel, or oevrig (neither; the readings differ here).
    del_: Literal["formel", "uformel", "oevrig"] | None = Field(default=None, alias="del")

    @property
    def part(self) -> str:
        return self.del_ or ("formel" if self.formel else "uformel")


class Gebyr(_Model):
    """A typical fee per participant for a whole line of a kategori, with its source."""
    min_kr: int = Field(ge=0)
    max_kr: int = Field(ge=0)
    enhed: str
    kilde: OneLine
    #: The fee is per course week: the line's ceiling is max_kr × its weeks (start–slut).
    pr_uge: bool = False


class TypiskeGebyrer(_Model):
    faktor_over: float = Field(default=2.0, gt=1)
    faktor_under: float = Field(default=0.5, gt=0, lt=1)
    kategorier: dict[str, Gebyr] = {}


class Laesning(_Model):
    """One reading of the 90/10 rule: whether costs that are neither count in the 10 %."""
    id: str
    navn: str
    oevrig_taeller_med: bool
    kilde: OneLine


class Maalgruppe(_Model):
    navn: str
    dagtilbud: bool


class Rule(_Model):
    navn: str
    status_ved_fund: Literal["advarsel", "brud"]
    kilde: OneLine
    min_formel_andel: float | None = Field(default=None, gt=0, le=1)
    status_ved_risiko: Literal["advarsel", "brud"] | None = None
    tekst_ved_fund: OneLine | None = None
    #: formel_andel: the status when only one of the readings breaks the rule, and the readings.
    status_ved_en_laesning: Literal["advarsel", "brud"] | None = None
    laesninger: list[Laesning] = []
    #: loen_vikar: the status when a line's cost per participant is far above the typical fee.
    status_ved_tvivl: Literal["uafklaret", "advarsel"] | None = None


RULE_IDS = ("formel_andel", "runde1_periode", "loen_vikar", "ikke_sfo", "lokal_plan_godkendt",
            "forbrug_inden_for_tilskud", "fordeling_og_behov")


class RulesConfig(_Model):
    kategorier: dict[str, Kategori]
    maalgrupper: dict[str, Maalgruppe]
    finansiering: dict[str, str]
    regler: dict[str, Rule]
    typiske_gebyrer: TypiskeGebyrer = TypiskeGebyrer()

    @model_validator(mode="after")
    def _check(self) -> RulesConfig:
        missing = [r for r in RULE_IDS if r not in self.regler]
        if missing:
            raise ValueError(f"regler mangler {', '.join(missing)}")
        if self.regler["formel_andel"].min_formel_andel is None:
            raise ValueError("regler.formel_andel mangler min_formel_andel")
        if self.regler["forbrug_inden_for_tilskud"].status_ved_risiko is None:
            raise ValueError("regler.forbrug_inden_for_tilskud mangler status_ved_risiko")
        if "pulje" not in self.finansiering:
            raise ValueError("finansiering skal have 'pulje'")
        return self

    @property
    def min_formel_andel(self) -> float:
        return float(self.regler["formel_andel"].min_formel_andel)

    @property
    def max_uformel_andel(self) -> float:
        return 1 - self.min_formel_andel

    def rule(self, rid: str) -> Rule:
        return self.regler[rid]


# ----------------------------------------------------------------------------- overvejelser.yaml

class PointRule(_Model):
    """A checklist rule: matches when ANY of its conditions does (see overvejelser.yaml)."""
    kategori: list[str] | None = None
    alle_kategorier: list[str] | None = None
    maalgruppe: list[str] | None = None
    ord: list[str] | None = None
    felt: str | None = None


class Point(_Model):
    id: str = Field(min_length=1)
    titel: str = Field(min_length=1)
    seed: str = Field(min_length=1)
    spoergsmaal: OneLine = Field(min_length=1)
    fuld: PointRule | None = None
    delvis: PointRule | None = None
    kraever: PointRule | None = None
    note_delvis: OneLine | None = None


class PointsConfig(_Model):
    punkter: list[Point] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> PointsConfig:
        seen: set[str] = set()
        for p in self.punkter:
            if p.id in seen:
                raise ValueError(f"id '{p.id}' optræder to gange")
            seen.add(p.id)
        return self

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.punkter]


# ----------------------------------------------------------------------------- maal.yaml

class Target(_Model):
    id: str
    navn: str
    andel_paedagoger_pct: float | None = Field(default=None, ge=0, le=100)
    kilde: OneLine


class Personale(_Model):
    normering_aar: int
    boern_kolonner: dict[str, str]


class Fremskrivning(_Model):
    afgang_pct_aar: float = Field(default=0.0, ge=0, lt=100)
    fuldfoerer: dict[str, str]
    varighed_aar: dict[str, int]
    scenarie_start_maaned: int = Field(default=8, ge=1, le=12)


class PrDeltager(_Model):
    """What the pool paid per participant in a published plan, with its source."""
    beloeb_kr: int = Field(gt=0)
    kilde: OneLine


class Muligheder(_Model):
    """What money could buy (opkval.engine.options, the landsoversigt); fees: regler.yaml."""
    kategorier: list[str] = Field(min_length=1)
    pr_deltager_i_plan: dict[str, PrDeltager] = {}
    afstand_intervaller_pp: list[float] = Field(default=[5.0, 10.0], min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Muligheder:
        bounds = self.afstand_intervaller_pp
        if any(b <= 0 for b in bounds) or bounds != sorted(set(bounds)):
            raise ValueError("afstand_intervaller_pp skal være stigende positive tal")
        return self


class MaalConfig(_Model):
    maal: list[Target]
    personale: Personale
    fremskrivning: Fremskrivning
    muligheder: Muligheder = Muligheder(kategorier=["meritpaedagog", "pau", "diplommodul"])


# ----------------------------------------------------------------------------- loading

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(p: Path):
    """A config file's YAML (safe loader); ConfigError names the file when it is missing/bad.

    libyaml's safe loader where PyYAML has it (the same values for these files, in a tenth of
    the time: the four files cost every note about 0,04 s in pure Python). A kommune's plan
    keeps the pure-Python loader: it bounds depth and aliases node by node."""
    try:
        return yaml.load(p.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except FileNotFoundError:
        raise ConfigError(f"{p}: config-filen mangler.") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{p}: ugyldig YAML ({e}).") from None


_DANISH = {
    "missing": "feltet mangler",
    "extra_forbidden": "ukendt felt",
    "int_type": "skal være et heltal", "int_parsing": "skal være et heltal",
    "int_from_float": "skal være et heltal",
    "float_type": "skal være et tal", "float_parsing": "skal være et tal",
    "bool_type": "skal være true eller false", "bool_parsing": "skal være true eller false",
    "string_type": "skal være en tekst",
    "string_too_short": "må ikke være tom", "too_short": "må ikke være tom",
    "list_type": "skal være en liste", "dict_type": "skal være en tabel af felter",
    "model_type": "skal være en tabel af felter",
    "date_type": "skal være en dato (ÅÅÅÅ-MM-DD)", "date_parsing": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "skal være en dato (ÅÅÅÅ-MM-DD)",
}
_BOUNDS = {"greater_than": ("større end", "gt"), "greater_than_equal": ("mindst", "ge"),
           "less_than": ("mindre end", "lt"), "less_than_equal": ("højst", "le")}


def _location(loc: tuple, raw: object) -> str:
    """``('runder', 0, 'kort')`` → ``runder[1].kort``; a dict key that is a number (a year)
    stays as it is: ``pulje.beloeb_kr.2024``."""
    out, node = "", raw
    for step in loc:
        if isinstance(step, int) and isinstance(node, list):
            out += f"[{step + 1}]"
            node = node[step] if step < len(node) else None
        else:
            out += f".{step}" if out else str(step)
            node = node.get(step) if isinstance(node, dict) else None
    return out


def _danish(err: dict, raw: object) -> str:
    """One pydantic error as a Danish line: the field (list positions from 1), what is wrong,
    the value found."""
    loc = tuple(err["loc"])
    where = f"felt '{_location(loc, raw)}'" if loc else "filen"
    if loc[:1] == ("punkter",) and len(loc) > 1 and isinstance(raw, dict):
        items = raw.get("punkter")
        i = loc[1]
        if isinstance(items, list) and isinstance(i, int) and i < len(items) \
                and isinstance(items[i], dict) and items[i].get("id"):
            where += f" (punkt '{items[i]['id']}')"
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "value_error":
        text = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    elif kind == "literal_error":
        text = f"skal være {ctx.get('expected', '')}".replace("' or '", "' eller '")
    elif kind in _BOUNDS:
        word, key = _BOUNDS[kind]
        text = f"skal være {word} {ctx.get(key)}"
    else:
        text = _DANISH.get(kind, err["msg"])
    value = "" if kind == "missing" or not loc else f" (værdi: {err.get('input')!r:.60})"
    return f"{where}: {text}{value}"


def parse_config(model: type[BaseModel], p: Path):
    """Read and validate a config file with a pydantic model; one message on the first error,
    in Danish, naming the file, the field and the value."""
    raw = read_yaml(p)
    try:
        return model.model_validate(raw or {})
    except ValidationError as e:
        raise ConfigError(f"{p}: {_danish(e.errors()[0], raw)}.") from None


@lru_cache(maxsize=16)
def _load(model: type[BaseModel], path: str):
    return parse_config(model, Path(path))


def _path(path: Path | str | None, name: str) -> str:
    return str(Path(path) if path else CONFIG_DIR / name)


def load_config(path: Path | str | None = None) -> PuljeConfig:
    """``pulje.yaml``: the pool, its rounds, keys and backtest."""
    return _load(PuljeConfig, _path(path, "pulje.yaml"))


def load_rules(path: Path | str | None = None) -> RulesConfig:
    """``regler.yaml``: a plan's vocabulary and the rules' parameters."""
    return _load(RulesConfig, _path(path, "regler.yaml"))


def load_points(path: Path | str | None = None) -> PointsConfig:
    """``overvejelser.yaml``: the checklist points of the ministry's guide and KL/BUPL's tool."""
    return _load(PointsConfig, _path(path, "overvejelser.yaml"))


def load_maal(path: Path | str | None = None) -> MaalConfig:
    """``maal.yaml``: targets for the staff mix and the projection's parameters."""
    return _load(MaalConfig, _path(path, "maal.yaml"))


#: Years after the pool's last year that a note may still report on (repayment, final
#: accounts).
REPORT_YEARS_AFTER = 5


def report_years(cfg: PuljeConfig | None = None) -> range:
    """The years a note may report on: the pool's years and :data:`REPORT_YEARS_AFTER` more."""
    cfg = cfg or load_config()
    return range(cfg.first_year, cfg.last_year + REPORT_YEARS_AFTER + 1)


def plan_years(cfg: PuljeConfig | None = None) -> range:
    """The years a plan may use in budget/forbrug: the pool's years."""
    cfg = cfg or load_config()
    return range(cfg.first_year, cfg.last_year + 1)


# ----------------------------------------------------------------------------- for plans

@dataclass(frozen=True)
class PlanConfig:
    """What reading or writing a local plan needs of the configuration
    (:mod:`opkval.inputs.plan`, :mod:`opkval.inputs.excel`): the pool (its years and rounds,
    for budget, forbrug and tilsagn), its rules (kategorier, målgrupper, finansiering) and the
    Bilag 2 points (overvejelser). Made once where a run starts and passed down, as the engines
    get theirs."""

    cfg: PuljeConfig
    rules: RulesConfig
    points: PointsConfig

    @property
    def years(self) -> range:
        """The years a plan may use in budget/forbrug: the pool's years."""
        return plan_years(self.cfg)


def load_plan_config() -> PlanConfig:
    """The :class:`PlanConfig` of the project's files in ``opkval/config``: for the app's entry
    points (the command line, the note's orchestration), not for the readers themselves."""
    return PlanConfig(load_config(), load_rules(), load_points())
