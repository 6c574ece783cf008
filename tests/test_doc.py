"""The document model: JSON round trip and HTML escaped by construction."""

import json

from opkval.base import doc
from opkval.base.html_writer import block_html


def _sample():
    return doc.Section([
        doc.Heading(2, "Kort <fortalt>"),
        doc.Paragraph("a & b ", doc.b("1.000 kr."), doc.Run("OK", status="ok")),
        doc.Table(["År", "Beløb"], [[2023, "1.000 kr."]], foot=[["I alt", "x"]], numeric=[1],
                  caption="Tilskud"),
        doc.BulletList(["x", ["y ", doc.b("z")]]),
        doc.KeyValue([("Udvalg", "<script>")]),
        doc.Figure(alt='a "b"', png=b"\x89PNG", caption="c"),
    ])


def test_round_trip_through_json():
    s = _sample()
    assert doc.from_data(json.loads(json.dumps(doc.to_data(s)))) == s


def test_text_is_escaped_by_construction():
    h = str(block_html(_sample()))
    assert "<script>" not in h and "&lt;script&gt;" in h
    assert "Kort &lt;fortalt&gt;" in h and "a &amp; b" in h
    assert 'alt="a &#34;b&#34;"' in h


def test_plain_text_has_every_visible_word():
    t = doc.plain_text(_sample())
    for w in ("Kort <fortalt>", "1.000 kr.", "Tilskud", "I alt", "Udvalg: <script>"):
        assert w in t


def test_text_of_reads_blocks_and_html_alike():
    from tests.textof import text_of

    assert text_of(doc.Paragraph("a ", doc.b("1.000 kr."))) == "a 1.000 kr."
    assert text_of("<p>a <b>1.000&nbsp;kr.</b></p>") == "a 1.000 kr."  # all spaces as one


def test_blocks_shown_together_are_one_output_with_the_same_html():
    """A cell shows its blocks as one output (one kernel message): its HTML is each block's
    HTML with nothing between (as nbconvert wrote one output per block), and the blocks come
    back from it one by one, in order, beside outputs of single blocks."""
    import nbformat

    blocks = [doc.Heading(2, "Kort <fortalt>"), _sample(), doc.Paragraph("slut & ende")]
    bundle, _ = doc.Shown(blocks)._repr_mimebundle_()
    assert bundle["text/html"] == "".join(str(block_html(b)) for b in blocks)
    assert "&lt;fortalt&gt;" in bundle["text/html"] and "<fortalt>" not in bundle["text/html"]
    assert bundle[doc.MIMETYPE]["type"] == "Blocks"
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("")
    shown.outputs.append(nbformat.v4.new_output("display_data", data=json.loads(
        json.dumps(bundle))))
    single = nbformat.v4.new_code_cell("")
    data, _ = doc.Paragraph("alene")._repr_mimebundle_()
    single.outputs.append(nbformat.v4.new_output("display_data", data=data))
    nb.cells = [shown, single]
    nbformat.validate(nb)
    assert doc.blocks_from_outputs(nb) == [*blocks, doc.Paragraph("alene")]


def test_show_displays_a_cells_blocks_as_one_output(monkeypatch):
    """present.show: one display call for all its parts (None left out, lists flattened);
    nothing at all when there is nothing to show."""
    import IPython.display

    from opkval.sections import present

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a: shown.append(a))
    p1, p2, p3 = doc.Paragraph("a"), doc.Paragraph("b"), doc.Paragraph("c")
    present.show(p1, None, [p2, [p3]])
    assert shown == [(doc.Shown([p1, p2, p3]),)]
    present.show(None, [])
    assert len(shown) == 1
    # Something that is not a block is shown on its own, between the blocks around it (the
    # renderer then refuses the note): it does not take the cell's blocks down with it.
    shown.clear()
    present.show(p1, "<p>løs HTML</p>", p2, p3)
    assert shown == [(doc.Shown([p1]),), ("<p>løs HTML</p>",), (doc.Shown([p2, p3]),)]
