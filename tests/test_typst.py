"""The Typst PDF writer (opkval.publish.typst_writer): any document as a tagged PDF/UA-1 A4 PDF.

Documents are built here from the model's blocks; expected counts (headings, header cells,
tables, pages) come from how each test document is built, not from the writer's output.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from opkval.base import doc
from opkval.publish import fontmetrics
from opkval.publish import typst_writer as tw
from tests.conftest import COUNCIL_WHEN
from tests.pdftree import struct_tree

LOGO = Path(__file__).parent / "fixtures" / "plans" / "vejle" / "logo.png"
#: Text a user may type that means something in Typst markup, code or math.
HOSTILE = ('#set text(red) *fed* _kursiv_ $x^2$ <mærke> @ref \\ \\n [klamme] {krøl} '
           '"citat" \'enkelt\' `kode` // ikke kommentar /* heller ikke */ = - + ~ ``` -- ... '
           '#{1+1} #(x) \\u{41}')
A4_W, A4_H = 595.276, 841.89
MM = 72 / 25.4


# ------------------------------------------------------------------------------ helpers


def _chart_svg() -> str:
    """A matplotlib SVG that is the same in every process, whatever rcParams other modules set
    (opkval.sections.charts sets its own on import)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams["svg.hashsalt"] = "test_typst"
        fig, ax = plt.subplots(figsize=(5, 2.5))
        ax.bar(["2024", "2025", "2026"], [1.3, 1.1, 0.9])
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    return buf.getvalue()


def _long_table(n: int = 70, caption: str = "Indsatser i planen") -> doc.Table:
    rows = [[f"Indsats nummer {k} om pædagogisk faglighed", f"{k}.000\u00a0kr.", f"{k},5 %"]
            for k in range(1, n + 1)]
    return doc.Table(["Indsats", "Beløb", "Andel"], rows, foot=[["I alt", "2.485.000 kr.", "—"]],
                     numeric=(1, 2), caption=caption, role="indsatser")


def _every_block() -> doc.Document:
    """One of each block type (and each paragraph role, status and label)."""
    return doc.Document(
        title="Opkvalificeringspuljen i Vejle Kommune",
        header=("Vejle Kommune", "Bilag 3"),
        author="Vejle Kommune",
        blocks=[
            doc.Section([
                doc.Figure(alt="Vejle Kommunes logo", png=LOGO.read_bytes(), role="logo"),
                doc.KeyValue([("Udvalg", "Børne- og Familieudvalget"), ("Møde", "21. april 2024"),
                              ("Sagsnr.", "24/1234")]),
                doc.Paragraph("Bilag til udvalget", role="kicker"),
                doc.Heading(1, "Opkvalificeringspuljen i Vejle Kommune"),
                doc.Paragraph("Oplysninger om dokumentet", role="meta"),
            ], role="title"),
            doc.Box([
                doc.Heading(2, "Kort fortalt"),
                doc.Paragraph("Kommunen får ", doc.b("1.304.000 kr."), " fra puljen. Reglen om ",
                              doc.i("løn"), " er ", doc.Run("OK", status="ok"), ", reglen om ",
                              "frister er ", doc.Run("Brud", status="brud"), "."),
                doc.BulletList(["Tilsagnet er givet", ["Beløbet er et ",
                                                       doc.Run("skøn", label="skøn")]]),
            ]),
            doc.Section([
                doc.Heading(2, "Hvad planen bruger", anchor="plan"),
                doc.Paragraph("Tabellen viser planens indsatser.", role="lead"),
                doc.Table(["Regel", "Status", "Hvorfor"],
                          [["Løn", [doc.Run("Advarsel", status="advarsel")], "Lønandel høj"],
                           ["Frist", [doc.Run("Kan ikke afgøres", status="uafklaret")], "Ukendt"],
                           ["Kursus", [doc.Run("Afhænger af klassifikationen",
                                               status="afhaenger")], "To læsninger"]],
                          caption="Reglerne", role="rules"),
                doc.Heading(3, "Kilder"),
                doc.Paragraph("Se ", doc.link("vejledningen", "https://www.uvm.dk/"), " og ",
                              doc.link("afsnittet om planen", "#plan"), " og ",
                              doc.Run("opkval_kode", code=True), "."),
                doc.BulletList(["første trin", "andet trin"], ordered=True),
                doc.Figure(alt="Søjlediagram over tilskud: 1,3 mio. kr. i 2024, 1,1 mio. kr. i "
                               "2025 og 0,9 mio. kr. i 2026", svg=_chart_svg(),
                           caption="Tilskud pr. år", width_cm=13),
                doc.Paragraph("Beregnet ud fra planen", role="small"),
                doc.Paragraph("Dannet 7. december 2026", role="generated"),
                doc.Paragraph("Scenarie med fire ekstra deltagere", role="scenario"),
                doc.Paragraph("En note til læseren", role="note"),
                doc.Table(["Kategori", "Deltagere"], [["Pædagog", "4"], ["PAU", "12"]],
                          numeric=(1,), role="compact"),
            ], anchor="sektion"),
            doc.Section([doc.Paragraph("Dannet med opkval, inputfiler ",
                                       doc.Run("d2345e651d68", code=True), ".")],
                        role="manifest"),
        ],
    )


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _fold(t: str) -> str:
    """Text with every run of white space as one space; zero-width break points removed."""
    return " ".join(t.replace("\u200b", "").split())


