"""A local plan as a workbook (.xlsx or .ods), for analysts who work in Excel or LibreOffice.

:func:`write_workbook` writes the template (``opkval plan template``): sheets *Plan*, *Behov*,
*Indsatser*, *Fordeling* and *Overvejelser*, with the Danish names of kategori, maalgruppe
and finansiering as drop-downs, filled in with the kommune's plan when it has one.
:func:`read_workbook` turns such a workbook into the same raw structure as a YAML plan, so
:func:`opkval.inputs.plan.validate` checks both alike. Cells are read as the spreadsheet shows them
(:mod:`opkval.inputs.workbook`, within its limits); every problem of every sheet is collected, each
naming the sheet and the cell at fault. A formula whose value was never saved, an error value
and a merged range over input cells are problems, not silent blanks.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

from opkval.base.errors import MISSING, Path_, Problem, WorkbookError, field_name
from opkval.inputs.config import PlanConfig, RulesConfig
from opkval.inputs.kommune import Kommune
from opkval.inputs.plan_model import Plan
from opkval.inputs.workbook import Cell, Sheet, coord, merged_ref, read_sheets

PLAN_FIELDS = ("kommune", "titel", "dato", "kilde", "godkendt_af", "godkendt_dato",
               "maal_andel_paedagoger_pct", "maal_aar", "forrige")
LIST_FIELDS = ("navn", "kategori", "maalgruppe", "start", "slut", "deltagere", "finansiering",
               "behov", "beskrivelse", "kategori_begrundelse", "antagelser")
#: An uncertain kategori (issue 11): after the year columns, so those keep their letters.
UNCERTAIN_FIELDS = ("kategori_alternativ", "kategori_usikkerhed")
BEHOV_COLS = ("id", "tekst")
FORDELING_COLS = ("indsats", "dagtilbud", "deltagere")
#: Overvejelser: one row per Bilag 2 point; column C is guidance only and is not read.
OVERVEJELSER_COLS = ("id", "tekst", "spoergsmaal (vejledning, læses ikke)")
#: The drop-down columns of Indsatser (Danish names in the list; the reader takes either).
CHOICE_FIELDS = ("kategori", "maalgruppe", "finansiering", "kategori_alternativ")
#: Danish date format, as the guide suggests (01-08-2024); the cell holds a real date.
DATE_FORMAT = "dd-mm-yyyy"
#: Years a date in a plan may lie in (the pool runs 2023–2030; plans are written from 2020).
DATE_YEARS = (2020, 2035)
TEMPLATE_ROWS = 60  # rows with drop-downs in an empty template
#: The header row's look (white bold on dark blue).
HEAD_COLOR, HEAD_BG = "FFFFFF", "1F4E79"

GUIDE = [
    "Lokal plan for opkvalificering – skabelon til opkval",
    "",
    "Udfyld arkene Plan, Behov, Indsatser, Fordeling og Overvejelser. Læs planen ind med:",
    "  opkval plan check plan.xlsx       (kontrol af planen og puljens regler)",
    "  make report KOMMUNE=<kommune> PLAN=plan.xlsx   (kun dette notat; læg planen i",
    "  data/plans/<slug>.xlsx, så bruger make reports den også)",
    "  opkval plan export plan.xlsx --out plan.yaml   (planen som YAML, alle felter)",
    "",
    "Indsatser: én række pr. indsats. kategori, maalgruppe og finansiering vælges i listen",
    "(navnet eller koden, fx Meritpædagog eller meritpaedagog, med store eller små bogstaver).",
    "Datoer som datoer, fx 01-08-2024, 1.8.2024 eller 2024-08-01 (år 2020–2035).",
    "maal_andel_paedagoger_pct som procent, fx 60 %. Beløb i hele kroner pr. år i budget_ÅÅÅÅ;",
    "realiseret forbrug i forbrug_ÅÅÅÅ erstatter budgettet for det år.",
    "behov: id'er adskilt af komma, semikolon eller linjeskift. antagelser: én pr. linje.",
    "Flet ikke celler, og skriv ikke en sumrække (I alt): opkval lægger selv sammen.",
    "kategori_alternativ og kategori_usikkerhed: udfyld begge, hvis kategorien er usikker",
    "(den anden mulige kategori og hvorfor); notatet viser reglerne under begge.",
    "Fordeling: én række pr. indsats og dagtilbud med antal deltagere.",
    "Overvejelser: skriv i kolonnen tekst, hvad planen siger om hvert punkt i ministeriets",
    "vejledning (Bilag 2). Lad cellen stå tom, hvis planen ikke omtaler punktet.",
    "Tilsagn: beløbene i kommunens tilsagnsbreve, én række pr. år (aar) eller runde (runde),",
    "med brevets dato eller reference i kilde; de går forud for alle andre tal.",
    "Notat og Afsnit: kommunens egen tekst (Markdown: afsnit, lister, **fed**, *kursiv*,",
    "links) og notatets hoved (udvalg, møde, sagsnr., afsender, kontakt, bilagsnr., logo).",
    "Formler er tilladt, men filen skal være gemt i Excel eller LibreOffice, så værdierne er",
    "gemt med. Filen kan gemmes som .xlsx eller .ods.",
    "Formatet er beskrevet i docs/plan-format.md.",
]


def choice_labels(rules: RulesConfig) -> dict[str, dict[str, str]]:
    """The Danish name of each code of kategori, maalgruppe and finansiering (regler.yaml):
    what the drop-downs show; a plan may write the code or the name, in any case."""
    kategori = {k: v.kort for k, v in rules.kategorier.items()}
    return {"kategori": kategori,
            "maalgruppe": {k: v.navn for k, v in rules.maalgrupper.items()},
            "finansiering": {k: str(v) for k, v in rules.finansiering.items()},
            "kategori_alternativ": dict(kategori)}  # an uncertain line's other kategori


def indsats_columns(years: range) -> list[str]:
    """The columns of sheet *Indsatser*: budget and forbrug for each of the pool's ``years``."""
    ys = list(years)
    return [*LIST_FIELDS, *[f"budget_{y}" for y in ys], *[f"forbrug_{y}" for y in ys],
            *UNCERTAIN_FIELDS]


