"""The 98 as data (issue 22): reports/landsoversigt.xlsx for people, .csv for programs.

Opened with openpyxl and the csv module here; with LibreOffice in the slow tests (skipped when
soffice is not installed). Expected values come from seed 001 and data/raw, not from the code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from opkval.assembly.context import build_context
from opkval.assembly.national import national_context, note_summary
from opkval.publish.export import csv_bytes, write_exports, xlsx_bytes

WHEN = dt.datetime(2026, 12, 7, 12, 0)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def files(data, index, ishoej_plan, tmp_path_factory):
    ctx = build_context(data, index.resolve("Ishøj"), 2026, generated_at=WHEN,
                        plan=ishoej_plan)
    out = tmp_path_factory.mktemp("export")
    nctx = national_context(data, out, 2026, generated_at=WHEN,
                            summaries={"ishoej": note_summary(ctx)})
    write_exports(nctx, out)
    return out


def _sheet(path):
    wb = load_workbook(path)
    ws = wb["Kommuner"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, (c for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    return wb, ws, head, rows


def _csv(path) -> list[dict]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM, for programs
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def test_xlsx_has_98_rows_with_numbers_stored_as_numbers(files):
    wb, ws, head, rows = _sheet(files / "landsoversigt.xlsx")
    assert len(rows) == 98
    last = ws.cell(1, len(head)).column_letter
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == f"A1:{last}99"
    ishoej = next(r for r in rows if r["Kommune"].value == "Ishøj")
    # Seed 001: 280.000 kr. for 2023 and 512.000 kr. a year in 2024-2025 = 1.304.000 kr.
    grant = ishoej["Tilskud 2023-2025 (kr.)"]
    assert grant.value == 1_304_000 and isinstance(grant.value, int)
    assert grant.number_format == '#,##0 "kr."'
    assert ishoej["Grundlag 2023-2025"].value == "tilsagn"
    assert ishoej["Skøn lav 2023-2025 (kr.)"].value is None  # a tilsagn has no range
    # Round 2 is an estimate with the key's record as its range (issue 19): low is the
    # latest known share carried forward (seed 001: 512.000 kr. of 195,9 mio. kr. in 2025,
    # the same pool each year 2026-2030: 5 × 512.000 = 2.560.000 kr.); high is the key's
    # estimate times the highest ratio on record, Dragør's 101 %.
    lo, hi = (ishoej[f"Skøn {x} 2026-2030 (kr.)"].value for x in ("lav", "høj"))
    key = ishoej["Tilskud 2026-2030 (kr.)"].value
    assert lo == 2_560_000 and hi == round(key * 1.01)
    # data/raw: Ishøj 43,9 % employed as pædagog, stored as Excel stores "43,9 %": 0,439.
    share = ishoej["Andel ansat som pædagog"]
    assert share.value == pytest.approx(0.439) and share.number_format == "0.0 %"
    assert ishoej["Kommunekode"].value == 183
    assert ishoej["Lokal plan registreret"].value == "ja"
    # Ishøj's plan (21 April 2024) was written before round 2's terms: it does not cover it.
    assert ishoej["Plan for anden runde"].value == "nej"
    # Each of the seven rules has its own column with the Danish status word.
    from opkval.base.domain import STATUS_DA

    rules = [h for h in head if h.startswith("Regel: ")]
    assert len(rules) == 7
    assert all(ishoej[h].value in STATUS_DA.values() for h in rules)
    assert ishoej["Regel: Kun personale i dagtilbud (ikke SFO)"].value == "OK"
    assert all(r[h].value is None for r in rows if r["Kommune"].value != "Ishøj" for h in rules)
    numeric = [h for h in head if h.endswith("(kr.)") or h.startswith(("Andel", "Afstand",
                                                                       "Børn", "Indskrevne"))]
    for r in rows:
        for h in numeric:
            v = r[h].value
            assert v is None or isinstance(v, (int, float)), (r["Kommune"].value, h, v)
        assert isinstance(r["Pædagogisk personale (skøn)"].value, float)
    assert sum(r["Pædagogisk personale (skøn)"].value for r in rows) == pytest.approx(
        60_515.8, abs=0.1)  # tests/test_national.py recomputes it from data/raw


def test_every_column_is_explained_with_source_and_vintage(files):
    wb, _, head, _ = _sheet(files / "landsoversigt.xlsx")
    about = wb["Kolonner"]
    explained = {r[0].value: r for r in about.iter_rows(min_row=2) if r[0].value}
    for h in head:
        row = explained[h]
        assert all(c.value for c in row[:5]), h  # CSV name, what, source, vintage
    assert "Dannet" in explained


def test_csv_has_the_same_rows_for_programs(files):
    rows = _csv(files / "landsoversigt.csv")
    _, _, head, xrows = _sheet(files / "landsoversigt.xlsx")
    assert len(rows) == 98 == len({r["kommunekode"] for r in rows})
    assert [int(r["kommunekode"]) for r in rows] == [x["Kommunekode"].value for x in xrows]
    ishoej = next(r for r in rows if r["kommune"] == "Ishøj")
    assert int(ishoej["runde1_tilskud_kr"]) == 1_304_000
    assert float(ishoej["pct_paedagoger"]) == 43.9  # percent, as in data/raw, decimal point
    assert ishoej["har_plan"] == "true" and ishoej["plan_runde2"] == "false"
    # Every numeric field parses as a number in the C locale; empty where there is no value.
    for r in rows:
        for k in ("personale_skoen", "pct_paedagoger", "afstand_pp_to_tredjedele"):
            float(r[k])
        assert r["regelstatus"] == "" or r["kommune"] == "Ishøj"
    assert len(rows[0]) == len(head)


def test_bytes_are_stable_for_the_same_context(data, tmp_path, monkeypatch):
    """With SOURCE_DATE_EPOCH the workbook is the same bytes on a machine in any time zone: it
    says it was made and changed at that moment (UTC), and every zip entry is dated so, not
    with the time of writing."""
    import time
    import zipfile

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1765000000")  # 6 December 2025, 05:46:40 UTC
    nctx = national_context(data, tmp_path, 2026, generated_at=WHEN)
    assert csv_bytes(nctx) == csv_bytes(nctx)
    made = []
    old = os.environ.get("TZ")
    try:
        for tz in ("UTC", "America/New_York", "Europe/Copenhagen"):
            os.environ["TZ"] = tz
            time.tzset()
            made.append(xlsx_bytes(nctx))
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
    assert made[0] == made[1] == made[2]
    wb = load_workbook(io.BytesIO(made[0]))
    assert wb["Kommuner"].max_row == 99
    moment = dt.datetime(2025, 12, 6, 5, 46, 40)
    assert wb.properties.created == wb.properties.modified == moment
    entries = zipfile.ZipFile(io.BytesIO(made[0])).infolist()
    assert {i.date_time for i in entries} == {moment.timetuple()[:6]}
    from opkval.base.fileio import DatedZipFile

    with pytest.raises(ValueError, match="tidszone"):  # a naive time means the machine's zone
        DatedZipFile(io.BytesIO(), WHEN)


def _soffice(args: list[str], home) -> None:
    env = {**os.environ, "HOME": str(home)}  # its own throwaway profile
    subprocess.run([SOFFICE, "--headless", *args], check=True, capture_output=True,
                   timeout=240, env=env)


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) er ikke installeret: "
                    "apt-get install -y libreoffice-calc-nogui")
def test_libreoffice_opens_both_files_with_numbers_as_numbers(files, tmp_path):
    out = tmp_path / "lo"
    # The xlsx as LibreOffice reads and saves it; the csv read as US-English CSV (comma,
    # decimal point: filter options 44,34,76 = separator, quote, UTF-8; 1033 = en-US).
    _soffice(["--convert-to", "ods", "--outdir", str(out), str(files / "landsoversigt.xlsx")],
             tmp_path / "home")
    _soffice(["--infilter=CSV:44,34,76,1,,1033", "--convert-to", "xlsx", "--outdir",
              str(out), str(files / "landsoversigt.csv")], tmp_path / "home")
    _soffice(["--convert-to", "xlsx", "--outdir", str(out / "x"), str(out / "landsoversigt.ods")],
             tmp_path / "home")
    for path, name_col, share_col, share in (
            (out / "x" / "landsoversigt.xlsx", "Kommune", "Andel ansat som pædagog", 0.439),
            (out / "landsoversigt.xlsx", "kommune", "pct_paedagoger", 43.9)):
        wb = load_workbook(path)
        ws = wb.worksheets[0]
        head = [c.value for c in ws[1]]
        rows = [dict(zip(head, (c.value for c in r), strict=False))
                for r in ws.iter_rows(min_row=2) if r[0].value is not None]
        assert len(rows) == 98, path
        ishoej = next(r for r in rows if r[name_col] == "Ishøj")
        assert ishoej[share_col] == pytest.approx(share), path
        assert all(isinstance(r[share_col], (int, float)) for r in rows), path
