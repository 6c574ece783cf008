"""Loading and validating the vendored input files in ``data/raw``.

Every file is checked on load with a pandera schema plus cross-file checks (98 unique
kommunekoder, names as in ``municipalities.csv``). A broken file raises :class:`DataError` with
one message naming file, line, column and value. ``data/raw`` is read-only: nothing here writes.

As strict as a plan: a file over :data:`MAX_RAW_BYTES` is refused before it is read; every
file needs at least one row; whole numbers (kroner, counts, years) are digits only, as the
files store them (``280000``, never ``280.000``); a published tilsagn cannot exceed its pool;
a UTF-8 byte order mark (Excel's "CSV UTF-8") is read the same way here and in the light
index (``KommuneIndex.from_csv``). The validated tables are cached in ``build/cache`` under a
key of the files' and the code's hashes, with a checksum of the content: an entry whose bytes
do not match is rebuilt, never used.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from opkval import PROJECT_ROOT, default_raw_dir
from opkval.base.errors import DataError
from opkval.base.fileio import file_sha256

N_KOMMUNER = 98

FILES = (
    "municipalities.csv",
    "population_0_5_2021.csv",
    "population_total.csv",
    "national_age_0_5.csv",
    "dagtilbud_kommune_stats.csv",
    "normering_2017_2023.csv",
    "pool_amounts.csv",
    "known_allocations.csv",
)

#: Long-format files: the columns that identify a row (a repeated key would be a conflict).
UNIQUE_KEYS = {
    "normering_2017_2023.csv": ("kommunekode", "pasningstilbud", "aar"),
    "known_allocations.csv": ("kommunekode", "pulje", "periode"),
    "pool_amounts.csv": ("pulje", "aar"),
}

#: Largest raw file read (the largest real one is about 0,2 MB).
MAX_RAW_BYTES = 20 * 1024 * 1024

#: Files with exactly one row per kommune.
PER_KOMMUNE = (
    "municipalities.csv",
    "population_0_5_2021.csv",
    "population_total.csv",
    "dagtilbud_kommune_stats.csv",
)


def _schemas() -> dict:
    # pandera is imported lazily: it is only needed when files are (re)validated.
    import pandera.pandas as pa

    def nonneg_int():
        return pa.Column(int, pa.Check.ge(0), coerce=True)

    def pct():
        return pa.Column(float, [pa.Check.ge(0), pa.Check.le(100)], coerce=True)

    code = pa.Column(int, [pa.Check.ge(101), pa.Check.le(999)], coerce=True)
    name = pa.Column(str, pa.Check.str_length(min_value=1))
    ages = {f"age_{i}": nonneg_int() for i in range(6)}
    return {
        "municipalities.csv": pa.DataFrameSchema(
            {
                "kommunekode": code,
                "kommune": name,
                "region_kode": pa.Column(int, pa.Check.isin([1081, 1082, 1083, 1084, 1085]),
                                         coerce=True),
                "region": name,
                "kommunegruppe_kode": pa.Column(int, pa.Check.isin([1, 2, 3, 4, 5]), coerce=True),
                "kommunegruppe": name,
            },
            strict=False,
        ),
        "population_0_5_2021.csv": pa.DataFrameSchema(
            {"kommunekode": code, "kommune": name, "dato": name, **ages,
             "age_0_5": nonneg_int()},
        ),
        "population_total.csv": pa.DataFrameSchema(
            {
                "kommunekode": code,
                "kommune": name,
                **{
                    f"folketal_{y}_01_01": pa.Column(int, pa.Check.gt(0), coerce=True)
                    for y in (2022, 2023, 2024, 2026)
                },
            },
        ),
        "national_age_0_5.csv": pa.DataFrameSchema(
            {"opgoerelsesdato": name, **ages, "age_0_5": nonneg_int(), "kilde": name},
        ),
        "dagtilbud_kommune_stats.csv": pa.DataFrameSchema(
            {
                "kommunekode": code,
                "kommune": name,
                "pct_paedagoger_2024": pct(),
                "pct_paedagogmedhjaelpere_2024": pct(),
                "pct_paedagoguddannede_2024": pct(),
                "boern_dagpleje_2024": nonneg_int(),
                "boern_daginst_0_2_2024": nonneg_int(),
                "boern_daginst_3_5_2024": nonneg_int(),
            },
        ),
        "normering_2017_2023.csv": pa.DataFrameSchema(
            {
                "kommunekode": code,
                "kommune": name,
                "pasningstilbud": pa.Column(str, pa.Check.isin(["0-2 år", "3-5 år", "Dagpleje"])),
                "aar": pa.Column(int, [pa.Check.ge(2000), pa.Check.le(2100)], coerce=True),
                # 0 means "no figure published" (small kommuner); treated as missing downstream.
                "normering": pa.Column(float, pa.Check.ge(0), coerce=True),
                "opgoerelsesmetode": name,
            },
        ),
        "pool_amounts.csv": pa.DataFrameSchema(
            {
                "pulje": name,
                "aar": pa.Column("Int64", nullable=True, coerce=True),
                "beloeb_mio_kr": pa.Column(float, pa.Check.ge(0), coerce=True),
                "kilde": name,
            },
        ),
        "known_allocations.csv": pa.DataFrameSchema(
            {
                "kommunekode": code,
                "kommune": name,
                "pulje": name,
                # One grant year ("2024") or a span of years one amount covers ("2023-2024").
                "periode": pa.Column(str, pa.Check.str_matches(r"^20\d\d(-20\d\d)?$"),
                                     coerce=True),
                "beloeb_kr": nonneg_int(),
                "kilde": name,
            },
        ),
    }


def _describe_failures(path: Path, df: pd.DataFrame, failures: pd.DataFrame) -> str:
    lines = []
    # A value that is not a number makes pandera also report the column's range checks as a
    # Python TypeError text; the value's own failure says it better. One line per cell.
    failures = failures[~failures["failure_case"].astype(str).str.startswith(
        ("TypeError(", "ValueError("))]
    failures = failures.drop_duplicates(subset=["column", "index"], keep="first") \
        if failures["index"].notna().any() else failures
    failures = failures.sort_values("index", na_position="first", kind="stable")
    for _, f in failures.head(5).iterrows():
        column, value, check, idx = f.get("column"), f.get("failure_case"), f.get("check"), f.get(
            "index")
        if check == "column_in_dataframe":
            lines.append(f"kolonnen '{value}' mangler")
            continue
        if str(check).startswith(("coerce_dtype", "dtype(")):
            text = str(value)
            why = ("er et tal med decimalkomma; filen skriver decimaltal med punktum (fx 43.9)"
                   if re.fullmatch(r"\s*-?\d+,\d+\s*", text) else "er ikke et tal")
            where = f"linje {int(idx) + 2}, " if idx is not None and not pd.isna(idx) else ""
            lines.append(f"{where}kolonne '{column}': værdien {text[:40]!r} {why}")
            continue
        where = ""
        if idx is not None and not pd.isna(idx):
            row = int(idx)
            where = f"linje {row + 2}"  # +1 header, +1 one-based
            if "kommune" in df.columns and row in df.index:
                where += f" ({df.at[row, 'kommune']})"
            where += ", "
        lines.append(f"{where}kolonne '{column}': værdien {value!r} er ugyldig ({check})")
    more = len(failures) - 5
    tail = f" (og {more} fejl mere)" if more > 0 else ""
    return f"{path}: " + "; ".join(lines) + tail


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: filen mangler (forventet i {path.parent}).")
    size = path.stat().st_size
    if size > MAX_RAW_BYTES:
        raise DataError(f"{path}: filen fylder {size // (1024 * 1024)} MB; grænsen er "
                        f"{MAX_RAW_BYTES // (1024 * 1024)} MB.")
    _check_control_characters(path)
    try:
        # utf-8-sig: a byte order mark is not part of the first column's name.
        df = pd.read_csv(path, encoding="utf-8-sig", **{"keep_default_na": True, **kwargs})
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: filen er ikke UTF-8 ({e.reason} ved byte {e.start}).") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise DataError(f"{path}: kan ikke læses som CSV ({str(e)[:200]}).") from None
    return df


#: C0 control characters other than tab and line ends, and DEL: the CSV reader ends a field
#: at a NUL without a word (Ishøj's 43,9 % pædagoger was read as 4,0 %).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_control_characters(path: Path) -> None:
    """Refuse a control character in a raw file, naming its line (the file is at most
    MAX_RAW_BYTES, checked before)."""
    data = path.read_bytes()
    if m := _CONTROL.search(data):
        line = data.count(b"\n", 0, m.start()) + 1
        raise DataError(f"{path}: linje {line}: filen har et kontroltegn (byte "
                        f"0x{m.group()[0]:02X}) i en værdi; kun tekst, tabulator og linjeskift "
                        "er tilladt (filen er måske beskadiget).")


#: The expected shape of each vendored file (data rows and SHA-256 of its text, a byte order
#: mark and CR line ends aside), recorded with the provenance in data/raw/README.md. A file cut
#: at a row boundary is still valid CSV; this is what notices it. Update after replacing a
#: file: ``.venv/bin/python -m opkval.inputs.data > data/raw/pins.csv``.
PINS = "pins.csv"


def _pin_digest(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def pins_text(raw_dir: Path, tables: dict[str, pd.DataFrame]) -> str:
    """The pins file for the files in `raw_dir` as they are (validated `tables`)."""
    lines = ["fil,raekker,sha256"]
    lines += [f"{n},{len(tables[n])},{_pin_digest(raw_dir / n)}" for n in FILES]
    return "\n".join(lines) + "\n"


def _check_pins(raw_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Each file has the rows and checksum its pin records (when the folder has pins.csv;
    data/raw has). Checked after validation: a broken file is named by its own fault first."""
    pins_file = raw_dir / PINS
    if not pins_file.is_file():
        if raw_dir.resolve() == (PROJECT_ROOT / "data" / "raw").resolve():
            raise DataError(f"{pins_file}: filen mangler; den skal give hver datafils antal "
                            "rækker og kontrolsum.")
        return
    import csv
    import io

    pins = {r.get("fil"): r for r in csv.DictReader(io.StringIO(
        pins_file.read_text(encoding="utf-8-sig")))}
    for n in FILES:
        pin = pins.get(n)
        if pin is None:
            raise DataError(f"{pins_file}: {n} har ingen linje (antal rækker og kontrolsum).")
        rows = len(tables[n])
        if str(rows) != (pin.get("raekker") or "").strip():
            raise DataError(f"{raw_dir / n}: filen har {rows} rækker; ifølge {PINS} skal den "
                            f"have {pin.get('raekker')}. Er den afkortet eller udskiftet? Hent "
                            "den igen fra kilden (data/raw/README.md).")
        if _pin_digest(raw_dir / n) != (pin.get("sha256") or "").strip():
            raise DataError(f"{raw_dir / n}: indholdet passer ikke med kontrolsummen i {PINS} "
                            f"({rows} rækker som forventet, men andre værdier). Er filen "
                            "ændret? Hent den igen fra kilden, eller opdatér pins.csv i samme "
                            "commit som filen.")


