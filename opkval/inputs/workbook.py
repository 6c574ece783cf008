"""Spreadsheet files (.xlsx and .ods) read as their program shows them, within fixed limits.

:func:`read_sheets` returns every sheet as a :class:`Sheet`: the cells that hold something
(value, percent format, a formula without a stored value, an error value) and the merged
ranges. ``.xlsx`` is read with openpyxl, ``.ods`` with odfpy (the reader pandas uses).

Before either library sees the file, :func:`check_limits` streams through the zip container
and the sheets' XML and refuses, naming the limit and the value, a file that claims or expands
to far more than a plan can need (:data:`LIMITS`). This bounds time and memory for hostile
files: a zip bomb, 100.000 rows, one value in a far corner cell, a huge claimed used range.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from opkval.base.errors import WorkbookError

#: The limits, named in every refusal and in docs/plan-format.md. A plan with 500 indsatser
#: uses about 500 rows, 27 columns and 14.000 cells; a saved template is well under 1 MB.
MAX_FILE_BYTES = 10_000_000  # the file itself
MAX_PART_BYTES = 10_000_000  # one part of the zip container, unpacked (a sheet's XML)
MAX_UNPACKED_BYTES = 30_000_000  # all parts together, unpacked
MAX_PARTS = 500  # parts in the zip container
MAX_ROWS = 5_000  # the last row holding a value, and a sheet's claimed used range
MAX_COLS = 100  # the last column holding a value (CV), and the claimed used range
MAX_CELLS = 50_000  # cells holding a value, all sheets together
MAX_ROW_ELEMENTS = 20_000  # row records in one sheet, empty or not
MAX_CELL_ELEMENTS = 200_000  # cell records, empty (formatted) or not, all sheets together

SUFFIXES = (".xlsx", ".xlsm", ".ods")

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def n(x: int) -> str:
    """A count with Danish thousands separators (kept here: this module is below fmt)."""
    return f"{x:,}".replace(",", ".")


def col_letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def coord(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def _col_index(letters: str) -> int:
    out = 0
    for ch in letters.upper():
        out = out * 26 + ord(ch) - 64
    return out


def _parse_ref(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref.strip())
    return (int(m.group(2)), _col_index(m.group(1))) if m else None


@dataclass(frozen=True)
class Cell:
    """What a cell shows: its value (str, int, float, bool, date, datetime or None), whether
    a percent format applies, a formula whose value was never stored, an error value."""

    row: int
    col: int
    value: Any
    percent: bool = False
    formula: str | None = None  # set only when the formula has no stored value
    error: str | None = None  # e.g. "#DIV/0!"

    @property
    def ref(self) -> str:
        return coord(self.row, self.col)


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    #: merged ranges as (min_row, min_col, max_row, max_col)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False  # hidden or very hidden in Excel

    def get(self, row: int, col: int) -> Cell | None:
        return self.cells.get((row, col))

    def rows(self, first: int = 1) -> list[int]:
        return sorted({r for r, _ in self.cells if r >= first})

    def cols(self, row: int) -> list[int]:
        return sorted(c for r, c in self.cells if r == row)


def merged_ref(rng: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = rng
    return f"{coord(r1, c1)}:{coord(r2, c2)}"


# ----------------------------------------------------------------------------- limits

def _refuse(what: str, value: str, limit: str, advice: str = "") -> WorkbookError:
    tail = f"; {advice}" if advice else ""
    return WorkbookError(f"{what} er {value}; grænsen er {limit}{tail}")


Unsaved = dict[str, dict[tuple[int, int], str]]  # sheet → (row, col) → formula text


def check_limits(path: Path) -> Unsaved:
    """Refuse a file over a limit before any library loads it (raises WorkbookError).

    Returns, for .xlsx, the formulas that have no stored value (found on the same pass, so
    the workbook is then loaded once, with values only)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse("filen", f"{n(size)} byte", f"{n(MAX_FILE_BYTES)} byte")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        kind = "regneark (.ods)" if path.suffix.lower() == ".ods" else "Excel-fil (.xlsx)"
        raise WorkbookError(f"kan ikke læses som {kind}: filen er ikke en zip-pakke, som "
                            "Excel og LibreOffice gemmer (er den en gammel .xls, beskyttet med "
                            "adgangskode eller slet ikke et regneark?)") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_PARTS:
            raise _refuse("antallet af dele i filen", n(len(infos)), n(MAX_PARTS))
        total = 0
        for info in infos:
            if info.file_size > MAX_PART_BYTES:
                raise _refuse(f"delen {info.filename} udpakket", f"{n(info.file_size)} "
                              "byte", f"{n(MAX_PART_BYTES)} byte",
                              "filen er for stor til en plan (eller en zip-bombe)")
            total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise _refuse("filen udpakket", f"{n(total)} byte",
                          f"{n(MAX_UNPACKED_BYTES)} byte")
        cells = _Count()
        unsaved: Unsaved = {}
        if path.suffix.lower() == ".ods":
            if "content.xml" not in zf.namelist():
                raise WorkbookError("kan ikke læses som regneark (.ods): content.xml mangler")
            _scan_ods(zf, cells)
        else:
            for name, part in _xlsx_sheet_parts(zf):
                unsaved[name] = _scan_xlsx_sheet(zf, part, name, cells)
        return unsaved