def _header(ws, cols: list[str] | tuple[str, ...]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    for j, name in enumerate(cols, start=1):
        c = ws.cell(row=1, column=j, value=name)
        c.font, c.fill = Font(bold=True, color=HEAD_COLOR), PatternFill("solid", fgColor=HEAD_BG)
        ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(name) + 4))
    ws.freeze_panes = "A2"


def write_workbook(path: Path | str, kommune: Kommune, plan: Plan | None = None, *,
                   config: PlanConfig) -> Path:
    """Write the plan template, filled in with ``plan`` when given. ``config``: the pool's
    years (the budget and forbrug columns), its rules (the drop-downs) and the Bilag 2 points
    (sheet *Overvejelser*)."""
    # openpyxl here, not at the top: a note from a YAML plan never needs it (a third of a
    # second of `make report`).
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    rules = config.rules
    wb = Workbook()
    guide = wb.active
    guide.title = "Vejledning"
    for i, line in enumerate(GUIDE, start=1):
        guide.cell(row=i, column=1, value=line)
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 100

    # The drop-down columns of the Plan sheet, each with its list in sheet "Lister".
    labels = choice_labels(rules)
    choices = tuple((name, list(labels[name].values())) for name in CHOICE_FIELDS)
    lists = wb.create_sheet("Lister")
    for j, (name, values) in enumerate(choices, start=1):
        lists.cell(row=1, column=j, value=name).font = Font(bold=True)
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=j, value=v)
    lists.sheet_state = "hidden"

    ws = wb.create_sheet("Plan")
    ws.append(["felt", "værdi"])
    _header(ws, ["felt", "værdi"])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 70
    fields: dict[str, Any] = {"kommune": kommune.navn}
    if plan:
        fields.update({
            "titel": plan.titel, "dato": plan.dato, "kilde": plan.kilde,
            "godkendt_af": plan.godkendt_af, "godkendt_dato": plan.godkendt_dato,
            "maal_andel_paedagoger_pct": plan.maal_andel_paedagoger_pct,
            "maal_aar": plan.maal_aar, "forrige": plan.forrige_ref})
    for i, name in enumerate(PLAN_FIELDS, start=2):
        ws.cell(row=i, column=1, value=name)
        cell = ws.cell(row=i, column=2, value=fields.get(name))
        if name.endswith("dato") or name == "dato":
            cell.number_format = DATE_FORMAT
        elif name == "maal_andel_paedagoger_pct":
            # Shown as Excel shows a typed "60 %": the share 0,6 with a percent format.
            pct = fields.get(name)
            cell.value = None if pct is None else round(pct / 100, 12)
            cell.number_format = "0%" if pct is None or float(pct).is_integer() else "0.0#%"

    ws = wb.create_sheet("Behov")
    _header(ws, BEHOV_COLS)
    ws.column_dimensions["B"].width = 90
    for b in plan.behov if plan else ():
        ws.append([b.id, b.tekst])

    ws = wb.create_sheet("Indsatser")
    cols = indsats_columns(config.years)
    _header(ws, cols)
    ys = list(config.years)
    for ind in plan.indsatser if plan else ():
        row: list[Any] = [ind.navn, labels["kategori"][ind.kategori],
                          labels["maalgruppe"][ind.maalgruppe], ind.start, ind.slut,
                          ind.deltagere, labels["finansiering"][ind.finansiering],
                          ", ".join(ind.behov) or None,
                          ind.beskrivelse, ind.kategori_begrundelse,
                          "\n".join(ind.antagelser) or None]
        row += [ind.budget.get(y) for y in ys] + [ind.forbrug.get(y) for y in ys]
        row += [labels["kategori"].get(ind.kategori_alternativ or ""), ind.kategori_usikkerhed]
        ws.append(row)
    last = max(ws.max_row, TEMPLATE_ROWS)
    for r in range(2, last + 1):
        for col in ("start", "slut"):
            ws.cell(row=r, column=cols.index(col) + 1).number_format = DATE_FORMAT
    for j, (name, values) in enumerate(choices, start=1):
        src = get_column_letter(j)
        dv = DataValidation(type="list", formula1=f"=Lister!${src}$2:${src}${len(values) + 1}",
                            allow_blank=True, showErrorMessage=True, errorStyle="warning",
                            errorTitle="Ukendt værdi",
                            error=f"Vælg {name} i listen (koden virker også).")
        letter = get_column_letter(cols.index(name) + 1)
        ws.column_dimensions[letter].width = min(40, max(map(len, values)) + 3)
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
    for pt in config.points.punkter:
        ws.append([pt.id, words.get(pt.id), f"{pt.titel}: {pt.spoergsmaal}"])
    from opkval.inputs.excel_notat import write_notat_sheets

    write_notat_sheets(wb, plan, _header, DATE_FORMAT, TEMPLATE_ROWS)
    out = Path(path)
    wb.save(out)
    return out


