"""The workbook's sheets for a plan's tilsagn letters and the kommune's own text (issue 12).

*Tilsagn*: one row per letter, columns ``aar``, ``runde``, ``beloeb``, ``kilde``, ``dato`` (fill
in aar or runde). *Notat*: column A the field (``udvalg``, ``moede``, ``sagsnr``, ``afsender``,
``kontakt``, ``bilag_nr``, ``logo``, ``indledning``, ``indstilling``), column B the value.
*Afsnit*: the kommune's own sections, columns ``overskrift``, ``tekst``. The same raw
structure as the YAML keys ``tilsagn:`` and ``notat:``, so :func:`opkval.plan.validate`
checks both alike. Kept apart from :mod:`opkval.excel` to keep that module's edits small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openpyxl.utils import get_column_letter

from opkval.errors import Problem

if TYPE_CHECKING:  # the plan reader imports this module, not the other way round
    from opkval.plan import Plan

TILSAGN_COLS = ("aar", "runde", "beloeb", "kilde", "dato")
AFSNIT_COLS = ("overskrift", "tekst")
#: The Notat sheet's fields: the YAML's ``notat:`` keys but ``afsnit`` (its own sheet).
NOTAT_FIELDS = ("udvalg", "moede", "sagsnr", "afsender", "kontakt", "bilag_nr", "logo",
                "indledning", "indstilling")


def _rows(wb, sheet: str, cols: tuple[str, ...], value, where, locs, prefix) -> list[dict]:
    out: list[dict] = []
    if sheet not in wb.sheetnames:
        return out
    ws = wb[sheet]
    for r in range(2, ws.max_row + 1):
        vals = [value(sheet, r, j, f"{sheet}.{c}") for j, c in enumerate(cols, 1)]
        if all(v is None for v in vals):
            continue
        i = len(out)
        out.append({c: v for c, v in zip(cols, vals, strict=True) if v is not None})
        locs[(*prefix, i)] = where(sheet, f"A{r}")
        for j, c in enumerate(cols, 1):
            locs[(*prefix, i, c)] = where(sheet, f"{get_column_letter(j)}{r}")
    return out


def read_notat_sheets(wb, value, where, raw: dict, locs: dict,
                      problems: list[Problem]) -> None:
    """Add ``tilsagn`` and ``notat`` to `raw` from the sheets *Tilsagn*, *Notat*, *Afsnit*."""
    tilsagn = _rows(wb, "Tilsagn", TILSAGN_COLS, value, where, locs, ("tilsagn",))
    if tilsagn:
        raw["tilsagn"] = tilsagn
    notat: dict[str, Any] = {}
    if "Notat" in wb.sheetnames:
        ws = wb["Notat"]
        for r in range(2, ws.max_row + 1):
            key = value("Notat", r, 1, "notat")
            if key is None:
                continue
            key = str(key)
            if key in notat:
                problems.append(Problem(f"notat.{key}", where("Notat", f"A{r}"), key,
                                        "feltet står to gange"))
                continue
            v = value("Notat", r, 2, f"notat.{key}")
            locs[("notat", key)] = where("Notat", f"B{r}" if key in NOTAT_FIELDS else f"A{r}")
            if v is not None:
                notat[key] = v
    afsnit = _rows(wb, "Afsnit", AFSNIT_COLS, value, where, locs, ("notat", "afsnit"))
    if afsnit:
        notat["afsnit"] = afsnit
    if notat:
        raw["notat"] = notat


def write_notat_sheets(wb, plan: Plan | None, header) -> None:
    """The sheets *Tilsagn*, *Notat* and *Afsnit*, filled in from `plan` when given."""
    ws = wb.create_sheet("Tilsagn")
    header(ws, TILSAGN_COLS)
    ws.column_dimensions["D"].width = 60
    for t in plan.tilsagn if plan else ():
        ws.append([t.aar, t.runde, t.beloeb_kr, t.kilde, t.dato])
        ws.cell(row=ws.max_row, column=5).number_format = "yyyy-mm-dd"
    ws = wb.create_sheet("Notat")
    header(ws, ("felt", "vaerdi"))
    ws.column_dimensions["B"].width = 90
    n = plan.notat if plan else None
    for key in NOTAT_FIELDS:
        v = getattr(n, key) if n else None
        ws.append([key, v])
        if key == "moede":
            ws.cell(row=ws.max_row, column=2).number_format = "yyyy-mm-dd"
    ws = wb.create_sheet("Afsnit")
    header(ws, AFSNIT_COLS)
    ws.column_dimensions["B"].width = 90
    for o, t in n.afsnit if n else ():
        ws.append([o, t])
    if plan and plan.forrige_ref:
        wb["Plan"].append(["forrige", plan.forrige_ref])