@dataclass
class _Count:
    cells: int = 0
    records: int = 0
    ranges: int = 0

    def record(self, sheet: str, ref: str) -> None:
        """One cell record in the XML (a library builds an object for each)."""
        self.records += 1
        if self.records > MAX_CELL_ELEMENTS:
            raise _refuse("antallet af celler i filen (også tomme, formaterede)",
                          f"over {n(MAX_CELL_ELEMENTS)} (ved ark '{sheet}', celle {ref})",
                          f"{n(MAX_CELL_ELEMENTS)}", "slet de tomme rækker og kolonner under "
                          "og til højre for planen, eller flyt planen over i en ny skabelon")

    def add(self, k: int, sheet: str, ref: str) -> None:
        self.cells += k
        if self.cells > MAX_CELLS:
            raise _refuse("antallet af udfyldte celler", f"over {n(MAX_CELLS)} (ved ark "
                          f"'{sheet}', celle {ref})", f"{n(MAX_CELLS)} celler i alt")


def _check_cell(sheet: str, row: int, col: int) -> None:
    if row > MAX_ROWS or col > MAX_COLS:
        raise WorkbookError(
            f"ark '{sheet}': celle {coord(row, col)} har en værdi, men grænsen er "
            f"{n(MAX_ROWS)} rækker og {n(MAX_COLS)} kolonner (A1:{coord(MAX_ROWS, MAX_COLS)}); "
            "slet cellen, eller flyt planen over i en ny skabelon")


def _parse(zf: zipfile.ZipFile, part: str) -> Iterator[tuple[str, ET.Element]]:
    with zf.open(part) as fh:
        try:
            yield from ET.iterparse(fh, events=("start", "end"))
        except ET.ParseError as e:
            raise WorkbookError(f"kan ikke læses: {part} er ikke gyldig XML ({e})") from None
        except zipfile.BadZipFile as e:
            raise WorkbookError(f"kan ikke læses: {part} er beskadiget ({e})") from None


