"""A note's HTML as a tagged PDF: WeasyPrint, with what it would otherwise redo for every note.

The tagging is :mod:`opkval.pdfua`'s. This module only saves work, and none of it changes a
pixel (tests/test_pdf.py renders pages before and after and compares them):

* **Font subsets, kept.** WeasyPrint subsets every font for every PDF with fontTools; every note
  embeds the same DejaVu faces, so one growing subset per face is reused, in this process and
  (from ``build/cache/fonts``) in the next.
* **Chart pixels, not re-encoded.** WeasyPrint decodes each PNG and encodes it again only to
  lift out its compressed pixel data (the IDAT chunks). For a plain 8-bit RGB or grey PNG, as
  :mod:`opkval.charts` writes, those chunks are already that data (zlib with PNG row filters,
  which the PDF's ``/FlateDecode`` with ``/Predictor 15`` reads as such), so they are used as
  they are, once they are checked to inflate to the image's rows. Any other image (alpha,
  palette, 16-bit, interlaced, truncated or damaged) takes WeasyPrint's own path.
* **One font configuration and one parsed stylesheet per process.** WeasyPrint makes a new
  Pango font map for each document unless it is given one, and parses the inline stylesheet
  each time. The note's stylesheet (:func:`opkval.render.stylesheet`, the same text the HTML
  carries inline) is parsed once and given as a stylesheet instead. WeasyPrint gives such a
  stylesheet the *user* origin, not the author origin of a ``<style>`` element; it cascades
  exactly as before because it is the note's only stylesheet and has no ``!important`` and no
  ``@font-face`` (a second ``<style>`` in the HTML would win over it whatever its
  specificity: keep the note's rules in style.css).

Everything here hooks WeasyPrint internals (``Font.subset``, ``RasterImage._get_png_data``). If
they change, the hooks do nothing and WeasyPrint works as it always does, only slower.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import struct
import threading
import zlib
from functools import lru_cache
from pathlib import Path

from opkval import PROJECT_ROOT, TEMPLATE_DIR
from opkval.fileio import atomic_write_bytes

#: Per font face: the union of glyph ids seen in this process and the subset font for it.
_SUBSETS: dict[tuple, tuple[frozenset, bytes]] = {}
#: The same, kept between processes (a fresh `make report` reuses what earlier runs subset).
FONT_CACHE = PROJECT_ROOT / "build" / "cache" / "fonts"
_LOCK = threading.Lock()


def write(html: str, css: str = "") -> bytes:
    """HTML → tagged PDF/UA-1 bytes. `css`: the stylesheet the HTML carries inline in a
    ``<style>`` element; it is then taken from the parsed copy (see the module's text)."""
    from opkval import pdfua

    font_config, sheet = prepare(css)
    inline = f"<style>\n{css}\n</style>"
    stylesheets = None
    if css and inline in html:
        html, stylesheets = html.replace(inline, "<style></style>", 1), [sheet]
    return pdfua.write_pdf(html, str(TEMPLATE_DIR), font_config=font_config,
                           stylesheets=stylesheets)


def prepare(css: str = ""):
    """Install the hooks, and the shared font configuration and parsed `css` (made once per
    process and stylesheet text: a loader thread may call this while a note waits)."""
    with _LOCK:
        return _prepared(css)


@lru_cache(maxsize=4)
def _prepared(css: str):
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    _install_font_subset_cache()
    _install_png_passthrough()
    font_config = FontConfiguration()
    sheet = weasyprint.CSS(string=css, base_url=str(TEMPLATE_DIR),
                           font_config=font_config) if css else None
    return font_config, sheet


# ----------------------------------------------------------------------------- chart pixels

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: IHDR colour types whose pixels the PDF reads as they are: Pillow mode and bytes per pixel.
PLAIN_COLOUR_TYPES = {0: ("L", 1), 2: ("RGB", 3)}
#: PNG row filter types (none, sub, up, average, Paeth): what /Predictor 15 reads.
MAX_FILTER_TYPE = 4


def png_pixel_data(data: bytes) -> tuple[bytes, str] | None:
    """A plain, whole PNG's compressed pixel data (its IDAT chunks joined) and Pillow mode.

    Plain: 8 bits per channel, grey or RGB, no palette or transparency chunk, not interlaced,
    standard compression and filter method, its IDAT chunks in one run (Pillow stops reading
    at the first other chunk). Whole: the data inflates to exactly one filter byte (0-4) and
    one row of pixels per line of the image. Anything else (a truncated or damaged file
    included, which Pillow pads or cuts to size) is None: WeasyPrint then encodes the image
    itself, as it always did."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    pos, ihdr, idat, idat_ended = len(PNG_SIGNATURE), None, [], False
    while True:
        if pos + 8 > len(data):
            return None  # no IEND: truncated
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            return None
        if kind == b"IHDR":
            if length != 13 or ihdr is not None:
                return None
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            if idat_ended:
                return None
            idat.append(body)
        elif kind in (b"PLTE", b"tRNS"):
            return None
        elif kind == b"IEND":
            break
        elif idat:
            idat_ended = True
        pos += 12 + length  # length, type, data, CRC
    if ihdr is None or not idat:
        return None
    width, height, depth, colour, compression, filtering, interlace = ihdr
    if (depth != 8 or colour not in PLAIN_COLOUR_TYPES or compression or filtering or interlace
            or not width or not height):
        return None
    mode, channels = PLAIN_COLOUR_TYPES[colour]
    compressed = b"".join(idat)
    row = 1 + width * channels
    inflate = zlib.decompressobj()
    try:
        rows = inflate.decompress(compressed, row * height + 1)
    except zlib.error:
        return None
    if not inflate.eof or len(rows) != row * height or max(rows[::row]) > MAX_FILTER_TYPE:
        return None
    return compressed, mode


def _install_png_passthrough() -> None:
    try:
        from weasyprint.images import RasterImage
    except ImportError:
        return
    original = RasterImage.__dict__.get("_get_png_data")
    if not isinstance(original, staticmethod) or getattr(original.__func__, "opkval", False):
        return
    encode = original.__func__

    def _get_png_data(pillow_image):
        # WeasyPrint passes the image as opened from its bytes (Image.open(BytesIO(data))).
        source = getattr(pillow_image, "fp", None)
        if getattr(pillow_image, "format", None) == "PNG" and isinstance(source, io.BytesIO):
            plain = png_pixel_data(source.getvalue())
            if plain is not None and plain[1] == pillow_image.mode:
                return plain[0]
        return encode(pillow_image)

    _get_png_data.opkval = True
    _get_png_data.original = original
    RasterImage._get_png_data = staticmethod(_get_png_data)


# ------------------------------------------------------------------------------ font subsets

def _subset_path(key: tuple) -> Path:
    return FONT_CACHE / (hashlib.sha256(repr(key).encode()).hexdigest()[:32] + ".pickle")


def _subset_digest(key: tuple, gids: list, content: bytes) -> str:
    return hashlib.sha256(repr((key, gids)).encode() + b"\0" + content).hexdigest()


def _read_subset(key: tuple) -> tuple[frozenset, bytes] | None:
    """A cached subset, verified: its checksum covers key, glyph list and font bytes, so a
    corrupted or foreign entry (missing glyphs in the PDF) is ignored and subset anew."""
    try:
        gids, content, digest = pickle.loads(_subset_path(key).read_bytes())
        if not isinstance(content, bytes) or digest != _subset_digest(key, list(gids), content):
            return None
        return frozenset(gids), content
    except (OSError, ValueError, TypeError, pickle.UnpicklingError, EOFError, AttributeError,
            ImportError, IndexError):
        return None


def _write_subset(key: tuple, gids: frozenset, content: bytes) -> None:
    """Glyph list and font in one file, replaced atomically: a reader in another worker can
    never pair one process's glyph list with another's font."""
    try:
        FONT_CACHE.mkdir(parents=True, exist_ok=True)
        ordered = sorted(gids)
        atomic_write_bytes(_subset_path(key), pickle.dumps(
            (ordered, content, _subset_digest(key, ordered, content))))
    except OSError:
        pass  # a cache that cannot be written only costs time


def _install_font_subset_cache() -> None:
    """Reuse one growing font subset per face across the PDFs a process writes.

    WeasyPrint subsets every font for every PDF (with fontTools: about half of a note's PDF
    time here), and every note embeds the same DejaVu faces. Per face we keep the subset for
    the union of glyphs seen so far: a PDF whose glyphs are all in it reuses those bytes (a
    few unused glyphs ride along, which changes nothing on the page); otherwise the union
    grows and is subset once more. If WeasyPrint's internals change, this does nothing.
    """
    try:
        from weasyprint.pdf import fonts as wfonts
    except ImportError:
        return
    original = getattr(wfonts.Font, "subset", None)
    if original is None or getattr(original, "opkval_cached", False):
        return

    import weasyprint

    def subset(self, to_unicode, hinting):
        if not to_unicode:
            return
        key = (getattr(self, "hash", None), getattr(self, "index", 0), bool(hinting),
               tuple(sorted(getattr(self, "missing", {}).items())), weasyprint.__version__)
        gids = frozenset(to_unicode)
        seen = _SUBSETS.get(key) or _read_subset(key)
        if key[0] is not None and seen and gids <= seen[0]:
            _SUBSETS[key] = seen
            self.file_content = seen[1]
            return
        union = gids | seen[0] if seen else gids
        original(self, dict.fromkeys(sorted(union)), hinting)
        if key[0] is not None:
            _SUBSETS[key] = (union, self.file_content)
            _write_subset(key, union, self.file_content)

    subset.opkval_cached = True
    wfonts.Font.subset = subset
