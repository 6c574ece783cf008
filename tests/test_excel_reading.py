"""Workbook plans read as Excel and LibreOffice show them (issue 13).

Each test writes the template filled in with Ishøj's plan (seed 001), changes cells as an
analyst would, and checks what opkval reads or which problems it names. Column letters follow
the template's column order: A navn, B kategori, C maalgruppe, D start, E slut, F deltagere,
G finansiering, H behov, I beskrivelse, J kategori_begrundelse, K antagelser, L budget_2023,
M budget_2024, ...; the Plan sheet has its fields in A2:A9, values in B.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from opkval.assembly.context import plan_context
from opkval.inputs.excel import write_workbook
from opkval.inputs.plan import PlanError, find_plan, load_plan, plan_file_for
from tests.conftest import CFG, PLAN_CONFIG, RULES

PCT_ROW = 8  # Plan!B8: maal_andel_paedagoger_pct
AAR_ROW = 9  # Plan!B9: maal_aar


def _edit(path, fn):
    wb = load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


@pytest.fixture
def book(tmp_path, ishoej, ishoej_plan):
    return write_workbook(tmp_path / "plan.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)


def _errors(path, index) -> str:
    with pytest.raises(PlanError) as exc:
        load_plan(path, index, config=PLAN_CONFIG)
    return str(exc.value)


# ----------------------------------------------------------------------------- percent

def _target(ws, value, number_format="General"):
    ws[f"B{PCT_ROW}"] = value
    ws[f"B{PCT_ROW}"].number_format = number_format
    ws[f"B{AAR_ROW}"] = 2030


def test_percent_formatted_share_is_the_percent_shown(book, index):
    # Excel and LibreOffice store a typed "60 %" as 0,6 with a percent format.
    _edit(book, lambda wb: _target(wb["Plan"], 0.6, "0%"))
    plan = load_plan(book, index, config=PLAN_CONFIG)
    assert plan.maal_andel_paedagoger_pct == 60 and plan.maal_aar == 2030


@pytest.mark.parametrize("text", ["60 %", "60,0 %", "60%"])
def test_percent_typed_as_text_is_read(book, index, text):
    _edit(book, lambda wb: _target(wb["Plan"], text))
    assert load_plan(book, index, config=PLAN_CONFIG).maal_andel_paedagoger_pct == 60


def test_share_without_percent_format_is_an_error_saying_what_was_read(book, index):
    _edit(book, lambda wb: _target(wb["Plan"], 0.6))
    msg = _errors(book, index)
    assert f"ark 'Plan', celle B{PCT_ROW}, maal.andel_paedagoger_pct: 0,6 kan ikke være " \
           "målet i procent; skriv procenten, fx 60" in msg


def test_template_writes_the_target_as_a_percent_cell(tmp_path, ishoej, ishoej_plan, index):
    plan = replace(ishoej_plan, maal_andel_paedagoger_pct=60.0, maal_aar=2030)
    path = write_workbook(tmp_path / "p.xlsx", ishoej, plan, config=PLAN_CONFIG)
    cell = load_workbook(path)["Plan"][f"B{PCT_ROW}"]
    assert cell.value == 0.6 and "%" in cell.number_format
    assert load_plan(path, index, config=PLAN_CONFIG).maal_andel_paedagoger_pct == 60


# ----------------------------------------------------------------------------- dates

@pytest.mark.parametrize("text", ["01-08-2025", "1.8.2025", "01.08.2025", "1/8/2025",
                                  "2025-08-01"])
def test_danish_date_text_is_read(book, index, text):
    _edit(book, lambda wb: wb["Indsatser"].__setitem__("D2", text))
    assert load_plan(book, index, config=PLAN_CONFIG).indsatser[0].start == dt.date(2025, 8, 1)


def test_year_in_a_date_cell_is_an_error_naming_the_cell(book, index):
    # 2024 typed into a date-formatted cell is day 2024 after 30.12.1899: 16.07.1905.
    def year(wb):
        wb["Indsatser"]["E3"] = 2024
        wb["Indsatser"]["E3"].number_format = "dd-mm-yyyy"
    _edit(book, year)
    msg = _errors(book, index)
    assert "ark 'Indsatser', celle E3, indsatser[2].slut: datoen ligger uden for 2020–2035; " \
           "2024 ligner et årstal skrevet i en datocelle" in msg
    assert "1905" in msg


def test_date_outside_the_window_is_an_error(book, index):
    _edit(book, lambda wb: wb["Indsatser"].__setitem__("E2", dt.datetime(2040, 7, 31)))
    assert "ark 'Indsatser', celle E2, indsatser[1].slut: datoen ligger uden for 2020–2035" \
        in _errors(book, index)


def test_template_guide_and_date_cells_use_the_danish_format(book):
    wb = load_workbook(book)
    guide = "\n".join(str(c.value) for c in wb["Vejledning"]["A"] if c.value)
    assert "01-08-2024" in guide
    assert wb["Indsatser"]["D2"].number_format == "dd-mm-yyyy"


# ----------------------------------------------------------------------------- merged cells

def test_merged_finansiering_is_an_error_naming_the_range(book, index):
    def merge(wb):
        ws = wb["Indsatser"]
        ws["G3"] = "Anden finansiering (ikke puljen)"
        ws.merge_cells("G3:G4")  # G4 now reads as blank: a pool charge if not refused
    _edit(book, merge)
    msg = _errors(book, index)
    assert "ark 'Indsatser', område G3:G4, Indsatser: flettede celler" in msg


def test_merged_cells_outside_read_columns_are_fine(book, index, ishoej_plan):
    _edit(book, lambda wb: wb["Overvejelser"].merge_cells("C2:C3"))  # guidance column
    assert load_plan(book, index, config=PLAN_CONFIG).overvejelser == ishoej_plan.overvejelser


# ----------------------------------------------------------------------------- all at once

def test_every_problem_from_every_sheet_at_once(book, index):
    def break_(wb):
        f = wb["Fordeling"]  # rows 2-7: the merit line's six dagtilbud (seed 001)
        f["A2"] = "Meritpædagoguddanelse"  # 1: misspelled indsats
        f["B3"] = None  # 2: blank dagtilbud
        f["C4"] = "to"  # 3: not a number
        f["C5"] = -1  # 4: negative
        f["A6"] = None  # 5: blank indsats
        ind = wb["Indsatser"]
        ind["M3"] = "=100000*2"  # 6: formula without a stored value (openpyxl stores none)
        ind["Z1"] = "bugdet_2025"  # 7: unknown column
        ind["B4"] = "kursus"  # 8: unknown kategori
        wb["Plan"]["B3"] = 17  # titel, fine: a number is read as text
        wb["Plan"]["B4"] = "32-13-2024"  # 9: dato not a date
    _edit(book, break_)
    msg = _errors(book, index)
    expected = [
        "ark 'Fordeling', celle A2, Fordeling.indsats: ukendt indsats (mente du "
        "'Meritpædagoguddannelse'?)",
        "ark 'Fordeling', celle B3, Fordeling.dagtilbud: cellen er tom",
        "ark 'Fordeling', celle C4, indsatser[1].fordeling.",
        "ark 'Fordeling', celle C5, indsatser[1].fordeling.",
        "ark 'Fordeling', celle A6, Fordeling.indsats: cellen er tom",
        "ark 'Indsatser', celle M3, indsatser[2].budget.2024: cellen har en formel uden gemt "
        "værdi",
        "ark 'Indsatser', celle Z1, Indsatser: ukendt kolonne (mente du 'budget_2025'?)",
        "ark 'Indsatser', celle B4, indsatser[3].kategori: ukendt kategori",
        "ark 'Plan', celle B4, dato: er ikke en dato",
    ]
    for line in expected:
        assert line in msg, line
    assert "(9 fejl)" in msg
    assert "'to'" in msg and "-1" in msg  # the values read are shown


def test_total_row_is_named_as_such(book, index):
    def total(wb):
        ws = wb["Indsatser"]
        ws["A5"] = "I alt"
        ws["M5"] = 462000 + 280000
    _edit(book, total)
    msg = _errors(book, index)
    assert "ark 'Indsatser', række 5, Indsatser: rækken ligner en sumrække (I alt)" in msg
    assert "(1 fejl)" in msg


# ----------------------------------------------------------------------------- drop-downs

def test_drop_down_lists_show_danish_names(book):
    lists = load_workbook(book)["Lister"]
    kategori = [c.value for c in lists["A"][1:] if c.value]
    maalgruppe = [c.value for c in lists["B"][1:] if c.value]
    assert "Meritpædagog" in kategori and "meritpaedagog" not in kategori
    assert "Pædagogmedhjælpere" in maalgruppe and "paedagogmedhjaelpere" not in maalgruppe
    assert load_workbook(book)["Indsatser"]["B2"].value == "Meritpædagog"


@pytest.mark.parametrize("typed", ["PAU", "pau", "Pau"])
def test_label_or_code_in_any_case_is_accepted(book, index, typed):
    def set_(wb):
        ws = wb["Indsatser"]
        ws["B3"], ws["C3"], ws["G3"] = typed, "PÆDAGOGER", "ANDEN"
    _edit(book, set_)
    ind = load_plan(book, index, config=PLAN_CONFIG).indsatser[1]
    assert (ind.kategori, ind.maalgruppe, ind.finansiering) == ("pau", "paedagoger", "anden")


@pytest.mark.parametrize(("cell", "typed", "hint"), [
    ("B2", "Meritpædagg", "Meritpædagog"), ("C2", "pædagogmedhjælper", "Pædagogmedhjælpere"),
    ("G2", "puljen", "pulje")])
def test_near_misses_get_a_suggestion(book, index, cell, typed, hint):
    _edit(book, lambda wb: wb["Indsatser"].__setitem__(cell, typed))
    assert f"(mente du '{hint}'?)" in _errors(book, index)


def test_externally_financed_line_is_not_charged_to_the_pool(book, index, ishoej_grants):
    _edit(book, lambda wb: wb["Indsatser"].__setitem__("G3", "Anden finansiering (ikke "
                                                                "puljen)"))
    plan = load_plan(book, index, config=PLAN_CONFIG)
    assert plan.indsatser[1].finansiering == "anden"
    # Seed 001: 462.000 kr. merit + 280.000 kr. course in 2024; without the course, 462.000.
    led = plan_context(plan, ishoej_grants, CFG, RULES)["ledger"]
    assert next(y for y in led["aar"] if y["aar"] == 2024)["forbrug_kr"] == 462000 + \
        plan.indsatser[2].spending(2024)


# ----------------------------------------------------------------------------- lists

def test_semicolon_and_line_break_lists_are_lists(book, index):
    _edit(book, lambda wb: wb["Indsatser"].__setitem__(
        "H2", "faerre_paedagoger; rollefordeling\nsystematik"))
    assert load_plan(book, index, config=PLAN_CONFIG).indsatser[0].behov == (
        "faerre_paedagoger", "rollefordeling", "systematik")


def test_unknown_behov_link_gets_a_suggestion(book, index, ishoej_grants):
    _edit(book, lambda wb: wb["Indsatser"].__setitem__("H2", "faerre_pædagoger"))
    plan = load_plan(book, index, config=PLAN_CONFIG)
    rule = next(r for r in plan_context(plan, ishoej_grants, CFG, RULES)["regler"]
                if r["id"] == "fordeling_og_behov")
    assert "(mente du 'faerre_paedagoger'?)" in rule["tekst"]


# ----------------------------------------------------------------------------- data/plans

def test_registered_workbook_is_used_like_yaml(tmp_path, book, index, ishoej, ishoej_plan):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "ishoej.xlsx").write_bytes(book.read_bytes())
    assert plan_file_for("ishoej", plans) == plans / "ishoej.xlsx"
    got = find_plan(ishoej, index, plans_dir=plans, config=PLAN_CONFIG)
    assert replace(got, fil="", sha256="") == replace(ishoej_plan, fil="", sha256="")


def test_two_plan_files_for_one_kommune_is_an_error(tmp_path, book):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "ishoej.xlsx").write_bytes(book.read_bytes())
    (plans / "ishoej.yaml").write_text("kommune: Ishøj\n", encoding="utf-8")
    with pytest.raises(PlanError) as exc:
        plan_file_for("ishoej", plans)
    assert "kommunen har 2 planfiler" in str(exc.value) and "ishoej.xlsx" in str(exc.value)


# ----------------------------------------------------------------------------- export

@pytest.fixture
def full_plan(ishoej_plan):
    """Ishøj's plan with every optional field set, so a round trip must carry each one."""
    merit, kursus, *rest = ishoej_plan.indsatser
    return replace(
        ishoej_plan, godkendt_af="Børne- og Undervisningsudvalget",
        godkendt_dato=dt.date(2024, 5, 1), maal_andel_paedagoger_pct=62.5, maal_aar=2030,
        indsatser=(replace(merit, forbrug={2024: 455000}),
                   replace(kursus, finansiering="anden", behov=("rollefordeling",)), *rest))


