"""Word (``.docx``) for the document model (:mod:`opkval.base.doc`), with python-docx.

:func:`document_docx` writes a :class:`opkval.base.doc.Document` block by block: headings as Word's
Heading 1–3, paragraphs and lists in the template's styles, tables as real tables (the header
row marked to repeat on each page, columns sized from their content), charts as pictures with
their text alternative (``descr``) and a visible caption, and the boxed summary with a bar and
a tint. No HTML is parsed: the HTML writer and this one read the same blocks.

What every page carries: the running header (the document's ``header`` lines and, where the
document has a logo :class:`~opkval.base.doc.Figure`, the logo), clear of the body text, and the
page numbers in the footer. The file says it is Danish (``w:lang`` da-DK on the defaults and
the styles) and carries the document's own title, author and date in its properties.

An analyst sends the file without reformatting (issue 21):

- Table columns are sized from their content, measured with DejaVu Sans's advance widths
  (matplotlib's bundled font, read by :mod:`fontmetrics`): every word fits its column, so
  LibreOffice and Word never break a word in the middle. DejaVu Sans is the font LibreOffice
  falls back to here and is wider than Calibri, so what fits in DejaVu fits in Word's Calibri too.
- Every colour has a contrast of at least 4,5:1 against what it is drawn on (WCAG 2.1 AA):
  the template's heading blue #4F81BD (4,03:1 on white) is replaced.
- With ``SOURCE_DATE_EPOCH`` set (or the document's ``created``), two calls give the same
  bytes: the zip entries' times and the core properties' dates are fixed.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from functools import lru_cache
from typing import cast

from lxml.etree import SubElement

from opkval.base import doc
from opkval.base.fileio import DatedZipFile
from opkval.inputs.kommune import official_name
from opkval.publish import fontmetrics
from opkval.sections.present import logo_png as _drawn_logo

# ------------------------------------------------------------------------------ page and colours

PAGE_W_CM, PAGE_H_CM = 21.0, 29.7
MARGIN_CM = 2.2  # left and right
BOTTOM_CM = 2.0
#: From the page's top edge to the running header.
HEADER_DISTANCE_CM = 1.0
#: Between the running header's last line and the body text.
HEADER_GAP_CM = 0.6
#: The width the body text has.
TEXT_W_CM = PAGE_W_CM - 2 * MARGIN_CM
MAX_WIDTH_CM = TEXT_W_CM
CHART_DPI = 150
LOGO_W_CM, LOGO_MAX_H_CM = 3.0, 1.5
HEADER_PT = 8.5

#: The note's colours (``templates/opkval/style.css``): text colour and each one's background.
#: Every pair has a contrast ratio of at least 4,5:1 (tests/test_word.py computes it).
ACCENT = "1F4E79"  # headings, links, rules: 8,7:1 on white
MUTED = "595959"  # captions and small print: 7,0:1 on white
RULE = "BFC8D2"  # table lines (not text)
SOFT = "F3F6FA"  # the header row's and the summary box's tint
#: A boxed paragraph's (bar, tint): the summary, and the scenario warning.
BOXES = {"summary": (ACCENT, SOFT), "scenario": ("8A6D00", "FFF4CE")}
#: A status word (doc.Run.status): (text colour, background).
STATUS_COLOURS = {
    "ok": ("1E5631", "E2F0D9"),
    "advarsel": ("7F4F00", "FFF2CC"),
    "uafklaret": ("3A3A3A", "ECECEC"),
    "afhaenger": ("5A2D82", "EFE6F7"),
    "brud": ("FFFFFF", "A61B1B"),
}
#: A grant label chip (doc.Run.label): (text colour, background).
LABEL_COLOURS = {
    "tilsagn": ("FFFFFF", "1F4E79"),
    "fremskrevet": ("1F4E79", "DDEBF7"),
    "skøn": ("333333", "EEEEEE"),
}
#: Text colour of each paragraph style the writer sets (all on white).
STYLE_COLOURS = {"Title": ACCENT, "Heading 1": ACCENT, "Heading 2": ACCENT,
                 "Heading 3": ACCENT, "Caption": MUTED, "Lille tekst": MUTED}

FONT = "Calibri"
HEADING_PT = {1: 17, 2: 13, 3: 11}
BODY_PT = 10.5
#: Table text sizes tried in turn until every word fits its column.
TABLE_PT = (9.0, 8.5, 8.0, 7.5, 7.0)
#: A cell's left and right padding (twips).
CELL_PAD_TW = 85
#: A table row of at most this many lines is kept on one page; a taller one may be split.
#: About a fifth of a page of table text, as the PDF's rows (typst_writer.TALL_ROW): a rule's
#: six-line reason no longer starts at a page's foot and ends on the next.
ROW_KEPT_LINES = 12

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_LANG = "da-DK"


def _tw(cm: float) -> int:
    """Centimetres as twips (1/1440 inch)."""
    return round(cm / 2.54 * 1440)


def _el(parent, tag: str, **attrs):
    """A ``w:`` element appended to `parent` (attributes also in the ``w:`` namespace)."""
    return SubElement(parent, _W + tag, {_W + k: str(v) for k, v in attrs.items()})


# Runs and tables are written as XML text and parsed at once (in C, by python-docx's parser):
# building them element by element cost about 3 µs an element through lxml's Python API, and
# a note's Word files have some 4.000 elements, most of them in tables (a third of the Word
# writer's time). The text escapes below parse back to exactly the text given.

_NS_DECL = (f'xmlns:w="{_W[1:-1]}" xmlns:r="{_R[1:-1]}"')


def _xt(text: str) -> str:
    """`text` as XML character data (a bare carriage return would be read as a newline)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _xa(value: object) -> str:
    """`value` as an XML attribute value in double quotes."""
    return (_xt(str(value)).replace('"', "&quot;").replace("\n", "&#10;")
            .replace("\t", "&#9;"))


