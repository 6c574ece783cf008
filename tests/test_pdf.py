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


def _raw_png(rows: bytes, width: int = 3, height: int = 2, *, split: int | None = None,
             between: bytes = b"") -> bytes:
    """An RGB PNG from its (filtered) rows, by hand: IHDR, IDAT (split in two at `split`,
    with `between` chunks in between), IEND."""
    stream = zlib.compress(rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    cut = len(stream) if split is None else split
    idat = _chunk(b"IDAT", stream[:cut]) + between + (
        _chunk(b"IDAT", stream[cut:]) if split is not None else b"")
    return pdf.PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + idat + _chunk(b"IEND", b"")


ROWS = b"".join(b"\x00" + bytes(range(9)) for _ in range(2))  # filter 0, three RGB pixels


def test_a_png_split_over_several_idat_chunks_is_joined():
    png = _raw_png(ROWS, split=5)
    assert pdf.png_pixel_data(png) == (zlib.compress(ROWS), "RGB")


def test_idat_chunks_with_another_chunk_between_them_are_left_to_weasyprint():
    # Pillow stops reading pixels at the first other chunk: passing both on would differ.
    assert pdf.png_pixel_data(_raw_png(ROWS, split=5, between=_chunk(b"tEXt", b"k\0v"))) \
        is None


@pytest.mark.parametrize("rows", [
    pytest.param(ROWS[:10], id="one row of two"),
    pytest.param(ROWS + b"\x00" * 10, id="a row too many"),
    pytest.param(b"\x07" + ROWS[1:], id="filter type 7"),
])
def test_pixel_data_that_does_not_fill_the_image_is_left_to_weasyprint(rows):
    assert pdf.png_pixel_data(_raw_png(rows)) is None


def test_compressed_data_that_does_not_inflate_is_left_to_weasyprint():
    png = _raw_png(ROWS)
    stream = zlib.compress(ROWS)
    idat = _chunk(b"IDAT", stream)
    # A well-formed chunk whose zlib stream stops short (its end and checksum missing).
    assert pdf.png_pixel_data(png.replace(idat, _chunk(b"IDAT", stream[:-6]))) is None
    assert pdf.png_pixel_data(png.replace(idat, _chunk(b"IDAT", bytes(len(stream))))) is None


@pytest.mark.parametrize("png", [
    pytest.param(_png("RGBA", [(*p, 128) for p in PIXELS]), id="alpha"),
    pytest.param(_png("P", [0, 1, 2, 3, 4, 5]), id="palette"),
    pytest.param(_png("RGB", transparency=(255, 0, 0)), id="tRNS"),
    pytest.param(_png("I;16", [0, 1000, 2000, 3000, 4000, 65535]), id="16-bit"),
    pytest.param(_png()[:-20], id="truncated in the pixels"),
    pytest.param(_png()[:-12], id="truncated before IEND"),
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


def test_a_damaged_png_is_drawn_whole_as_weasyprint_draws_it():
    """One row of two: not passed on (a viewer would find too little data), but encoded by
    WeasyPrint, which gives the image its full size."""
    damaged = _raw_png(ROWS[:10])
    written = pdf.write(_page("data:image/png;base64," + base64.b64encode(damaged).decode()))
    (pixels,) = _image_pixels(written)
    assert len(pixels) == 3 * 2 * 3 and pixels[:9] == bytes(range(9))


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
