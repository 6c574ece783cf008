"""Issues 23 and 21: the Word writer reads the document model (no HTML), and an analyst can
send its file as it is. Each file is read back with python-docx (and as a zip); the slow
LibreOffice tests are in test_word_slow.py."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import matplotlib
import pytest
from docx.oxml.ns import qn
from PIL import Image, ImageFont

from opkval import PROJECT_ROOT
from opkval.base import doc
from opkval.publish.word import TEXT_W_CM, column_widths, document_docx

D = doc


def _png(w: int = 300, h: int = 120) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (31, 78, 121)).save(buf, format="PNG", dpi=(150, 150))
    return buf.getvalue()


CHART_ALT = "Søjlediagram: tilskud pr. år. 2023: 280.000 kr., 2024: 512.000 kr."
LOGO_ALT = "Logo: Frederikshavn Kommune"

#: The grant table as the note shows it, with the long names that LibreOffice broke before.
GRANTS = D.Table(
    ["År", "Puljen i alt", "Frederikshavn Kommune", "Grundlag", "Første tildelingsrunde i alt",
     "Anden tildelingsrunde i alt"],
    [["2023", "100.000.000\u00a0kr.", "1.250.000\u00a0kr.",
      [D.Run("tilsagn", label="tilsagn")], "1.250.000\u00a0kr.", "0\u00a0kr."],
     ["2024", "125.000.000\u00a0kr.", "1.562.500\u00a0kr.",
      [D.Run("skøn", label="skøn")], "0\u00a0kr.", "1.562.500\u00a0kr."]],
    foot=[["I alt", "225.000.000\u00a0kr.", "2.812.500\u00a0kr.", "", "1.250.000\u00a0kr.",
           "1.562.500\u00a0kr."]],
    numeric=(1, 2, 4, 5), caption="Tilskud pr. år")


def _document(**kw) -> doc.Document:
    blocks = [
        D.Figure(alt=LOGO_ALT, png=_png(400, 100), role="logo", width_cm=3.0),
        D.Heading(1, "Orientering om opkvalificeringspuljen – Frederikshavn Kommune",
                  anchor="top"),
        D.KeyValue([("Udvalg", "Børne- og Ungeudvalget")]),
        D.Box([D.Heading(2, "Kort fortalt"),
               D.Paragraph("Planen har ", D.Run("Brud", status="brud"), " på én regel."),
               D.BulletList(["Første", "Anden"])]),
        D.Section([D.Heading(2, "Tilskud"), GRANTS,
                   D.Figure(alt=CHART_ALT, png=_png(), caption="Tilskud pr. år efter grundlag.")],
                  anchor="tilskud"),
        D.Heading(3, "Kilder"),
        D.Paragraph("Se ", D.link("uvm.dk", "https://www.uvm.dk/"), " og ",
                    D.link("tilskuddet", "#tilskud"), ", ikke ", D.link("metoden", "#metode"),
                    " eller ", D.link("filen", "data/raw/x.csv"), "."),
        D.BulletList(["en", "to"], ordered=True),
        D.BulletList(["tre"], ordered=True),
    ]
    args = {"title": "Orientering om opkvalificeringspuljen – Frederikshavn Kommune",
            "blocks": blocks, "header": ("Frederikshavn Kommune · Bilag 3",
                                         "Udvalg: Børne- og Ungeudvalget"),
            "created": "2026-04-01T09:30:00+00:00", "author": "Børne- og Ungeforvaltningen"}
    return doc.Document(**{**args, **kw})


@pytest.fixture(scope="module")
def word() -> bytes:
    return document_docx(_document())


def _read(data: bytes):
    return docx.Document(io.BytesIO(data))


def test_headings_tables_pictures_and_links_come_from_the_blocks(word):
    d = _read(word)
    heads = [(p.style.name, p.text) for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert heads == [
        ("Heading 1", "Orientering om opkvalificeringspuljen – Frederikshavn Kommune"),
        ("Heading 2", "Kort fortalt"), ("Heading 2", "Tilskud"), ("Heading 3", "Kilder")]
    (t,) = d.tables
    assert [c.text for c in t.rows[0].cells] == list(map(doc.plain, GRANTS.head))
    # The header row, and only it, is marked to repeat on each page.
    marked = [r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None
              for r in t.rows]
    assert marked == [True, False, False, False]
    assert t.rows[1].cells[1].text == "100.000.000\u00a0kr."
    assert t.rows[1].cells[1].paragraphs[0].alignment == 2  # right: a numeric column
    assert t.rows[1].cells[0].paragraphs[0].alignment is None
    assert all(r.bold for r in t.rows[3].cells[2].paragraphs[0].runs)  # the total row
    assert not any(r.bold for r in t.rows[1].cells[1].paragraphs[0].runs)
    # Its caption above it, and as the table's own title for screen readers.
    caption = next(p for p in d.paragraphs if p.text == "Tilskud pr. år")
    assert caption.style.name == "Caption"
    assert t._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == "Tilskud pr. år"
    # The chart: a picture with its alt text, and its caption visible under it.
    assert [s._inline.docPr.get("descr") for s in d.inline_shapes] == [CHART_ALT]
    texts = [p.text for p in d.paragraphs]
    i = texts.index("Tilskud pr. år efter grundlag.")
    assert d.paragraphs[i].style.name == "Caption"
    assert d.paragraphs[i - 1]._p.xpath(".//wp:docPr/@descr") == [CHART_ALT]
    # Links: the web address is a real hyperlink, the anchor points at a bookmark.
    assert any(r.reltype.endswith("/hyperlink") and r.target_ref == "https://www.uvm.dk/"
               for r in d.part.rels.values())
    body = d.element.body
    # A link to an anchor this document lacks (the analysis's) or to a file stays plain text.
    assert body.xpath(".//w:hyperlink/@w:anchor") == ["tilskud"]
    assert len(body.xpath(".//w:hyperlink")) == 2
    assert "Se uvm.dk og tilskuddet, ikke metoden eller filen." in [p.text for p in d.paragraphs]
    assert {"top", "tilskud"} <= set(body.xpath(".//w:bookmarkStart/@w:name"))
    # Header fields in the body, bold label; the status word bold and on its colour.
    kv = next(p for p in d.paragraphs if p.text == "Udvalg: Børne- og Ungeudvalget")
    assert kv.runs[0].bold and kv.runs[0].text == "Udvalg: "
    brud = next(r for p in d.paragraphs for r in p.runs if r.text.strip() == "Brud")
    assert brud.bold and str(brud.font.color.rgb) == "FFFFFF"


def test_ordered_lists_each_start_at_one(word):
    d = _read(word)
    nums = [p._p.pPr.numPr.numId.val for p in d.paragraphs if p.text in ("en", "to", "tre")]
    assert nums[0] == nums[1] != nums[2]
    numbering = d.part.numbering_part.element
    for num_id in (nums[0], nums[2]):
        num = next(n for n in numbering.num_lst if n.numId == num_id)
        assert num.xpath("./w:lvlOverride/w:startOverride/@w:val") == ["1"]


def test_page_header_logo_and_page_numbers(word):
    d = _read(word)
    sec = d.sections[0]
    assert [p.text for p in sec.header.paragraphs if p.text] == [
        "Frederikshavn Kommune · Bilag 3", "Udvalg: Børne- og Ungeudvalget"]
    assert sec.header._element.xpath(".//wp:docPr/@descr") == [LOGO_ALT]
    assert LOGO_ALT not in [s._inline.docPr.get("descr") for s in d.inline_shapes]  # not body
    assert sec.footer._element.xpath(".//w:fldSimple/@w:instr") == ["PAGE", "NUMPAGES"]
    assert sec.footer.paragraphs[0].text == "Side  af "  # the fields' numbers between
    # The header is clear of the body: its lines (8,5 pt, two of them at most 1,3 × the size)
    # and the logo (3 cm wide, 400 × 100 px: 0,75 cm high) fit between the header distance
    # and the top margin.
    header_cm = 0.75 + 2 * 8.5 * 1.3 / 72 * 2.54
    assert sec.top_margin.cm >= sec.header_distance.cm + header_cm + 0.3


def test_the_document_is_danish_with_its_own_properties(word):
    d = _read(word)
    styles = d.styles.element
    assert styles.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val") == ["da-DK"]
    assert d.styles["Normal"].element.xpath("./w:rPr/w:lang/@w:val") == ["da-DK"]
    # No style keeps another language.
    assert set(styles.xpath(".//w:lang/@w:val")) == {"da-DK"}
    assert d.settings.element.xpath("./w:themeFontLang/@w:val") == ["da-DK"]
    p = d.core_properties
    assert p.title == "Orientering om opkvalificeringspuljen – Frederikshavn Kommune"
    assert p.author == p.last_modified_by == "Børne- og Ungeforvaltningen"
    assert p.language == "da-DK"
    assert p.created.isoformat() == p.modified.isoformat() == "2026-04-01T09:30:00+00:00"
    assert p.last_printed is None and p.revision == 1
    with zipfile.ZipFile(io.BytesIO(word)) as z:
        meta = z.read("docProps/core.xml") + z.read("docProps/app.xml")
        names = z.namelist()
    assert b"python-docx" not in meta and b"Microsoft" not in meta and b"2013" not in meta
    assert not [n for n in names if "thumbnail" in n]  # the template's picture of another file


def _luminance(hex_: str) -> float:
    """WCAG 2.1 relative luminance, written out here apart from the writer's."""
    out = 0.0
    for weight, i in ((0.2126, 0), (0.7152, 2), (0.0722, 4)):
        c = int(hex_[i:i + 2], 16) / 255
        out += weight * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return out