# ----------------------------------------------------------------------------- reading

#: Words that mark a total row ("I alt: 1.386.000"): opkval sums by itself.
TOTAL_WORDS = ("i alt", "ialt", "total", "totalt", "sum", "samlet", "sum i alt", "subtotal")
_LIST_SPLIT = re.compile(r"[,;\n]")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _is_total(value: Any) -> bool:
    return isinstance(value, str) and value.strip().rstrip(":").strip().casefold() in TOTAL_WORDS


class _Reader:
    """Reads the sheets of one workbook into the raw plan, collecting every problem."""

    def __init__(self, sheets: dict[str, Sheet], config: PlanConfig):
        self.sheets = sheets
        self.columns = indsats_columns(config.years)
        self.problems: list[Problem] = []
        self.locs: dict[Path_, str] = {}
        self.raw: dict[str, Any] = {}
        self.labels = choice_labels(config.rules)
        self.ambiguous: set[str] = set()

    # -- helpers
    def sheet(self, name: str) -> Sheet | None:
        """The sheet of that name (any case, spaces around aside). Two that match (one of them
        hidden, say) is a problem naming both: which one is the plan is not clear."""
        hit = [s for k, s in self.sheets.items() if k.strip().casefold() == name.casefold()]
        if len(hit) > 1:
            shown = " og ".join(f"'{s.name}'" + (" (skjult)" if s.hidden else "") for s in hit)
            self.problem((name.lower(),), None, MISSING, f"{len(hit)} ark svarer til '{name}': "
                         f"{shown}; omdøb eller slet de andre, så ét ark hedder '{name}'")
            self.ambiguous.add(name)
            return None
        return hit[0] if hit else None

    @staticmethod
    def where(sheet: Sheet, ref: str, what: str = "celle") -> str:
        return f"ark '{sheet.name}', {what} {ref}"

    def problem(self, path: Path_, where: str | None, value: object, message: str) -> None:
        self.problems.append(Problem(field_name(path), where, value, message))

    def at(self, path: Path_, sheet: Sheet, row: int, col: int) -> str:
        ref = self.where(sheet, coord(row, col))
        self.locs[path] = ref
        return ref

    def cell(self, sheet: Sheet, row: int, col: int, path: Path_) -> Any:
        """The value as shown, or None (with a problem) for a formula without a stored value
        or an error value."""
        c = sheet.get(row, col)
        ref = self.at(path, sheet, row, col)
        if c is None:
            return None
        if c.formula is not None:
            self.problem(path, ref, c.formula, "cellen har en formel uden gemt værdi; åbn "
                         "filen i Excel eller LibreOffice, gem den, og prøv igen")
            return None
        if c.error is not None:
            self.problem(path, ref, c.error, "cellen viser en fejlværdi; ret formlen")
            return None
        return self.date_check(c, path, ref)

    def date_check(self, c: Cell, path: Path_, ref: str) -> Any:
        v = c.value
        if isinstance(v, dt.datetime) and v.time() == dt.time(0):
            v = v.date()
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            lo, hi = DATE_YEARS
            if not lo <= v.year <= hi:
                serial = (v - dt.date(1899, 12, 30)).days
                hint = (f"; {serial} ligner et årstal skrevet i en datocelle – skriv en hel "
                        f"dato, fx 01-08-{serial}") if lo <= serial <= hi else ""
                self.problem(path, ref, v, f"datoen ligger uden for {lo}–{hi}{hint}")
                return None
        return _clean(v)

    def merged(self, sheet: Sheet, cols: range | None = None) -> None:
        """A merged range shows one value in many cells but stores it in one: an error when it
        covers cells opkval reads (``cols``; None = every column)."""
        for rng in sheet.merged:
            r1, c1, r2, c2 = rng
            if cols is None or (c1 <= cols[-1] and c2 >= cols[0]):
                self.problems.append(Problem(
                    sheet.name, self.where(sheet, merged_ref(rng), "område"), MISSING,
                    "flettede celler: kun den første celle har en værdi, de andre læses som "
                    "tomme; ophæv fletningen, og skriv værdien i hver celle"))

    def total_row(self, sheet: Sheet, row: int, value: Any) -> bool:
        if not _is_total(value):
            return False
        self.problems.append(Problem(sheet.name, self.where(sheet, str(row), "række"), value,
                                     "rækken ligner en sumrække (I alt); slet den – opkval "
                                     "lægger selv sammen"))
        return True

    def suggest(self, value: str, allowed: list[str]) -> str:
        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
        if not close:
            folded = {a.casefold(): a for a in allowed}
            close = [folded[x] for x in difflib.get_close_matches(
                value.casefold(), list(folded), n=1, cutoff=0.6)]
        return f" (mente du '{close[0]}'?)" if close else ""

    # -- the sheets, in the order a plan is read; a new sheet adds one method and one row
    def read(self) -> None:
        for name, method, required in SHEETS:
            sheet = self.sheet(name)
            if sheet is None:
                if required and name not in self.ambiguous:
                    self.problem((name.lower(),), None, MISSING, f"arket '{name}' mangler "
                                 f"(arkene i filen: {', '.join(self.sheets) or 'ingen'})")
                continue
            getattr(self, method)(sheet)

    def plan_sheet(self, sheet: Sheet) -> None:
        self.merged(sheet, range(1, 3))
        for r in sheet.rows(2):
            key = _clean(sheet.get(r, 1).value) if sheet.get(r, 1) else None
            if key is None:
                c = sheet.get(r, 2)
                if c is not None:
                    self.problem(("Plan",), self.where(sheet, f"A{r}"), c.value,
                                 "rækken har en værdi, men intet felt i kolonne A")
                continue
            key = str(key)
            if key in GROUPED:
                path: Path_ = GROUPED[key]
            elif key in PLAN_FIELDS:
                path = (key,)
            else:
                close = self.suggest(key, list(PLAN_FIELDS))
                self.problem((key,), self.where(sheet, f"A{r}"), key,
                             f"ukendt felt{close}; tilladte: {', '.join(PLAN_FIELDS)}")
                continue
            v = self.cell(sheet, r, 2, path)
            if key == "maal_andel_paedagoger_pct":
                v = self.percent(sheet.get(r, 2), v)
            if v is None:
                continue
            target = self.raw
            for step in path[:-1]:
                target = target.setdefault(step, {})
            target[path[-1]] = v

    @staticmethod
    def percent(c: Cell | None, v: Any) -> Any:
        """Percent as shown: a percent-formatted 0,6 is 60. (Text such as "60 %" and a share
        written as 0,6 without a percent format are the validator's, as for YAML.)"""
        if c is not None and c.percent and isinstance(v, int | float) and \
                not isinstance(v, bool):
            return round(v * 100, 10)
        return v

    def behov_sheet(self, sheet: Sheet) -> None:
        self.merged(sheet, range(1, len(BEHOV_COLS) + 1))
        behov: list[dict[str, Any]] = []
        for r in sheet.rows(2):
            i = len(behov)
            vals = [self.cell(sheet, r, j, ("behov", i, c)) for j, c in enumerate(BEHOV_COLS, 1)]
            if all(v is None for v in vals) or self.total_row(sheet, r, vals[0]):
                continue
            self.locs[("behov", i)] = self.where(sheet, f"A{r}")
            behov.append({c: v for c, v in zip(BEHOV_COLS, vals, strict=True) if v is not None})
        if behov:
            self.raw["behov"] = behov

    def indsatser_sheet(self, sheet: Sheet) -> None:
        known = self.columns
        by_fold = {k.casefold(): k for k in known}
        cols: dict[int, str] = {}
        for j in sheet.cols(1):
            h = self.cell(sheet, 1, j, ("Indsatser", coord(1, j)))
            if h is None:
                continue
            name = by_fold.get(str(h).strip().casefold())
            if name is None:
                allowed = (", ".join(LIST_FIELDS) + ", budget_ÅÅÅÅ, forbrug_ÅÅÅÅ, "
                           + ", ".join(UNCERTAIN_FIELDS))
                self.problem(("Indsatser",), self.where(sheet, coord(1, j)), h,
                             f"ukendt kolonne{self.suggest(str(h), known)}; tilladte: {allowed}")
                continue
            if name in cols.values():
                self.problem(("Indsatser",), self.where(sheet, coord(1, j)), h,
                             "kolonnen står to gange")
                continue
            cols[j] = name
        read_cols = range(1, max(cols, default=1) + 1)
        self.merged(sheet, read_cols)
        indsatser: list[dict] = []
        for r in sheet.rows(2):
            if not any(sheet.get(r, j) for j in cols):
                continue
            first = sheet.get(r, min(cols)) if cols else None
            if first is not None and self.total_row(sheet, r, first.value):
                continue
            i = len(indsatser)
            item: dict[str, Any] = {}
            self.locs[("indsatser", i)] = self.where(sheet, f"A{r}")
            for j, h in cols.items():
                if h.startswith(("budget_", "forbrug_")):
                    kind, year = h.split("_", 1)
                    path: Path_ = ("indsatser", i, kind, year)
                    self.locs.setdefault(("indsatser", i, kind), self.where(sheet, coord(r, j)))
                else:
                    path = ("indsatser", i, h)
                v = self.cell(sheet, r, j, path)
                if v is None:
                    continue
                if h in CHOICE_FIELDS:
                    v = self.choice(h, v)
                elif h == "behov" and isinstance(v, str):
                    v = [x.strip() for x in _LIST_SPLIT.split(v) if x.strip()]
                elif h == "antagelser" and isinstance(v, str):
                    v = [line.strip() for line in v.splitlines() if line.strip()]
                if len(path) == 4:
                    item.setdefault(kind, {})[year] = v
                else:
                    item[h] = v
            indsatser.append(item)
        self.raw["indsatser"] = indsatser

    def choice(self, name: str, value: Any) -> Any:
        """The Danish name shown in the drop-down → its code (any case); else as written, for
        the validator to report with a suggestion."""
        if not isinstance(value, str):
            return value
        folded = value.strip().casefold()
        for code, label in self.labels[name].items():
            if folded in (code.casefold(), label.casefold()):
                return code
        return value

    def fordeling_sheet(self, sheet: Sheet) -> None:
        self.merged(sheet, range(1, len(FORDELING_COLS) + 1))
        indsatser = self.raw.get("indsatser", [])
        by_name = {" ".join(str(x.get("navn", "")).split()).casefold(): i
                   for i, x in enumerate(indsatser)}
        names = [str(x["navn"]) for x in indsatser if x.get("navn") is not None]
        for r in sheet.rows(2):
            path: Path_ = ("Fordeling", r)
            vals = [self.cell(sheet, r, j, (*path, c)) for j, c in enumerate(FORDELING_COLS, 1)]
            navn, place, count = vals
            if all(v is None for v in vals) or self.total_row(sheet, r, navn):
                continue
            i = by_name.get(" ".join(str(navn).split()).casefold()) if navn is not None else None
            if navn is None:
                self.problem(("Fordeling", "indsats"), self.where(sheet, f"A{r}"), MISSING,
                             "cellen er tom; skriv navnet på en indsats fra arket Indsatser")
            elif i is None:
                self.problem(("Fordeling", "indsats"), self.where(sheet, f"A{r}"), navn,
                             f"ukendt indsats{self.suggest(str(navn), names)}; navnet skal stå "
                             "i arket Indsatser")
            if place is None:
                self.problem(("Fordeling", "dagtilbud"), self.where(sheet, f"B{r}"),
                             MISSING, "cellen er tom; skriv dagtilbuddets navn")
            if i is None or place is None:
                continue
            place = str(place)
            fpath: Path_ = ("indsatser", i, "fordeling", place)
            target = indsatser[i].setdefault("fordeling", {})
            if place in target:
                self.problem(fpath, self.where(sheet, f"B{r}"), place,
                             "indsats og dagtilbud står to gange i Fordeling")
                continue
            self.locs[fpath] = self.where(sheet, f"C{r}")
            self.locs.setdefault(("indsatser", i, "fordeling"), self.where(sheet, f"C{r}"))
            target[place] = count

    def overvejelser_sheet(self, sheet: Sheet) -> None:
        self.merged(sheet, range(1, 3))
        words: dict[str, Any] = {}
        for r in sheet.rows(2):
            pid = self.cell(sheet, r, 1, ("overvejelser", f"A{r}"))
            if pid is None:
                text = self.cell(sheet, r, 2, ("overvejelser", f"B{r}"))
                if text is not None:
                    self.problem(("overvejelser",), self.where(sheet, f"A{r}"), text,
                                 "rækken har en tekst, men intet punkt-id")
                continue
            pid = str(pid)
            path: Path_ = ("overvejelser", pid)
            if pid in words:
                self.problem(path, self.where(sheet, f"A{r}"), pid, "punktet står to gange")
                continue
            text = self.cell(sheet, r, 2, path)
            self.locs[path] = self.where(sheet, f"A{r}")
            words[pid] = text
        words = {k: v for k, v in words.items() if v is not None}
        if words:
            self.raw["overvejelser"] = words

    def tilsagn_sheet(self, sheet: Sheet) -> None:
        from opkval.inputs.excel_notat import tilsagn_sheet

        tilsagn_sheet(self, sheet)

    def notat_sheet(self, sheet: Sheet) -> None:
        from opkval.inputs.excel_notat import notat_sheet

        notat_sheet(self, sheet)

    def afsnit_sheet(self, sheet: Sheet) -> None:
        from opkval.inputs.excel_notat import afsnit_sheet

        afsnit_sheet(self, sheet)

    def locate(self, p: Path_) -> str | None:
        for k in range(len(p), 0, -1):
            key = tuple(str(x) if not isinstance(x, int) else x for x in p[:k])
            if key in self.locs:
                return self.locs[key]
        return None


