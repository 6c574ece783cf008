"""The note as an editable Word document (``reports/<slug>.docx``), with python-docx.

The document is built from exactly what the notebook displayed: each output of the executed
notebook in order, the HTML sections (:mod:`opkval.present*`, computed from the one context)
turned into Word paragraphs, headings (Heading 1–3), lists and real tables (header rows marked
to repeat), and the charts as pictures with their alt text. So the Word note carries the same
numbers as the HTML and PDF. The page header holds the kommune and the plan's header fields
(:func:`opkval.present_notat.header_fields`) and the footer the page numbers.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from html.parser import HTMLParser

from lxml.etree import SubElement

from opkval.kommune import official_name
from opkval.present_notat import bilag_label, header_fields

VOID = {"img", "br", "hr", "meta", "input", "link", "col", "wbr"}
BLOCK = {"p", "h1", "h2", "h3", "h4", "ul", "ol", "table", "dl", "section", "div", "header",
         "footer", "figure", "main", "article", "details", "summary", "blockquote"}
MAX_WIDTH_CM = 16.0
CHART_DPI = 150
HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 3}


class Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict | None = None):
        self.tag, self.attrs, self.children = tag, attrs or {}, []

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class _Tree(HTMLParser):
    """A minimal DOM of the trusted HTML that opkval itself wrote."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    t = _Tree()
    t.feed(html)
    t.close()
    return t.root


def _text(node) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return "\n"
    return "".join(_text(c) for c in node.children)


# ------------------------------------------------------------------------------ docx helpers

def _oxml(tag: str, **attrs):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(k.replace("_", ":", 1)), v)
    return el


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _set_pstyle(p_el, style_id: str | None, right: bool = False) -> None:
    """Give an empty paragraph element its style (and right alignment) directly in the XML:
    python-docx's property setters search the element's children on every call, which made
    a note's Word file cost several tenths of a second."""
    if not style_id and not right:
        return
    ppr = p_el.find(f"{_W}pPr")
    if ppr is None:
        ppr = p_el.makeelement(f"{_W}pPr", {})
        p_el.insert(0, ppr)
    if style_id:
        ps = ppr.makeelement(f"{_W}pStyle", {f"{_W}val": style_id})
        ppr.insert(0, ps)
    if right:
        SubElement(ppr, f"{_W}jc", {f"{_W}val": "right"})


def _add_run(p_el, text: str, bold: bool = False, italic: bool = False,
             mono: bool = False) -> None:
    """A run of plain text (no tabs or breaks) appended straight to a paragraph element."""
    r = SubElement(p_el, f"{_W}r")
    if bold or italic or mono:
        rpr = SubElement(r, f"{_W}rPr")
        if mono:
            SubElement(rpr, f"{_W}rFonts", {f"{_W}ascii": "Consolas", f"{_W}hAnsi": "Consolas"})
        if bold:
            SubElement(rpr, f"{_W}b")
        if italic:
            SubElement(rpr, f"{_W}i")
    t = SubElement(r, f"{_W}t", {_XML_SPACE: "preserve"})
    t.text = text


def mark_header_row(tr) -> None:
    """Mark a table row (``w:tr``) as a header row (w:tblHeader: repeated on each page, read
    as header cells by screen readers)."""
    tr_pr = tr.get_or_add_trPr()
    tr_pr.append(_oxml("w:tblHeader", w_val="true"))