def _ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_wcag_formula_agrees_with_the_issue():
    """The issue's figure for python-docx's template blue: #4F81BD on white is 4,03:1."""
    assert round(_ratio("4F81BD", "FFFFFF"), 2) == 4.03


def test_style_colours_have_contrast_on_white(word):
    d = _read(word)
    seen = {}
    for st in d.styles:
        rpr = st.element.rPr
        col = rpr.find(qn("w:color")) if rpr is not None else None
        if col is None:
            continue
        assert col.get(qn("w:themeColor")) is None, st.name  # a theme could recolour it
        seen[st.name] = col.get(qn("w:val"))
    for name in ("Heading 1", "Heading 2", "Heading 3", "Caption", "Title"):
        assert name in seen, name
    for name, val in seen.items():
        assert val != "auto" and _ratio(val, "FFFFFF") >= 4.5, (name, val)


def test_package_carries_only_the_table_styles_it_uses(word):
    """The template's 99 unused table styles (338 kB) and its Word 2010 copy of all styles
    (438 kB) are not in the file; every paragraph and character style an analyst may apply
    still is, and every style a kept style is based on or linked to exists."""
    names = zipfile.ZipFile(io.BytesIO(word)).namelist()
    assert "word/stylesWithEffects.xml" not in names
    assert not any("stylesWithEffects" in zipfile.ZipFile(io.BytesIO(word)).read(n).decode()
                   for n in ("[Content_Types].xml", "word/_rels/document.xml.rels"))
    d = _read(word)
    tables = {st.name for st in d.styles if st.element.get(qn("w:type")) == "table"}
    assert tables == {"Normal Table", "Table Grid"}
    used = {t.style.name for t in d.tables}
    assert used and used <= tables
    kept = {st.name for st in d.styles}
    for name in ("Title", "Subtitle", "Quote", "Intense Quote", "List Paragraph", "Strong",
                 "Heading 4"):
        assert name in kept, name
    ids = {st.style_id for st in d.styles}
    for st in d.styles:
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = st.element.find(qn(tag))
            assert ref is None or ref.get(qn("w:val")) in ids, (st.name, tag)