_WHOLE = re.compile(r"[0-9]+")


def _check_whole_numbers(path: Path, schema) -> None:
    """Integer columns hold digits only, as the file stores them: "280.000" would otherwise
    be read as 280,0 and pass as 280 kr."""
    ints = [n for n, col in schema.columns.items() if str(col.dtype) in ("int64", "Int64")]
    text = _read_csv(path, dtype=str, keep_default_na=False, usecols=lambda c: c in ints)
    for n in ints:
        if n not in text.columns:
            continue  # the schema names the missing column
        nullable = schema.columns[n].nullable
        for row, value in text[n].items():
            v = value.strip()
            if (nullable and not v) or _WHOLE.fullmatch(v):
                continue
            where = f"linje {int(row) + 2}, kolonne '{n}'"
            raise DataError(f"{path}: {where}: værdien {value[:40]!r} er ikke et helt tal "
                            "skrevet med cifre alene (filens format er fx 280000, uden "
                            "tusindtalspunktum, decimaler eller tekst).")


def validate_file(path: Path) -> pd.DataFrame:
    """Read one raw file and validate it against its schema; raise DataError on any problem."""
    import pandera.errors as pae

    schema = _schemas()[path.name]
    df = _read_csv(path)
    if df.empty:
        raise DataError(f"{path}: filen har ingen rækker (kun overskriften); der skal være "
                        "mindst én.")
    try:
        validated = schema.validate(df, lazy=True)
    except pae.SchemaErrors as e:
        raise DataError(_describe_failures(path, df, e.failure_cases)) from None
    _check_whole_numbers(path, schema)
    return validated