def _xlsx_sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) for each worksheet openpyxl will load, found the way openpyxl
    finds them (its own manifest, workbook and relationship readers): the workbook part named
    in ``[Content_Types].xml``, each sheet's part through the workbook's ``_rels``, the path
    normalised (``xl/./worksheets/…``, ``/xl/…``, ``../``). The scanner and the reader so
    count the same parts, however the file addresses them. Every part has a size limit
    already, so these small parts are parsed whole."""
    import warnings

    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.xml.functions import fromstring

    names = set(zf.namelist())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's English warnings never reach a user
            manifest = Manifest.from_tree(fromstring(zf.read("[Content_Types].xml")))
            wb_part = _find_workbook_part(manifest)
            parser = WorkbookParser(zf, wb_part.PartName[1:])
            parser.parse()
            found = [(sheet.name, rel.target, rel.Type) for sheet, rel in parser.find_sheets()]
    except WorkbookError:
        raise
    except Exception as e:  # a damaged or hostile container: openpyxl raises many types
        raise WorkbookError("kan ikke læses som Excel-fil (.xlsx): arkenes oversigt (workbook "
                            f"og relationer) er beskadiget ({type(e).__name__})") from None
    out = []
    for name, target, kind in found:
        if target in names and "chartsheet" not in (kind or ""):
            out.append((name or "?", target))
    return out


def _scan_xlsx_sheet(zf: zipfile.ZipFile, part: str, sheet: str,
                     count: _Count) -> dict[tuple[int, int], str]:
    unsaved: dict[tuple[int, int], str] = {}
    rows = 0
    row = 0
    col = 0
    for ev, el in _parse(zf, part):
        tag = el.tag
        if ev == "start":
            if tag == f"{_MAIN}row":
                rows += 1
                if rows > MAX_ROW_ELEMENTS:
                    raise _refuse(f"ark '{sheet}': antallet af rækker", f"over "
                                  f"{n(MAX_ROW_ELEMENTS)}", f"{n(MAX_ROW_ELEMENTS)}")
                r = el.get("r")
                row = int(r) if r and r.isdigit() else row + 1
                col = 0
            elif tag == f"{_MAIN}dimension":
                _check_dimension(sheet, el.get("ref", ""))
            continue
        if tag in _EXPANDED:  # openpyxl makes a cell object for every cell of these
            _check_ranges(sheet, _EXPANDED[tag], el.get("ref", ""), count, expanded=True)
            el.clear()
            continue
        if tag in _LISTED:  # kept as ranges by openpyxl: bounded in number, not expanded
            _check_ranges(sheet, _LISTED[tag], el.get("sqref", ""), count, expanded=False)
            continue
        if tag == f"{_MAIN}c":
            ref = _parse_ref(el.get("r", "")) if el.get("r") else None
            if ref:
                row, col = ref
            else:
                col += 1
            count.record(sheet, coord(row, col))
            kids = {child.tag: child for child in el}
            if kids.keys() & {f"{_MAIN}v", f"{_MAIN}f", f"{_MAIN}is"}:
                _check_cell(sheet, row, col)
                count.add(1, sheet, coord(row, col))
                f = kids.get(f"{_MAIN}f")
                v = kids.get(f"{_MAIN}v")
                if f is not None and (v is None or not v.text):  # openpyxl writes <v />
                    unsaved[(row, col)] = f"={f.text}" if f.text else "(delt formel)"
            el.clear()
        elif tag == f"{_MAIN}row":
            el.clear()
    return unsaved


#: Ranges openpyxl expands into one object per cell (a merged range makes a MergedCell for
#: each cell, a hyperlink over a range a copy of the link in each): their cells count as cell
#: records and must lie within the sheet limits. A 2 KB file with one merged range or one
#: hyperlink over a whole sheet took 31–44 s and 3,5 GB before this.
_EXPANDED = {f"{_MAIN}mergeCell": "flettet område", f"{_MAIN}hyperlink": "link"}
#: Ranges openpyxl keeps as ranges (not expanded): bounded in number only.
_LISTED = {f"{_MAIN}conditionalFormatting": "betinget formatering",
           f"{_MAIN}dataValidation": "datavalidering"}
#: Ranges of merged cells, links, conditional formats and validations, all sheets together.
MAX_RANGES = 10_000


def _range_bounds(text: str) -> tuple[int, int, int, int] | None:
    """(first row, first col, last row, last col) of "A1:B2", "A1", "A:A" or "1:1"; None if
    it is not a range."""
    parts = text.strip().split(":")
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2:
        return None
    ends = []
    for i, p in enumerate(parts):
        p = p.replace("$", "")
        if m := re.fullmatch(r"([A-Za-z]{1,3})(\d{1,7})", p):
            ends.append((int(m.group(2)), _col_index(m.group(1))))
        elif re.fullmatch(r"[A-Za-z]{1,3}", p):  # a whole column
            ends.append((1 if i == 0 else 1_048_576, _col_index(p)))
        elif re.fullmatch(r"\d{1,7}", p):  # a whole row
            ends.append((int(p), 1 if i == 0 else 16_384))
        else:
            return None
    (r1, c1), (r2, c2) = ends
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _check_ranges(sheet: str, what: str, refs: str, count: _Count, expanded: bool) -> None:
    for ref in refs.split()[: MAX_RANGES + 1]:
        count.ranges += 1
        if count.ranges > MAX_RANGES:
            raise _refuse("antallet af områder (flettede celler, links, betinget formatering, "
                          "datavalidering)", f"over {n(MAX_RANGES)} (ved ark '{sheet}')",
                          n(MAX_RANGES))
        if not expanded:
            continue
        b = _range_bounds(ref)
        if b is None:
            raise WorkbookError(f"ark '{sheet}': {what} '{ref[:40]}' er ikke et gyldigt område")
        r1, c1, r2, c2 = b
        if r2 > MAX_ROWS or c2 > MAX_COLS:
            raise _refuse(f"ark '{sheet}': {what} {ref[:40]}", f"til række {n(r2)} og kolonne "
                          f"{col_letter(min(c2, 16_384))}", f"{n(MAX_ROWS)} rækker og "
                          f"{n(MAX_COLS)} kolonner (A1:{coord(MAX_ROWS, MAX_COLS)})",
                          "ophæv fletningen eller linket uden for planen")
        area = (r2 - r1 + 1) * (c2 - c1 + 1)
        count.records += area - 1
        count.record(sheet, ref[:40])


def _check_dimension(sheet: str, ref: str) -> None:
    """The used range a sheet claims (``<dimension ref="A1:XFD1048576"/>``)."""
    last = _parse_ref(ref.split(":")[-1]) if ref else None
    if last and (last[0] > MAX_ROWS or last[1] > MAX_COLS):
        raise _refuse(f"ark '{sheet}': det brugte område", ref,
                      f"{n(MAX_ROWS)} rækker og {n(MAX_COLS)} kolonner",
                      "slet de tomme rækker og kolonner under og til højre for planen, eller "
                      "flyt planen over i en ny skabelon")


def _repeat(el: ET.Element, attr: str) -> int:
    v = el.get(f"{_TABLE}{attr}", "1")
    return int(v) if v.isdigit() and int(v) > 0 else 1


def ods_filled(value_type: str | None, formula: str | None, children: list[str]) -> bool:
    """Whether an .ods cell holds something the reader takes as a value: a value type, a
    formula, or any content but a comment (a text:p, a text:list, a heading ...). The scanner
    counts exactly these cells (times their repeats), and :func:`_read_ods` reads exactly
    these, so a comment-only or list-only cell repeated a million times is counted, not
    expanded unseen."""
    return (value_type is not None or formula is not None
            or any(tag != f"{_OFFICE}annotation" for tag in children))


def _scan_ods(zf: zipfile.ZipFile, count: _Count) -> None:
    """content.xml: rows and cells may be repeated (LibreOffice writes the empty rest of a
    sheet as one repeated row); only repeated cells holding a value count."""
    sheet = "?"
    next_row = row = col = 0
    row_rep = 1
    rows = 0
    for ev, el in _parse(zf, "content.xml"):
        tag = el.tag
        if ev == "start":
            if tag == f"{_TABLE}table":
                sheet, next_row, rows = el.get(f"{_TABLE}name", "?"), 1, 0
            elif tag == f"{_TABLE}table-row":
                row, row_rep, col = next_row, _repeat(el, "number-rows-repeated"), 1
                rows += 1
                if rows > MAX_ROW_ELEMENTS:
                    raise _refuse(f"ark '{sheet}': antallet af rækker", f"over "
                                  f"{n(MAX_ROW_ELEMENTS)}", f"{n(MAX_ROW_ELEMENTS)}")
            continue
        if tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
            rep = _repeat(el, "number-columns-repeated")
            count.record(sheet, coord(row, col))
            filled = ods_filled(el.get(f"{_OFFICE}value-type"), el.get(f"{_TABLE}formula"),
                                [child.tag for child in el])
            if filled:
                _check_cell(sheet, row + row_rep - 1, col + rep - 1)
                count.add(rep * row_rep, sheet, coord(row, col))
            col += rep
            el.clear()
        elif tag == f"{_TABLE}table-row":
            next_row = row + row_rep
            el.clear()


# ----------------------------------------------------------------------------- reading

def read_sheets(path: Path) -> dict[str, Sheet]:
    """Every sheet of an .xlsx or .ods file; raises WorkbookError for a file over a limit or
    one that cannot be read."""
    unsaved = check_limits(path)
    if path.suffix.lower() == ".ods":
        return _read_ods(path)
    return _read_xlsx(path, unsaved)


def _is_percent(number_format: str | None) -> bool:
    if not number_format:
        return False
    plain = re.sub(r'"[^"]*"|\\.', "", number_format)  # quoted text and escapes show as is
    return "%" in plain


def _read_xlsx(path: Path, unsaved: Unsaved) -> dict[str, Sheet]:
    """Values as Excel stored them (one load, values only); ``unsaved`` from the scan."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=True)
    except Exception as e:  # openpyxl raises many types for a damaged or non-xlsx file
        raise WorkbookError(f"kan ikke læses som Excel-fil ({type(e).__name__})") from None
    out: dict[str, Sheet] = {}
    for ws in wb.worksheets:
        sheet = Sheet(ws.title, hidden=ws.sheet_state != "visible")
        for (r, c), formula in unsaved.get(ws.title, {}).items():
            sheet.cells[(r, c)] = Cell(r, c, None, formula=formula)
        for (r, c), cv in ws._cells.items():  # only cells the file holds, never a range
            v = cv.value
            if (r, c) in sheet.cells or v is None:
                continue
            if cv.data_type == "e":
                sheet.cells[(r, c)] = Cell(r, c, None, error=str(v))
            else:
                sheet.cells[(r, c)] = Cell(r, c, v, percent=isinstance(v, int | float) and
                                           _is_percent(cv.number_format))
        for rng in ws.merged_cells.ranges:
            sheet.merged.append((rng.min_row, rng.min_col, rng.max_row, rng.max_col))
        out[ws.title] = sheet
    return out


