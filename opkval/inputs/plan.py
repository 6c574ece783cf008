"""A kommune's local plan for upskilling, read from YAML (or Excel) and validated.

The plan format is documented in ``docs/plan-format.md``. :func:`load_plan` reads a file,
checks every field and raises :class:`PlanError` listing *all* problems at once, each naming
the file, the field, where it is (YAML line or Excel cell) and the value found. YAML is read
with PyYAML's safe loader only.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from opkval import PROJECT_ROOT
from opkval.base.domain import SECTION_IDS, SECTIONS_FIXED_IN_ANALYSE, SECTIONS_REQUIRED
from opkval.base.errors import MISSING as _MISSING
from opkval.base.errors import KommuneNotFound, Path_, PlanError, Problem, field_name
from opkval.base.fmt import line_words, number
from opkval.inputs.config import PlanConfig, PointsConfig, PuljeConfig, RulesConfig
from opkval.inputs.excel import DATE_YEARS, choice_labels, read_workbook
from opkval.inputs.kommune import Kommune, KommuneIndex
from opkval.inputs.logo import MAX_BYTES as LOGO_MAX
from opkval.inputs.logo import LogoError, validated_png
from opkval.inputs.plan_model import Behov, Indsats, Notat, Plan, Tilsagn
from opkval.inputs.workbook import MAX_FILE_BYTES as WORKBOOK_MAX_BYTES
from opkval.inputs.workbook import SUFFIXES as WORKBOOK_SUFFIXES

PLANS_DIR = PROJECT_ROOT / "data" / "plans"

# Limits on a plan, checked before the expensive work (docs/plan-format.md, "Limits"). A real
# plan is a few KB with about ten indsatser; every limit is far above what a kommune plans and
# far below what makes a note slow, unreadable or wrong.
#: Largest YAML plan read (checked with stat, before a byte is read). A workbook's limits
#: (file, expanded size, used range) are opkval/inputs/workbook.py's, checked by read_workbook.
MAX_FILE_BYTES = {".yaml": 512 * 1024, ".yml": 512 * 1024}
#: YAML: nodes after expanding every alias (a 9-level alias bomb is ~10^9), and nesting depth.
MAX_YAML_NODES = 20_000
MAX_YAML_DEPTH = 20
MAX_INDSATSER = 100
MAX_BEHOV = 100
MAX_LIST_ITEMS = 50  # fordeling, behov links, antagelser of one indsats
#: Characters in a name or id (shown in table columns), and in any other text.
MAX_NAME_CHARS = 120
MAX_WORD_CHARS = 30  # a name's longest run without a space: one table column wide (the
#                     longest real Danish course words have ~28 letters)
MAX_TEXT_CHARS = 4000
#: Participants in one indsats, and kroner per year in one indsats (the whole pool is 195,9
#: mio. kr. a year for all 98 kommuner).
MAX_DELTAGERE = 1000
MAX_AMOUNT_KR = 100_000_000
#: A tilsagn letter's amount as a share of the whole pool for its year or round: København,
#: the largest kommune, has 12,5 % of the children aged 0–5 (2021), the pool's key.
MAX_TILSAGN_SHARE = 0.15

TOP_KEYS = ("kommune", "titel", "dato", "kilde", "godkendt", "maal", "behov", "indsatser",
            "overvejelser", "tilsagn", "notat", "forrige")
INDSATS_KEYS = ("navn", "kategori", "maalgruppe", "start", "slut", "deltagere", "fordeling",
                "budget", "forbrug", "finansiering", "behov", "beskrivelse",
                "kategori_begrundelse", "antagelser", "kategori_alternativ",
                "kategori_usikkerhed")
GODKENDT_KEYS = ("af", "dato")
MAAL_KEYS = ("andel_paedagoger_pct", "aar")
BEHOV_KEYS = ("id", "tekst")
TILSAGN_KEYS = ("aar", "runde", "beloeb", "kilde", "dato")
NOTAT_KEYS = ("indledning", "afsnit", "indstilling", "udvalg", "moede", "sagsnr", "afsender",
              "kontakt", "bilag_nr", "logo", "i_bilag", "udelad")
AFSNIT_KEYS = ("overskrift", "tekst")
LOGO_SUFFIXES = {".png": "image/png", ".svg": "image/svg+xml"}
LOGO_MAX_BYTES = LOGO_MAX  # opkval/inputs/logo.py: checked with stat before a byte is read
#: ``forrige: git``: the previous committed version of the same plan file.
FORRIGE_GIT = "git"

Locator = Callable[[Path_], str | None]

__all__ = ["Plan", "Indsats", "Behov", "Notat", "Tilsagn", "PlanError", "Problem", "load_plan",
           "find_plan",
           "plan_file_for", "validate", "to_raw", "to_yaml"]


# ----------------------------------------------------------------------------- reading

PLAN_SUFFIXES = (".yaml", ".yml", ".xlsx", ".ods")


def plan_file_for(slug: str, plans_dir: Path | None = None) -> Path | None:
    """The kommune's registered plan: ``data/plans/<slug>.yaml`` (or ``.yml``, ``.xlsx``,
    ``.ods``). Two of them for one kommune is an error: which one is meant is not clear."""
    found = [p for ext in PLAN_SUFFIXES if (p := (plans_dir or PLANS_DIR) / f"{slug}{ext}")
             .is_file()]
    if len(found) > 1:
        names = " og ".join(display_path(p) for p in found)
        raise PlanError(names, [Problem("", None, _MISSING, f"kommunen har {len(found)} "
                                        f"planfiler ({names}); behold én, og slet eller flyt "
                                        "de andre")])
    return found[0] if found else None


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except (ValueError, OSError, RuntimeError):  # outside the project, or a loop of links
        return str(path)


def load_plan(path: Path | str, index: KommuneIndex, expected: Kommune | None = None, *,
              config: PlanConfig) -> Plan:
    """Read and validate a plan (``.yaml``/``.yml``, ``.xlsx`` or ``.ods``); raise PlanError
    listing every problem (a workbook's reading and validation problems together).
    ``config``: the pool, its rules and the Bilag 2 points the plan is checked against.

    Suffix, type and size are checked before the file is read (a 20 GiB file is refused at
    once, not read into memory)."""
    p = Path(path)
    shown = display_path(p)
    suffix = p.suffix.lower()
    if p.is_dir():
        raise PlanError(shown, [Problem("", None, _MISSING, "er en mappe, ikke en planfil")])
    if not p.exists():
        why = _not_regular(p)  # a loop of links, a dangling link: say so
        raise PlanError(shown, [Problem("", None, _MISSING, "filen findes ikke" if why is None
                                        or "findes ikke" in why else why)])
    if suffix not in MAX_FILE_BYTES and suffix not in WORKBOOK_SUFFIXES:
        old = "; gem den i Excel eller LibreOffice som .xlsx eller .ods" if suffix == ".xls" else ""
        raise PlanError(shown, [Problem("", None, p.suffix or "(ingen)", "ukendt filtype; brug "
                                        f".yaml, .xlsx eller .ods{old}")])
    if not p.is_file():
        raise PlanError(shown, [Problem("", None, _MISSING,
                                        "er ikke en almindelig fil (fx en enhed eller kø)")])
    if suffix in WORKBOOK_SUFFIXES:
        raw, locate, problems = read_workbook(p, config)  # within limits, before a full read
        if raw is None:
            raise PlanError(shown, problems)
    limit = _size_limit(suffix)
    try:
        size = p.stat().st_size
        if size > limit:
            raise PlanError(shown, [Problem("", None, _MISSING,
                                            f"filen fylder {_size(size)}; grænsen for en "
                                            f"{suffix}-plan er {_size(limit)}")])
        with open(p, "rb") as f:
            raw_bytes = f.read(limit + 1)
    except OSError as e:
        raise PlanError(shown, [Problem("", None, _MISSING,
                                        f"kan ikke læses ({e.strerror or e})")]) from None
    if len(raw_bytes) > limit:  # grew while we looked
        raise PlanError(shown, [Problem("", None, _MISSING,
                                        f"filen fylder over {_size(limit)}, grænsen for en "
                                        f"{suffix}-plan")])
    digest = hashlib.sha256(raw_bytes).hexdigest()
    if suffix not in WORKBOOK_SUFFIXES:
        raw, locate, problems = _read_yaml(raw_bytes)
    if raw is None or (problems and suffix not in WORKBOOK_SUFFIXES):
        raise PlanError(shown, problems)
    plan, checked = validate(raw, locate, index, expected, base_dir=p.parent, config=config)
    problems = [*problems, *_not_covered(checked, problems)]
    if problems or plan is None:
        raise PlanError(shown, problems)
    return replace(plan, fil=shown, sha256=digest)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{number(n / (1024 * 1024), 1)} MB"
    return f"{number(n / 1024)} KB"


def _size_limit(suffix: str) -> int:
    """The largest plan file of this type that is read (a workbook: its container)."""
    return WORKBOOK_MAX_BYTES if suffix in WORKBOOK_SUFFIXES else MAX_FILE_BYTES[suffix]


class _LimitExceeded(yaml.YAMLError):
    def __init__(self, message: str, mark):
        super().__init__(message)
        self.problem, self.problem_mark = message, mark


class _PlanLoader(yaml.SafeLoader):
    """The safe loader, bounded: nesting depth and the node count after expanding aliases are
    counted while composing (one pass), so an alias bomb or 5.000 levels of nesting stop at
    the limit instead of hanging or overflowing the stack. An impossible date written without
    quotes (``2024-02-30``) stays text, for the validation to name."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}
        self._aliases = False

    def compose_node(self, parent, index):
        event = self.peek_event()
        if self.check_event(yaml.AliasEvent):
            anchor = event.anchor
            if anchor in self.anchors:
                self._aliases = True
                self._count(self._sizes.get(id(self.anchors[anchor]), 1), event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _LimitExceeded(f"planen er indlejret i mere end {MAX_YAML_DEPTH} niveauer "
                                 f"(lister og tabeller i hinanden); grænsen er "
                                 f"{MAX_YAML_DEPTH}", event.start_mark)
        before = self._nodes
        self._count(1, event.start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._sizes[id(node)] = self._nodes - before
        return node

    def _count(self, n: int, mark) -> None:
        self._nodes += n
        if self._nodes > MAX_YAML_NODES:
            limit = f"{MAX_YAML_NODES:,}".replace(",", ".")
            if not self._aliases:  # a plain plan that is far too big, not an alias bomb
                raise _LimitExceeded(f"planen har over {limit} værdier; grænsen er {limit} "
                                     f"(en plan har højst {MAX_INDSATSER} indsatser)", mark)
            raise _LimitExceeded(f"planen har over {limit} værdier, når aliaser (*navn) er "
                                 f"foldet ud; grænsen er {limit}", mark)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return str(node.value)  # "2024-02-30": not a date; validation says so


_PlanLoader.add_constructor("tag:yaml.org,2002:timestamp", _PlanLoader.construct_yaml_timestamp)

# YAML 1.1 reads much as a number that a kommune means as text or wrote by mistake: a leading
# zero is octal (0462000 is 156.672), and 0x7E8, 0b1, 1_000, +5 and 1:30 (base 60) are numbers
# too; yes/no/on/off are booleans. A plan's integers are decimal digits only (a minus sign for
# validation to refuse), its decimals are digits with a point, and only true/false are
# booleans: anything else stays the text as written, for validation to name.
_INT, _FLOAT, _BOOL = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                       "tag:yaml.org,2002:bool")
_PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT, _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_PlanLoader.add_implicit_resolver(_INT, re.compile(r"^(?:0|-?[1-9][0-9]*)$"),
                                  list("-0123456789"))
_PlanLoader.add_implicit_resolver(
    _FLOAT, re.compile(r"^-?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?$"
                       r"|^-?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"), list("-.0123456789"))
_PlanLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                  list("tTfF"))


def _not_covered(checked: list[Problem], found: list[Problem]) -> list[Problem]:
    """Validation problems not already explained by a problem found while reading (a formula
    without a value is not also 'feltet mangler')."""
    bad = {p.field for p in found if p.field}

    def covered(q: Problem) -> bool:
        return any(q.field == b or q.field.startswith((f"{b}.", f"{b}["))
                   or (q.value is _MISSING and q.field and b.startswith(q.field))
                   for b in bad)

    return [q for q in checked if not covered(q)]


def _read_yaml(data: bytes) -> tuple[Any, Locator, list[Problem]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, _no_loc, [Problem("", None, _MISSING, f"filen er ikke UTF-8 ({e.reason})")]
    if not text.strip() or all(line.lstrip().startswith("#") or not line.strip()
                               for line in text.splitlines()):
        return None, _no_loc, [Problem("", None, _MISSING, "filen er tom")]
    if ctrl := _CONTROL.search(text):  # the YAML reader would stop with its own English text
        line = text.count("\n", 0, ctrl.start()) + 1
        return None, _no_loc, [Problem("", f"linje {line}", _MISSING, f"filen har et "
                                       f"kontroltegn (U+{ord(ctrl.group()):04X}); slet det")]
    try:
        loader = _PlanLoader(text)
    except yaml.YAMLError as e:
        return None, _no_loc, [Problem("", None, _MISSING, f"ugyldig YAML: {_clip(str(e))}")]
    try:
        node = loader.get_single_node()
        raw = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f"linje {mark.line + 1}, kolonne {mark.column + 1}" if mark else None
        # Only the parser's short reason: str(e) would quote lines of the file, and a file
        # that is not a plan (a link to a system file) must not be echoed.
        reason = getattr(e, "problem", None) or type(e).__name__
        return None, _no_loc, [Problem("", where, _MISSING, f"ugyldig YAML: {_clip(reason)}")]
    except (ValueError, TypeError, OverflowError) as e:  # a constructor refusing a value
        return None, _no_loc, [Problem("", None, _MISSING, f"ugyldig YAML: {_clip(str(e))}")]
    finally:
        loader.dispose()
    problems = [Problem(_field(path), f"linje {line}", key, "feltet står to gange")
                for path, key, line in _duplicate_keys(node)]
    return raw, _yaml_locator(node), problems


def _clip(text: str, n: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _no_loc(path: Path_) -> str | None:
    return None


def _key_matches(key_node: yaml.Node, key: str | int) -> bool:
    return isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == str(key)


def _yaml_locator(root: yaml.Node | None) -> Locator:
    def locate(path: Path_) -> str | None:
        node = root
        line = node.start_mark.line + 1 if node is not None else None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                hit = [(k, v) for k, v in node.value if _key_matches(k, step)]
                if not hit:
                    break
                line = hit[-1][0].start_mark.line + 1
                node = hit[-1][1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    break
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                break
        return f"linje {line}" if line else None

    return locate


def _duplicate_keys(node: yaml.Node | None, path: Path_ = ()) -> list[tuple[Path_, str, int]]:
    out: list[tuple[Path_, str, int]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            key = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
            if key in seen:
                out.append(((*path, key), key, k.start_mark.line + 1))
            seen.add(key)
            out.extend(_duplicate_keys(v, (*path, key)))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.extend(_duplicate_keys(v, (*path, i)))
    return out


_field = field_name


# ----------------------------------------------------------------------------- validation

_DANISH_DATE = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")
_PCT_TEXT = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*%?\s*$")


def _parse_date(text: str) -> dt.date | str:
    """ISO (2024-08-01) or Danish day first (01-08-2024, 1.8.2024, 01/08/2024); else as is."""
    t = text.strip()
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        pass
    if m := _DANISH_DATE.match(t):
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    return text


def _percent(c: _Checker, path: Path_, v: object) -> float | None:
    """A target in percent: a number 0–100 or text such as "60 %" / "60,0 %". A value between
    0 and 1 is a share written where a percent is meant (0,6 for 60 %): an error."""
    if isinstance(v, str) and (m := _PCT_TEXT.match(v)):
        v = float(m.group(1).replace(",", "."))
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100:
        c.add(path, v if v is not None else _MISSING, "skal være en procent mellem 0 og 100")
        return None
    if 0 < v < 1:
        c.add(path, v, f"{str(v).replace('.', ',')} kan ikke være målet i procent; skriv "
              f"procenten, fx {round(v * 100, 4):g} (eller {round(v * 100, 4):g} %)")
        return None
    return float(v)


#: Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: C0 and C1 control characters other than tab and line ends, and DEL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _visible(text: str) -> bool:
    """Whether `text` has a character that shows: not a space, not a format character
    (zero-width space, joiners, soft hyphen, BOM: category Cf), not a combining mark alone."""
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Mn",
                                                                    "Me", "Co", "Cn")
               and ch not in "\u2800\u3164\u115f\u1160\uffa0" for ch in text)


class _Checker:
    def __init__(self, locate: Locator):
        self.locate = locate
        self.problems: list[Problem] = []

    def add(self, path: Path_, value: object, message: str) -> None:
        self.problems.append(Problem(_field(path), self.locate(path), value, message))

    def keys(self, path: Path_, d: dict, allowed: tuple[str, ...]) -> None:
        for k in d:
            if str(k) not in allowed:
                close = difflib.get_close_matches(str(k), allowed, n=1, cutoff=0.6) \
                    if len(str(k)) <= MAX_NAME_CHARS else []
                hint = f"; mente du '{close[0]}'?" if close else \
                    f"; tilladte felter: {', '.join(allowed)}"
                shown = _clip(str(k), 40)  # a key is clipped as a value is
                self.add((*path, shown), shown, f"ukendt felt '{shown}'{hint}")

    def text(self, path: Path_, value: object, required: bool = False,
             name: bool = False) -> str | None:
        """Text; a `name` (shown in a table column) is short and has no overlong word."""
        if value is None:
            if required:
                self.add(path, _MISSING, "feltet mangler")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(path, value, "skal være tekst")
            return None
        text = unicodedata.normalize("NFC", str(value)).strip()
        if bidi := _BIDI.search(text):
            # An unterminated embedding or override would reverse opkval's own text after it
            # (the amount in the agenda item); a plan has no need of them.
            self.add(path, value, f"teksten har et styretegn for skriveretning "
                     f"(U+{ord(bidi.group()):04X}); slet det")
            return None
        if ctrl := _CONTROL.search(text):
            self.add(path, value, f"teksten har et kontroltegn (U+{ord(ctrl.group()):04X}); "
                     "slet det")
            return None
        if text and not _visible(text):
            self.add(path, value, "teksten består kun af usynlige tegn")
            return None
        if required and not text:
            self.add(path, value, "må ikke være tomt")
            return None
        limit = MAX_NAME_CHARS if name else MAX_TEXT_CHARS
        if len(text) > limit:
            self.add(path, value, f"teksten har {len(text):,} tegn; grænsen er "
                     f"{limit:,}".replace(",", "."))
            return None
        # Words as a line breaks them: a no-break space (U+00A0, U+202F) glues, it does not
        # split (str.split() would split there, and the name would overrun its column).
        longest = max((len(w) for w in line_words(text)), default=0)
        if name and longest > MAX_WORD_CHARS:
            self.add(path, value, f"et ord på {longest} tegn uden mellemrum kan ikke stå i en "
                     f"tabelkolonne; grænsen er {MAX_WORD_CHARS} tegn pr. ord")
            return None
        return text or None

    def date(self, path: Path_, value: object, required: bool = True) -> dt.date | None:
        """A date in 2020–2035: a date value, or text as 2024-08-01, 01-08-2024, 1.8.2024."""
        if value is None:
            if required:
                self.add(path, _MISSING, "feltet mangler (dato, fx 2024-08-01 eller 01-08-2024)")
            return None
        d = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(d, str):
            d = _parse_date(d)
        if not isinstance(d, dt.date):
            year = isinstance(value, int) and not isinstance(value, bool) and \
                DATE_YEARS[0] <= value <= DATE_YEARS[1]
            hint = (f"; {value} ligner et årstal – skriv en hel dato, fx 01-08-{value}"
                    if year else "")
            self.add(path, value, f"er ikke en dato (skriv fx 2024-08-01 eller 01-08-2024){hint}")
            return None
        if not DATE_YEARS[0] <= d.year <= DATE_YEARS[1]:
            self.add(path, d, f"datoen ligger uden for {DATE_YEARS[0]}–{DATE_YEARS[1]}")
            return None
        return d

    def count(self, path: Path_, value: object) -> int | None:
        return self._whole(path, value, "skal være et helt antal", "må ikke være negativt",
                           MAX_DELTAGERE, "deltagere")

    def amount(self, path: Path_, value: object) -> int | None:
        return self._whole(path, value, "skal være et beløb i hele kroner (et tal uden tekst)",
                           "beløbet må ikke være negativt", MAX_AMOUNT_KR, "kr. pr. år")

    def _whole(self, path: Path_, value: object, not_whole: str, negative: str,
               limit: int, unit: str) -> int | None:
        """A whole number in 0..limit (an int, or a float such as Excel's 8.0), else a
        problem."""
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, float) and not value.is_integer()):
            self.add(path, value, not_whole)
            return None
        if value < 0:
            self.add(path, value, negative)
            return None
        if value > limit:
            self.add(path, value, f"over grænsen på {limit:,} {unit} i én "
                     "indsats".replace(",", "."))
            return None
        return int(value)

    def choice(self, path: Path_, value: object, allowed: dict, what: str,
               labels: dict[str, str] | None = None) -> str | None:
        """A code from ``allowed``; the code or its Danish name (``labels``) in any case."""
        if value is None:
            self.add(path, _MISSING, f"feltet mangler; vælg {what} blandt: {', '.join(allowed)}")
            return None
        labels = labels or {}
        folded = str(value).strip().casefold()
        for code in allowed:
            if isinstance(value, str) and folded in (code.casefold(),
                                                     labels.get(code, code).casefold()):
                return code
        names = {**{c.casefold(): c for c in allowed},
                 **{lab.casefold(): lab for lab in labels.values()}}
        close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.6)
        hint = f" (mente du '{names[close[0]]}'?)" if close else ""
        shown = ", ".join(f"{labels[k]} ({k})" if labels.get(k, k) != k else k for k in allowed)
        self.add(path, value, f"ukendt {what}{hint}; tilladte: {shown}")
        return None

    def mapping(self, path: Path_, value: object, required: bool = False,
                limit: int | None = None) -> dict | None:
        if value is None:
            if required:
                self.add(path, _MISSING, "feltet mangler")
            return None
        if not isinstance(value, dict):
            self.add(path, value, "skal være en tabel af felter (navn: værdi)")
            return None
        if limit is not None and not self.size(path, value, limit):
            return None
        return value

    def size(self, path: Path_, items: dict | list, limit: int) -> bool:
        """At most `limit` entries (else one problem naming the count and the limit)."""
        if len(items) > limit:
            self.add(path, _MISSING, f"har {len(items):,} punkter; grænsen er "
                     f"{limit:,}".replace(",", "."))
            return False
        return True

    def year_amounts(self, path: Path_, value: object, years: range) -> dict[int, int]:
        d = self.mapping(path, value)
        out: dict[int, int] = {}
        written: dict[int, object] = {}
        for k, v in (d or {}).items():
            key = str(k)  # a year is a mapping key, not a list position, in the field name
            # Four decimal digits (int("2_024") and int(" 2024") would pass in Python).
            if isinstance(k, bool) or not re.fullmatch(r"[0-9]{4}", key.strip()):
                self.add((*path, key), k, "skal være et årstal, fx 2024")
                continue
            year = int(key.strip())
            if year not in years:
                self.add((*path, key), k, f"året skal ligge i {years[0]}–{years[-1]}")
                continue
            if year in written:  # 2024 and '2024 ': one year, two amounts; which is meant?
                self.add((*path, key), k, f"året {year} står to gange (som "
                         f"{written[year]!r} og {k!r}); skriv hvert år én gang")
                out.pop(year, None)
                continue
            written[year] = k
            amount = self.amount((*path, key), v)
            if amount is not None:
                out[year] = amount
        return out