def _check_kommuner(path: Path, df: pd.DataFrame, names: dict[int, str], exact: bool) -> None:
    dup = df["kommunekode"][df["kommunekode"].duplicated()] if exact else pd.Series([], dtype=int)
    if len(dup):
        row = int(dup.index[0])
        raise DataError(
            f"{path}: linje {row + 2}, kolonne 'kommunekode': værdien {int(dup.iloc[0])} "
            "optræder mere end én gang."
        )
    for row, (kode, navn) in df[["kommunekode", "kommune"]].iterrows():
        if kode not in names:
            raise DataError(
                f"{path}: linje {row + 2}, kolonne 'kommunekode': værdien {kode} er ikke en "
                "kommunekode i municipalities.csv."
            )
        if navn != names[kode]:
            raise DataError(
                f"{path}: linje {row + 2}, kolonne 'kommune': værdien {navn!r} passer ikke med "
                f"municipalities.csv ({names[kode]!r} for kode {kode})."
            )
    if exact and len(df) != N_KOMMUNER:
        missing = sorted(set(names) - set(df["kommunekode"]))
        raise DataError(
            f"{path}: {len(df)} rækker, forventet {N_KOMMUNER} (én pr. kommune); "
            f"mangler kommunekode {missing[:5]}."
        )


def _periods(path: Path, df: pd.DataFrame) -> pd.DataFrame:
    """``periode`` as the first and last year it covers (``aar_fra``, ``aar_til``)."""
    parts = df["periode"].str.split("-")
    df = df.assign(aar_fra=parts.str[0].astype(int), aar_til=parts.str[-1].astype(int))
    bad = df[df["aar_til"] < df["aar_fra"]]
    if len(bad):
        raise DataError(f"{path}: linje {int(bad.index[0]) + 2}, kolonne 'periode': værdien "
                        f"{bad.iloc[0]['periode']!r} slutter før den begynder.")
    return df