def _field(paragraph, instr: str) -> None:
    fld = _oxml("w:fldSimple", w_instr=instr)
    r = _oxml("w:r")
    t = _oxml("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _hyperlink(paragraph, url: str, text: str, bold: bool, italic: bool) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.shared import RGBColor

    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = _oxml("w:hyperlink", r_id=r_id)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold or None, italic or None, True
    run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
    link.append(run._r)  # moves the run from the paragraph into the link
    paragraph._p.append(link)


#: Width in pixels an SVG logo is drawn at for Word (python-docx embeds raster images only):
#: 3 cm at 300 dpi.
SVG_LOGO_PX = 354


def logo_png(logo: dict) -> bytes | None:
    """The kommune's logo as PNG for Word: a PNG as it is, an SVG drawn by resvg (a wheel
    from PyPI, no system libraries); None for an SVG that cannot be drawn."""
    data = base64.b64decode(logo["data"])
    if logo["mime"] == "image/png":
        return data
    import resvg_py

    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"), width=SVG_LOGO_PX))
    except (ValueError, UnicodeDecodeError):
        return None


def _picture(run, data: bytes, alt: str, width_cm: float | None = None) -> None:
    from docx.shared import Cm
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        px_w = im.size[0]
        dpi = (im.info.get("dpi") or (CHART_DPI, CHART_DPI))[0] or CHART_DPI
    width = width_cm or min(MAX_WIDTH_CM, px_w / float(dpi) * 2.54)
    run.add_picture(io.BytesIO(data), width=Cm(width))
    doc_pr = run._r.xpath(".//wp:docPr")[-1]
    doc_pr.set("descr", alt)
    doc_pr.set("title", alt[:120])


def _data_uri(src: str) -> tuple[str, bytes] | None:
    if not src.startswith("data:") or ";base64," not in src:
        return None
    mime, b64 = src[5:].split(";base64,", 1)
    return mime, base64.b64decode(b64)


# ------------------------------------------------------------------------------ the writer

@lru_cache(maxsize=1)
def _template() -> tuple[bytes, dict[str, str]]:
    """python-docx's default document with opkval's fonts and paragraph styles, and the style
    ids by name: made once per process (python-docx looks a style up by name among all
    styles on every use, and adding styles per note cost a tenth of a second)."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    doc = docx.Document()
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    # The text is Danish: spelling and screen readers use the style's language.
    SubElement(normal.element.get_or_add_rPr(), f"{_W}lang", {f"{_W}val": "da-DK"})
    for name, size in (("Tabeltekst", 9), ("Tabeltekst lille", 8), ("Lille tekst", 8.5)):
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.font.size = Pt(size)
        st.paragraph_format.space_after = Pt(0 if name.startswith("Tabel") else 4)
    ids = {st.name: st.style_id for st in styles}
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue(), ids


class WordWriter:
    """Turns opkval's HTML sections and charts into one python-docx Document."""

    def __init__(self, ctx: dict):
        import docx

        self.ctx = ctx
        template, self._style_ids = _template()
        self.doc = docx.Document(io.BytesIO(template))
        self._setup_sections()

    # --- page header and footer
    def _setup_sections(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        k = self.ctx["kommune"]
        sec = self.doc.sections[0]
        sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
        sec.left_margin = sec.right_margin = Cm(2.2)
        sec.top_margin, sec.bottom_margin = Cm(2.2), Cm(2.0)
        head = sec.header.paragraphs[0]
        logo = (self.ctx.get("notat") or {}).get("logo")
        png = logo_png(logo) if logo else None
        if png:
            _picture(head.add_run(), png, f"Logo: {official_name(k['navn'])}", width_cm=3.0)
            head.add_run("\n")
        first = [official_name(k['navn']), bilag_label(self.ctx),
                 "Scenarie" if self.ctx.get("scenarie") else ""]
        run = head.add_run(" · ".join(x for x in first if x))
        run.bold = True
        fields = header_fields(self.ctx)
        if fields:
            head.add_run("\n" + " · ".join(f"{label}: {value}" for label, value in fields))
        for r in head.runs:
            r.font.size = Pt(8.5)
        foot = sec.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        foot.add_run("Side ")
        _field(foot, "PAGE")
        foot.add_run(" af ")
        _field(foot, "NUMPAGES")
        props = self.doc.core_properties
        props.title = f"Orientering om opkvalificeringspuljen – {official_name(k['navn'])}"
        props.language = "da-DK"
        props.author = (self.ctx.get("notat") or {}).get("afsender") or official_name(k["navn"])

    def para(self, container, style: str | None = None, text: str = ""):
        """A paragraph in `container` with a style given by name (resolved once)."""
        p = container.add_paragraph()
        if style:
            _set_pstyle(p._p, self._style_ids[style])
        if text:
            _add_run(p._p, text)
        return p

    # --- content
    def add_html(self, html: str) -> None:
        self._blocks(parse_html(html), self.doc)

    def add_chart(self, png: bytes, alt: str) -> None:
        """A chart as a picture; its text alternative goes in the picture's description."""
        p = self.doc.add_paragraph()
        _picture(p.add_run(), png, alt)

    def _blocks(self, node: Node, container) -> None:
        pending: list = []  # inline content at block level, gathered into one paragraph

        def flush():
            if any(not isinstance(x, str) or x.strip() for x in pending):
                p = self.para(container)
                for x in pending:
                    self._inline(x, p, {})
            pending.clear()

        for child in node.children:
            if isinstance(child, str) or child.tag not in BLOCK | {"img"}:
                pending.append(child)
                continue
            flush()
            self._block(child, container)
        flush()

    def _block(self, n: Node, container) -> None:
        tag = n.tag
        if n.classes() & {"logo", "notat-meta"}:
            return  # the logo and header fields are in the Word page header (every page)
        if tag in HEADING:
            p = self.para(container, f"Heading {HEADING[tag]}")
            self._inlines(n, p)
        elif tag == "p":
            small = bool(n.classes() & {"small", "generated", "kicker", "meta"})
            p = self.para(container, "Lille tekst" if small else None)
            self._inlines(n, p)
        elif tag in ("ul", "ol"):
            self._list(n, container, tag)
        elif tag == "table":
            self._table(n, container)
        elif tag == "dl":
            self._dl(n, container)
        elif tag == "img":
            src = _data_uri(n.attrs.get("src") or "")
            if src and src[0] == "image/png":
                p = self.para(container)
                _picture(p.add_run(), src[1], n.attrs.get("alt") or "Billede",
                         width_cm=3.0 if "logo" in n.classes() else None)
        else:  # section, div, header, footer, figure ...
            self._blocks(n, container)

    def _inlines(self, n: Node, p, fmt: dict | None = None) -> None:
        for c in n.children:
            self._inline(c, p, fmt or {})

    def _inline(self, c, p, fmt: dict) -> None:
        if isinstance(c, str):
            text = " ".join(c.split()) if "\n" in c else c
            if not text:
                return
            if fmt.get("href"):
                _hyperlink(p, fmt["href"], text, fmt.get("bold", False), fmt.get("italic", False))
                return
            _add_run(p._p, text.replace("\t", " "), bool(fmt.get("bold")),
                     bool(fmt.get("italic")), bool(fmt.get("code")))
            return
        tag = c.tag
        if tag == "br":
            p.add_run().add_break()
            return
        if tag == "img":
            src = _data_uri(c.attrs.get("src") or "")
            if src and src[0] == "image/png":
                _picture(p.add_run(), src[1], c.attrs.get("alt") or "Billede")
            return
        sub = dict(fmt)
        if tag in ("b", "strong", "th"):
            sub["bold"] = True
        elif tag in ("i", "em"):
            sub["italic"] = True
        elif tag == "code":
            sub["code"] = True
        elif tag == "a" and (c.attrs.get("href") or "").startswith(("http", "mailto:")):
            sub["href"] = c.attrs["href"]
        for x in c.children:
            self._inline(x, p, sub)

    def _list(self, n: Node, container, tag: str, level: int = 0) -> None:
        style = "List Bullet" if tag == "ul" else "List Number"
        if level:
            style += f" {min(level + 1, 3)}"
        for li in n.children:
            if isinstance(li, str) or li.tag != "li":
                continue
            p = self.para(container, style)
            for c in li.children:
                if not isinstance(c, str) and c.tag in ("ul", "ol"):
                    self._list(c, container, c.tag, level + 1)
                elif not isinstance(c, str) and c.tag == "p":
                    self._inlines(c, p)
                else:
                    self._inline(c, p, {})

    def _dl(self, n: Node, container) -> None:
        items = [c for c in n.children if not isinstance(c, str)]
        pairs = []  # (dt, dd) nodes, also when wrapped in <div>
        for c in items:
            if c.tag == "div":
                kids = [x for x in c.children if not isinstance(x, str)]
                pairs.extend((a, b) for a, b in zip(kids[::2], kids[1::2], strict=False))
            elif c.tag == "dt":
                pairs.append((c, None))
            elif c.tag == "dd" and pairs and pairs[-1][1] is None:
                pairs[-1] = (pairs[-1][0], c)
        inline = "notat-meta" in n.classes()
        for dt_, dd in pairs:
            p = self.para(container)
            r = p.add_run(_text(dt_).strip() + (": " if inline else ""))
            r.bold = True
            if dd is not None:
                if inline:
                    self._inlines(dd, p)
                else:
                    p2 = self.para(container)
                    self._inlines(dd, p2)

    def _table(self, n: Node, container) -> None:
        rows: list[tuple[str, list[Node]]] = []  # (part, cells)
        caption = None

        def walk(node: Node, part: str) -> None:
            nonlocal caption
            for c in node.children:
                if isinstance(c, str):
                    continue
                if c.tag == "caption":
                    caption = c
                elif c.tag in ("thead", "tbody", "tfoot"):
                    walk(c, c.tag)
                elif c.tag == "tr":
                    cells = [x for x in c.children if not isinstance(x, str)
                             and x.tag in ("td", "th")]
                    rows.append((part, cells))

        walk(n, "tbody")
        if caption is not None:
            p = self.para(container, "Caption")
            self._inlines(caption, p)
        if not rows:
            return
        ncols = max(len(c) for _, c in rows)
        table = container.add_table(rows=len(rows), cols=ncols)
        tbl_pr = table._tbl.tblPr
        tbl_pr.insert(0, tbl_pr.makeelement(f"{_W}tblStyle",
                                            {f"{_W}val": self._style_ids["Table Grid"]}))
        style_id = self._style_ids["Tabeltekst lille" if len(rows) > 12 or ncols > 6
                                   else "Tabeltekst"]
        from docx.table import _Cell
        from docx.text.paragraph import Paragraph

        for (part, cells), tr in zip(rows, table._tbl.tr_lst, strict=True):
            if part == "thead":
                mark_header_row(tr)
            for cell_node, tc in zip(cells, tr.tc_lst, strict=False):
                # The XML's own cells, not python-docx's row.cells (a grid walk per call).
                cell = _Cell(tc, table)
                p = Paragraph(tc.p_lst[0], cell)
                _set_pstyle(p._p, style_id, right="num" in cell_node.classes())
                fmt = {"bold": part in ("thead", "tfoot") or cell_node.tag == "th"}
                for c in cell_node.children:
                    if not isinstance(c, str) and c.tag in BLOCK:
                        self._block(c, cell)
                    else:
                        self._inline(c, p, fmt)

    def add_notebook_outputs(self, nb) -> int:
        """Every output the executed notebook displayed, in order; returns the chart count."""
        charts = 0
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data") or {}
                if "text/html" in data:
                    html = data["text/html"]
                    self.add_html("".join(html) if isinstance(html, list) else html)
                elif "image/png" in data:
                    png = base64.b64decode("".join(data["image/png"]).replace("\n", ""))
                    alt = data.get("text/plain", "Diagram")
                    self.add_chart(png, "".join(alt) if isinstance(alt, list) else alt)
                    charts += 1
        return charts

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def note_docx(ctx: dict, nb) -> bytes:
    """The Word note from the context and the executed notebook (what the PDF shows)."""
    w = WordWriter(ctx)
    w.add_notebook_outputs(nb)
    return w.to_bytes()
