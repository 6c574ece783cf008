"""Charts are drawn once, as SVG; Word gets a PNG rasterised from that SVG (by Typst)."""

from __future__ import annotations

import io
import zipfile

import docx
from matplotlib.figure import Figure
from PIL import Image

from opkval.base import doc
from opkval.publish import word


def _bars_svg() -> str:
    """Two bars in one known colour on white, 4 × 2 inches, drawn with text as paths."""
    fig = Figure(figsize=(4, 2))
    fig.subplots().bar([1, 2], [3, 4], color="#c55a11")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def test_svg_is_rasterised_at_the_word_resolution_with_its_colours():
    png = word.svg_png(_bars_svg(), 10.0)
    with Image.open(io.BytesIO(png)) as im:
        # 10 cm at 150 pixels an inch: 10 / 2.54 × 150 = 590.55 → 591 pixels; 4 × 2 in: half.
        assert im.size[0] == 591 and abs(im.size[1] - 591 / 2) <= 1
        rgb = im.convert("RGB")
        colours = {c for _, c in rgb.getcolors(maxcolors=1 << 20)}
        counts = dict((c, n) for n, c in rgb.getcolors(maxcolors=1 << 20))
    assert (255, 255, 255) in colours  # the white page, not a transparent one
    # The bars' colour covers a real area (both bars: well over 1 % of the picture).
    assert counts.get((0xC5, 0x5A, 0x11), 0) > 0.01 * 591 * 295


def test_the_same_svg_gives_the_same_png_and_a_broken_one_none():
    svg = _bars_svg()
    assert word.svg_png(svg, 8.0) == word.svg_png(svg, 8.0)
    assert word.svg_png("<svg", 8.0) == b""
    assert word.svg_png("", 8.0) == b""


def test_word_embeds_the_rasterised_chart_with_its_alt_text():
    svg = _bars_svg()
    data = word.document_docx(doc.Document(title="t", blocks=[
        doc.Figure(alt="To søjler: 3 og 4.", svg=svg, caption="Søjler.", width_cm=10)]))
    d = docx.Document(io.BytesIO(data))
    (pic,) = d.inline_shapes
    assert pic._inline.docPr.get("descr") == "To søjler: 3 og 4."
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        (media,) = [n for n in z.namelist() if n.startswith("word/media/")]
        assert z.read(media) == word.svg_png(svg, 10)
