"""Validation of data/raw: real files pass; each broken file gives one clear message."""

import pandas as pd
import pytest

from opkval.base.errors import DataError
from opkval.inputs.data import FILES, load_all, validate_file


def test_real_data_is_valid(data):
    assert set(data.tables) == set(FILES)
    for name in ("municipalities.csv", "population_0_5_2021.csv", "population_total.csv",
                 "dagtilbud_kommune_stats.csv"):
        df = data[name]
        assert len(df) == 98 and df["kommunekode"].is_unique, name
    assert int(data["population_0_5_2021.csv"]["age_0_5"].sum()) == 369_586  # SOURCES.md
    assert all(len(h) == 64 for h in data.hashes.values())


def _edit(path, row, column, value):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(path, index=False)


def test_negative_count_names_file_line_column_value(raw_copy):
    f = raw_copy / "population_0_5_2021.csv"
    _edit(f, 14, "age_3", "-5")  # row 14 is Ishøj (file line 16)
    with pytest.raises(DataError) as e:
        load_all(raw_copy)
    msg = str(e.value)
    assert "population_0_5_2021.csv" in msg and "linje 16" in msg and "Ishøj" in msg
    assert "'age_3'" in msg and "-5" in msg


def test_non_numeric_value(raw_copy):
    f = raw_copy / "dagtilbud_kommune_stats.csv"
    _edit(f, 0, "boern_dagpleje_2024", "mange")
    with pytest.raises(DataError) as e:
        validate_file(f)
    assert "boern_dagpleje_2024" in str(e.value) and "mange" in str(e.value)


def test_missing_column(raw_copy):
    f = raw_copy / "population_total.csv"
    pd.read_csv(f).drop(columns=["folketal_2023_01_01"]).to_csv(f, index=False)
    with pytest.raises(DataError) as e:
        validate_file(f)
    assert "folketal_2023_01_01" in str(e.value) and "mangler" in str(e.value)


def test_name_must_match_municipalities(raw_copy):
    f = raw_copy / "population_total.csv"
    _edit(f, 14, "kommune", "Ishoj")
    with pytest.raises(DataError) as e:
        load_all(raw_copy)
    assert "population_total.csv" in str(e.value) and "'Ishoj'" in str(e.value)
    assert "'Ishøj'" in str(e.value)


def test_duplicate_code(raw_copy):
    f = raw_copy / "dagtilbud_kommune_stats.csv"
    _edit(f, 1, "kommunekode", "101")
    _edit(f, 1, "kommune", "København")
    with pytest.raises(DataError) as e:
        load_all(raw_copy)
    assert "101" in str(e.value) and "mere end én gang" in str(e.value)


def test_missing_row(raw_copy):
    f = raw_copy / "population_0_5_2021.csv"
    pd.read_csv(f).drop(index=[14]).to_csv(f, index=False)
    with pytest.raises(DataError) as e:
        load_all(raw_copy)
    assert "97 rækker" in str(e.value) and "183" in str(e.value)


def test_missing_file(raw_copy):
    (raw_copy / "known_allocations.csv").unlink()
    with pytest.raises(DataError) as e:
        load_all(raw_copy)
    assert "known_allocations.csv" in str(e.value) and "mangler" in str(e.value)


def test_sum_of_ages_checked(raw_copy):
    f = raw_copy / "population_0_5_2021.csv"
    _edit(f, 14, "age_0_5", "1751")
    with pytest.raises(DataError) as e:
        load_all(raw_copy)
    assert "age_0_5" in str(e.value) and "1751" in str(e.value)


@pytest.mark.parametrize("name,line", [("normering_2017_2023.csv", 2),
                                       ("known_allocations.csv", 2)])
def test_repeated_row_key(raw_copy, name, line):
    f = raw_copy / name
    lines = f.read_text(encoding="utf-8").splitlines()
    lines.append(lines[line - 1])  # the first data row once more, at the end
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_all(raw_copy)
    assert name in str(e.value) and f"linje {len(lines)}" in str(e.value)
    assert "findes allerede" in str(e.value)