def validate(raw: Any, locate: Locator, index: KommuneIndex,
             expected: Kommune | None = None, base_dir: Path | None = None, *,
             config: PlanConfig) -> tuple[Plan | None, list[Problem]]:
    """Check a plan read from YAML or Excel against ``config`` (the pool's years and rounds,
    its rules, the Bilag 2 points); return the plan and every problem found."""
    rules = config.rules
    years = config.years
    c = _Checker(locate)
    if raw is None:
        c.add((), _MISSING, "filen er tom")
        return None, c.problems
    if not isinstance(raw, dict):
        c.add((), raw, "planen skal være en tabel af felter (kommune:, dato:, indsatser: ...)")
        return None, c.problems
    if len(raw) > 3 and not any(str(k) in TOP_KEYS for k in raw):
        # Not a plan (a link to a system file, say): one line, not one per line of the file.
        c.add((), _MISSING, f"filen ligner ikke en plan: ingen af dens {len(raw)} felter er et "
              f"planfelt ({', '.join(TOP_KEYS[:3])} ...); er det den rigtige fil?")
        return None, c.problems
    c.keys((), raw, TOP_KEYS)

    kommune = None
    ktext = c.text(("kommune",), raw.get("kommune"), required=True, name=True)
    if ktext:
        try:
            kommune = index.resolve(ktext)
        except KommuneNotFound as e:
            c.add(("kommune",), ktext, str(e))
    if kommune and expected and kommune.kode != expected.kode:
        c.add(("kommune",), ktext, f"planen gælder {kommune.officielt_navn}, men rapporten er "
              f"for {expected.officielt_navn}")
    titel = c.text(("titel",), raw.get("titel"))
    kilde = c.text(("kilde",), raw.get("kilde"))
    dato = c.date(("dato",), raw.get("dato"))

    godkendt_af = godkendt_dato = None
    g = c.mapping(("godkendt",), raw.get("godkendt"))
    if g is not None:
        c.keys(("godkendt",), g, GODKENDT_KEYS)
        godkendt_af = c.text(("godkendt", "af"), g.get("af"), required=True)
        godkendt_dato = c.date(("godkendt", "dato"), g.get("dato"))

    maal_pct = maal_aar = None
    m = c.mapping(("maal",), raw.get("maal"))
    if m is not None:
        c.keys(("maal",), m, MAAL_KEYS)
        maal_pct = _percent(c, ("maal", "andel_paedagoger_pct"), m.get("andel_paedagoger_pct"))
        a = m.get("aar")
        if isinstance(a, bool) or not isinstance(a, int) or not 2023 <= a <= 2040:
            c.add(("maal", "aar"), a if a is not None else _MISSING,
                  "skal være et årstal mellem 2023 og 2040")
        else:
            maal_aar = a

    behov: list[Behov] = []
    raw_behov = raw.get("behov")
    if raw_behov is not None and not isinstance(raw_behov, list):
        c.add(("behov",), raw_behov, "skal være en liste")
        raw_behov = []
    elif raw_behov and not c.size(("behov",), raw_behov, MAX_BEHOV):
        raw_behov = []
    for i, b in enumerate(raw_behov or []):
        b = c.mapping(("behov", i), b, required=True)
        if b is None:
            continue
        c.keys(("behov", i), b, BEHOV_KEYS)
        bid = c.text(("behov", i, "id"), b.get("id"), required=True, name=True)
        btext = c.text(("behov", i, "tekst"), b.get("tekst"), required=True)
        if bid and any(x.id == bid for x in behov):
            c.add(("behov", i, "id"), bid, "id'et er brugt før i behov")
        elif bid and btext:
            behov.append(Behov(bid, btext))

    overvejelser = _overvejelser(c, raw.get("overvejelser"), config.points)

    indsatser: list[Indsats] = []
    raw_ind = raw.get("indsatser")
    if raw_ind is None:
        c.add(("indsatser",), _MISSING, "feltet mangler (listen over planens indsatser)")
        raw_ind = []
    elif not isinstance(raw_ind, list):
        c.add(("indsatser",), raw_ind, "skal være en liste af indsatser")
        raw_ind = []
    elif not raw_ind:
        c.add(("indsatser",), raw_ind, "planen har ingen indsatser")
    elif not c.size(("indsatser",), raw_ind, MAX_INDSATSER):
        raw_ind = []
    seen_names: dict[str, int] = {}
    advarsler: list[str] = []
    for i, item in enumerate(raw_ind):
        ind = _indsats(c, ("indsatser", i), item, rules, years)
        if ind is None:
            continue
        key = " ".join(ind.navn.split()).casefold()
        if key in seen_names:
            c.add(("indsatser", i, "navn"), ind.navn,
                  f"samme navn som indsats nr. {seen_names[key] + 1}; navne skal være entydige")
            continue
        seen_names[key] = i
        indsatser.append(ind)
        if ind.deltagere is None and rules.kategorier[ind.kategori].part != "oevrig":
            # issue 19: a blank count is a warning naming where; what the plan moves then
            # uses the Fordeling sheet's sum where there is one.
            n = sum(ind.fordeling.values())
            advarsler.append(Problem(
                _field(("indsatser", i, "deltagere")), locate(("indsatser", i, "deltagere")),
                _MISSING, f"antal deltagere er ikke angivet for {ind.navn}; "
                + (f"opkval bruger fordelingens sum ({n}) i »Hvad planen flytter«" if n else
                   "indsatsen tælles ikke med i antal deltagere"
                   + (" eller i puljemidler pr. uddannet"
                      if ind.kategori in ("meritpaedagog", "pau") else ""))
            ).text())

    tilsagn = _tilsagn(c, raw.get("tilsagn"), config.cfg)
    notat = _notat(c, raw.get("notat"), base_dir)
    forrige = c.text(("forrige",), raw.get("forrige"))
    if forrige and forrige != FORRIGE_GIT:
        _sibling(c, ("forrige",), forrige, base_dir, PLAN_SUFFIXES)

    if c.problems or kommune is None or dato is None:
        return None, c.problems
    return Plan(kommune=kommune, dato=dato, indsatser=tuple(indsatser), titel=titel,
                kilde=kilde, godkendt_af=godkendt_af, godkendt_dato=godkendt_dato,
                maal_andel_paedagoger_pct=maal_pct, maal_aar=maal_aar,
                behov=tuple(behov), overvejelser=overvejelser, tilsagn=tilsagn,
                notat=notat, forrige_ref=forrige, advarsler=tuple(advarsler)), []