#: The sheets read, in order: (sheet name, _Reader method, required).
SHEETS = (("Plan", "plan_sheet", True), ("Behov", "behov_sheet", False),
          ("Indsatser", "indsatser_sheet", True), ("Fordeling", "fordeling_sheet", False),
          ("Overvejelser", "overvejelser_sheet", False), ("Tilsagn", "tilsagn_sheet", False),
          ("Notat", "notat_sheet", False), ("Afsnit", "afsnit_sheet", False))
#: Plan-sheet fields that are grouped in YAML (godkendt: {af, dato}; maal: {...}).
GROUPED: dict[str, Path_] = {"godkendt_af": ("godkendt", "af"),
                             "godkendt_dato": ("godkendt", "dato"),
                             "maal_andel_paedagoger_pct": ("maal", "andel_paedagoger_pct"),
                             "maal_aar": ("maal", "aar")}


def read_workbook(path: Path, config: PlanConfig) -> tuple[Any, Any, list[Problem]]:
    """A workbook (.xlsx or .ods) → (raw plan dict or None, locator, problems found while
    reading). Problems name the sheet and the cell; a file over a limit is refused whole.
    ``config``: the pool's years (the budget columns) and its rules (the drop-downs' names)."""
    try:
        sheets = read_sheets(path)
    except WorkbookError as e:
        return None, lambda p: None, [Problem("", None, MISSING, str(e))]
    reader = _Reader(sheets, config)
    reader.read()
    return reader.raw, reader.locate, reader.problems