def _tree(pdf: bytes):
    """(structure type, element, pages its content is on) in reading order."""
    return struct_tree(pdf)


def _chunks(pdf: bytes):
    """Per page: (x, y, text, size, bold) of every piece of text drawn."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        found = []

        def visit(text, cm, tm, font, size, found=found):
            if text.strip():
                bold = "Bold" in str((font or {}).get("/BaseFont", ""))
                found.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3], text, size, bold))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


@pytest.fixture(scope="module")
def every_block_pdf():
    return tw.document_pdf(_every_block())


# ------------------------------------------------------------------------------ blocks


def test_every_block_type_renders_as_its_tagged_structure(every_block_pdf):
    kinds = Counter(k for k, _, _ in _tree(every_block_pdf))
    d = _every_block()
    tables = [b for b in doc.walk(d.blocks) if isinstance(b, doc.Table)]
    figures = [b for b in doc.walk(d.blocks) if isinstance(b, doc.Figure)]
    assert kinds["/H1"] == 1 and kinds["/H2"] == 2 and kinds["/H3"] == 1
    assert kinds["/Table"] == len(tables) == 2
    assert kinds["/TH"] == sum(len(t.head) for t in tables) == 5
    assert kinds["/TFoot"] == 0  # no table here has a total row
    assert kinds["/Figure"] == len(figures) == 2
    # a caption on the rules table and one on the chart
    assert kinds["/Caption"] == 2
    assert kinds["/L"] == 2 and kinds["/LI"] == 4
    assert kinds["/Link"] == 2
    assert kinds["/Code"] == 2


def test_the_pdf_says_every_word_of_the_document(every_block_pdf):
    d = _every_block()
    text = _fold(_text(every_block_pdf))
    # a status word is a padded chip, so an extractor may see a space before the comma after it
    words = {w.strip(".,") for w in _fold(doc.plain_text(d)).split()}
    # the kicker is set in capitals (as the stylesheet's text-transform does)
    words -= {"Bilag", "til", "udvalget"} - set(text.split())
    missing = sorted(w for w in words if w not in text)
    assert not missing
    assert "BILAG TIL UDVALGET" in text
    for k, v in (("Udvalg:", "Børne- og Familieudvalget"), ("Sagsnr.:", "24/1234")):
        assert f"{k} {v}" in text


def test_figures_carry_their_alt_text_and_the_title_and_language_are_in_the_metadata(
        every_block_pdf):
    tree = _tree(every_block_pdf)
    alts = [str(n["/Alt"]) for k, n, _ in tree if k == "/Figure"]
    d = _every_block()
    assert alts == [f.alt for f in doc.walk(d.blocks) if isinstance(f, doc.Figure)]
    reader = PdfReader(io.BytesIO(every_block_pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "da"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfuaid:part(="1"|>1</pdfuaid:part>)', xmp)
    title = re.search(r"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>", xmp, re.S).group(1)
    assert title == d.title
    assert reader.metadata.title == d.title


def test_links_point_where_the_runs_say(every_block_pdf):
    reader = PdfReader(io.BytesIO(every_block_pdf))
    uris, internal = [], 0
    for page in reader.pages:
        for a in page.get("/Annots") or []:
            a = a.get_object()
            action = a.get("/A")
            if action is not None and action.get("/S") == "/URI":
                uris.append(str(action["/URI"]))
            elif a.get("/Dest") is not None or (action is not None and action.get("/S") == "/GoTo"):
                internal += 1
    assert uris == ["https://www.uvm.dk/"]
    assert internal == 1


def test_status_words_and_labels_have_a_contrast_of_at_least_4_5_to_1():
    def lum(hexc):
        c = [int(hexc[k:k + 2], 16) / 255 for k in (1, 3, 5)]
        c = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    def ratio(a, b):
        hi, lo = sorted((lum(a), lum(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    assert set(tw.STATUS_COLOURS) == set(doc.STATUSES)
    assert set(tw.LABEL_COLOURS) == set(doc.LABELS)
    for fg, bg, _ in (*tw.STATUS_COLOURS.values(), *tw.LABEL_COLOURS.values()):
        assert ratio(fg, bg) >= 4.5, (fg, bg, ratio(fg, bg))
    assert ratio(tw.MUTED, "#ffffff") >= 4.5 and ratio(tw.ACCENT, "#ffffff") >= 4.5
    assert ratio(tw.MUTED, tw.SOFT) >= 4.5  # muted caption text in a summary box


def test_headings_skip_no_level():
    d = doc.Document(title="Niveauer", blocks=[
        doc.Heading(1, "Titel"), doc.Heading(3, "Straks niveau tre"), doc.Paragraph("Tekst."),
        doc.Heading(2, "Niveau to"), doc.Heading(3, "Niveau tre")])
    kinds = [k for k, _, _ in _tree(tw.document_pdf(d)) if re.fullmatch(r"/H\d", k)]
    assert kinds == ["/H1", "/H2", "/H2", "/H3"]


# ------------------------------------------------------------------------------ tables


def _crossing_document() -> doc.Document:
    return doc.Document(title="Plan med mange indsatser", header=("Vejle Kommune", "Bilag 3"),
                        blocks=[doc.Heading(1, "Plan med mange indsatser"),
                                doc.Paragraph("Planens indsatser i alt.", role="lead"),
                                _long_table(70)])


def test_a_table_that_crosses_a_page_is_one_table_with_its_header_on_every_page():
    pdf = tw.document_pdf(_crossing_document())
    tree = _tree(pdf)
    tables = [p for k, _, p in tree if k == "/Table"]
    assert len(tables) == 1 and len(tables[0]) >= 2, tables
    # header cells once in the structure (the repeated row is page furniture) ...
    assert [k for k, _, _ in tree].count("/TH") == 3
    assert [k for k, _, _ in tree].count("/TFoot") == 1
    # ... but drawn at the top of every page the table is on
    reader = PdfReader(io.BytesIO(pdf))
    for n in sorted(tables[0]):
        lines = [" ".join(ln.split()) for ln in reader.pages[n].extract_text().splitlines()]
        assert "Indsats Beløb Andel" in lines, (n, lines[:6])
    # the total row once, at the end
    assert _fold(_text(pdf)).count("I alt 2.485.000 kr.") == 1
    for th in (n for k, n, _ in tree if k == "/TH"):
        attrs = th["/A"] if isinstance(th["/A"], list) else [th["/A"]]
        assert any(a.get_object().get("/Scope") == "/Column" for a in attrs), th["/A"]


def test_numeric_columns_are_right_aligned_and_unbroken_and_no_text_passes_the_margin():
    t = doc.Table(["Kommune med et langt navn", "Tilsagn", "Andel af puljen"],
                  [["Frederikshavnkommunetildelingsrunderialtogsåvidereogsåvidere",
                    "1.304.000 kr.", "26,1 %"],
                   ["Ishøj", "12.000 kr.", "0,4 %"]],
                  numeric=(1, 2), role="rules")
    pdf = tw.document_pdf(doc.Document(title="Bredder", blocks=[t]))
    chunks = _chunks(pdf)[0]
    right = A4_W - 18 * MM
    for x, _, text, size, bold in chunks:
        end = x + fontmetrics.text_width(text.strip(), size, bold)
        assert end <= right + 1, (text, end, right)
    lines = [" ".join(ln.split()) for ln in PdfReader(io.BytesIO(pdf)).pages[0]
             .extract_text().splitlines()]
    assert any(ln.endswith("1.304.000 kr. 26,1 %") for ln in lines), lines
    # right-aligned: the two numbers of a column end at the same x (within rounding)
    ends = [x + fontmetrics.text_width(t.strip(), s, b) for x, _, t, s, b in chunks
            if t.strip() in ("26,1 %", "0,4 %")]
    assert len(ends) == 2 and abs(ends[0] - ends[1]) < 1.5, ends


def test_columns_are_sized_from_their_content():
    t = doc.Table(["Navn", "Beløb"], [["Ishøj", "1.304.000\u00a0kr."]], numeric=(1,))
    lay = tw._Layout(t)
    assert sum(lay.widths) == pytest.approx(tw.TEXT_WIDTH)  # a normal table spans the line
    need = fontmetrics.text_width("1.304.000\u00a0kr.", tw.TABLE_PT)
    assert lay.content_width(1) >= need
    compact = tw._Layout(doc.Table(["A", "B"], [["1", "2"]], role="compact"))
    assert sum(compact.widths) == pytest.approx(0.6 * tw.TEXT_WIDTH)  # its minimum share
    # runs with no space between them are one piece ("kr." in bold, then a comma)
    glued = fontmetrics.text_width("1.304.000", 9, True)
    assert tw._runs_min_width((doc.b("1.304.000"), doc.Run(",5 %")), 9) == pytest.approx(
        glued + fontmetrics.text_width(",5", 9))
    assert tw._runs_min_width((doc.b("1.304.000"), doc.Run(" i alt")), 9) == pytest.approx(glued)
    # a no-break space is no break point: the piece is measured whole
    assert fontmetrics.segments("1.304.000\u00a0kr. i alt") == ["1.304.000\u00a0kr.", "i", "alt"]
    assert fontmetrics.segments("Børne- og Skole-udvalget") == ["Børne-", "og", "Skole-",
                                                                 "udvalget"]


# ------------------------------------------------------------------------------ pages


def _page_fill(pdf: bytes) -> list[float]:
    """Per page, how far down the text area the lowest body text reaches (0 = top, 1 = bottom)."""
    top, bottom = A4_H - 20 * MM, 22 * MM
    out = []
    for chunks in _chunks(pdf):
        ys = [y for _, y, _, _, _ in chunks if bottom < y < top]
        out.append((top - min(ys)) / (top - bottom) if ys else 0.0)
    return out


def test_no_near_empty_page_when_a_table_is_taller_than_the_space_left():
    """Text fills half a page, then a table about 80 % of a page tall: it starts where the
    text ends and continues on the next page, rather than moving and leaving half a page empty."""
    filler = [doc.Paragraph("Kommunen har lagt en plan for opkvalificering af det pædagogiske "
                            "personale i dagtilbuddene. " * 4) for _ in range(6)]
    d = doc.Document(title="Sider", blocks=[doc.Heading(1, "Sider"), *filler,
                                            doc.Heading(2, "Reglerne"), _long_table(38)])
    fill = _page_fill(tw.document_pdf(d))
    assert len(fill) >= 2
    assert all(f > 0.85 for f in fill[:-1]), fill


def _normal_layout(d: doc.Document, timestamp: int) -> bytes:
    """The document in the normal spacing: the writer's own source, compiled as it stands."""
    import typst

    return typst.Compiler(font_paths=tw._fonts(), ignore_system_fonts=True).compile(
        tw.document_source(d).encode("utf-8"), format="pdf", pdf_standards=["ua-1"],
        timestamp=timestamp)