def _tilsagn(c: _Checker, value: object, cfg: PuljeConfig) -> tuple[Tilsagn, ...]:
    """``tilsagn``: amounts from the kommune's tilsagn letters, by year or by round.

    Checked: whole kroner ≥ 0, a source for each, a year of the pool or a round that exists
    (one of the two), no year or round twice, and a round amount that agrees with the year
    amounts given for that round (all years given: the same sum; some: not more than it).
    ``cfg``: the pool, its years and rounds.
    """
    if value is None:
        return ()
    if not isinstance(value, list):
        c.add(("tilsagn",), value, "skal være en liste, fx - {aar: 2023, beloeb: 1250000, "
              "kilde: ...}")
        return ()
    rounds = {r.id: r for r in cfg.runder}
    years = list(cfg.years)
    out: list[Tilsagn] = []
    seen_year: dict[int, int] = {}
    seen_round: dict[int, int] = {}
    for i, item in enumerate(value):
        path = ("tilsagn", i)
        d = c.mapping(path, item, required=True)
        if d is None:
            continue
        before = len(c.problems)
        c.keys(path, d, TILSAGN_KEYS)
        aar, runde = d.get("aar"), d.get("runde")
        if (aar is None) == (runde is None):
            c.add(path, d, "angiv enten aar eller runde (ét af dem)")
        if aar is not None:
            if isinstance(aar, bool) or not isinstance(aar, int | float) or int(aar) != aar \
                    or int(aar) not in years:
                c.add((*path, "aar"), aar, f"året skal ligge i puljens år {years[0]}–{years[-1]}")
                aar = None
            elif int(aar) in seen_year:
                c.add((*path, "aar"), aar, f"året står også i tilsagn nr. "
                      f"{seen_year[int(aar)] + 1}")
                aar = None
            elif cfg.round_of(int(aar)).udbetaling == "samlet":
                # issue 19: a round paid in one sum has one letter for all its years; a year
                # typed for it would be read as that year alone and carried forward.
                r = cfg.round_of(int(aar))
                c.add((*path, "aar"), aar,
                      f"{int(aar)} ligger i {r.kort.lower()} ({r.aar[0]}–{r.aar[-1]}), som "
                      f"udmøntes samlet i {r.udbetalingsaar}; tilsagnet gælder hele runden. "
                      f"Skriv rundens beløb med runde {r.id} i stedet for år (i arket Tilsagn: "
                      f"{r.id} i kolonnen runde og kolonnen aar tom; i YAML: runde: {r.id})")
                aar = None
            else:
                aar = int(aar)
                seen_year[aar] = i
        if runde is not None:
            if isinstance(runde, bool) or not isinstance(runde, int | float) \
                    or int(runde) != runde or int(runde) not in rounds:
                c.add((*path, "runde"), runde, "ukendt runde; tilladte: "
                      + ", ".join(str(r) for r in rounds))
                runde = None
            elif int(runde) in seen_round:
                c.add((*path, "runde"), runde, f"runden står også i tilsagn nr. "
                      f"{seen_round[int(runde)] + 1}")
                runde = None
            else:
                runde = int(runde)
                seen_round[runde] = i
        if d.get("beloeb") is None:
            c.add((*path, "beloeb"), _MISSING, "feltet mangler (beløbet i tilsagnsbrevet, kr.)")
            beloeb = None
        else:
            beloeb = c.amount((*path, "beloeb"), d.get("beloeb"))
        kilde = c.text((*path, "kilde"), d.get("kilde"), required=True)
        dato = c.date((*path, "dato"), d.get("dato"), required=False)
        if len(c.problems) == before and beloeb is not None and kilde:
            out.append(Tilsagn(beloeb_kr=beloeb, kilde=kilde, aar=aar, runde=runde, dato=dato))
    for t in out:  # plausible: no kommune gets more than MAX_TILSAGN_SHARE of the pool
        pool = (cfg.pool_kr(t.aar) if t.aar is not None
                else sum(cfg.pool_kr(y) for y in rounds[t.runde].aar))
        if pool and t.beloeb_kr > MAX_TILSAGN_SHARE * pool:
            i = seen_year.get(t.aar) if t.aar is not None else seen_round[t.runde]
            what = f"{t.aar}" if t.aar is not None else f"runde {t.runde}"
            c.add(("tilsagn", i, "beloeb"), t.beloeb_kr,
                  f"{number(t.beloeb_kr)} kr. er {number(100 * t.beloeb_kr / pool, 1)} % af "
                  f"hele puljen for {what} ({number(pool)} kr.); grænsen er "
                  f"{number(100 * MAX_TILSAGN_SHARE)} % (den største kommune, København, har "
                  "12,5 % af børnene på 0–5 år). Er beløbet skrevet med et 0 for meget?")
    for t in out:
        if t.runde is None:
            continue
        r = rounds[t.runde]
        given = [y for y in out if y.aar in r.aar]
        total = sum(y.beloeb_kr for y in given)
        i = seen_round[t.runde]
        if len(given) == len(r.aar) and total != t.beloeb_kr:
            c.add(("tilsagn", i, "beloeb"), t.beloeb_kr,
                  f"runde {t.runde} er {t.beloeb_kr} kr., men årene {r.aar[0]}–{r.aar[-1]} "
                  f"står for i alt {total} kr.")
        elif total > t.beloeb_kr:
            c.add(("tilsagn", i, "beloeb"), t.beloeb_kr,
                  f"runde {t.runde} er {t.beloeb_kr} kr., mindre end de {total} kr., der står "
                  f"for år i runden ({', '.join(str(y.aar) for y in given)})")
    return tuple(out)


