"""Resolve what a user typed (name, slug, ASCII form or code) to one kommune.

The raw string never goes further than :func:`resolve`: callers get a :class:`Kommune` with a
validated integer code, and only that reaches notebook parameters.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from opkval.base.errors import DataError, KommuneNotFound

if TYPE_CHECKING:
    import pandas as pd

# ASCII transliteration used for slugs (æ→ae, ø→oe, å→aa).
_SLUG_MAP = {"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "ue", "ö": "oe", "ä": "ae"}
# Further spellings people type for each letter (Ishoj, Tarnby, Lyngby-Taarbak).
_VARIANTS = {"æ": ("ae", "a", "e"), "ø": ("oe", "o"), "å": ("aa", "a")}
# Common alternative names.
_ALIASES = {
    "nordfyn": "Nordfyns",
    "vesthimmerland": "Vesthimmerlands",
    "kbh": "København",
    "copenhagen": "København",
    "arhus": "Aarhus",
}
_SUFFIXES = ("regionskommune", "kommune")
# The kommuner whose official name is not "<DST short name> Kommune" (issue 19): the one place
# where a kommune's official name is composed (:func:`official_name`).
_OFFICIAL_NAMES = {
    "København": "Københavns Kommune",
    "Bornholm": "Bornholms Regionskommune",
}


def official_name(navn: str) -> str:
    """A kommune's official name from DST's short form: 'Ishøj' → 'Ishøj Kommune',
    'København' → 'Københavns Kommune', 'Bornholm' → 'Bornholms Regionskommune'."""
    return _OFFICIAL_NAMES.get(navn, f"{navn} Kommune")


@dataclass(frozen=True)
class Kommune:
    kode: int
    navn: str
    region: str
    kommunegruppe: str

    @property
    def slug(self) -> str:
        return slugify(self.navn)

    @property
    def kode_str(self) -> str:
        return f"{self.kode:03d}"

    @property
    def officielt_navn(self) -> str:
        """'Ishøj Kommune', 'Københavns Kommune', 'Bornholms Regionskommune'."""
        return official_name(self.navn)


def slugify(name: str) -> str:
    """ASCII slug: 'Ishøj' → 'ishoej', 'Høje-Taastrup' → 'hoeje-taastrup'."""
    s = unicodedata.normalize("NFC", name).casefold()
    s = "".join(_SLUG_MAP.get(ch, ch) for ch in s)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def _key(text: str) -> str:
    """Comparison key: NFC, casefold, letters and digits only (keeps æøå)."""
    s = unicodedata.normalize("NFC", text).casefold().strip()
    s = re.sub(r"[^0-9a-zæøåéüöä]+", "", s)
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    return s


def _ascii_variants(key: str) -> set[str]:
    options = [_VARIANTS.get(ch, (_SLUG_MAP.get(ch, ch),)) for ch in key]
    if sum(len(o) > 1 for o in options) > 6:  # bound the combinations
        options = [(o[0],) for o in options]
    return {"".join(p) for p in itertools.product(*options)}


#: The columns of municipalities.csv a KommuneIndex reads.
MUNICIPALITY_COLUMNS = ("kommunekode", "kommune", "region", "kommunegruppe")


class KommuneIndex:
    """All 98 kommuner and every accepted spelling of each."""

    def __init__(self, municipalities: pd.DataFrame):
        """From the validated ``municipalities`` table."""
        self._index(municipalities.itertuples(index=False))

    @classmethod
    def from_csv(cls, path: Path) -> KommuneIndex:
        """Straight from ``municipalities.csv``, without pandas or validation: for the quick
        paths (a ``make reports`` with nothing to do) that never load the data."""
        if not Path(path).exists():
            raise DataError(f"{path}: filen mangler (forventet i {Path(path).parent}).")
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:  # BOM as in data.py
                reader = csv.DictReader(f)
                missing = [c for c in MUNICIPALITY_COLUMNS if c not in (reader.fieldnames or [])]
                if missing:
                    raise DataError(f"{path}: kolonnen '{missing[0]}' mangler.")
                rows = [SimpleNamespace(**r) for r in reader]
        except UnicodeDecodeError as e:
            raise DataError(f"{path}: filen er ikke UTF-8 ({e.reason} ved byte "
                            f"{e.start}).") from None
        for line, r in enumerate(rows, start=2):
            if not r.kommunekode.strip().isdigit():
                raise DataError(f"{path}, linje {line}, kolonne kommunekode: værdien "
                                f"{r.kommunekode!r} er ikke en kommunekode.")
        index = cls.__new__(cls)
        index._index(rows)
        return index

    def _index(self, rows: Iterable) -> None:
        """Rows with the table's columns as attributes."""
        self.by_code: dict[int, Kommune] = {}
        self._lookup: dict[str, int] = {}
        for row in rows:
            k = Kommune(int(row.kommunekode), str(row.kommune), str(row.region),
                        str(row.kommunegruppe))
            self.by_code[k.kode] = k
        for k in self.by_code.values():
            key = _key(k.navn)
            for variant in {key, *_ascii_variants(key), slugify(k.navn).replace("-", "")}:
                self._lookup.setdefault(variant, k.kode)
        for alias, navn in _ALIASES.items():
            code = self._lookup.get(_key(navn))
            if code is not None:
                self._lookup.setdefault(alias, code)

    def __iter__(self):
        return iter(sorted(self.by_code.values(), key=lambda k: k.kode))

    def spellings(self, kode: int) -> list[str]:
        """Every comparison key :meth:`resolve` maps to this kommune (variants, slug, aliases),
        for a search box that should find what the command line accepts."""
        return sorted(key for key, code in self._lookup.items() if code == kode)

    def __len__(self) -> int:
        return len(self.by_code)

    def resolve(self, text: object) -> Kommune:
        """Return the kommune meant by `text`, or raise KommuneNotFound with suggestions."""
        raw = "" if text is None else str(text)
        s = unicodedata.normalize("NFC", raw).strip()
        if re.fullmatch(r"\d{1,4}", s):
            code = int(s)
            if code in self.by_code:
                return self.by_code[code]
            raise KommuneNotFound(f"Ukendt kommunekode '{raw}'. Kommunekoder er tre cifre, "
                                  "fx 183 for Ishøj.")
        if not s:
            raise KommuneNotFound("Ingen kommune angivet. Brug fx KOMMUNE=Ishøj.")
        key = _key(s)
        for candidate in (key, *sorted(_ascii_variants(key))):
            if candidate in self._lookup:
                return self.by_code[self._lookup[candidate]]
        raise KommuneNotFound(self._unknown_message(raw, key))

    def _unknown_message(self, raw: str, key: str) -> str:
        ascii_key = sorted(_ascii_variants(key))[0] if key else key
        close = difflib.get_close_matches(ascii_key, list(self._lookup), n=6, cutoff=0.7)
        names: list[str] = []
        for c in close:
            navn = self.by_code[self._lookup[c]].navn
            if navn not in names:
                names.append(navn)
        shown = raw if len(raw) <= 60 else raw[:57] + "..."
        msg = f"Ukendt kommune '{shown}'."
        if names:
            msg += " Mente du: " + ", ".join(names[:3]) + "?"
        else:
            msg += " Se alle 98 med 'make kommuner'."
        return msg
