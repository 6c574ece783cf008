"""Tagged PDF/UA-1 from WeasyPrint, with two repairs to its structure tree.

WeasyPrint 70 (``pdf_variant="pdf/ua-1"``) tags headings, paragraphs, lists, tables (TH/TD with
Headers), figures with their ``alt`` and captions, and writes /Lang, DisplayDocTitle and the
PDF/UA identification in XMP. Two things it does per page, which this module repairs (see
docs/accessibility.md):

* **Page furniture.** Text in page-margin boxes (running title, "Side 1 af 5") is tagged as real
  content hanging off a detached structure element. Here it is drawn as
  ``/Artifact <</Type /Pagination /Subtype /Footer>>`` instead, and kept out of the tree. The
  header row WeasyPrint repeats on each page a table continues on is an artifact too (the row is
  in the structure once, where the table starts).
* **Elements that cross a page.** WeasyPrint builds the tree page by page, so a table (and the
  section, paragraph or list around it) that continues on the next page becomes two elements.
  Here a continuation is merged into the element it continues: one /Table whose rows span the
  pages, and the cells on the later pages point (/Headers) at the one header row.

Everything here hooks WeasyPrint internals (``weasyprint.pdf.tags``, ``Stream.marked``). If
they change, :func:`install` leaves WeasyPrint alone and the PDF is WeasyPrint's own tagging,
which still passes PDF/UA-1 (tests/test_pdfua.py checks both the validator and the structure).
"""

from __future__ import annotations

import contextlib
from functools import lru_cache

PDF_VARIANT = "pdf/ua-1"
#: Structure types whose continuation on the next page is merged into the element it continues.
MERGEABLE = frozenset({"/Part", "/Sect", "/Art", "/Div", "/BlockQuote", "/P", "/L", "/LI",
                       "/LBody", "/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TD", "/TH",
                       "/NonStruct", "/Caption", "/H1", "/H2", "/H3"})
FOOTER = "Footer"
REPEATED = "Repeated"


class _RepeatedHeaderCell(dict):
    """Stands in for the structure element of a header cell WeasyPrint repeats on a later page:
    WeasyPrint gives it an ID, which then names the cell the row stands for on its first page."""

    instances: list = []  # those WeasyPrint gave an ID, until the tree is done

    def __init__(self, element):
        super().__init__(A={})
        self.element = element

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if key == "ID" and not any(m is self for m in _RepeatedHeaderCell.instances):
            _RepeatedHeaderCell.instances.append(self)

    __hash__ = object.__hash__


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


def _walk(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def mark_furniture(document) -> None:
    """Before ``write_pdf``: flag margin-box text and repeated table header rows as artifacts."""
    from weasyprint.formatting_structure import boxes

    tables_seen: set[int] = set()
    for page in document.pages:
        page_box = getattr(page, "_page_box", None)
        if page_box is None:
            return  # not the WeasyPrint this was written for: its own tagging stands
        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):
                for text in _text_boxes(child):
                    text.opkval_artifact = FOOTER
        on_this_page: set[int] = set()
        for box in _walk(page_box):
            if not isinstance(box, boxes.TableBox) or box.element is None:
                continue
            key = id(box.element)
            if key in tables_seen:
                for group in box.children:
                    if getattr(group, "is_header", False):
                        group.opkval_artifact = REPEATED
                        for text in _text_boxes(group):
                            text.opkval_artifact = REPEATED
                        for cell in _walk(group):
                            if isinstance(cell, boxes.TableCellBox) and cell.element is not None:
                                cell.mark = _RepeatedHeaderCell(cell.element)
            on_this_page.add(key)
        tables_seen |= on_this_page


class _TreeState:
    def __init__(self):
        #: (HTML element, structure type) → [structure element, last page it was on]
        self.seen: dict[tuple[int, str], list] = {}
        self.first_th: dict[int, object] = {}  # id(th element) → its structure element
        self.cells: list = []  # every TD structure element, for the /Headers repair
        self.elements_by_ref: dict[bytes, object] = {}


_STATE: list[_TreeState] = []