def _sibling(c: _Checker, path: Path_, name: str, base_dir: Path | None,
             suffixes) -> Path | None:
    """A file named in the plan: a plain file name in the plan's own folder."""
    if Path(name).name != name or name in (".", ".."):
        c.add(path, name, "skal være et filnavn i samme mappe som planen (uden mappe)")
        return None
    if Path(name).suffix.lower() not in suffixes:
        c.add(path, name, f"filtypen skal være {' eller '.join(sorted(suffixes))}")
        return None
    if base_dir is None:
        return None
    p = base_dir / name
    why = _not_regular(p)
    if why:
        c.add(path, name, why)
        return None
    return p


def _not_regular(p: Path) -> str | None:
    """Why `p` is not a regular file to read (None when it is): missing, a loop of links, a
    folder, a device or a FIFO each say so (a FIFO is never opened: it would hang)."""
    import errno
    import os
    import stat

    try:
        st = os.stat(p)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "filen er en løkke af symbolske links"
        if e.errno == errno.ENOENT and os.path.islink(p):
            return "filen er et symbolsk link til noget, der ikke findes"
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return "filen findes ikke ved siden af planen"
        return f"filen kan ikke læses ({e.strerror or type(e).__name__})"
    if stat.S_ISDIR(st.st_mode):
        return "er en mappe, ikke en fil"
    if not stat.S_ISREG(st.st_mode):
        return "er ikke en almindelig fil (fx en enhed, en kø eller en sokkel)"
    return None