def _e(tag: str, **attrs: object) -> str:
    """An empty ``w:`` element as XML text (attributes in the ``w:`` namespace)."""
    return "<w:" + tag + "".join(f' w:{k}="{_xa(v)}"' for k, v in attrs.items()) + "/>"


def _parsed(xml: str) -> list:
    """The ``w:`` elements in `xml` (XML text from :func:`_e`, :func:`_run_xml`, ...)."""
    from docx.oxml.parser import parse_xml

    return list(parse_xml(f"<w:body {_NS_DECL}>{xml}</w:body>"))


def _run_xml(text: str, *, bold: bool = False, italic: bool = False, code: bool = False,
             colour: str = "", fill: str = "", underline: bool = False,
             size: int | None = None) -> str:
    """A run (``w:r``) as XML text: its properties in the schema's order (:data:`_RPR_ORDER`),
    a line break for each newline; `size` in half points (a table's smaller text)."""
    props = []
    if code:
        props.append(_e("rFonts", ascii="Consolas", hAnsi="Consolas", cs="Consolas"))
    if bold:
        props.append("<w:b/>")
    if italic:
        props.append("<w:i/>")
    if colour:
        props.append(_e("color", val=colour))
    if size is not None:
        props.append(_e("sz", val=size))
    if underline:
        props.append(_e("u", val="single"))
    if fill:
        props.append(_e("shd", val="clear", color="auto", fill=fill))
    rpr = "<w:rPr>" + "".join(props) + "</w:rPr>" if props else ""
    return ("<w:r>" + rpr + "<w:br/>".join(
        f'<w:t xml:space="preserve">{_xt(line)}</w:t>'
        for line in text.replace("\t", " ").split("\n")) + "</w:r>")


# ------------------------------------------------------------------------------ measuring text


