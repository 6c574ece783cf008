"""Loading and validating the vendored input files in ``data/raw``.

Every file is checked on load with a pandera schema plus cross-file checks (98 unique
kommunekoder, names as in ``municipalities.csv``). A broken file raises :class:`DataError` with
one message naming file, line, column and value. ``data/raw`` is read-only: nothing here writes.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from opkval import PROJECT_ROOT, default_raw_dir
from opkval.errors import DataError

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
    failures = failures.sort_values("index", na_position="first", kind="stable")
    for _, f in failures.head(5).iterrows():
        column, value, check, idx = f.get("column"), f.get("failure_case"), f.get("check"), f.get(
            "index")
        if check == "column_in_dataframe":
            lines.append(f"kolonnen '{value}' mangler")
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


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{path}: filen mangler (forventet i {path.parent}).")
    try:
        df = pd.read_csv(path, encoding="utf-8", keep_default_na=True)
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: filen er ikke UTF-8 ({e.reason} ved byte {e.start}).") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise DataError(f"{path}: kan ikke læses som CSV ({e}).") from None
    return df


def validate_file(path: Path) -> pd.DataFrame:
    """Read one raw file and validate it against its schema; raise DataError on any problem."""
    import pandera.errors as pae

    schema = _schemas()[path.name]
    df = _read_csv(path)
    try:
        return schema.validate(df, lazy=True)
    except pae.SchemaErrors as e:
        raise DataError(_describe_failures(path, df, e.failure_cases)) from None


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


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    key = _cache_key(hashes)
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


def _read_validated(key: str) -> dict[str, pd.DataFrame] | None:
    try:
        return pickle.loads((VALIDATED_CACHE / f"{key}.pickle").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def _write_validated(key: str, tables: dict[str, pd.DataFrame]) -> None:
    """Cache the tables once they passed every check (a cache we cannot write costs time only)."""
    from opkval.fileio import atomic_write_bytes

    try:
        VALIDATED_CACHE.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(VALIDATED_CACHE / f"{key}.pickle",
                           pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
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
    pop = tables["population_0_5_2021.csv"]
    bad = pop[pop[[f"age_{i}" for i in range(6)]].sum(axis=1) != pop["age_0_5"]]
    if len(bad):
        row = int(bad.index[0])
        raise DataError(
            f"{raw_dir / 'population_0_5_2021.csv'}: linje {row + 2} ({bad.iloc[0]['kommune']}), "
            f"kolonne 'age_0_5': værdien {int(bad.iloc[0]['age_0_5'])} er ikke summen af "
            "age_0..age_5."
        )
    return tables
