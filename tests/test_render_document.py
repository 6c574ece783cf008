"""render_document: any document, from blocks or an executed notebook, as HTML, PDF and Word
through the same writers as a kommune's note; never a PDF or Word file that misses output."""

from __future__ import annotations

import io
import zipfile

import nbformat
import pytest
from pypdf import PdfReader

from opkval.base import doc
from opkval.base.errors import ReportError
from opkval.publish.render import blocks_notebook, part_notebook, render_document

BLOCKS = [doc.Section([doc.Heading(1, "Landsoversigt <test>"),
                       doc.Paragraph("Puljen er på ", doc.b("195,9 mio. kr."), ".")]),
          doc.Table(["Kommune", "Beløb"], [["Ishøj", "1.304.000 kr."]], numeric=[1],
                    caption="Tilskud")]


def test_blocks_become_html_pdf_and_word(tmp_path):
    written = render_document(BLOCKS, tmp_path, "oversigt", ("html", "pdf", "docx"),
                              title="Opkvalificeringspuljen – landsoversigt", kind="landsoversigt",
                              header=("Landsoversigt",))
    assert [p.name for p in written] == ["oversigt.html", "oversigt.pdf", "oversigt.docx"]
    html = (tmp_path / "oversigt.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in html and "Landsoversigt &lt;test&gt;" in html
    assert "<title>Opkvalificeringspuljen – landsoversigt</title>" in html
    pdf = PdfReader(tmp_path / "oversigt.pdf")
    text = pdf.pages[0].extract_text()
    assert "Landsoversigt <test>" in text and "1.304.000" in text
    assert pdf.metadata.title == "Opkvalificeringspuljen – landsoversigt"
    word = zipfile.ZipFile(io.BytesIO((tmp_path / "oversigt.docx").read_bytes()))
    assert "1.304.000" in word.read("word/document.xml").decode("utf-8")


def _with_html_output(nb):
    nb.cells[0].outputs.append(nbformat.v4.new_output(
        "display_data", data={"text/html": "<p>Kun HTML</p>"}))
    return nb


def test_output_that_is_not_a_block_stops_pdf_and_word(tmp_path):
    nb = _with_html_output(blocks_notebook(BLOCKS))
    for fmt in ("pdf", "docx"):
        with pytest.raises(ReportError, match="1 af notebookens visninger er ikke"):
            render_document(nb, tmp_path, "x", (fmt,), title="T", kind="landsoversigt")
    # HTML alone shows every output as nbconvert does.
    render_document(nb, tmp_path, "x", ("html",), title="T", kind="landsoversigt")
    assert "Kun HTML" in (tmp_path / "x.html").read_text(encoding="utf-8")


def test_a_part_is_the_cells_with_its_tag():
    nb = nbformat.v4.new_notebook()
    for tag in ("bilag", "analyse", ""):
        cell = nbformat.v4.new_code_cell("", metadata={"tags": [tag] if tag else []})
        cell.outputs = blocks_notebook([doc.Paragraph(tag or "ingen")]).cells[0].outputs
        nb.cells.append(cell)
    assert [doc.plain_text(b) for b in doc.blocks_from_outputs(part_notebook(nb, "bilag"))] \
        == ["bilag"]
    assert [doc.plain_text(b) for b in doc.blocks_from_outputs(part_notebook(nb, "analyse"))] \
        == ["analyse"]
    assert len(part_notebook(nb, "").cells) == 3  # no tag: the whole notebook


def test_the_page_is_written_without_the_blocks_json_and_leaves_the_notebook_as_it_was():
    """nbconvert gets each output without the blocks' JSON (the page never shows it), and the
    executed notebook keeps it: its PDF and Word file are read from there afterwards."""
    import copy

    from opkval.publish.render import _html_exporter, to_html

    nb = blocks_notebook(BLOCKS)
    before = copy.deepcopy(nb)
    seen = []
    exporter = _html_exporter()
    convert = exporter.from_notebook_node
    exporter.from_notebook_node = lambda n, **kw: (seen.append(n), convert(n, **kw))[1]
    html = to_html(nb, "T", exporter)
    assert nb == before and doc.blocks_from_outputs(nb) == BLOCKS
    (given,) = seen
    assert not any(doc.MIMETYPE in o.get("data", {}) for c in given.cells for o in c.outputs)
    assert "Landsoversigt &lt;test&gt;" in html and "1.304.000 kr." in html