def _ods_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        f = float(text)
        return int(f) if f.is_integer() and abs(f) < 1e15 and "." not in text else f


_ANNOTATION_Q = ("urn:oasis:names:tc:opendocument:xmlns:office:1.0", "annotation")


def _ods_value(cell) -> tuple[Any, bool]:
    """(value, percent) of an odfpy table:table-cell."""
    from odf import teletype
    from odf.text import P

    vtype = cell.getAttribute("valuetype")
    if vtype in ("float", "currency", "percentage"):
        return _ods_number(cell.getAttribute("value")), vtype == "percentage"
    if vtype == "date":
        text = cell.getAttribute("datevalue")
        try:
            d = dt.datetime.fromisoformat(text)
        except ValueError:
            return text, False
        return (d.date() if "T" not in text else d), False
    if vtype == "boolean":
        return cell.getAttribute("booleanvalue") == "true", False
    # The cell's own content, never its comment (office:annotation), as ods_filled counts it.
    kids = [c for c in cell.childNodes
            if getattr(c, "qname", None) and c.qname != _ANNOTATION_Q]
    lines = [teletype.extractText(p) for child in kids
             for p in ([child] if child.qname == P().qname else child.getElementsByType(P))]
    if not lines and kids:
        return "", False  # content without paragraphs: filled, shown as empty text
    return ("\n".join(lines) if lines else None), False


