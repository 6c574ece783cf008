"""Workbooks as LibreOffice saves them, .xlsx and .ods (issue 13).

The template is written by opkval, changed as an analyst would, and re-saved by LibreOffice
(``soffice --headless --convert-to``), so the file read is one a spreadsheet program wrote:
its own percent cells, dates, merged ranges, and for .ods its repeated empty rows. Skipped
when LibreOffice is not installed (``.ci/run`` installs libreoffice-calc-nogui).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from opkval.app.cli import main
from opkval.inputs.excel import write_workbook
from opkval.inputs.plan import PlanError, load_plan
from tests.conftest import PLAN_CONFIG

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) er ikke "
                                "installeret: apt-get install -y libreoffice-calc-nogui")


def _resave(files, fmt: str, out_dir):
    """Re-save ``files`` through LibreOffice as ``fmt`` (xlsx or ods) into ``out_dir``."""
    out_dir.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(out_dir.parent / "lo-home")}  # own, throwaway profile
    subprocess.run([SOFFICE, "--headless", "--convert-to", fmt, "--outdir", str(out_dir),
                    *map(str, files)], check=True, capture_output=True, timeout=180, env=env)
    return [out_dir / f"{f.stem}.{fmt}" for f in files]


@pytest.fixture(scope="module")
def saved(tmp_path_factory, ishoej, ishoej_plan):
    """The template as is and as an analyst changed it, each re-saved as .xlsx and .ods."""
    d = tmp_path_factory.mktemp("lo")
    plain = write_workbook(d / "plain.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)
    edited = write_workbook(d / "edited.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)
    wb = load_workbook(edited)
    wb["Plan"]["B8"] = 0.6  # the template's percent cell: "60 %"
    wb["Plan"]["B9"] = 2030
    ind = wb["Indsatser"]
    ind["D2"] = "1.8.2024"  # a Danish date typed as text
    ind["H2"] = "faerre_paedagoger; rollefordeling"
    ind["B3"] = "UFORMEL"
    ind["M2"] = "=400000+62001"  # budget_2024: LibreOffice stores the value 462.001
    wb.save(edited)
    broken = write_workbook(d / "broken.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)
    wb = load_workbook(broken)
    ind = wb["Indsatser"]
    ind["G3"] = "Anden finansiering (ikke puljen)"
    ind.merge_cells("G3:G4")
    ind["E2"] = 2027  # a year in the date cell
    wb["Fordeling"]["A3"] = "Meritpædagogudannelse"
    ind["M4"] = "=1/0"  # LibreOffice stores the error value #DIV/0!
    wb.save(broken)
    files = [plain, edited, broken]
    return {fmt: dict(zip(("plain", "edited", "broken"), _resave(files, fmt, d / fmt),
                          strict=True)) for fmt in ("xlsx", "ods")}


def _strip(plan):
    return replace(plan, fil="", sha256="")


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_resaved_template_reads_as_the_yaml_plan(saved, index, ishoej_plan, fmt):
    assert _strip(load_plan(saved[fmt]["plain"], index, config=PLAN_CONFIG)) == _strip(ishoej_plan)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_resaved_edits_read_as_shown(saved, index, fmt):
    plan = load_plan(saved[fmt]["edited"], index, config=PLAN_CONFIG)
    assert plan.maal_andel_paedagoger_pct == 60 and plan.maal_aar == 2030
    merit, kursus = plan.indsatser[0], plan.indsatser[1]
    assert merit.start == dt.date(2024, 8, 1)
    assert merit.behov == ("faerre_paedagoger", "rollefordeling")
    assert kursus.kategori == "uformel"
    assert merit.budget[2024] == 462001


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_resaved_mistakes_are_all_named(saved, index, fmt):
    with pytest.raises(PlanError) as exc:
        load_plan(saved[fmt]["broken"], index, config=PLAN_CONFIG)
    msg = str(exc.value)
    assert "ark 'Indsatser', område G3:G4, Indsatser: flettede celler" in msg
    assert "ark 'Indsatser', celle E2, indsatser[1].slut: datoen ligger uden for 2020–2035; " \
           "2027 ligner et årstal skrevet i en datocelle" in msg
    assert "ark 'Fordeling', celle A3, Fordeling.indsats: ukendt indsats (mente du " \
           "'Meritpædagoguddannelse'?)" in msg
    assert "ark 'Indsatser', celle M4, indsatser[3].budget.2024: cellen viser en fejlværdi" \
        in msg and "#DIV/0!" in msg
    assert "(4 fejl)" in msg


def test_ods_exports_to_yaml_and_back(saved, index, ishoej_plan, tmp_path, capsys):
    out = tmp_path / "plan.yaml"
    assert main(["plan", "export", str(saved["ods"]["plain"]), "--out", str(out)]) == 0
    assert _strip(load_plan(out, index, config=PLAN_CONFIG)) == _strip(ishoej_plan)
    back = tmp_path / "back.xlsx"
    assert main(["plan", "export", str(out), "--out", str(back)]) == 0
    again = _resave([back], "ods", tmp_path / "again")[0]
    assert _strip(load_plan(again, index, config=PLAN_CONFIG)) == _strip(ishoej_plan)
