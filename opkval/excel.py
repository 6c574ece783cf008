"""A local plan as an Excel workbook, for analysts who work in Excel.

:func:`write_workbook` writes the template (``opkval plan template``): sheets *Plan*, *Behov*,
*Indsatser*, *Fordeling* and *Overvejelser*, with the allowed values of kategori, maalgruppe
and finansiering as drop-downs, filled in with the kommune's plan when it has one.
:func:`read_workbook` turns such a workbook into the same raw structure as a YAML plan, so
:func:`opkval.plan.validate` checks both alike; problems name sheet and cell. A formula whose
value Excel has not saved (e.g. a file written by a script and never opened in Excel) is a
problem, not a silent blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from opkval.config import load_points, load_rules, plan_years
from opkval.errors import Path_, Problem
from opkval.kommune import Kommune

if TYPE_CHECKING:  # the plan reader imports this module, not the other way round
    from opkval.plan import Plan

PLAN_FIELDS = ("kommune", "titel", "dato", "kilde", "godkendt_af", "godkendt_dato",
               "maal_andel_paedagoger_pct", "maal_aar")
LIST_FIELDS = ("navn", "kategori", "maalgruppe", "start", "slut", "deltagere", "finansiering",
               "behov", "beskrivelse", "kategori_begrundelse", "antagelser")
BEHOV_COLS = ("id", "tekst")
FORDELING_COLS = ("indsats", "dagtilbud", "deltagere")
#: Overvejelser: one row per Bilag 2 point; column C is guidance only and is not read.
OVERVEJELSER_COLS = ("id", "tekst", "spoergsmaal (vejledning, læses ikke)")
TEMPLATE_ROWS = 60  # rows with drop-downs in an empty template
HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="1F4E79")

GUIDE = [
    "Lokal plan for opkvalificering – skabelon til opkval",
    "",
    "Udfyld arkene Plan, Behov, Indsatser, Fordeling og Overvejelser. Læs planen ind med:",
    "  opkval plan check plan.xlsx       (kontrol af planen og puljens regler)",
    "  make report KOMMUNE=<kommune> PLAN=plan.xlsx",
    "",
    "Indsatser: én række pr. indsats. kategori, maalgruppe og finansiering vælges i listen.",
    "Datoer som datoer (fx 01-08-2024). Beløb i hele kroner pr. år i budget_ÅÅÅÅ; realiseret",
    "forbrug i forbrug_ÅÅÅÅ erstatter budgettet for det år. behov: id'er adskilt af komma.",
    "antagelser: én antagelse pr. linje i cellen.",
    "Fordeling: én række pr. indsats og dagtilbud med antal deltagere.",
    "Overvejelser: skriv i kolonnen tekst, hvad planen siger om hvert punkt i ministeriets",
    "vejledning (Bilag 2). Lad cellen stå tom, hvis planen ikke omtaler punktet.",
    "Formler er tilladt, men filen skal være gemt i Excel, så værdierne er gemt med.",
    "Formatet er beskrevet i docs/plan-format.md.",
]


def indsats_columns() -> list[str]:
    ys = list(plan_years())
    return [*LIST_FIELDS, *[f"budget_{y}" for y in ys], *[f"forbrug_{y}" for y in ys]]


def _header(ws, cols: list[str] | tuple[str, ...]) -> None:
    for j, name in enumerate(cols, start=1):
        c = ws.cell(row=1, column=j, value=name)
        c.font, c.fill = HEAD_FONT, HEAD_FILL
        ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(name) + 4))
    ws.freeze_panes = "A2"


def write_workbook(path: Path | str, kommune: Kommune, plan: Plan | None = None) -> Path:
    """Write the plan template, filled in with ``plan`` when given."""
    rules = load_rules()
    wb = Workbook()
    guide = wb.active
    guide.title = "Vejledning"
    for i, line in enumerate(GUIDE, start=1):
        guide.cell(row=i, column=1, value=line)
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 100

    # The drop-down columns of the Plan sheet, each with its list in sheet "Lister".
    choices = (("kategori", rules.kategorier), ("maalgruppe", rules.maalgrupper),
               ("finansiering", rules.finansiering))
    lists = wb.create_sheet("Lister")
    for j, (name, values) in enumerate(choices, start=1):
        lists.cell(row=1, column=j, value=name).font = Font(bold=True)
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=j, value=v)
    lists.sheet_state = "hidden"

    ws = wb.create_sheet("Plan")
    ws.append(["felt", "værdi"])
    _header(ws, ["felt", "værdi"])
    ws.column_dimensions["B"].width = 70
    values = {"kommune": kommune.navn}
    if plan:
        values.update({
            "titel": plan.titel, "dato": plan.dato, "kilde": plan.kilde,
            "godkendt_af": plan.godkendt_af, "godkendt_dato": plan.godkendt_dato,
            "maal_andel_paedagoger_pct": plan.maal_andel_paedagoger_pct,
            "maal_aar": plan.maal_aar})
    for i, name in enumerate(PLAN_FIELDS, start=2):
        ws.cell(row=i, column=1, value=name)
        ws.cell(row=i, column=2, value=values.get(name))
        if name.endswith("dato") or name == "dato":
            ws.cell(row=i, column=2).number_format = "yyyy-mm-dd"

    ws = wb.create_sheet("Behov")
    _header(ws, BEHOV_COLS)
    ws.column_dimensions["B"].width = 90
    for b in plan.behov if plan else ():
        ws.append([b.id, b.tekst])

    ws = wb.create_sheet("Indsatser")
    cols = indsats_columns()
    _header(ws, cols)
    ys = list(plan_years())
    for ind in plan.indsatser if plan else ():
        row: list[Any] = [ind.navn, ind.kategori, ind.maalgruppe, ind.start, ind.slut,
                          ind.deltagere, ind.finansiering, ", ".join(ind.behov) or None,
                          ind.beskrivelse, ind.kategori_begrundelse,
                          "\n".join(ind.antagelser) or None]
        row += [ind.budget.get(y) for y in ys] + [ind.forbrug.get(y) for y in ys]
        ws.append(row)
    last = max(ws.max_row, TEMPLATE_ROWS)
    for r in range(2, last + 1):
        for col in ("start", "slut"):
            ws.cell(row=r, column=cols.index(col) + 1).number_format = "yyyy-mm-dd"
    for j, (name, values) in enumerate(choices, start=1):
        src = get_column_letter(j)
        dv = DataValidation(type="list", formula1=f"=Lister!${src}$2:${src}${len(values) + 1}",
                            allow_blank=True, showErrorMessage=True,
                            errorTitle="Ugyldig værdi", error=f"Vælg {name} i listen.")
        letter = get_column_letter(cols.index(name) + 1)
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)

    ws = wb.create_sheet("Fordeling")
    _header(ws, FORDELING_COLS)
    for ind in plan.indsatser if plan else ():
        for place, n in ind.fordeling.items():
            ws.append([ind.navn, place, n])

    ws = wb.create_sheet("Overvejelser")
    _header(ws, OVERVEJELSER_COLS)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 80
    ws.column_dimensions["C"].width = 80
    words = plan.overvejelser if plan else {}
    for pt in load_points().punkter:
        ws.append([pt.id, words.get(pt.id), f"{pt.titel}: {pt.spoergsmaal}"])
    out = Path(path)
    wb.save(out)
    return out


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_workbook(path: Path) -> tuple[Any, Any, list[Problem]]:
    """A workbook → (raw plan dict, locator, problems that stop validation)."""
    problems: list[Problem] = []
    try:
        wb_f = load_workbook(path, data_only=False, read_only=False)
        wb_v = load_workbook(path, data_only=True, read_only=False)
    except Exception as e:  # openpyxl raises many types for a damaged or non-xlsx file
        return None, lambda p: None, [Problem("", None, str(path.name),
                                              f"kan ikke læses som Excel-fil ({type(e).__name__})")]
    locs: dict[Path_, str] = {}

    def where(sheet: str, cell: str) -> str:
        return f"ark '{sheet}', celle {cell}"

    def value(sheet: str, row: int, col: int, field: str) -> Any:
        cf = wb_f[sheet].cell(row=row, column=col)
        v = wb_v[sheet].cell(row=row, column=col).value
        if cf.data_type == "f" and v is None:
            problems.append(Problem(field, where(sheet, cf.coordinate), str(cf.value),
                                    "cellen har en formel uden gemt værdi; åbn filen i Excel, "
                                    "gem den, og prøv igen"))
        return _clean(v)

    for name in ("Plan", "Indsatser"):
        if name not in wb_f.sheetnames:
            problems.append(Problem("", None, name, f"arket '{name}' mangler"))
    if problems:
        return None, lambda p: None, problems

    raw: dict[str, Any] = {}
    ws = wb_f["Plan"]
    for r in range(2, ws.max_row + 1):
        key = _clean(ws.cell(row=r, column=1).value)
        if key is None:
            continue
        v = value("Plan", r, 2, str(key))
        ref = where("Plan", f"B{r}")
        if key in ("godkendt_af", "godkendt_dato", "maal_andel_paedagoger_pct", "maal_aar"):
            group, _, sub = key.partition("_")  # godkendt: {af, dato}; maal: {andel_..., aar}
            if v is not None:
                raw.setdefault(group, {})[sub] = v
            locs[(group, sub)] = ref
        else:
            if v is not None:
                raw[str(key)] = v
            locs[(str(key),)] = ref if key in PLAN_FIELDS else where("Plan", f"A{r}")

    if "Behov" in wb_f.sheetnames:
        ws = wb_f["Behov"]
        behov = []
        for r in range(2, ws.max_row + 1):
            vals = [value("Behov", r, j, f"behov.{c}") for j, c in enumerate(BEHOV_COLS, 1)]
            if all(v is None for v in vals):
                continue
            i = len(behov)
            behov.append(dict(zip(BEHOV_COLS, vals, strict=True)))
            locs[("behov", i)] = where("Behov", f"A{r}")
            for j, c in enumerate(BEHOV_COLS, 1):
                locs[("behov", i, c)] = where("Behov", f"{get_column_letter(j)}{r}")
        if behov:
            raw["behov"] = behov

    ws = wb_f["Indsatser"]
    head = [_clean(ws.cell(row=1, column=j).value) for j in range(1, ws.max_column + 1)]
    known = set(indsats_columns())
    cols: dict[int, str] = {}
    for j, h in enumerate(head, start=1):
        if h is None:
            continue
        if h not in known:
            ref = where("Indsatser", f"{get_column_letter(j)}1")
            allowed = ", ".join(LIST_FIELDS) + ", budget_ÅÅÅÅ, forbrug_ÅÅÅÅ"
            problems.append(Problem(f"Indsatser.{h}", ref, h,
                                    f"ukendt kolonne; tilladte: {allowed}"))
            continue
        cols[j] = h
    indsatser: list[dict] = []
    for r in range(2, ws.max_row + 1):
        row = {h: value("Indsatser", r, j, f"Indsatser.{h}") for j, h in cols.items()}
        if all(v is None for v in row.values()):
            continue
        i = len(indsatser)
        item: dict[str, Any] = {}
        locs[("indsatser", i)] = where("Indsatser", f"A{r}")
        for j, h in cols.items():
            ref = where("Indsatser", f"{get_column_letter(j)}{r}")
            v = row[h]
            if h.startswith(("budget_", "forbrug_")):
                kind, year = h.split("_", 1)
                locs[("indsatser", i, kind, year)] = ref
                locs.setdefault(("indsatser", i, kind), ref)
                if v is not None:
                    item.setdefault(kind, {})[year] = v
                continue
            locs[("indsatser", i, h)] = ref
            if v is None:
                continue
            if h == "antagelser" and isinstance(v, str):
                v = [line.strip() for line in v.splitlines() if line.strip()]
            item[h] = v
        indsatser.append(item)
    raw["indsatser"] = indsatser

    if "Fordeling" in wb_f.sheetnames:
        ws = wb_f["Fordeling"]
        by_name = {str(x.get("navn", "")).strip(): (i, x) for i, x in enumerate(indsatser)}
        for r in range(2, ws.max_row + 1):
            vals = [value("Fordeling", r, j, f"Fordeling.{c}")
                    for j, c in enumerate(FORDELING_COLS, 1)]
            if all(v is None for v in vals):
                continue
            navn, place, n = vals
            hit = by_name.get(str(navn).strip()) if navn is not None else None
            if hit is None or place is None:
                problems.append(Problem("Fordeling.indsats", where("Fordeling", f"A{r}"), navn,
                                        "rækken skal nævne en indsats fra arket Indsatser og "
                                        "et dagtilbud"))
                continue
            i, item = hit
            item.setdefault("fordeling", {})[str(place)] = n
            locs[("indsatser", i, "fordeling", str(place))] = where("Fordeling", f"C{r}")

    if "Overvejelser" in wb_f.sheetnames:
        words: dict[str, Any] = {}
        for r in range(2, wb_f["Overvejelser"].max_row + 1):
            pid = value("Overvejelser", r, 1, "overvejelser")
            text = value("Overvejelser", r, 2, f"overvejelser.{pid}")
            if pid is None:
                if text is not None:
                    problems.append(Problem("overvejelser", where("Overvejelser", f"A{r}"),
                                            text, "rækken har en tekst, men intet punkt-id"))
                continue
            pid = str(pid)
            if pid in words:
                problems.append(Problem(f"overvejelser.{pid}", where("Overvejelser", f"A{r}"),
                                        pid, "punktet står to gange"))
                continue
            words[pid] = text
            locs[("overvejelser", pid)] = where("Overvejelser", f"A{r}")
        words = {k: v for k, v in words.items() if v is not None}
        if words:
            raw["overvejelser"] = words

    def locate(p: Path_) -> str | None:
        for k in range(len(p), 0, -1):
            key = tuple(str(x) if not isinstance(x, int) else x for x in p[:k])
            if key in locs:
                return locs[key]
        return None

    return raw, locate, problems