def test_status_words_and_labels_are_readable_on_their_tint(word):
    """Every run with a colour in the body: its colour against its shading (or white)."""
    d = _read(word)
    runs = d.element.body.xpath(".//w:r[w:rPr/w:color]")
    assert len(runs) >= 4  # Brud, tilsagn, skøn, the link
    for r in runs:
        fg = r.xpath("./w:rPr/w:color/@w:val")[0]
        bg = (r.xpath("./w:rPr/w:shd/@w:fill") or ["FFFFFF"])[0]
        assert _ratio(fg, bg) >= 4.5, (r.xpath("string(.)"), fg, bg)
        if bg != "FFFFFF":
            assert r.xpath("./w:rPr/w:b"), "a status word or label is bold"


def test_a_chart_given_as_svg_only_is_drawn_and_one_without_picture_is_said_in_words():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2))
    fig.subplots().bar([1, 2], [3, 4])
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    d = _read(document_docx(doc.Document(title="t", blocks=[
        D.Figure(alt="Søjler: 3 og 4.", svg=buf.getvalue(), caption="To søjler.", width_cm=10),
        D.Figure(alt="Intet at tegne.")])))
    (pic,) = d.inline_shapes
    assert pic._inline.docPr.get("descr") == "Søjler: 3 og 4." and round(pic.width.cm, 1) == 10
    # 4 × 2 in drawn 10 cm wide: 5 cm high.
    assert round(pic.height.cm, 1) == 5.0
    assert [p.text for p in d.paragraphs if p.text] == ["To søjler.", "Intet at tegne."]


