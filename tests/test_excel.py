"""Excel plans: the template round-trips to the same plan as the YAML; formulas need values."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openpyxl import load_workbook

from opkval.assembly.context import plan_context
from opkval.inputs.excel import write_workbook
from opkval.inputs.plan import PlanError, load_plan
from tests.conftest import CFG, PLAN_CONFIG, RULES


def _strip(plan):
    return replace(plan, fil="", sha256="")


def test_template_round_trip_equals_yaml(tmp_path, index, ishoej, ishoej_plan, ishoej_grants):
    path = write_workbook(tmp_path / "plan.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)
    from_excel = load_plan(path, index, expected=ishoej, config=PLAN_CONFIG)
    assert _strip(from_excel) == _strip(ishoej_plan)
    a, b = (plan_context(from_excel, ishoej_grants, CFG, RULES),
            plan_context(ishoej_plan, ishoej_grants, CFG, RULES))
    assert a["ledger"] == b["ledger"] and a["regler"] == b["regler"]


def test_template_has_drop_downs(tmp_path, ishoej):
    path = write_workbook(tmp_path / "plan.xlsx", ishoej, None, config=PLAN_CONFIG)
    ws = load_workbook(path)["Indsatser"]
    formulas = sorted(dv.formula1 for dv in ws.data_validations.dataValidation)
    # 11 kategorier (regler.yaml, with studieudgifter), 6 målgrupper, 2 finansieringer, and
    # the alternative kategori of an uncertain line (the same 11).
    assert formulas == ["=Lister!$A$2:$A$12", "=Lister!$B$2:$B$7", "=Lister!$C$2:$C$3",
                        "=Lister!$D$2:$D$12"]


def test_every_date_cell_has_the_danish_date_format(tmp_path, ishoej):
    """In an empty template a date typed into Tilsagn's dato column, the meeting field or an
    indsats's start and slut is a date, shown day-month-year as the hints say (01-08-2024)."""
    wb = load_workbook(write_workbook(tmp_path / "plan.xlsx", ishoej, None, config=PLAN_CONFIG))
    tilsagn = wb["Tilsagn"]
    dato = [c.value for c in tilsagn[1]].index("dato") + 1
    assert {tilsagn.cell(row=r, column=dato).number_format for r in range(2, 61)} \
        == {"dd-mm-yyyy"}
    notat = wb["Notat"]
    moede = next(r for r in range(2, notat.max_row + 1) if notat.cell(r, 1).value == "moede")
    assert notat.cell(moede, 2).number_format == "dd-mm-yyyy"
    indsatser = wb["Indsatser"]
    start = [c.value for c in indsatser[1]].index("start") + 1
    assert indsatser.cell(row=2, column=start).number_format == "dd-mm-yyyy"


def test_filled_in_workbook_edit_is_read(tmp_path, index, ishoej, ishoej_plan):
    path = write_workbook(tmp_path / "plan.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)
    wb = load_workbook(path)
    ws = wb["Indsatser"]
    head = [c.value for c in ws[1]]
    ws.cell(row=2, column=head.index("forbrug_2024") + 1, value=455000)
    wb.save(path)
    merit = load_plan(path, index, config=PLAN_CONFIG).indsatser[0]
    assert merit.spending(2024) == 455000 and merit.spending(2025) == 462000


def test_formula_without_cached_value_is_reported(tmp_path, index, ishoej, ishoej_plan):
    path = write_workbook(tmp_path / "plan.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)
    wb = load_workbook(path)
    ws = wb["Indsatser"]
    col = [c.value for c in ws[1]].index("budget_2024") + 1
    ws.cell(row=2, column=col, value="=400000+62000")  # openpyxl saves no cached value
    wb.save(path)
    with pytest.raises(PlanError) as exc:
        load_plan(path, index, config=PLAN_CONFIG)
    msg = str(exc.value)
    # 11 list columns (A-K), then budget_2023 in L and budget_2024 in M (the uncertain
    # kategori's two columns come after the year columns).
    assert "ark 'Indsatser', celle M2" in msg and "formel uden gemt værdi" in msg
    assert "=400000+62000" in msg


def test_excel_problems_name_sheet_and_cell(tmp_path, index, ishoej, ishoej_plan):
    path = write_workbook(tmp_path / "plan.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)
    wb = load_workbook(path)
    ws = wb["Indsatser"]
    ws["B3"] = "kursus"  # kategori of the second indsats
    ws["A4"] = ws["A2"].value  # duplicate name
    wb.save(path)
    with pytest.raises(PlanError) as exc:
        load_plan(path, index, config=PLAN_CONFIG)
    msg = str(exc.value)
    assert "ark 'Indsatser', celle B3, indsatser[2].kategori: ukendt kategori" in msg
    assert "ark 'Indsatser', celle A4, indsatser[3].navn: samme navn" in msg


def test_overvejelser_sheet_is_read_and_checked(tmp_path, index, ishoej, ishoej_plan):
    path = write_workbook(tmp_path / "plan.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)
    wb = load_workbook(path)
    ws = wb["Overvejelser"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    # The template lists every point; Ishøj's two texts are filled in, the rest left blank.
    assert ws.cell(row=rows["ledere"], column=2).value == ishoej_plan.overvejelser["ledere"]
    assert ws.cell(row=rows["introkursus"], column=2).value is None
    ws.cell(row=rows["introkursus"], column=2, value="Alle nyansatte får et introforløb.")
    wb.save(path)
    assert load_plan(path, index, config=PLAN_CONFIG).overvejelser["introkursus"] == \
        "Alle nyansatte får et introforløb."
    ws.cell(row=rows["introkursus"], column=1, value="intro_kursus")
    wb.save(path)
    with pytest.raises(PlanError) as exc:
        load_plan(path, index, config=PLAN_CONFIG)
    msg = str(exc.value)
    assert (f"ark 'Overvejelser', celle A{rows['introkursus']}, overvejelser.intro_kursus: "
            "ukendt punkt 'intro_kursus' (mente du 'introkursus'?)") in msg
