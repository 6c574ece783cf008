"""opkval.pdf saves WeasyPrint work without changing the PDF's pages: the chart pixels it passes
through decode to the image's own pixels, and a note's pages are the same as WeasyPrint's own
path draws them."""

import base64
import io
import struct
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader

from opkval import pdf

#: A 3 × 2 picture with six different colours, row by row (what the PDF must show).
PIXELS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255), (40, 50, 60)]


def _png(mode="RGB", pixels=PIXELS, size=(3, 2), **save) -> bytes:
    im = Image.new(mode, size)
    im.putdata(pixels)
    buf = io.BytesIO()
    im.save(buf, format="png", **save)
    return buf.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body))


def test_a_plain_png_gives_its_own_compressed_rows():
    data, mode = pdf.png_pixel_data(_png())
    assert mode == "RGB"
    rows = zlib.decompress(data)
    # Two rows, each a PNG filter type (0–4) and three RGB pixels.
    assert len(rows) == 2 * (1 + 3 * 3)
    assert rows[0] in range(5) and rows[10] in range(5)
    grey = pdf.png_pixel_data(_png("L", [0, 50, 100, 150, 200, 250]))
    assert grey[1] == "L" and len(zlib.decompress(grey[0])) == 2 * (1 + 3)


def test_a_png_split_over_several_idat_chunks_is_joined():
    rows = b"".join(b"\x00" + bytes(range(9)) for _ in range(2))
    stream = zlib.compress(rows)
    ihdr = struct.pack(">IIBBBBB", 3, 2, 8, 2, 0, 0, 0)
    png = (pdf.PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", stream[:5])
           + _chunk(b"tEXt", b"k\0v") + _chunk(b"IDAT", stream[5:]) + _chunk(b"IEND", b""))
    assert pdf.png_pixel_data(png) == (stream, "RGB")


@pytest.mark.parametrize("png", [
    pytest.param(_png("RGBA", [(*p, 128) for p in PIXELS]), id="alpha"),
    pytest.param(_png("P", [0, 1, 2, 3, 4, 5]), id="palette"),
    pytest.param(_png("RGB", transparency=(255, 0, 0)), id="tRNS"),
    pytest.param(_png("I;16", [0, 1000, 2000, 3000, 4000, 65535]), id="16-bit"),
    pytest.param(_png()[:-20], id="truncated"),
    pytest.param(b"GIF89a" + _png()[6:], id="not a PNG"),
])
def test_any_other_png_is_left_to_weasyprint(png):
    assert pdf.png_pixel_data(png) is None


def test_an_interlaced_png_is_left_to_weasyprint():
    png = bytearray(_png())
    # IHDR's last byte (interlace method) sits at 8 + 8 + 12; set it and fix the CRC.
    ihdr = bytes(png[16:29])
    png[16:33] = _chunk(b"IHDR", ihdr[:12] + b"\x01")[8:]
    assert pdf.png_pixel_data(bytes(png)) is None


def _image_pixels(pdf_bytes: bytes) -> list[bytes]:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return [img.image.convert("RGB").tobytes() for page in reader.pages for img in page.images]


def _image_streams(pdf_bytes: bytes) -> list[bytes]:
    """The images' stream bytes as stored in the PDF (still compressed)."""
    page = PdfReader(io.BytesIO(pdf_bytes)).pages[0]
    xobjects = page["/Resources"]["/XObject"]
    return [xobjects[name].get_object()._data for name in xobjects]


def _page(img_src: str) -> str:
    return ('<!DOCTYPE html><html lang="da"><head><title>Test</title></head><body><main>'
            f'<h1>Diagram</h1><figure><img src="{img_src}" alt="Seks farver" '
            'style="width: 3cm"></figure></main></body></html>')


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_the_pdf_shows_the_pngs_own_pixels(mode):
    """Passed through (RGB) or encoded by WeasyPrint (RGBA, opaque): the pixels drawn."""
    pixels = PIXELS if mode == "RGB" else [(*p, 255) for p in PIXELS]
    # Fast compression, as opkval.charts writes: WeasyPrint's own re-encoding would differ.
    png = _png(mode, pixels, compress_level=1)
    written = pdf.write(_page("data:image/png;base64," + base64.b64encode(png).decode()))
    assert _image_pixels(written) == [bytes(c for p in PIXELS for c in p)]
    if mode == "RGB":  # passed through: the PNG's own compressed rows, byte for byte
        assert _image_streams(written) == [pdf.png_pixel_data(png)[0]]


@pytest.mark.slow
@pytest.mark.parametrize("slug", ["ishoej", "laesoe"])
def test_a_note_has_the_pages_weasyprint_would_draw(built_site, slug, monkeypatch):
    """The same note through WeasyPrint's own path (PNG re-encoded, a font configuration of its
    own, the stylesheet parsed from the page) and through opkval.pdf: the same text drawn at
    the same places on every page, and the same chart pixels."""
    from weasyprint.images import RasterImage

    from opkval import pdfua
    from opkval.render import TEMPLATE_DIR, stylesheet

    html = (built_site / f"{slug}.html").read_text(encoding="utf-8")
    css = stylesheet()
    assert f"<style>\n{css}\n</style>" in html  # else the stylesheet would not be shared
    ours = pdf.write(html, css)
    hook = RasterImage.__dict__["_get_png_data"].__func__
    assert getattr(hook, "opkval", False)
    monkeypatch.setattr(RasterImage, "_get_png_data", hook.original)
    theirs = pdfua.write_pdf(html, str(TEMPLATE_DIR))

    a, b = PdfReader(io.BytesIO(ours)), PdfReader(io.BytesIO(theirs))
    assert len(a.pages) == len(b.pages) > 1
    for pa, pb in zip(a.pages, b.pages, strict=True):
        assert pa.extract_text() == pb.extract_text()
        assert pa.get_contents().get_data() == pb.get_contents().get_data()
    assert _image_pixels(ours) == _image_pixels(theirs)
    assert len(_image_pixels(ours)) >= 3