def test_paragraph_roles_a_lead_stays_with_its_table_a_scenario_is_boxed():
    d = _read(document_docx(doc.Document(title="t", blocks=[
        D.Paragraph("Scenarie – ikke kommunens plan.", role="scenario"),
        D.Paragraph("Tabellen viser:", role="lead"), GRANTS,
        D.Paragraph("Beregnet 1. april 2026.", role="generated")])))
    scen, lead = d.paragraphs[0], d.paragraphs[1]
    assert all(r.bold for r in scen.runs)
    assert scen._p.xpath("./w:pPr/w:shd/@w:fill") == ["FFF4CE"]
    assert scen._p.xpath("./w:pPr/w:pBdr/w:left/@w:color") == ["8A6D00"]
    assert lead.paragraph_format.keep_with_next and not any(r.bold for r in lead.runs)
    assert d.paragraphs[-1].style.name == "Lille tekst"


# ------------------------------------------------------------------------------ column widths

_TTF = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _pil_width_pt(text: str, size_pt: float, bold: bool) -> float:
    """A word's width measured by PIL (FreeType), not by the writer's fontTools tables."""
    font = ImageFont.truetype(str(_TTF / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")),
                              size=size_pt * 10)
    return font.getlength(text) / 10


#: The indsats table with the longest words a plan's names and categories have.
INDSATSER = D.Table(
    ["Indsats", "Kategori", "Målgruppe", "Deltagere", "Periode", "I alt, kr."],
    [["Kompetenceudviklingsforløbet", "Meritpædagog", "Pædagogmedhjælpere", "12", "2024–2026",
      "1.234.000\u00a0kr."],
     ["Diplommodul i ledelse af pædagogisk praksis", "Diplommodul", "Pædagoger", "40",
      "2025–2027", "612.000\u00a0kr."]],
    foot=[["I alt", "", "", "52", "", "1.846.000\u00a0kr."]], numeric=(3, 5))


@pytest.mark.parametrize("table", [GRANTS, INDSATSER])
def test_every_word_fits_its_column(table):
    size, widths = column_widths(table)
    # The grant table fits at 9 pt; the indsats table's 28-letter word needs 7,5 pt.
    assert size == (9 if table is GRANTS else 7.5)
    assert sum(widths) <= round(TEXT_W_CM / 2.54 * 1440)
    rows = [(table.head, True), *((r, False) for r in table.rows), *((r, True) for r in table.foot)]
    for cells, strong in rows:
        for i, cell in enumerate(cells):
            text = doc.plain(cell)
            bold = strong or any(r.bold or r.label or r.status for r in cell)
            for w in re.split(r"[ \n]+", text):
                # Twips: 20 a point; less 2 × 85 padding of the cell.
                assert _pil_width_pt(w, size, bold) * 20 <= widths[i] - 170, (w, widths[i])


def test_a_table_fills_the_text_width_and_a_compact_one_does_not():
    wide = column_widths(GRANTS)[1]
    assert abs(sum(wide) - round(TEXT_W_CM / 2.54 * 1440)) <= len(wide)
    small = D.Table(["Regel", "Status"], [["Mindst 90 %", "OK"]], role="compact")
    assert sum(column_widths(small)[1]) < 0.65 * sum(wide)


def test_a_tall_row_may_split_across_pages_a_short_one_not():
    """A rules table row with a long reasoning is split rather than pushed whole to the next
    page (which left a page half empty); a short row stays on one page. The status word
    stays on one line."""
    long = " ".join(["Planen bruger midler til løn under uddannelse."] * 40)
    rules = D.Table(["Regel", "Status", "Vurdering"],
                    [["Mindst 90 %", [D.Run("Kan ikke afgøres", status="uafklaret")], long],
                     ["Frist", [D.Run("OK", status="ok")], "Overholdt."]])
    (t,) = _read(document_docx(doc.Document(title="t", blocks=[rules]))).tables
    kept = [r._tr.trPr.find(qn("w:cantSplit")) is not None for r in t.rows]
    assert kept == [True, False, True]
    assert t.rows[1].cells[1].text == "\u00a0Kan\u00a0ikke\u00a0afgøres\u00a0"


# ------------------------------------------------------------------------------ reproducible


def test_same_document_same_bytes_with_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775000000")  # 2026-03-31 23:33:20 UTC
    first = document_docx(_document(created=""))
    assert document_docx(_document(created="")) == first
    d = _read(first)
    assert d.core_properties.created.isoformat() == "2026-03-31T23:33:20+00:00"
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 3, 31, 23, 33, 20)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775000002")
    assert document_docx(_document(created="")) != first
    # A date with another offset is stored as the same instant in UTC.
    d = _read(document_docx(_document(created="2026-04-01T11:30:00+02:00")))
    assert d.core_properties.created.isoformat() == "2026-04-01T09:30:00+00:00"