def _analysis(data, index, kommune: str) -> doc.Document:
    """A kommune's analysis without a plan, as the pipeline builds it (title, header, blocks)."""
    from opkval.assembly.context import build_context
    from opkval.sections import present, present_bilag

    ctx = build_context(data, index.resolve(kommune), 2026, generated_at=COUNCIL_WHEN)
    return doc.Document(title=present.document_title(ctx, "analyse"),
                        blocks=present_bilag.analyse(ctx, "html,pdf,docx"), kind="analyse",
                        header=present.document_header(ctx, "analyse"))


def _layouts(monkeypatch) -> list:
    """The spacing of each Typst source the writer lays out from here on, in order."""
    sources: list = []
    original = tw.document_source
    monkeypatch.setattr(tw, "document_source",
                        lambda d, spacing=None: sources.append(spacing) or original(d, spacing))
    return sources


@pytest.mark.parametrize("kommune", ["Helsingør", "Læsø", "Samsø", "Roskilde", "Billund"])
def test_an_analysis_never_ends_on_a_nearly_empty_page(data, index, kommune, monkeypatch):
    """A kommune's analysis without a plan ran to a seventh page that held two lines and the
    run details (Helsingør) or the run details alone (Samsø). Laid out as the pipeline does,
    its last page now holds at least a quarter of a page of text, one page fewer. (Billund
    needs the second, tighter step: with the first, the run details' last lines still
    spilled over.)"""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775000000")
    d = _analysis(data, index, kommune)
    normal = _page_fill(_normal_layout(d, 1775000000))
    assert len(normal) > 1 and normal[-1] < 0.25, normal  # the case in question
    fill = _page_fill(tw.document_pdf(d))
    assert len(fill) == len(normal) - 1, fill
    assert fill[-1] >= 0.25, fill