def test_export_round_trips_keep_every_field(tmp_path, index, ishoej, full_plan, capsys):
    from opkval.app.cli import main

    book = write_workbook(tmp_path / "full.xlsx", ishoej, full_plan, config=PLAN_CONFIG)
    out = tmp_path / "full.yaml"
    assert main(["plan", "export", str(book), "--out", str(out)]) == 0
    from_yaml = load_plan(out, index, config=PLAN_CONFIG)
    assert replace(from_yaml, fil="", sha256="") == replace(full_plan, fil="", sha256="")
    assert "forbrug:\n    2024: 455000" in out.read_text(encoding="utf-8")
    back = tmp_path / "back.xlsx"
    assert main(["plan", "export", str(out), "--out", str(back)]) == 0
    assert replace(load_plan(back, index, config=PLAN_CONFIG), fil="", sha256="") == \
        replace(full_plan, fil="", sha256="")
    assert main(["plan", "export", str(out), "--out", str(back)]) == 2  # exists, no --force
    assert main(["plan", "export", str(out), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "findes allerede; brug --force" in err and "--out skal ende på .yaml" in err


def test_plan_given_with_plan_says_what_make_reports_uses(tmp_path):
    from pathlib import Path

    from opkval.app.cli import _plan_note

    note = _plan_note("ishoej", Path("mine/plan.xlsx"))
    assert "PLAN= gælder kun dette notat. `make reports` bruger data/plans/ishoej.yaml" in note
    assert "cp mine/plan.xlsx data/plans/ishoej.xlsx" in note
    none = _plan_note("ballerup", Path("b.yaml"))
    assert "`make reports` bygger notatet uden lokal plan" in none
    assert "kopiér den til data/plans/ballerup.yaml" in none


def test_batch_with_two_plan_files_stops_before_building(tmp_path, book):
    from opkval.app.batch import run

    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "ishoej.ods").write_bytes(b"")
    (plans / "ishoej.xlsx").write_bytes(book.read_bytes())
    with pytest.raises(PlanError, match="kommunen har 2 planfiler"):
        run(tmp_path / "out", plans_dir=plans, only=["ishoej"])
    assert not (tmp_path / "out" / "ishoej.html").exists()


def test_total_row_in_fordeling_is_named_as_such(book, index):
    def total(wb):
        ws = wb["Fordeling"]
        ws["A8"], ws["C8"] = "I alt:", 8  # seed 001: 8 merit students
    _edit(book, total)
    msg = _errors(book, index)
    assert "ark 'Fordeling', række 8, Fordeling: rækken ligner en sumrække (I alt)" in msg
    assert "(1 fejl)" in msg


def test_overvejelser_id_in_any_case_and_yaml_semicolon_behov(tmp_path, index):
    text = """\
kommune: Ishøj
dato: 2024-04-21
behov:
  - {id: a, tekst: A}
  - {id: b, tekst: B}
indsatser:
  - {navn: Kursus, kategori: Uformel, maalgruppe: PAEDAGOGER, start: 01-01-2024,
     slut: 31.12.2024, budget: {2024: 1000}, behov: "a; b"}
overvejelser:
  Ledere: Lederne får et forløb.
"""
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path, index, config=PLAN_CONFIG)
    ind = plan.indsatser[0]
    assert (ind.kategori, ind.maalgruppe, ind.behov) == ("uformel", "paedagoger", ("a", "b"))
    assert (ind.start, ind.slut) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert plan.overvejelser == {"ledere": "Lederne får et forløb."}


@pytest.mark.parametrize(("written", "ok"), [("'60 %'", 60), ("'60,0 %'", 60), ("0.6", None)])
def test_yaml_target_is_read_the_same_way(tmp_path, index, written, ok):
    path = tmp_path / "p.yaml"
    path.write_text(f"kommune: Ishøj\ndato: 2024-04-21\nmaal: {{andel_paedagoger_pct: {written},"
                    " aar: 2030}\nindsatser:\n  - {navn: K, kategori: uformel, maalgruppe: "
                    "ledere, start: 2024-01-01, slut: 2024-12-31, budget: {2024: 1}}\n",
                    encoding="utf-8")
    if ok:
        assert load_plan(path, index, config=PLAN_CONFIG).maal_andel_paedagoger_pct == ok
    else:
        assert "linje 3, maal.andel_paedagoger_pct: 0,6 kan ikke være målet i procent" in \
            _errors(path, index)