def _read_ods(path: Path) -> dict[str, Sheet]:
    from odf.opendocument import load
    from odf.table import CoveredTableCell, Table, TableCell, TableRow

    try:
        doc = load(str(path))
    except Exception as e:  # odfpy raises many types for a damaged file
        raise WorkbookError(f"kan ikke læses som regneark (.ods) ({type(e).__name__})") from None
    cell_q, covered_q = TableCell().qname, CoveredTableCell().qname
    out: dict[str, Sheet] = {}
    for table in doc.spreadsheet.getElementsByType(Table):
        sheet = Sheet(table.getAttribute("name"))
        r = 1
        for row in table.getElementsByType(TableRow):
            rrep = int(row.getAttribute("numberrowsrepeated") or 1)
            c = 1
            for cell in row.childNodes:
                if cell.qname not in (cell_q, covered_q):
                    continue
                crep = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                if cell.qname == cell_q:
                    value, pct = _ods_value(cell)
                    formula = cell.getAttribute("formula")
                    span = (int(cell.getAttribute("numberrowsspanned") or 1),
                            int(cell.getAttribute("numbercolumnsspanned") or 1))
                    if span != (1, 1):
                        sheet.merged.append((r, c, r + span[0] - 1, c + span[1] - 1))
                    err = isinstance(value, str) and value.startswith(("#", "Err:")) and \
                        bool(formula)
                    if value is not None or formula:
                        for dr in range(rrep):
                            for dc in range(crep):
                                at = (r + dr, c + dc)
                                if err:
                                    sheet.cells[at] = Cell(*at, None, error=value)
                                elif value is None:
                                    sheet.cells[at] = Cell(*at, None, formula=formula)
                                else:
                                    sheet.cells[at] = Cell(*at, value, percent=pct)
                c += crep
            r += rrep
        out[sheet.name] = sheet
    return out