def _notat(c: _Checker, value: object, base_dir: Path | None) -> Notat:
    """``notat``: the kommune's own text (Markdown) and the header fields."""
    d = c.mapping(("notat",), value)
    if not d:
        return Notat()
    c.keys(("notat",), d, NOTAT_KEYS)

    def text(key: str) -> str | None:
        return c.text(("notat", key), d.get(key))

    afsnit: list[tuple[str, str]] = []
    raw_afsnit = d.get("afsnit")
    if raw_afsnit is not None and not isinstance(raw_afsnit, list):
        c.add(("notat", "afsnit"), raw_afsnit, "skal være en liste af {overskrift:, tekst:}")
        raw_afsnit = []
    for i, a in enumerate(raw_afsnit or []):
        a = c.mapping(("notat", "afsnit", i), a, required=True)
        if a is None:
            continue
        c.keys(("notat", "afsnit", i), a, AFSNIT_KEYS)
        o = c.text(("notat", "afsnit", i, "overskrift"), a.get("overskrift"), required=True)
        t = c.text(("notat", "afsnit", i, "tekst"), a.get("tekst"), required=True)
        if o and t:
            afsnit.append((" ".join(o.split()), t))
    logo, logo_bytes = text("logo"), b""
    if logo:
        p = _sibling(c, ("notat", "logo"), logo, base_dir, LOGO_SUFFIXES)
        if p is not None:
            # Checked and turned into a plain PNG here, once: no writer sees the file as sent
            # (an SVG that points outside itself is refused; see opkval/inputs/logo.py).
            try:
                logo_bytes = validated_png(p)
            except LogoError as e:
                c.add(("notat", "logo"), logo, str(e))
    bilag = d.get("bilag_nr")
    i_bilag = _section_ids(c, "i_bilag", d.get("i_bilag"), SECTIONS_FIXED_IN_ANALYSE,
                           "titlen bliver i analysen")
    udelad = _section_ids(c, "udelad", d.get("udelad"), SECTIONS_REQUIRED,
                          "afsnittet kan ikke udelades: analysen skal have titel, datagrundlag "
                          "og forbehold")
    for sid in sorted(set(i_bilag) & set(udelad)):
        c.add(("notat", "udelad"), sid, f"afsnittet '{sid}' står både i i_bilag og i udelad; "
              "vælg ét af dem")
    return Notat(
        indledning=text("indledning"), afsnit=tuple(afsnit), indstilling=text("indstilling"),
        udvalg=text("udvalg"), moede=c.date(("notat", "moede"), d.get("moede"), required=False),
        sagsnr=text("sagsnr"), afsender=text("afsender"), kontakt=text("kontakt"),
        bilag_nr=c.text(("notat", "bilag_nr"), bilag), logo=logo, logo_bytes=logo_bytes,
        i_bilag=i_bilag, udelad=udelad)