@lru_cache(maxsize=1)
def install() -> bool:
    """Patch WeasyPrint's tagging (once per process); False if its internals are not as expected
    (then nothing is patched)."""
    try:
        import pydyf
        from weasyprint import pdf as wpdf
        from weasyprint.formatting_structure import boxes
        from weasyprint.pdf import stream as wstream
        from weasyprint.pdf import tags as wtags
    except ImportError:
        return False
    original_build = getattr(wtags, "_build_box_tree", None)
    original_add = getattr(wpdf, "add_tags", None)
    original_marked = getattr(wstream.Stream, "marked", None)
    if not (original_build and original_add and original_marked):
        return False

    @contextlib.contextmanager
    def marked(self, box, tag):
        kind = getattr(box, "opkval_artifact", None)
        if kind is None or self._tags is None:
            with original_marked(self, box, tag):
                yield
            return
        props = {"Type": "/Pagination"}
        if kind == FOOTER:
            props["Subtype"] = "/Footer"
        pydyf.Stream.begin_marked_content(self, "Artifact", pydyf.Dictionary(props))
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(self)

    def build(box, parent, pdf, page_number, nums, annotations, tags):
        if isinstance(box, boxes.MarginBox) or getattr(box, "opkval_artifact", None):
            return  # drawn as artifacts: nothing of it is in the structure tree
        state = _STATE[-1] if _STATE else None
        for element in original_build(box, parent, pdf, page_number, nums, annotations, tags):
            if state is None:
                yield element
                continue
            s = str(element["S"])
            target = box._box if hasattr(box, "_box") else box
            html = getattr(target, "element", None)
            if s == "/TH" and html is not None:
                state.first_th.setdefault(id(html), element)
            if s == "/TD":
                state.cells.append(element)
            if html is None or s not in MERGEABLE:
                yield element
                continue
            key = (id(html), s)
            earlier = state.seen.get(key)
            if earlier is not None and earlier[1] == page_number - 1:
                _merge(pdf, earlier[0], element, page_number, nums, annotations)
                earlier[1] = page_number
                continue  # the continuation is now part of the earlier element
            state.seen[key] = [element, page_number]
            yield element

    def add_tags(pdf, document, pdf_version, page_streams):
        _STATE.append(_TreeState())
        _RepeatedHeaderCell.instances.clear()  # none left from a PDF that failed midway
        try:
            original_add(pdf, document, pdf_version, page_streams)
            _repair_headers(_STATE[-1])
        finally:
            _STATE.pop()

    wstream.Stream.marked = marked
    wtags._build_box_tree = build
    wpdf.add_tags = add_tags
    return True


def _object(pdf, reference):
    number = int(bytes(reference).split()[0])
    return pdf.objects[number]


def _merge(pdf, earlier, later, page_number, nums, annotations) -> None:
    """Move `later`'s kids (a continuation on the next page) into `earlier`."""
    import pydyf

    page = pdf.page_references[page_number]
    for kid in later["K"]:
        if isinstance(kid, int):  # a marked-content id on the later page
            kid = pydyf.Dictionary({"Type": "/MCR", "Pg": page, "MCID": kid})
            pdf.add_object(kid)
            earlier["K"].append(kid.reference)
            continue
        obj = _object(pdf, kid)
        if "P" in obj:
            obj["P"] = earlier.reference
        earlier["K"].append(kid)
    later["K"] = pydyf.Array()
    for mcid, ref in list(nums.items()):
        if ref == later.reference:
            nums[mcid] = earlier.reference
    for i, (ref, annotation) in enumerate(annotations):
        if ref == later.reference:
            annotations[i] = (earlier.reference, annotation)


def _repair_headers(state: _TreeState) -> None:
    """Cells on a table's later pages name the repeated header row's (artifact) IDs: point them
    at the header cells where the table starts."""
    import pydyf

    alias: dict[str, object] = {}
    for mark in _RepeatedHeaderCell.instances:
        th = state.first_th.get(id(mark.element))
        if th is not None and "ID" in mark and "ID" in th:
            alias[str(mark["ID"])] = th["ID"]
    _RepeatedHeaderCell.instances.clear()
    if not alias:
        return
    for td in state.cells:
        headers = td.get("A", {}).get("Headers")
        if headers:
            td["A"]["Headers"] = pydyf.Array(alias.get(str(h), h) for h in headers)


def write_pdf(html: str, base_url: str, font_config=None, stylesheets=None) -> bytes:
    """HTML → tagged PDF/UA-1 bytes (`font_config`, `stylesheets`: as WeasyPrint's render)."""
    import weasyprint

    patched = install()
    document = weasyprint.HTML(string=html, base_url=base_url).render(
        pdf_variant=PDF_VARIANT, font_config=font_config, stylesheets=stylesheets)
    if patched:
        mark_furniture(document)
    return document.write_pdf(pdf_variant=PDF_VARIANT)
