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