@pytest.mark.parametrize("kommune", ["Helsingør", "Samsø"])
def test_an_analysis_is_laid_out_once(data, index, kommune, monkeypatch):
    """Analyses start with the tighter spacing, so the usual one is laid out once, not first
    in the normal spacing and then again (84 of the 98 without a plan were, a fifth of a
    note's CPU): one Typst source, and a last page at least a quarter full."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775000000")
    d = _analysis(data, index, kommune)
    sources = _layouts(monkeypatch)
    fill = _page_fill(tw.document_pdf(d))
    assert sources == [tw.TIGHT[0]]
    assert fill[-1] >= 0.25, fill


def test_a_last_page_too_full_to_be_saved_is_not_laid_out_again(ctxs, monkeypatch):
    """Ishøj's bilag ends 16 % down its second page: the tighter spacings save about 5 % of
    a page per page before it, so it stays two pages, and it is laid out once, in the normal
    spacing (two more layouts for nothing were most of its PDF's time)."""
    from opkval.sections import present_bilag

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775000000")
    d = present_bilag.bilag_document(ctxs["ishoej"])
    sources = _layouts(monkeypatch)
    fill = _page_fill(tw.document_pdf(d))
    assert len(fill) == 2 and 0.1 < fill[-1] < 0.25, fill  # the case in question
    assert sources == [tw.SPACING]


def test_a_document_that_ends_well_down_its_last_page_keeps_the_normal_spacing(monkeypatch):
    """Ending half-way down page 2, the document is the normal layout, byte for byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775000000")
    filler = [doc.Paragraph("Kommunen har lagt en plan for opkvalificering af det pædagogiske "
                            "personale i dagtilbuddene. " * 4) for _ in range(18)]
    d = doc.Document(title="Sider", blocks=[doc.Heading(1, "Sider"), *filler])
    pdf = tw.document_pdf(d)
    fill = _page_fill(pdf)
    assert len(fill) == 2 and fill[-1] > 0.3, fill
    assert pdf == _normal_layout(d, 1775000000)


def test_a_short_table_is_kept_whole_and_its_heading_goes_with_it():
    filler = [doc.Paragraph("Kommunen har lagt en plan for opkvalificering af det pædagogiske "
                            "personale i dagtilbuddene. " * 4) for _ in range(11)]
    d = doc.Document(title="Sider", blocks=[doc.Heading(1, "Sider"), *filler,
                                            doc.Heading(2, "Kort tabel"), _long_table(8, "Kort")])
    pdf = tw.document_pdf(d)
    tree = _tree(pdf)
    table_pages = [p for k, _, p in tree if k == "/Table"][0]
    heading_pages = [p for k, n, p in tree if k == "/H2"][0]
    assert len(table_pages) == 1 and heading_pages == table_pages
    assert _page_fill(pdf)[0] > 0.6  # what moved was short


def test_running_header_and_page_numbers_are_artifacts_on_every_page():
    pdf = tw.document_pdf(_crossing_document())
    reader = PdfReader(io.BytesIO(pdf))
    n = len(reader.pages)
    assert n >= 2
    for k, page in enumerate(reader.pages, 1):
        content = page.get_contents().get_data()
        assert re.search(rb"/Artifact\s*<<[^>]*/Subtype\s*/Header", content)
        assert re.search(rb"/Artifact\s*<<[^>]*/Subtype\s*/Footer", content)
        text = _fold(page.extract_text())
        assert f"Side {k} af {n}" in text and "Vejle Kommune" in text and "Bilag 3" in text


# ------------------------------------------------------------------------------ PDF/UA-1


def test_a_bilag_with_header_fields_a_logo_and_a_table_across_pages_passes_pdf_ua_1(tmp_path):
    page = pytest.importorskip("page", reason="page-validation (PDF/UA-1 validator) not installed")
    d = _every_block()
    d.blocks.append(doc.Section([doc.Heading(2, "Alle indsatser"), _long_table(70)]))
    pdf = tw.document_pdf(d)
    tables = [p for k, _, p in _tree(pdf) if k == "/Table"]
    assert any(len(p) > 1 for p in tables)  # the table really crosses a page
    assert any(isinstance(b, doc.KeyValue) for b in doc.walk(d.blocks))
    path = tmp_path / "bilag.pdf"
    path.write_bytes(pdf)
    report = page.validate_pdf(str(path), profile="ua1")
    assert report.is_compliant and not report.failures, [(f.rule_id, f.message)
                                                         for f in report.failures]


@pytest.mark.parametrize("figure", [
    doc.Figure(alt="", png=LOGO.read_bytes(), role="logo"),
    doc.Figure(alt="   ", svg="<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
               caption="Et diagram"),
])
def test_a_figure_without_alt_text_is_an_error(figure):
    with pytest.raises(ValueError, match="tekstalternativ"):
        tw.document_pdf(doc.Document(title="Uden alt", blocks=[doc.Heading(1, "T"), figure]))


def test_a_typst_warning_is_an_error(monkeypatch):
    """A missing font is only a warning in Typst; here it stops the PDF."""
    monkeypatch.setattr(tw.fontmetrics, "FAMILY", "Ingen Sådan Skrift")
    with pytest.raises(tw.TypstPdfError, match="font"):
        tw.document_pdf(doc.Document(title="Skrift", blocks=[doc.Paragraph("Tekst")]))


# ------------------------------------------------------------------------------ escaping


def test_hostile_text_prints_literally_everywhere():
    d = doc.Document(
        title=HOSTILE, header=(HOSTILE,), author=HOSTILE,
        blocks=[doc.Heading(1, HOSTILE, anchor=HOSTILE), doc.Paragraph(HOSTILE),
                doc.Paragraph(doc.b(HOSTILE), doc.i(HOSTILE), doc.link(HOSTILE, "#" + HOSTILE),
                              doc.Run(HOSTILE, code=True)),
                doc.KeyValue([(HOSTILE, HOSTILE)]),
                doc.BulletList([HOSTILE]),
                doc.Table([HOSTILE], [[HOSTILE]], foot=[[HOSTILE]], caption=HOSTILE),
                doc.Figure(alt=HOSTILE, png=LOGO.read_bytes(), caption=HOSTILE, role="chart",
                           width_cm=4)])
    pdf = tw.document_pdf(d)
    text = _fold(_text(pdf))
    n = text.count(_fold(HOSTILE))
    # header, title heading, paragraph, bold, italic, link, code, list, header cell, body
    # cell, total, table caption, figure caption, key–value value, footer: 15 (the key ends
    # in ":" and counts apart)
    assert n >= 15, (n, text[:600])
    assert _fold(HOSTILE + ":") in text
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == HOSTILE
    alts = [str(node["/Alt"]) for k, node, _ in _tree(pdf) if k == "/Figure"]
    assert alts == [HOSTILE]


def test_the_source_holds_document_text_only_as_string_literals():
    src = tw.document_source(doc.Document(title="T", blocks=[doc.Paragraph(HOSTILE)]))
    assert tw.typst_string(HOSTILE) in src
    assert tw.typst_string('a"b\\c\nd\x07') == '"a\\"b\\\\c\\nd\\u{7}"'


# ------------------------------------------------------------------------------ reproducible


def test_with_source_date_epoch_two_builds_are_byte_identical(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1713657600")  # 21 April 2024 00:00 UTC
    d = _every_block()
    a, b = tw.document_pdf(d), tw.document_pdf(_every_block())
    assert a == b
    assert PdfReader(io.BytesIO(a)).metadata.creation_date.isoformat().startswith(
        "2024-04-21T00:00:00")
    # and in a fresh process, where nothing is cached, started in another folder
    code = ("import sys; from tests.test_typst import _every_block; "
            "from opkval.publish.typst_writer import document_pdf; "
            "sys.stdout.buffer.write(document_pdf(_every_block()))")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1713657600",
           "PYTHONPATH": str(Path(__file__).parent.parent)}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env,
                           cwd=tmp_path, check=True).stdout
    assert other == a


def test_a_heading_its_lead_and_a_table_caption_never_stay_behind_at_the_foot_of_a_page(
        monkeypatch):
    """Filler grows a line at a time so the table's start crosses the page boundary: in every
    case the heading, the lead sentence, the caption and the header row share a page. (With
    the normal spacing only: the tighter one that saves a near-empty last page would move the
    boundary out of the range.)"""
    monkeypatch.setattr(tw, "MIN_LAST_PAGE", 0.0)
    moved = 0
    for n in range(36, 46):
        filler = [doc.Paragraph("Kommunen har lagt en plan for opkvalificering af det "
                                "pædagogiske personale i dagtilbuddene.") for _ in range(n)]
        d = doc.Document(title="Klæber", blocks=[
            doc.Heading(1, "Klæber"), *filler, doc.Heading(2, "Reglerne"),
            doc.Paragraph("Tabellen viser dem.", role="lead"), _long_table(60)])
        tree = _tree(tw.document_pdf(d))
        first = {k: min(p) for k, _, p in reversed(tree) if k in ("/H2", "/Caption", "/THead")}
        lead = min([p for k, _, p in tree if k == "/P"][-1])
        assert first["/H2"] == lead == first["/Caption"] == first["/THead"], (n, first, lead)
        moved += first["/H2"] == 1
    assert 0 < moved < 10  # the range crosses the boundary (else the test proves nothing)


def test_odd_but_possible_documents_still_pass_pdf_ua_1(tmp_path):
    """A table without a header row, one with only a header, and empty blocks (which are left
    out, not tagged as empty paragraphs or lists)."""
    page = pytest.importorskip("page", reason="page-validation (PDF/UA-1 validator) not installed")
    d = doc.Document(title="Kanttilfælde", blocks=[
        doc.Heading(1, "Kanttilfælde"),
        doc.Table([], [["uden", "hoved"], ["række", "to"]], foot=[["I alt", "2"]], numeric=(1,)),
        doc.Table(["kun", "hoved"], []),
        doc.Paragraph(), doc.BulletList([]), doc.BulletList(["", "et punkt"]),
        doc.Heading(2, " "), doc.KeyValue([]), doc.Box([doc.Paragraph("")]), doc.Section([])])
    pdf = tw.document_pdf(d)
    kinds = Counter(k for k, _, _ in _tree(pdf))
    assert kinds["/Table"] == 2 and kinds["/TH"] == 2 and kinds["/TFoot"] == 1
    assert kinds["/LI"] == 1 and kinds["/H2"] == 0 and kinds["/P"] == 0
    path = tmp_path / "kant.pdf"
    path.write_bytes(pdf)
    report = page.validate_pdf(str(path), profile="ua1")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]
    with pytest.raises(ValueError, match="hverken overskrift eller rækker"):
        tw.document_pdf(doc.Document(title="Tom", blocks=[doc.Table([], [], caption="Tom")]))


def test_a_word_wider_than_the_line_breaks_instead_of_running_off_the_page():
    url = "https://www.example.dk/" + "meget-lang-sti" * 12
    word = "Tildelingsrunde" * 8
    d = doc.Document(title="Lange ord", blocks=[
        doc.Heading(1, "Lange ord"), doc.Heading(2, word), doc.Paragraph("Se ", url, "."),
        doc.Paragraph(doc.Run(url.replace("https://", "data/"), code=True)),
        doc.BulletList([word]), doc.KeyValue([("Kilde", word)]),
        doc.Box([doc.Paragraph(word)])])
    pdf = tw.document_pdf(d)
    right = A4_W - 18 * MM
    for x, _, text, size, bold in _chunks(pdf)[0]:
        text = text.replace("\u200b", "").strip()
        if text:
            mono = size <= 8.0 and "/" in text
            end = x + (len(text) * 0.602 * size if mono
                       else fontmetrics.text_width(text, size, bold))
            assert end <= right + 1, (text, end, right)
    text = _fold(_text(pdf)).replace(" ", "")
    assert text.count(word) == 4 and url in text  # heading, list, header field, box


@pytest.mark.parametrize("bold,italic", [(False, False), (True, False), (False, True),
                                         (True, True)])
def test_advance_widths_are_the_fonts_own(bold, italic):
    """fontmetrics reads the font tables itself (fast); fontTools reads them independently."""
    ttlib = pytest.importorskip("fontTools.ttLib")
    font = ttlib.TTFont(fontmetrics.font_dir() / fontmetrics._FILES[(bold, italic)])
    upem, hmtx = font["head"].unitsPerEm, font["hmtx"]
    expected = {cp: hmtx[name][0] / upem for cp, name in font.getBestCmap().items()}
    assert fontmetrics._advances(bold, italic)[0] == expected
    # and a width by hand: "Ishøj" in DejaVu Sans at 10 pt is the sum of its five advances
    word = sum(expected[ord(c)] for c in "Ishøj") * 10
    assert fontmetrics.text_width("Ishøj", 10, bold, italic) == pytest.approx(word)


def test_a_row_taller_than_the_space_left_breaks_rather_than_moving_or_running_off():
    sentence = "Vurderingen bygger på planens tal og puljens regler."
    d = doc.Document(title="Høj række", blocks=[
        doc.Heading(1, "Høj række"), doc.Paragraph("Indledning. " * 150),
        doc.Table(["Regel", "Vurdering"], [["Løn", " ".join([sentence] * 120)], ["Frist", "OK"]],
                  caption="Reglerne", role="rules")])
    pdf = tw.document_pdf(d)
    # nothing drawn below a page's foot (a sentence may be cut by the page break: count words)
    text = _fold(_text(pdf))
    assert text.count("Vurderingen") == 120 and text.count("regler.") == 120
    fill = _page_fill(pdf)
    assert len(fill) >= 2 and all(f > 0.85 for f in fill[:-1]), fill


@functools.cache
def _evaluator():
    import typst

    return typst.Compiler(ignore_system_fonts=True)  # an empty document of its own


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_typst_reads_back_any_text_exactly(text):
    """Typst itself evaluates the literal to the same string, for any Unicode text."""
    got = _evaluator().eval(tw.typst_string(text), format="json")
    assert json.loads(got) == text


def test_a_link_to_a_section_goes_there_and_one_to_a_missing_anchor_stays_text():
    """The bilag may point into the analysis, which is another file: such a link is text."""
    d = doc.Document(title="Ankre", blocks=[
        doc.Heading(1, "Ankre"),
        doc.Paragraph(doc.link("til afsnittet", "#afsnit"), " og ",
                      doc.link("til analysen", "#findes-ikke")),
        doc.Section([doc.Heading(2, "Afsnit"), doc.Paragraph("Tekst.")], anchor="afsnit")])
    pdf = tw.document_pdf(d)
    annots = [a.get_object() for a in PdfReader(io.BytesIO(pdf)).pages[0].get("/Annots") or []]
    assert len(annots) == 1 and annots[0].get("/Dest") is not None
    assert [k for k, _, _ in _tree(pdf)].count("/Link") == 1
    assert "til analysen" in _fold(_text(pdf))


# ------------------------------------------------------------------------------ looks (q5)


def _page_texts(pdf: bytes) -> list[str]:
    return [_fold(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_page_one_leaves_the_header_fields_to_the_title_block():
    """The fields (udvalg, møde) stand once on page 1, in the title block; the running header
    there keeps the kommune and the bilag number, and carries the fields from page 2 on."""
    d = doc.Document(title="Bilag", header=("Vejle Kommune · Bilag 2",
                                            "Udvalg: Børneudvalget · Møde: 14. april 2026"),
                     blocks=[doc.Heading(1, "Bilag"),
                             doc.KeyValue([("Udvalg", "Børneudvalget"),
                                           ("Møde", "14. april 2026")]),
                             _long_table(70)])
    pages = _page_texts(tw.document_pdf(d))
    assert len(pages) >= 2
    assert pages[0].count("Børneudvalget") == 1 and "Vejle Kommune · Bilag 2" in pages[0]
    assert all("Udvalg: Børneudvalget · Møde: 14. april 2026" in p for p in pages[1:])


def test_a_year_range_and_a_long_status_never_break_a_narrow_column_apart():
    """A plan's year column keeps "2024–2027" on one line (Typst would break after the dash;
    once the column broke it "2024–20 / 27"), and a status word longer than its column wraps
    inside its tint between words instead of taking the width the text columns need."""
    why = "Til andet end formel uddannelse går 29,1 % hvis kurset er uformel. " * 3
    rows = [[f"Indsats {k} om pædagogisk faglighed og ledelse", "2024–2027",
             [doc.Run("Afhænger af klassifikationen", status="afhaenger")], why]
            for k in range(1, 4)]
    t = doc.Table(["Indsats", "År", "Status", "Hvorfor"], rows, role="rules")
    lay = tw._Layout(t)
    chip = fontmetrics.text_width("Afhænger af klassifikationen", tw.TABLE_PT, bold=True)
    assert lay.content_width(2) < chip  # the status column is narrower than the whole word
    year = fontmetrics.text_width("2024–2027", tw.TABLE_PT)
    assert lay.content_width(1) >= year
    text = _page_texts(tw.document_pdf(doc.Document(title="T", blocks=[doc.Heading(1, "T"), t])))
    assert text[0].count("2024–2027") == 3
    src = tw.document_source(doc.Document(title="T", blocks=[t]))
    assert 'box("2024–2027")' in src and "width:" in src.split('status("afhaenger"')[1][:80]


def test_a_breaking_table_never_leaves_its_caption_header_and_one_row_at_a_page_foot():
    """Pushed down a line at a time, a 39-row table starts a page whenever fewer than its
    header and three rows fit (once, two lines of filler left header and one row behind)."""
    rows = [[f"Kommune {k}", f"{k}.000 kr."] for k in range(1, 40)]
    starts = []
    for n in range(36, 46):
        blocks = [doc.Heading(1, "T"), *[doc.Paragraph("Fyld") for _ in range(n)],
                  doc.Heading(2, "Kontrol"),
                  doc.Table(["Kommune", "Beløb"], rows, numeric=(1,), caption="Kontrol af tal")]
        pages = _page_texts(tw.document_pdf(doc.Document(title="T", blocks=blocks)))
        page = next(p for p in pages if "Kontrol af tal" in p)
        starts.append(page.count("Kommune ") - 1)  # body rows with the caption
    assert min(starts) >= 3, starts
    assert max(starts) == 39  # and the table does move whole to the next page when it must