@dataclass(frozen=True)
class RawData:
    """All validated input tables, indexed by file name, with their SHA-256 hashes."""

    raw_dir: Path
    tables: dict[str, pd.DataFrame]
    hashes: dict[str, str] = field(default_factory=dict)
    #: Derived results computed once per data set (e.g. key estimates for all 98).
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def municipalities(self) -> pd.DataFrame:
        return self.tables["municipalities.csv"]


def load_all(raw_dir: Path | str | None = None) -> RawData:
    """Load and validate every raw file (cached per directory and file modification times)."""
    raw_dir = Path(raw_dir) if raw_dir is not None else default_raw_dir()
    stamp = tuple(
        (n, (raw_dir / n).stat().st_mtime_ns if (raw_dir / n).exists() else None) for n in FILES
    )
    return _load_all(str(raw_dir), stamp)


@lru_cache(maxsize=8)
def _load_all(raw_dir_str: str, _stamp: tuple) -> RawData:
    raw_dir = Path(raw_dir_str)
    for n in FILES:
        if not (raw_dir / n).exists():
            raise DataError(f"{raw_dir / n}: filen mangler (forventet i {raw_dir}).")
    hashes = {n: file_sha256(raw_dir / n) for n in FILES}
    pins = raw_dir / PINS
    key = _cache_key({**hashes, PINS: file_sha256(pins) if pins.is_file() else ""})
    tables = _read_validated(key)
    if tables is None:
        tables = _validate_all(raw_dir)
        _write_validated(key, tables)
    return RawData(raw_dir=raw_dir, tables=tables, hashes=hashes)