def test_same_bytes_in_another_process(word, tmp_path):
    """Another interpreter (another hash seed, another order of set iteration) writes the
    same file from the same document."""
    out = tmp_path / "x.docx"
    code = ("import sys; sys.path.insert(0, sys.argv[2]); from tests.test_word import _document;"
            "from opkval.publish.word import document_docx;"
            "open(sys.argv[1], 'wb').write(document_docx(_document()))")
    subprocess.run([sys.executable, "-c", code, str(out), str(PROJECT_ROOT)], check=True,
                   env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    assert out.read_bytes() == word


def test_a_character_dejavu_lacks_counts_a_full_em_in_word():
    """Word draws a character DejaVu Sans lacks (CJK, emoji) in a fallback font, about 1 em
    wide: a column sized from it must not be narrower (DejaVu's missing glyph is 0,6 em)."""
    from opkval.publish import fontmetrics
    from opkval.publish.word import text_width_pt

    assert text_width_pt("漢", 10) == 10.0  # 1 em at 10 pt
    assert text_width_pt("🏫", 8, bold=True) == 8.0
    assert text_width_pt("Ab 漢", 10) == fontmetrics.text_width("Ab ", 10) + 10.0
    assert fontmetrics.text_width("漢", 10) < 10.0  # the PDF has no fallback: its own width


def test_text_comes_back_exactly_from_paragraphs_tables_and_links():
    """Runs and tables are written as XML text: markup characters, quotes, a carriage
    return and line breaks come back as written, in paragraphs, table cells (also at a
    smaller text size, in the schema's order) and links, and a link keeps its target."""
    odd = 'a < b & c > "d" \'e\' \r f'
    blocks = [doc.Paragraph(odd, doc.Run("to\nlinjer", bold=True),
                            doc.Run("link <1>", href="https://example.org/?a=1&b=\"2\"")),
              doc.Table([odd, "B"], [[doc.Run(odd, italic=True), doc.Run("ok", status="ok")]],
                        caption=odd),
              doc.Table(["Kolonne med en meget lang overskrift"] * 8,
                        [["ord og flere ord " * 3] * 8])]
    d = docx.Document(io.BytesIO(document_docx(doc.Document(title="T", blocks=blocks))))
    p = next(p for p in d.paragraphs if p.text.startswith("a <"))
    assert p.text.startswith(odd + "to\nlinjer")
    link = p._p.find(qn("w:hyperlink"))
    assert d.part.rels[link.get(qn("r:id"))].target_ref == 'https://example.org/?a=1&b="2"'
    first = d.tables[0]
    assert first.cell(0, 0).text == odd and first.cell(1, 0).text == odd
    assert first.cell(1, 1).text == "\u00a0ok\u00a0"
    small = d.tables[1].cell(1, 0).paragraphs[0].runs[0]._r.rPr
    assert small is not None and small.find(qn("w:sz")) is not None  # smaller than 9 pt