def _section_ids(c: _Checker, key: str, value: object, fixed: tuple[str, ...],
                 why_fixed: str) -> tuple[str, ...]:
    """``notat.i_bilag`` / ``notat.udelad``: a list of the analysis's section ids (one id may
    be written alone); an unknown id names the valid ones, with a suggestion."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        c.add(("notat", key), value, "skal være en liste af afsnit, fx [tjekliste, kaede]")
        return ()
    if len(items) > len(SECTION_IDS):
        c.add(("notat", key), f"{len(items)} afsnit", f"højst {len(SECTION_IDS)} afsnit")
        return ()
    out: list[str] = []
    for i, item in enumerate(items):
        path = ("notat", key, i)
        if not isinstance(item, str) or not item.strip():
            c.add(path, item, "skal være et afsnits id (tekst), fx tjekliste")
            continue
        sid = item.strip()
        if sid not in SECTION_IDS:
            close = difflib.get_close_matches(sid, SECTION_IDS, n=1, cutoff=0.6) \
                if len(sid) <= MAX_NAME_CHARS else []
            hint = f" (mente du '{close[0]}'?)" if close else ""
            c.add(path, sid, f"ukendt afsnit '{sid}'{hint}; gyldige afsnit: "
                  + ", ".join(SECTION_IDS))
        elif sid in fixed:
            c.add(path, sid, why_fixed)
        elif sid not in out:
            out.append(sid)
    return tuple(out)


def _overvejelser(c: _Checker, value: object, points: PointsConfig) -> dict[str, str]:
    """``overvejelser``: point id → the plan's own words. A blank text means not answered.
    ``points``: the Bilag 2 points a plan may write about (``overvejelser.yaml``)."""
    d = c.mapping(("overvejelser",), value, limit=MAX_BEHOV)
    allowed = points.ids
    out: dict[str, str] = {}
    folded = {a.casefold(): a for a in allowed}
    for k, v in (d or {}).items():
        key = str(k).strip()
        path = ("overvejelser", key)
        key = folded.get(key.casefold(), key)
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f" (mente du '{close[0]}'?)" if close else ""
            c.add(path, k, f"ukendt punkt '{key}'{hint}; tilladte punkter: {', '.join(allowed)}")
            continue
        text = c.text(path, v)
        if text:
            out[key] = " ".join(text.split())
    return out


def _indsats(c: _Checker, path: Path_, item: object, rules: RulesConfig,
             years: range) -> Indsats | None:
    d = c.mapping(path, item, required=True)
    if d is None:
        return None
    before = len(c.problems)
    c.keys(path, d, INDSATS_KEYS)
    navn = c.text((*path, "navn"), d.get("navn"), required=True, name=True)
    labels = choice_labels(rules)
    kategori = c.choice((*path, "kategori"), d.get("kategori"), rules.kategorier, "kategori",
                        labels["kategori"])
    maalgruppe = c.choice((*path, "maalgruppe"), d.get("maalgruppe"), rules.maalgrupper,
                          "målgruppe", labels["maalgruppe"])
    fin_raw = d.get("finansiering", "pulje")
    finansiering = c.choice((*path, "finansiering"), fin_raw, rules.finansiering,
                            "finansiering", labels["finansiering"])
    start = c.date((*path, "start"), d.get("start"))
    slut = c.date((*path, "slut"), d.get("slut"))
    if start and slut and slut < start:
        c.add((*path, "slut"), slut, f"slut ligger før start ({start.isoformat()})")
    deltagere = None
    if d.get("deltagere") is not None:
        deltagere = c.count((*path, "deltagere"), d.get("deltagere"))
    fordeling: dict[str, int] = {}
    f = c.mapping((*path, "fordeling"), d.get("fordeling"), limit=MAX_LIST_ITEMS)
    for k, v in (f or {}).items():
        n = c.count((*path, "fordeling", k), v)
        if c.text((*path, "fordeling", k), k, name=True) and n is not None:
            fordeling[str(k)] = n
    typo = any(difflib.get_close_matches(str(k), ("budget", "forbrug"), n=1, cutoff=0.6)
               for k in d if str(k) not in INDSATS_KEYS)
    if d.get("budget") is None and d.get("forbrug") is None and not typo:
        c.add((*path, "budget"), _MISSING, "feltet mangler (beløb pr. år, fx {2024: 100000})")
    budget = c.year_amounts((*path, "budget"), d.get("budget"), years)
    forbrug = c.year_amounts((*path, "forbrug"), d.get("forbrug"), years)
    links = d.get("behov")
    if links is None:
        links = []
    elif isinstance(links, str):  # "a, b", "a; b" or one id per line
        links = [x.strip() for x in re.split(r"[,;\n]", links) if x.strip()]
    elif not isinstance(links, list):
        c.add((*path, "behov"), links, "skal være en liste af behov-id'er")
        links = []
    if not c.size((*path, "behov"), links, MAX_LIST_ITEMS):
        links = []
    for j, link in enumerate(links):
        c.text((*path, "behov", j), link, name=True)
    ants = d.get("antagelser")
    if ants is None:
        ants = []
    elif isinstance(ants, str):
        ants = [ants]
    elif not isinstance(ants, list):
        c.add((*path, "antagelser"), ants, "skal være en liste af tekster")
        ants = []
    if not c.size((*path, "antagelser"), ants, MAX_LIST_ITEMS):
        ants = []
    for j, a in enumerate(ants):
        c.text((*path, "antagelser", j), a)
    beskrivelse = c.text((*path, "beskrivelse"), d.get("beskrivelse"))
    begrundelse = c.text((*path, "kategori_begrundelse"), d.get("kategori_begrundelse"))
    alternativ = usikkerhed = None
    if d.get("kategori_alternativ") is not None:
        alternativ = c.choice((*path, "kategori_alternativ"), d.get("kategori_alternativ"),
                              rules.kategorier, "kategori", labels["kategori"])
        if alternativ and alternativ == kategori:
            c.add((*path, "kategori_alternativ"), alternativ,
                  "den alternative kategori er den samme som kategori")
        usikkerhed = c.text((*path, "kategori_usikkerhed"), d.get("kategori_usikkerhed"),
                            required=True)
    elif d.get("kategori_usikkerhed") is not None:
        c.add((*path, "kategori_alternativ"), _MISSING,
              "feltet mangler: kategori_usikkerhed kræver den alternative kategori")
    if len(c.problems) > before or not (navn and kategori and maalgruppe and finansiering
                                          and start and slut):
        return None
    return Indsats(navn=navn, kategori=kategori, maalgruppe=maalgruppe, start=start, slut=slut,
                   budget=budget, forbrug=forbrug, deltagere=deltagere, fordeling=fordeling,
                   finansiering=finansiering, behov=tuple(str(x) for x in links),
                   beskrivelse=beskrivelse, kategori_begrundelse=begrundelse,
                   antagelser=tuple(" ".join(str(a).split()) for a in ants),
                   kategori_alternativ=alternativ,
                   kategori_usikkerhed=" ".join(usikkerhed.split()) if usikkerhed else None)


def find_plan(kommune: Kommune, index: KommuneIndex, path: Path | str | None = None,
              plans_dir: Path | None = None, *, config: PlanConfig) -> Plan | None:
    """The plan for a report: ``path`` if given (must exist), else the registered plan
    (:func:`plan_file_for`), else None (the note then says that no plan is registered)."""
    path = path or plan_file_for(kommune.slug, plans_dir)
    return load_plan(path, index, expected=kommune, config=config) if path else None


# ----------------------------------------------------------------------------- writing

def to_raw(plan: Plan) -> dict:
    """The plan in the YAML format of docs/plan-format.md: what :func:`validate` reads back
    to an equal plan (``opkval plan export``). Empty optional fields are left out."""
    def drop_none(d: dict) -> dict:
        return {k: v for k, v in d.items() if v not in (None, [], {}, ())}

    out: dict[str, Any] = drop_none({
        "kommune": plan.kommune.navn, "titel": plan.titel, "dato": plan.dato,
        "kilde": plan.kilde})
    if plan.godkendt_af or plan.godkendt_dato:
        out["godkendt"] = drop_none({"af": plan.godkendt_af, "dato": plan.godkendt_dato})
    if plan.maal_andel_paedagoger_pct is not None or plan.maal_aar is not None:
        pct = plan.maal_andel_paedagoger_pct
        out["maal"] = drop_none({"andel_paedagoger_pct": int(pct) if pct is not None and
                                 float(pct).is_integer() else pct, "aar": plan.maal_aar})
    if plan.behov:
        out["behov"] = [{"id": b.id, "tekst": b.tekst} for b in plan.behov]
    out["indsatser"] = [drop_none({
        "navn": i.navn, "kategori": i.kategori, "maalgruppe": i.maalgruppe, "start": i.start,
        "slut": i.slut, "deltagere": i.deltagere, "fordeling": dict(i.fordeling),
        "budget": dict(sorted(i.budget.items())), "forbrug": dict(sorted(i.forbrug.items())),
        "finansiering": i.finansiering, "behov": list(i.behov), "beskrivelse": i.beskrivelse,
        "kategori_begrundelse": i.kategori_begrundelse, "antagelser": list(i.antagelser),
        "kategori_alternativ": i.kategori_alternativ,
        "kategori_usikkerhed": i.kategori_usikkerhed})
        for i in plan.indsatser]
    if plan.overvejelser:
        out["overvejelser"] = dict(plan.overvejelser)
    if plan.tilsagn:
        out["tilsagn"] = [drop_none({"aar": t.aar, "runde": t.runde, "beloeb": t.beloeb_kr,
                                     "kilde": t.kilde, "dato": t.dato}) for t in plan.tilsagn]
    n = plan.notat
    notat = drop_none({"udvalg": n.udvalg, "moede": n.moede, "sagsnr": n.sagsnr,
                       "afsender": n.afsender, "kontakt": n.kontakt, "bilag_nr": n.bilag_nr,
                       "logo": n.logo, "indledning": n.indledning,
                       "afsnit": [{"overskrift": o, "tekst": t} for o, t in n.afsnit],
                       "indstilling": n.indstilling, "i_bilag": list(n.i_bilag),
                       "udelad": list(n.udelad)})
    if notat:
        out["notat"] = notat
    if plan.forrige_ref:
        out["forrige"] = plan.forrige_ref
    return out


def to_yaml(plan: Plan) -> str:
    head = (f"# Lokal plan for {plan.kommune.officielt_navn}, skrevet af opkval plan export"
            f"{f' fra {plan.fil}' if plan.fil else ''}.\n# Formatet: docs/plan-format.md\n")
    return head + yaml.safe_dump(to_raw(plan), allow_unicode=True, sort_keys=False, width=96)


def load_previous(plan: Plan, index: KommuneIndex, *,
                  config: PlanConfig) -> tuple[Plan, dict] | None:
    """The plan named by ``forrige`` and where it came from (None when the plan names none):
    ``{"fil": name, "git": short commit or None, "git_dato": commit date or None}``.

    ``forrige: fil.yaml`` reads that file next to the plan; ``forrige: git`` reads the last
    committed version of the plan file that differs from the file as it is now. ``config``:
    as for :func:`load_plan`.
    """
    if not plan.forrige_ref or not plan.fil:
        return None
    path = Path(plan.fil) if Path(plan.fil).is_absolute() else PROJECT_ROOT / plan.fil
    if plan.forrige_ref != FORRIGE_GIT:
        prev = load_plan(path.parent / plan.forrige_ref, index, expected=plan.kommune,
                         config=config)
        prev = replace(prev, forrige_ref=None, fil=Path(prev.fil).name)
        return prev, {"fil": prev.fil, "git": None, "git_dato": None}
    content, commit, when = _previous_commit(path)
    shown = display_path(path)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        import tempfile

        from opkval.inputs.excel import read_workbook

        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp) / path.name
            tmp_path.write_bytes(content)
            raw, locate, problems = read_workbook(tmp_path, config)
    else:
        raw, locate, problems = _read_yaml(content)
    where = f"{shown} (git {commit[:10]})"
    if raw is None or problems:
        raise PlanError(where, problems)
    found, problems = validate(raw, locate, index, plan.kommune, base_dir=None, config=config)
    if problems or found is None:
        raise PlanError(where, problems)
    prev = replace(found, forrige_ref=None, fil=path.name)
    return prev, {"fil": path.name, "git": commit[:10], "git_dato": when}


def _previous_commit(path: Path) -> tuple[bytes, str, str]:
    """The last committed version of `path` that differs from the file now: its bytes, commit
    and date. Git runs neutered (:func:`opkval.base.fileio.git_safely`) and only its plumbing is
    used: ``rev-list`` for the history, ``cat-file`` for the size and the bytes, so no
    configuration in the plan folder's ``.git`` can run a program."""
    import subprocess

    from opkval.base.fileio import git_safely

    def git(*args: str) -> subprocess.CompletedProcess:
        return git_safely(path.parent, *args)

    problem = Problem("forrige", None, FORRIGE_GIT, "")
    try:
        log = git("rev-list", "--no-commit-header", "--format=%H %cs", "HEAD", "--",
                  path.name)
    except (OSError, subprocess.TimeoutExpired):
        log = None
    if log is None or log.returncode != 0:
        raise PlanError(display_path(path), [replace(
            problem, message="planfilen ligger ikke i et git-arkiv, så der er ingen tidligere "
                             "version; angiv forrige som et filnavn")])
    now = path.read_bytes()
    limit = _size_limit(path.suffix.lower())
    for line in log.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) != 2 or not re.fullmatch(r"[0-9a-f]{40,64}", parts[0]):
            continue
        commit, when = parts
        blob = f"{commit}:./{path.name}"
        size = git("cat-file", "-s", blob)  # the size first: a huge old version is not read
        if size.returncode != 0:
            continue
        nbytes = int(size.stdout.decode().strip() or 0)
        if nbytes > limit:
            raise PlanError(f"{display_path(path)} (git {commit[:10]})", [replace(
                problem, message=f"den tidligere version fylder {_size(nbytes)}; grænsen for "
                                 f"en {path.suffix.lower()}-plan er {_size(limit)}")])
        shown = git("cat-file", "blob", blob)
        if shown.returncode == 0 and shown.stdout != now:
            return shown.stdout, commit, when
    raise PlanError(display_path(path), [replace(
        problem, message="git har ingen tidligere version af planfilen, der er forskellig "
                         "fra den nuværende")])