#: Validated tables, by the exact bytes of the files and of the code that validated them.
VALIDATED_CACHE = PROJECT_ROOT / "build" / "cache" / "validated"


def _cache_key(hashes: dict[str, str]) -> str:
    import pandas

    h = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode())
    h.update(Path(__file__).read_bytes())  # the schemas and checks in this module
    h.update(pandas.__version__.encode())
    return h.hexdigest()


_CACHE_MAGIC = b"opkval-validated-1\n"


def _read_validated(key: str) -> dict[str, pd.DataFrame] | None:
    """The cached tables for `key`, only if the entry names that key and its content has the
    checksum it was written with (else None: the caller validates anew and rewrites it)."""
    try:
        blob = (VALIDATED_CACHE / f"{key}.pickle").read_bytes()
        head = len(_CACHE_MAGIC)
        if (blob[:head] != _CACHE_MAGIC or blob[head:head + 64].decode("ascii") != key):
            return None
        digest, payload = blob[head + 64:head + 128].decode("ascii"), blob[head + 128:]
        if hashlib.sha256(payload).hexdigest() != digest:
            return None
        tables = pickle.loads(payload)
        if not isinstance(tables, dict) or set(tables) != set(FILES):
            return None
        return tables
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError,
            ImportError, IndexError, TypeError):
        return None


def _write_validated(key: str, tables: dict[str, pd.DataFrame]) -> None:
    """Cache the tables once they passed every check (a cache we cannot write costs time only)."""
    from opkval.base.fileio import atomic_write_bytes

    try:
        VALIDATED_CACHE.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write_bytes(VALIDATED_CACHE / f"{key}.pickle",
                           _CACHE_MAGIC + key.encode("ascii")
                           + hashlib.sha256(payload).hexdigest().encode("ascii") + payload)
    except OSError:
        pass


