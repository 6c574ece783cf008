"""The workbook's sheets for a plan's tilsagn letters and the kommune's own text (issue 12).

*Tilsagn*: one row per letter, columns ``aar``, ``runde``, ``beloeb``, ``kilde``, ``dato`` (fill
in aar or runde). *Notat*: column A the field (``udvalg``, ``moede``, ``sagsnr``, ``afsender``,
``kontakt``, ``bilag_nr``, ``logo``, ``indledning``, ``indstilling``), column B the value.
*Afsnit*: the kommune's own sections, columns ``overskrift``, ``tekst``. They give the same raw
structure as the YAML keys ``tilsagn:`` and ``notat:``, so
:func:`opkval.inputs.plan.validate` checks both alike. The reading functions are
:class:`opkval.inputs.excel._Reader`'s sheet methods, kept here so that module's edits stay
small.
"""

from __future__ import annotations

from typing import Any

from opkval.inputs.plan_model import Plan

TILSAGN_COLS = ("aar", "runde", "beloeb", "kilde", "dato")
AFSNIT_COLS = ("overskrift", "tekst")
#: The Notat sheet's fields: the YAML's ``notat:`` keys but ``afsnit`` (its own sheet).
NOTAT_FIELDS = ("udvalg", "moede", "sagsnr", "afsender", "kontakt", "bilag_nr", "logo",
                "indledning", "indstilling")


def _table(reader, sheet, cols: tuple[str, ...], prefix: tuple) -> list[dict]:
    """Rows of a sheet with a header row, as dicts (empty rows skipped, total rows reported)."""
    reader.merged(sheet, range(1, len(cols) + 1))
    out: list[dict] = []
    for r in sheet.rows(2):
        i = len(out)
        vals = [reader.cell(sheet, r, j, (*prefix, i, c)) for j, c in enumerate(cols, 1)]
        if all(v is None for v in vals) or reader.total_row(sheet, r, vals[0]):
            continue
        reader.locs[(*prefix, i)] = reader.where(sheet, f"A{r}")
        out.append({c: v for c, v in zip(cols, vals, strict=True) if v is not None})
    return out


def tilsagn_sheet(reader, sheet) -> None:
    rows = _table(reader, sheet, TILSAGN_COLS, ("tilsagn",))
    if rows:
        reader.raw["tilsagn"] = rows


def notat_sheet(reader, sheet) -> None:
    reader.merged(sheet, range(1, 3))
    notat: dict[str, Any] = reader.raw.setdefault("notat", {})
    for r in sheet.rows(2):
        key = reader.cell(sheet, r, 1, ("notat", f"A{r}"))
        if key is None:
            continue
        key = str(key).strip()
        path = ("notat", key)
        if key in notat:
            reader.problem(path, reader.where(sheet, f"A{r}"), key, "feltet står to gange")
            continue
        v = reader.cell(sheet, r, 2, path)
        if key not in NOTAT_FIELDS:
            reader.locs[path] = reader.where(sheet, f"A{r}")
        if v is not None or key not in NOTAT_FIELDS:
            notat[key] = v  # an unknown field is kept for the validator to name
    if not notat:
        del reader.raw["notat"]


def afsnit_sheet(reader, sheet) -> None:
    rows = _table(reader, sheet, AFSNIT_COLS, ("notat", "afsnit"))
    if rows:
        reader.raw.setdefault("notat", {})["afsnit"] = rows


def write_notat_sheets(wb, plan: Plan | None, header, date_format: str,
                       rows: int) -> None:
    """The sheets *Tilsagn*, *Notat* and *Afsnit*, filled in from `plan` when given. Date
    cells have `date_format` (the other sheets' Danish dates), in the first `rows` rows of
    *Tilsagn* too, so a letter's date typed into an empty template is a date."""
    ws = wb.create_sheet("Tilsagn")
    header(ws, TILSAGN_COLS)
    ws.column_dimensions["D"].width = 60
    for t in plan.tilsagn if plan else ():
        ws.append([t.aar, t.runde, t.beloeb_kr, t.kilde, t.dato])
    dato = TILSAGN_COLS.index("dato") + 1
    for r in range(2, max(ws.max_row, rows) + 1):
        ws.cell(row=r, column=dato).number_format = date_format
    ws = wb.create_sheet("Notat")
    header(ws, ("felt", "vaerdi"))
    ws.column_dimensions["B"].width = 90
    n = plan.notat if plan else None
    for key in NOTAT_FIELDS:
        ws.append([key, getattr(n, key) if n else None])
        if key == "moede":
            ws.cell(row=ws.max_row, column=2).number_format = date_format
    ws = wb.create_sheet("Afsnit")
    header(ws, AFSNIT_COLS)
    ws.column_dimensions["B"].width = 90
    for o, t in n.afsnit if n else ():
        ws.append([o, t])