def text_width_pt(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of `text` on one line, in points, set in DejaVu Sans (regular or bold): the
    same advance widths the PDF writer sizes its columns with (:mod:`fontmetrics`). A
    character DejaVu Sans lacks counts 1 em: Word draws it in a fallback font (CJK, emoji)."""
    return fontmetrics.text_width(text, size_pt, bold, missing_em=1.0)


_SPACES = re.compile(r"[ \t\r\n]+")
_HYPHEN_BREAK = re.compile(r"(?<=[-–/])(?=\w)")


def _words(text: str, hyphens: bool) -> list[str]:
    """The pieces a line may not be broken inside: words (a no-break space joins two), or,
    with `hyphens`, also the parts after a hyphen or slash."""
    out = []
    for w in _SPACES.split(text):  # not str.split(): that splits at a no-break space too
        out.extend(_HYPHEN_BREAK.split(w) if hyphens else [w])
    return out


# ------------------------------------------------------------------------------ colours


def contrast(fg: str, bg: str = "FFFFFF") -> float:
    """WCAG 2.1 contrast ratio of two ``RRGGBB`` colours."""

    def lum(hex_: str) -> float:
        def ch(v: int) -> float:
            c = v / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (int(hex_[i:i + 2], 16) for i in (0, 2, 4))
        return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)

    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


# ------------------------------------------------------------------------------ the template


def _set_rfonts(rpr, name: str) -> None:
    """Name the font outright (a theme font would win over it in Word)."""
    for old in rpr.findall(_W + "rFonts"):
        rpr.remove(old)
    rf = rpr.makeelement(_W + "rFonts", {_W + a: name for a in ("ascii", "hAnsi", "cs")})
    rpr.insert(0, rf)


def _set_lang(rpr) -> None:
    for old in rpr.findall(_W + "lang"):
        rpr.remove(old)
    _el(rpr, "lang", val=_LANG, eastAsia=_LANG, bidi=_LANG)
    _order_rpr(rpr)


#: The schema's order of a run's properties (Word refuses a file with them out of order).
_RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
              "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid",
              "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
              "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
              "em", "lang", "eastAsianLayout", "specVanish", "oMath")


def _order_rpr(rpr) -> None:
    rank = {t: i for i, t in enumerate(_RPR_ORDER)}
    kids = sorted(rpr, key=lambda e: rank.get(e.tag.replace(_W, ""), len(rank)))
    for k in kids:
        rpr.append(k)  # appending moves each child to the end, in the sorted order


@lru_cache(maxsize=1)
def _template() -> tuple[bytes, dict[str, str]]:
    """python-docx's default document with opkval's fonts, colours, language and styles, and
    the style ids by name: made once per process."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    d = docx.Document()
    styles = d.styles
    # Danish everywhere: the defaults every style inherits, and each style that names a language.
    rpr_default = styles.element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
    _set_rfonts(rpr_default, FONT)
    _set_lang(rpr_default)
    normal = styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_rfonts(normal.element.get_or_add_rPr(), FONT)
    _set_lang(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(5)
    for name, size, after in (("Tabeltekst", TABLE_PT[0], 0), ("Lille tekst", 8.5, 4),
                              ("Sidehoved", HEADER_PT, 0)):
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.font.size = Pt(size)
        st.paragraph_format.space_after = Pt(after)
        st.paragraph_format.space_before = Pt(0)
    table_text = styles["Tabeltekst"].paragraph_format
    table_text.line_spacing = 1.0
    table_text.space_before = table_text.space_after = Pt(1)
    for level, size in HEADING_PT.items():
        st = styles[f"Heading {level}"]
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.italic = False
        st.paragraph_format.space_before = Pt({1: 6, 2: 16, 3: 10}[level])
        st.paragraph_format.space_after = Pt(4)
    cap = styles["Caption"]
    cap.font.size = Pt(8.5)
    cap.font.bold = False
    cap.paragraph_format.space_after = Pt(8)
    for st in styles:
        rpr = st.element.rPr
        if rpr is None:
            continue
        if rpr.find(_W + "rFonts") is not None:
            _set_rfonts(rpr, FONT)
        if rpr.find(_W + "lang") is not None:
            _set_lang(rpr)
        colour = STYLE_COLOURS.get(st.name)
        col = rpr.find(_W + "color")
        if colour or (col is not None and (col.get(_W + "themeColor") or contrast(
                col.get(_W + "val", "000000").replace("auto", "000000")) < 4.5)):
            st.font.color.rgb = RGBColor.from_string(colour or ACCENT)
            col = rpr.find(_W + "color")
            for a in ("themeColor", "themeShade", "themeTint"):
                col.attrib.pop(_W + a, None)
        _order_rpr(rpr)
    # The document's language for Word's proofing and its theme fonts; no auto-hyphenation.
    settings = d.settings.element
    for tfl in settings.findall(_W + "themeFontLang"):
        tfl.set(_W + "val", _LANG)
    for ah in settings.findall(_W + "autoHyphenation"):
        settings.remove(ah)
    # The template's thumbnail shows another document: the file has none.
    rels = d.part.package.rels
    for r_id in [k for k, r in rels.items() if r.reltype.endswith("/thumbnail")]:
        rels.pop(r_id)
    ids = {st.name: st.style_id for st in styles}
    _only_used_styles(d, {ids[name] for name in USED_TABLE_STYLES})
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue(), ids


#: The table styles the writer uses (by name). The template's 99 others and its Word 2010 copy
#: of every style (``stylesWithEffects.xml``) are left out: together 780 kB of XML that each
#: Word file serialised and deflated (a tenth of a note's CPU), for styles no table names. The
#: paragraph and character styles all stay, with the colours set above, for an analyst who
#: edits the file (Title, Quote, ...).
USED_TABLE_STYLES = ("Table Grid",)


def _only_used_styles(d, used: set[str]) -> None:
    """Keep every paragraph, character and numbering style, the table styles in `used`
    (ids) and the default one, and every style these are based on, linked to or followed by;
    drop the other table styles and the Word 2010 styles part."""
    element = d.styles.element
    by_id = {st.get(_W + "styleId"): st for st in element.findall(_W + "style")}
    wanted = set(used) | {i for i, st in by_id.items()
                          if st.get(_W + "default") == "1" or st.get(_W + "type") != "table"}
    keep: set[str] = set()
    while wanted:
        style_id = wanted.pop()
        if style_id in keep or style_id not in by_id:
            continue
        keep.add(style_id)
        for tag in ("basedOn", "link", "next"):
            ref = by_id[style_id].find(_W + tag)
            if ref is not None:
                wanted.add(ref.get(_W + "val"))
    for style_id, st in by_id.items():
        if style_id not in keep:
            element.remove(st)
    rels = d.part.rels
    for r_id in [k for k, r in rels.items() if r.reltype.endswith("/stylesWithEffects")]:
        rels.pop(r_id)


# ------------------------------------------------------------------------------ pictures


def logo_png(logo: dict) -> bytes | None:
    """The kommune's logo as PNG for Word (:func:`opkval.sections.present.logo_png`, the one
    drawing of it); None where it cannot be drawn."""
    return _drawn_logo(logo) or None


def svg_png(svg: str, width_cm: float) -> bytes:
    """An SVG (a chart, which the kernel draws only as vectors) as a PNG `width_cm` wide at
    :data:`CHART_DPI`, drawn by Typst with the PDF's fonts and no system fonts (the same pixels
    on every machine; about a quarter of resvg-py's time); b"" for no SVG or one that cannot be
    drawn (the figure is then said in words)."""
    if not svg:
        return b""
    from opkval.publish.typst_writer import svg_png as typst_svg_png

    return typst_svg_png(svg, width_cm, CHART_DPI)


def _png_size_cm(png: bytes, width_cm: float | None,
                 max_h_cm: float | None = None) -> tuple[float, float]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        px_w, px_h = im.size
        dpi = (im.info.get("dpi") or (CHART_DPI, CHART_DPI))[0] or CHART_DPI
    w = min(width_cm or px_w / float(dpi) * 2.54, MAX_WIDTH_CM)
    h = w * px_h / px_w
    if max_h_cm and h > max_h_cm:
        w, h = w * max_h_cm / h, max_h_cm
    return w, h


# ------------------------------------------------------------------------------ the writer


class _Writer:
    def __init__(self, document: doc.Document):
        import docx

        template, self.ids = _template()
        self.document = document
        self.d = docx.Document(io.BytesIO(template))
        self.body = self.d.element.body
        self._sect_pr = self.body.find(_W + "sectPr")
        self._bookmark = 0
        #: The anchors the document has: a link to any other leads nowhere in this file.
        self.anchors = {b.anchor for b in doc.walk(document.blocks)
                        if isinstance(b, (doc.Heading, doc.Section)) and b.anchor}

    # --- paragraphs and runs, written straight as XML (python-docx's setters are slow)
    def p(self, parent=None, style: str | None = None, *, keep_next: bool = False,
          box: str = "", num: tuple[int, int] | None = None, align: str = "",
          item: bool = False):
        """A new paragraph (``w:p``) at the end of `parent` (the body by default); its
        properties in the schema's order."""
        if parent is None:
            parent = self.body
        p = parent.makeelement(_W + "p", {})
        if parent is self.body:  # the body ends with its section properties
            self._sect_pr.addprevious(p)
        else:
            parent.append(p)
        if style or keep_next or box or num or align:
            ppr = _el(p, "pPr")
            if style:
                _el(ppr, "pStyle", val=self.ids[style])
            if keep_next:
                _el(ppr, "keepNext")
            if num:
                numpr = _el(ppr, "numPr")
                _el(numpr, "ilvl", val=num[1])
                _el(numpr, "numId", val=num[0])
            if box:
                bar, tint = BOXES.get(box, BOXES["summary"])
                bdr = _el(ppr, "pBdr")
                _el(bdr, "left", val="single", sz=24, space=8, color=bar)
                _el(ppr, "shd", val="clear", color="auto", fill=tint)
                if item:  # a list item's hanging indent, inside the box
                    _el(ppr, "ind", left=220 + 360, right=113, hanging=360)
                else:
                    _el(ppr, "ind", left=220, right=113)
            if align:
                _el(ppr, "jc", val=align)
        return p

    def run(self, p, text: str, *, bold: bool = False, italic: bool = False,
            code: bool = False, colour: str = "", fill: str = "",
            underline: bool = False) -> None:
        p.extend(_parsed(_run_xml(text, bold=bold, italic=italic, code=code, colour=colour,
                                  fill=fill, underline=underline)))

    def runs(self, p, runs, bold: bool = False) -> None:
        p.extend(_parsed(self.runs_xml(runs, bold)))

    def runs_xml(self, runs, bold: bool = False, size: int | None = None) -> str:
        """Inline runs as XML text: emphasis, code, links (external or to an anchor), status
        words and grant labels (bold, coloured, on a tint with contrast); `size` in half
        points."""
        out = []
        for r in runs:
            if r.status or r.label:
                fg, bg = (STATUS_COLOURS.get(r.status) if r.status
                          else LABEL_COLOURS.get(r.label)) or ("000000", "")
                out.append(_run_xml(_chip_text(r), bold=True, colour=fg, fill=bg, size=size))
            elif r.href:
                out.append(self._link_xml(r, size))
            else:
                out.append(_run_xml(r.text, bold=bold or r.bold, italic=r.italic, code=r.code,
                                    size=size))
        return "".join(out)

    def _link_xml(self, r: doc.Run, size: int | None) -> str:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        if r.href.startswith("#") and r.href[1:] in self.anchors:
            start = f'<w:hyperlink w:anchor="{_xa(_bookmark_name(r.href[1:]))}">'
        elif r.href.startswith(("http:", "https:", "mailto:")):
            r_id = self.d.part.relate_to(r.href, RT.HYPERLINK, is_external=True)
            start = f'<w:hyperlink r:id="{_xa(r_id)}">'
        else:  # a relative link or a missing anchor means nothing here: its text only
            return _run_xml(r.text, bold=r.bold, italic=r.italic, code=r.code, size=size)
        return (start + _run_xml(r.text, bold=r.bold, italic=r.italic, code=r.code,
                                 colour=ACCENT, underline=True, size=size) + "</w:hyperlink>")

    def bookmark(self, p, anchor: str) -> None:
        if not anchor:
            return
        self._bookmark += 1
        start = p.makeelement(_W + "bookmarkStart",
                              {_W + "id": str(self._bookmark), _W + "name": _bookmark_name(anchor)})
        ppr = p.find(_W + "pPr")
        p.insert(1 if ppr is not None else 0, start)
        _el(p, "bookmarkEnd", id=self._bookmark)

    # --- blocks
    def blocks(self, blocks, box: str = "") -> None:
        for blk in blocks:
            self.block(blk, box)

    def block(self, blk, box: str = "") -> None:
        if isinstance(blk, doc.Heading):
            level = min(max(blk.level, 1), 3)
            p = self.p(style=f"Heading {level}", box=box)
            self.run(p, blk.text)
            self.bookmark(p, blk.anchor)
        elif isinstance(blk, doc.Paragraph):
            small = blk.role in ("small", "generated", "kicker", "meta")
            # A lead sentence stays with the table it introduces; a scenario warning is boxed.
            p = self.p(style="Lille tekst" if small else None, keep_next=blk.role == "lead",
                       box=box or ("scenario" if blk.role == "scenario" else ""))
            self.runs(p, blk.runs, bold=blk.role == "scenario")
        elif isinstance(blk, doc.BulletList):
            num = self._list_num(blk.ordered)
            for item in blk.items:
                p = self.p(style="List Number" if blk.ordered else "List Bullet", box=box,
                           num=num, item=True)
                self.runs(p, item)
        elif isinstance(blk, doc.Table):
            self.table(blk)
        elif isinstance(blk, doc.Figure):
            if blk.role != "logo":  # the logo is in the page header, on every page
                self.figure(blk)
        elif isinstance(blk, doc.KeyValue):
            for k, v in blk.pairs:
                p = self.p(box=box)
                self.run(p, f"{k}: ", bold=True)
                self.run(p, v)
        elif isinstance(blk, doc.Box):
            self.blocks(blk.children, box=blk.role or "summary")
            self.p(style="Lille tekst")  # ends the box: the next paragraph is not in it
        elif isinstance(blk, doc.Section):
            first = self.body.index(self._sect_pr)
            # A section of role "summary" is boxed, as a Box is (doc.Section's roles).
            self.blocks(blk.children, box or blk.role == "summary")
            new = self.body[first]
            if blk.anchor and new.tag == _W + "p":
                self.bookmark(new, blk.anchor)
        else:
            raise TypeError(f"not a document block: {blk!r}")

    def _list_num(self, ordered: bool) -> tuple[int, int] | None:
        """An ordered list starts at 1: its own numbering instance of the List Number style's
        numbering (Word would otherwise count on from the last list)."""
        if not ordered:
            return None
        numbering = self.d.part.numbering_part.element
        style = self.d.styles["List Number"]
        num_pr = style.element.pPr.numPr if style.element.pPr is not None else None
        if num_pr is None or num_pr.numId is None:
            return None
        base = num_pr.numId.val
        abstract = next(n.abstractNumId.val for n in numbering.num_lst if n.numId == base)
        num = numbering.add_num(abstract)
        override = _el(num, "lvlOverride", ilvl=0)
        _el(override, "startOverride", val=1)
        return num.numId, 0

    def figure(self, f: doc.Figure) -> None:
        png = f.png or svg_png(f.svg, f.width_cm)
        if png:
            w, h = _png_size_cm(png, f.width_cm)
            p = self.p(keep_next=True, align="center")
            self._picture(self.d.part, p, png, w, h, f.alt)
        else:  # nothing to draw: what the picture shows is said in words, not left out
            self.runs(self.p(), [doc.Run(f.alt)])
            if not f.caption:
                return
        caption = f.caption or f.alt.split(". ")[0].rstrip(".") + "."
        cp = self.p(style="Caption")
        self.run(cp, caption)

    def _picture(self, part, p, png: bytes, w_cm: float, h_cm: float, alt: str) -> None:
        from docx.shared import Cm

        inline = part.new_pic_inline(io.BytesIO(png), Cm(w_cm), Cm(h_cm))
        doc_pr = inline.docPr
        doc_pr.set("descr", alt)
        doc_pr.set("title", alt[:120])
        _el(p, "r").append(_drawing(inline))

    # --- tables
    def table(self, t: doc.Table) -> None:
        rows = [("head", t.head)] if t.head else []
        rows += [("body", r) for r in t.rows] + [("foot", r) for r in t.foot]
        if not rows:
            return
        ncols = max(len(r) for _, r in rows)
        if t.caption:
            cp = self.p(style="Caption", keep_next=True)
            self.run(cp, t.caption, bold=True)
        size, widths = column_widths(t, ncols)
        small = round(size * 2) if size != TABLE_PT[0] else None
        label = t.caption or "Tabel: " + ", ".join(doc.plain(h) for h in t.head)
        xml = ["<w:tbl><w:tblPr>", _e("tblStyle", val=self.ids["Table Grid"]),
               _e("tblW", w=sum(widths), type="dxa"), "<w:tblBorders>",
               *(_e(side, val="single", sz=4, space=0, color=RULE)
                 for side in ("top", "left", "bottom", "right", "insideH", "insideV")),
               "</w:tblBorders>", _e("tblLayout", type="fixed"), "<w:tblCellMar>",
               _e("left", w=CELL_PAD_TW, type="dxa"), _e("right", w=CELL_PAD_TW, type="dxa"),
               "</w:tblCellMar>",
               _e("tblLook", val="04A0", firstRow=1, lastRow=1 if t.foot else 0,
                  firstColumn=0, lastColumn=0, noHBand=0, noVBand=1),
               _e("tblCaption", val=label[:250]), "</w:tblPr><w:tblGrid>",
               *(_e("gridCol", w=w) for w in widths), "</w:tblGrid>"]
        numeric = set(t.numeric)
        style = _e("pStyle", val=self.ids["Tabeltekst"])
        for part, cells in rows:
            xml.append("<w:tr><w:trPr>")
            if _row_lines(cells, widths, size, part != "body") <= ROW_KEPT_LINES:
                xml.append("<w:cantSplit/>")  # a short row is not split across pages; a tall
                # one may be, or it would push to the next page and leave this one half empty
            if part == "head":
                xml.append("<w:tblHeader/>")
            xml.append("</w:trPr>")
            for i in range(ncols):
                xml.append("<w:tc><w:tcPr>" + _e("tcW", w=widths[i], type="dxa"))
                if part == "head":
                    xml.append("<w:tcBorders>" + _e("bottom", val="single", sz=12, space=0,
                                                    color=ACCENT) + "</w:tcBorders>"
                               + _e("shd", val="clear", color="auto", fill=SOFT))
                elif part == "foot":
                    xml.append("<w:tcBorders>" + _e("top", val="single", sz=12, space=0,
                                                    color=ACCENT) + "</w:tcBorders>")
                xml.append("</w:tcPr><w:p><w:pPr>" + style)
                if part == "head":
                    xml.append("<w:keepNext/>")
                if i in numeric:
                    xml.append(_e("jc", val="right"))
                if small is not None:
                    xml.append("<w:rPr>" + _e("sz", val=small) + "</w:rPr>")
                xml.append("</w:pPr>")
                if i < len(cells):
                    xml.append(self.runs_xml(cells[i], bold=part != "body", size=small))
                xml.append("</w:p></w:tc>")
            xml.append("</w:tr>")
        xml.append("</w:tbl>")
        self._sect_pr.addprevious(_parsed("".join(xml))[0])
        # A paragraph after the table: two tables in a row would otherwise merge.
        self.p(style="Tabeltekst")

    # --- page header, footer, properties
    def page(self) -> None:
        from docx.shared import Cm

        document = self.document
        sec = self.d.sections[0]
        sec.page_height, sec.page_width = Cm(PAGE_H_CM), Cm(PAGE_W_CM)
        sec.left_margin = sec.right_margin = Cm(MARGIN_CM)
        sec.bottom_margin = Cm(BOTTOM_CM)
        sec.header_distance = sec.footer_distance = Cm(HEADER_DISTANCE_CM)
        header = sec.header
        hdr = header._element
        for p in list(hdr):
            hdr.remove(p)
        height_cm = 0.0
        logo = next((b for b in doc.walk(document.blocks)
                     if isinstance(b, doc.Figure) and b.role == "logo" and b.png), None)
        if logo is not None:
            w, h = _png_size_cm(logo.png, min(logo.width_cm, LOGO_W_CM), LOGO_MAX_H_CM)
            p = self.p(hdr, "Sidehoved")
            self._picture(header.part, p, logo.png, w, h, logo.alt)
            height_cm += h + 0.15
        lines = [x for x in document.header if x]
        for i, line in enumerate(lines):
            p = self.p(hdr, "Sidehoved")
            self.run(p, line, bold=i == 0)
        if not lines and logo is None:
            self.p(hdr, "Sidehoved")
        # A rule under the header, and the body below it with a gap: the header's height is
        # known (its lines and the logo), so the top margin is set from it.
        last = hdr[-1]
        ppr = last.find(_W + "pPr")
        bdr = ppr.makeelement(_W + "pBdr", {})
        ppr.find(_W + "pStyle").addnext(bdr)
        _el(bdr, "bottom", val="single", sz=4, space=4, color=RULE)
        # Each line as many times as it wraps (measured as table text is, bold the first).
        rows = sum(-(-text_width_pt(x, HEADER_PT, i == 0) // (TEXT_W_CM / 2.54 * 72))
                   for i, x in enumerate(lines))
        height_cm += max(rows, 1) * HEADER_PT * 1.22 / 72 * 2.54 + 0.2
        sec.top_margin = Cm(max(2.2, round(HEADER_DISTANCE_CM + height_cm + HEADER_GAP_CM, 2)))
        foot = sec.footer._element
        for p in list(foot):
            foot.remove(p)
        p = self.p(foot, "Sidehoved", align="center")
        self.run(p, "Side ")
        _field(p, "PAGE")
        self.run(p, " af ")
        _field(p, "NUMPAGES")

    def properties(self, when: dt.datetime) -> None:
        props = self.d.core_properties
        document = self.document
        props.title = document.title
        props.author = document.author or (document.header[0] if document.header else "")
        props.last_modified_by = props.author
        props.subject = ""
        props.keywords = ""
        props.comments = ""
        props.category = ""
        props.content_status = ""
        props.identifier = ""
        props.version = ""
        props.language = _LANG
        props.revision = 1
        props.created = props.modified = when.astimezone(dt.UTC).replace(tzinfo=None)
        _strip_last_printed(props)

    def save(self, when: dt.datetime) -> bytes:
        """The package, zipped once: python-docx's own order of entries (its
        ``PackageWriter``), each entry dated `when`. (Saving with python-docx and then
        re-dating the entries meant deflating every part twice: a twentieth of a note's CPU.)"""
        from docx.opc.phys_pkg import PhysPkgWriter
        from docx.opc.pkgwriter import PackageWriter

        package = self.d.part.package
        for part in package.parts:
            part.before_marshal()  # as OpcPackage.save does
        out = io.BytesIO()
        with DatedZipFile(out, when) as dst:
            writer = cast(PhysPkgWriter, _DatedEntries(dst))  # its write() only
            PackageWriter._write_content_types_stream(writer, package.parts)
            PackageWriter._write_pkg_rels(writer, package.rels)
            PackageWriter._write_parts(writer, package.parts)
        return out.getvalue()


def _strip_last_printed(props) -> None:
    """The template's lastPrinted date is not this document's."""
    el = props._element
    for child in list(el):
        if child.tag.endswith("}lastPrinted"):
            el.remove(child)


def _bookmark_name(anchor: str) -> str:
    """A Word bookmark name: letters, digits and _ only, a letter first, at most 40."""
    name = re.sub(r"[^0-9A-Za-z_]", "_", anchor)
    if not name[:1].isalpha():
        name = "a_" + name
    return name[:40]


def _drawing(inline):
    from docx.oxml import OxmlElement

    drawing = OxmlElement("w:drawing")
    drawing.append(inline)
    return drawing


def _field(p, instr: str) -> None:
    fld = _el(p, "fldSimple", instr=instr)
    r = _el(fld, "r")
    _el(r, "t").text = "1"


_APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'extended-properties"><Application>opkval</Application><DocSecurity>0'
            b'</DocSecurity></Properties>')


class _DatedEntries:
    """python-docx's physical package writer interface (``write(pack_uri, blob)``) over a
    :class:`~opkval.base.fileio.DatedZipFile` (every entry dated, pictures stored), with the
    template's application metadata replaced: one document gives the same bytes in every
    build."""

    def __init__(self, dst: zipfile.ZipFile):
        self._dst = dst

    def write(self, pack_uri, blob: bytes) -> None:
        name = pack_uri.membername
        self._dst.writestr(name, _APP_XML if name == "docProps/app.xml" else blob)


def build_time(document: doc.Document | None = None) -> dt.datetime:
    """The time a document is stamped with: its ``created``, else ``SOURCE_DATE_EPOCH``, else
    now (UTC)."""
    if document is not None and document.created:
        t = dt.datetime.fromisoformat(document.created.replace("Z", "+00:00"))
        return t if t.tzinfo else t.replace(tzinfo=dt.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# ------------------------------------------------------------------------------ column widths


def _chip_text(r: doc.Run) -> str:
    """A status word or grant label as set on its tint: a no-break space either side, and a
    short status word (such as "Kan ikke afgøres") kept on one line."""
    text = r.text.replace(" ", "\u00a0") if r.status and len(r.text) <= 20 else r.text
    return "\u00a0" + text + "\u00a0"


def _row_lines(cells, widths: list[int], size: float, strong: bool) -> int:
    """About how many lines a table row's tallest cell takes at these column widths."""
    most = 1
    for cell, width in zip(cells, widths, strict=False):
        room = max(width - 2 * CELL_PAD_TW, 1) / 20  # points
        n = sum(max(1, -(-text_width_pt(line, size, bold or strong) // room))
                for line, bold in _cell_lines(cell))
        most = max(most, int(n))
    return most


def _cell_lines(cell) -> list[tuple[str, bool]]:
    """A cell's text as lines, each with whether it is (mostly) bold."""
    text = "".join(_chip_text(r) if (r.status or r.label) else r.text for r in cell)
    bold = any(r.bold or r.status or r.label for r in cell)
    return [(line, bold) for line in text.split("\n")]


def column_widths(t: doc.Table, ncols: int | None = None,
                  width_cm: float = TEXT_W_CM) -> tuple[float, list[int]]:
    """The table's text size and its columns' widths in twips, from the content.

    Each column gets at least its widest word (in the text size, bold where the cell is),
    then the room left is shared as the columns' full lines need it (the way a browser lays
    out an automatic table). If the words do not fit at 9 pt, words may break after a hyphen;
    then the text gets smaller, down to 7 pt; only past that do the longest words break.
    Tables of role ``compact`` or ``long`` keep their natural width (at least 60 %/70 % of the
    page), the others fill the text width.
    """
    ncols = ncols or max([len(t.head), *(len(r) for r in (*t.rows, *t.foot))])
    avail = _tw(width_cm)
    # The padding, the borders and a margin for rounding: LibreOffice keeps a word whole in a
    # column 10 twips wider than its measured width with the padding (tried at 9 pt).
    pad = 2 * CELL_PAD_TW + 20
    rows = [(t.head, True)] + [(r, False) for r in t.rows] + [(r, True) for r in t.foot]

    def measure(size: float, hyphens: bool) -> tuple[list[float], list[float]]:
        lo, hi = [0.0] * ncols, [0.0] * ncols
        for cells, strong in rows:
            for i, cell in enumerate(cells[:ncols]):
                for line, bold in _cell_lines(cell):
                    b = bold or strong
                    full = text_width_pt(line, size, b)
                    word = max((text_width_pt(w, size, b) for w in _words(line, hyphens)),
                               default=0.0)
                    hi[i] = max(hi[i], full)
                    lo[i] = max(lo[i], word)
        # points → twips (20 a point), with 1 % for the renderer's rounding, and the padding
        return ([x * 20 * 1.01 + pad for x in lo], [x * 20 * 1.01 + pad for x in hi])

    tries = [(s, h) for s in TABLE_PT for h in (False, True)]
    for size, hyphens in tries:
        lo, hi = measure(size, hyphens)
        if sum(lo) <= avail:
            break
    else:  # not even at the smallest size: only the columns with the longest words narrow
        return size, [int(min(x, _cap(lo, avail))) for x in lo]
    natural = t.role in ("compact", "long")
    target = avail if not natural else min(avail, max(sum(hi), avail * (
        0.6 if t.role == "compact" else 0.7)))
    if sum(hi) <= target:
        extra = target - sum(hi)
        total = sum(hi) or 1.0
        widths = [h + extra * h / total for h in hi]
    else:
        room = target - sum(lo)
        want = [h - lo_ for h, lo_ in zip(hi, lo, strict=True)]
        total = sum(want) or 1.0
        widths = [lo_ + room * w / total for lo_, w in zip(lo, want, strict=True)]
    widths = [int(w) for w in widths]
    return size, widths


def _cap(widths: list[float], total: float) -> float:
    """The width c at which ``sum(min(w, c))`` is `total`: the narrow columns keep their
    width, the widest share what is left."""
    rest, n = total, len(widths)
    for i, w in enumerate(sorted(widths)):
        if w * (n - i) >= rest:
            return rest / (n - i)
        rest -= w
    return max(widths)


# ------------------------------------------------------------------------------ entry point


def document_docx(document: doc.Document) -> bytes:
    """The document as a Word file (bytes), from its blocks; the same bytes for the same
    document when ``SOURCE_DATE_EPOCH`` (or the document's ``created``) is set."""
    w = _Writer(document)
    w.page()
    w.blocks(document.blocks)
    when = build_time(document)
    w.properties(when)
    return w.save(when)


# ------------------------------------------------------------------------------ a note's frame


def note_header(ctx: dict, kind: str = "") -> tuple[str, ...]:
    """The running header of a kommune's document: the kommune with the bilag number (or
    `kind`, such as "Dagsordenspunkt") and "Scenarie". The plan's header fields stand once,
    in the document's title block (:func:`opkval.sections.present.document_header`)."""
    from opkval.sections.present import bilag_label

    return (" · ".join(x for x in (official_name(ctx['kommune']['navn']),
                                   kind or bilag_label(ctx),
                                   "Scenarie" if ctx.get("scenarie") else "") if x),)


def logo_figure(ctx: dict) -> doc.Figure | None:
    """The kommune's logo from its plan (``notat.logo``) as a logo figure, or None."""
    logo = (ctx.get("notat") or {}).get("logo")
    png = logo_png(logo) if logo else None
    if not png:
        return None
    return doc.Figure(alt=f"Logo: {official_name(ctx['kommune']['navn'])}", png=png, role="logo",
                      width_cm=LOGO_W_CM)


def note_document(ctx: dict, blocks: list, title: str = "", kind: str = "bilag",
                  header_kind: str = "") -> doc.Document:
    """A kommune's document from its blocks, with the note's header, logo, author and date."""
    k = ctx["kommune"]["navn"]
    logo = logo_figure(ctx)
    notat = ctx.get("notat") or {}
    return doc.Document(
        title=title or f"Orientering om opkvalificeringspuljen – {official_name(k)}",
        blocks=([logo] if logo else []) + list(blocks), kind=kind,
        header=note_header(ctx, header_kind), created=build_time().isoformat(),
        author=notat.get("afsender") or official_name(k))