def _validate_all(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Every schema and cross-file check; raises DataError on the first broken file."""
    tables = {n: validate_file(raw_dir / n) for n in FILES}
    muni = tables["municipalities.csv"]
    if muni["kommunekode"].duplicated().any() or muni["kommune"].duplicated().any():
        dup = muni[muni["kommunekode"].duplicated() | muni["kommune"].duplicated()].iloc[0]
        raise DataError(
            f"{raw_dir / 'municipalities.csv'}: linje {int(dup.name) + 2}: kommunekode "
            f"{dup['kommunekode']} / kommune {dup['kommune']!r} optræder mere end én gang."
        )
    names = dict(zip(muni["kommunekode"], muni["kommune"], strict=True))
    if len(names) != N_KOMMUNER:
        raise DataError(
            f"{raw_dir / 'municipalities.csv'}: {len(names)} kommuner, forventet {N_KOMMUNER}."
        )
    for n in PER_KOMMUNE[1:]:
        _check_kommuner(raw_dir / n, tables[n], names, exact=True)
    for n in ("normering_2017_2023.csv", "known_allocations.csv"):
        _check_kommuner(raw_dir / n, tables[n], names, exact=False)
    for n, key in UNIQUE_KEYS.items():
        dup = tables[n][tables[n].duplicated(list(key), keep="first")]
        if len(dup):
            row = int(dup.index[0])
            shown = ", ".join(f"{c}={dup.iloc[0][c]}" for c in key)
            raise DataError(f"{raw_dir / n}: linje {row + 2}: rækken ({shown}) findes allerede "
                            "en gang i filen; hver kombination må kun optræde én gang.")
    tables["known_allocations.csv"] = _periods(raw_dir / "known_allocations.csv",
                                               tables["known_allocations.csv"])
    _check_tilsagn_within_pool(raw_dir, tables)
    pop = tables["population_0_5_2021.csv"]
    bad = pop[pop[[f"age_{i}" for i in range(6)]].sum(axis=1) != pop["age_0_5"]]
    if len(bad):
        row = int(bad.index[0])
        raise DataError(
            f"{raw_dir / 'population_0_5_2021.csv'}: linje {row + 2} ({bad.iloc[0]['kommune']}), "
            f"kolonne 'age_0_5': værdien {int(bad.iloc[0]['age_0_5'])} er ikke summen af "
            "age_0..age_5."
        )
    _check_pins(raw_dir, tables)  # last: a broken file is named by its own fault first
    return tables


def _pools_for(pulje: str, year: int, pools: pd.DataFrame) -> list[int]:
    """The pool amounts (kr.) in ``pool_amounts.csv`` for `year` that a tilsagn's `pulje`
    names: pools whose name it starts with, else pools whose first word it shares
    ("Opkvalificeringspuljen (mere uddannet ...)" → "Opkvalificeringspuljen på ...")."""
    same_year = pools[pools["aar"] == year]
    names = list(same_year["pulje"])
    hits = [n for n in names if pulje.startswith(n)]
    if not hits:
        first = pulje.split()[0] if pulje.split() else ""
        hits = [n for n in names if n.split() and n.split()[0] == first]
    rows = same_year[same_year["pulje"].isin(hits)]
    return [round(float(v) * 1_000_000) for v in rows["beloeb_mio_kr"]]


def _check_tilsagn_within_pool(raw_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    """A published tilsagn, and the tilsagn of one pool and year together, cannot exceed that
    pool as ``pool_amounts.csv`` states it (the largest matching pool: never a false alarm)."""
    ka = tables["known_allocations.csv"]
    pools = tables["pool_amounts.csv"]
    path = raw_dir / "known_allocations.csv"
    for (pulje, periode, fra, til), rows in ka.groupby(["pulje", "periode", "aar_fra", "aar_til"],
                                                     sort=False):
        # A span of years ("2023-2024", evidence of a payment) is held against the pools of
        # all its years together.
        per_year = [_pools_for(str(pulje), year, pools) for year in range(int(fra), int(til) + 1)]
        if not all(per_year):
            continue
        pool = sum(max(amounts) for amounts in per_year)
        over = rows[rows["beloeb_kr"] > pool]
        if len(over):
            row = int(over.index[0])
            pct = 100 * int(over.iloc[0]["beloeb_kr"]) / pool if pool else float("inf")
            pct = f"{pct:.1f}".replace(".", ",")
            raise DataError(f"{path}: linje {row + 2} ({over.iloc[0]['kommune']}), kolonne "
                            f"'beloeb_kr': {int(over.iloc[0]['beloeb_kr'])} kr. er "
                            f"{pct} % af hele puljen for {periode} ({pool} kr. i "
                            "pool_amounts.csv); et tilsagn kan ikke være større end puljen.")
        total = int(rows["beloeb_kr"].sum())
        if total > pool:
            raise DataError(f"{path}: tilsagnene for {str(pulje)[:60]} {periode} er i "
                            f"alt {total} kr., mere end hele puljen ({pool} kr. i "
                            "pool_amounts.csv).")


if __name__ == "__main__":  # print data/raw/pins.csv for the files as they are now
    import sys

    _raw = default_raw_dir()
    _tables = {n: validate_file(_raw / n) for n in FILES}
    sys.stdout.write(pins_text(_raw, _tables))
