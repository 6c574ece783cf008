"""A kommune's logo, checked once at validation and turned into a PNG every writer can use.

A logo is data: nothing in it may be fetched, read from elsewhere or executed, and no writer
(HTML, Word, PDF) ever sees the file as the kommune sent it. :func:`validated_png` reads the
file (its kind and size checked with ``stat`` first, read with a bound), and

- a PNG: its header's dimensions are checked before a pixel is decoded (a decompression bomb
  of 30.000 × 30.000 pixels in a few KB is refused by its header), then it is decoded whole
  (a damaged file is refused here, naming ``notat.logo``) and written anew as a plain PNG
  (no text chunks, no colour profile, one frame);
- an SVG: parsed without a DTD (a DOCTYPE or entity is refused), and refused if anything in it
  points outside the file (``<image>``, ``<use href="other.svg#x">``, ``xlink:href``, ``url(...)``
  to anything but ``#id``, ``@import``, ``<script>``, ``<foreignObject>``, ``<feImage>``); what
  passes is rasterised by resvg with no resource folder, at a bounded size, to PNG.

The result is the PNG the note embeds; the checks raise :class:`LogoError` with a Danish reason
that validation reports as a problem of ``notat.logo``.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import warnings
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

#: Largest logo file read (checked with stat, before a byte is read).
MAX_BYTES = 2_000_000
#: Largest PNG accepted, by its header: a logo is a few hundred pixels each way.
MAX_PNG_SIDE = 5000
MAX_PNG_PIXELS = 16_000_000
#: The size an SVG logo is drawn at: its longer side (3 cm at 300 dpi) and the widest aspect.
SVG_PX = 354
MAX_SVG_ASPECT = 20
#: Elements in an SVG and their nesting (a logo has tens to a few thousand).
MAX_SVG_ELEMENTS = 20_000
MAX_SVG_DEPTH = 64

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUFFIXES = (".png", ".svg")


class LogoError(ValueError):
    """A logo that cannot be used; the message is the Danish reason."""


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit`: its kind and size checked with ``fstat`` on
    the opened file (a FIFO, device or socket is never read: opened non-blocking and refused;
    a file that grows while read is refused at limit + 1 bytes)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise LogoError(_os_reason(e)) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise LogoError("er ikke en almindelig fil (fx en enhed, kø eller mappe)")
        if st.st_size > limit:
            raise LogoError(f"filen fylder {_n(st.st_size)} byte; grænsen er {_n(limit)} byte")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise LogoError(f"filen fylder over {_n(limit)} byte; grænsen er {_n(limit)} byte")
    return data


def validated_png(path: Path) -> bytes:
    """The logo at `path` as a checked PNG (see the module text), or LogoError."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LogoError("filtypen skal være .png eller .svg")
    data = read_bounded(path, MAX_BYTES)
    return png_from_png(data) if suffix == ".png" else png_from_svg(data)


# ------------------------------------------------------------------------------------ PNG

def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (nothing decoded), or LogoError."""
    if not data.startswith(PNG_SIGNATURE):
        raise LogoError("filen er ikke en PNG-fil (den starter ikke som en PNG)")
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise LogoError("PNG-filen er beskadiget (den mangler sit hoved, IHDR)")
    width, height = struct.unpack(">II", data[16:24])
    if zlib.crc32(data[12:29]) != struct.unpack(">I", data[29:33])[0]:
        raise LogoError("PNG-filen er beskadiget (hovedets kontrolsum passer ikke)")
    return width, height


def check_png_size(width: int, height: int) -> None:
    if width == 0 or height == 0:
        raise LogoError(f"billedet er {_n(width)} × {_n(height)} punkter; det er tomt")
    if width > MAX_PNG_SIDE or height > MAX_PNG_SIDE or width * height > MAX_PNG_PIXELS:
        raise LogoError(f"billedet er {_n(width)} × {_n(height)} punkter; grænsen er "
                        f"{_n(MAX_PNG_SIDE)} punkter på hver led og {_n(MAX_PNG_PIXELS)} "
                        "punkter i alt")


def png_from_png(data: bytes) -> bytes:
    """The PNG decoded whole (dimensions checked first) and encoded anew."""
    width, height = png_size(data)
    check_png_size(width, height)
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a DecompressionBombWarning is a refusal too
            with Image.open(io.BytesIO(data), formats=["PNG"]) as im:
                im.load()
                if im.size != (width, height):
                    raise LogoError("PNG-filen er beskadiget (størrelsen passer ikke)")
                clean = im.convert("RGBA" if _has_alpha(im) else "RGB")
    except LogoError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Warning, Image.DecompressionBombError,
            struct.error, zlib.error) as e:
        raise LogoError(f"PNG-filen er beskadiget og kan ikke vises ({_why(e)})") from None
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _has_alpha(im) -> bool:
    return im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info) \
        or "transparency" in im.info


def _why(e: BaseException) -> str:
    text = " ".join(str(e).split())[:80]
    return text or type(e).__name__


# ------------------------------------------------------------------------------------ SVG

_SVG_NS = "http://www.w3.org/2000/svg"
_FORBIDDEN = {"image", "script", "foreignObject", "feImage", "iframe", "video", "audio",
              "object", "embed", "handler", "listener"}
_URL = re.compile(r"url\s*\(\s*(['\"]?)\s*([^)'\"]*)", re.I)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt|mm|cm|in|pc)?\s*$")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def check_svg(data: bytes) -> ET.Element:
    """Parse an SVG and refuse anything in it that reaches outside the file; its root."""
    head = data[:1 << 16].lower()
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise LogoError("SVG-filen har en DOCTYPE eller ENTITY; et logo må ikke henvise til "
                        "andre filer eller definitioner (gem det uden DOCTYPE)")
    if b"<?xml-stylesheet" in head or b"<?xml-stylesheet" in data.lower():
        raise LogoError("SVG-filen henviser til et stylesheet uden for filen")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LogoError("SVG-filen er ikke UTF-8") from None
    parser = ET.XMLParser()
    try:
        parser.feed(text)
        root = parser.close()
    except ET.ParseError as e:
        raise LogoError(f"SVG-filen er ikke gyldig XML ({_why(e)})") from None
    if _local(root.tag) != "svg" or root.tag not in ("svg", f"{{{_SVG_NS}}}svg"):
        raise LogoError("filen er ikke en SVG-fil (dens yderste element er ikke <svg>)")
    count = 0
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise LogoError(f"SVG-filen har over {_n(MAX_SVG_ELEMENTS)} elementer; grænsen er "
                            f"{_n(MAX_SVG_ELEMENTS)}")
        if depth > MAX_SVG_DEPTH:
            raise LogoError(f"SVG-filen er indlejret i over {MAX_SVG_DEPTH} niveauer; grænsen "
                            f"er {MAX_SVG_DEPTH}")
        if not isinstance(el.tag, str):
            continue
        tag = _local(el.tag)
        if tag in _FORBIDDEN:
            raise LogoError(f"SVG-filen indeholder <{tag}>; et logo må kun bestå af sine egne "
                            "figurer og tekst, ikke billeder, scripts eller indhold udefra")
        for name, value in el.attrib.items():
            _check_reference(tag, _local(name), value)
        if tag == "style" and el.text:
            _check_css(el.text)
        stack.extend((child, depth + 1) for child in el)
    return root


def _check_reference(tag: str, attr: str, value: str) -> None:
    if attr == "href" and not value.strip().startswith("#"):
        raise LogoError(f"SVG-filen henviser uden for filen (<{tag} href=\"{_clip(value)}\">); "
                        "et logo må kun henvise til sine egne dele (#id)")
    if attr.lower().startswith("on"):
        raise LogoError(f"SVG-filen har et script ({attr} på <{tag}>)")
    if "url" in value.lower() or "@import" in value.lower():
        _check_css(value)


def _check_css(text: str) -> None:
    if "@import" in text.lower():
        raise LogoError("SVG-filen henter et stylesheet udefra (@import)")
    for m in _URL.finditer(text):
        if not m.group(2).strip().startswith("#"):
            raise LogoError(f"SVG-filen henviser uden for filen (url({_clip(m.group(2))})); "
                            "et logo må kun henvise til sine egne dele (#id)")


def _svg_aspect(root: ET.Element) -> float:
    """Width / height from the viewBox or the width and height attributes (1 if neither)."""
    vb = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        if len(vb) == 4 and float(vb[2]) > 0 and float(vb[3]) > 0:
            return float(vb[2]) / float(vb[3])
    except ValueError:
        pass
    w, h = _LENGTH.match(root.get("width") or ""), _LENGTH.match(root.get("height") or "")
    if w and h and float(w.group(1)) > 0 and float(h.group(1)) > 0:
        return float(w.group(1)) / float(h.group(1))
    return 1.0


def png_from_svg(data: bytes) -> bytes:
    """The checked SVG drawn by resvg (no resource folder, no system fonts needed) as PNG, its
    longer side SVG_PX pixels."""
    root = check_svg(data)
    aspect = _svg_aspect(root)
    if not 1 / MAX_SVG_ASPECT <= aspect <= MAX_SVG_ASPECT:
        raise LogoError(f"SVG-logoet er {number_text(aspect)} gange så bredt som højt; grænsen "
                        f"er {MAX_SVG_ASPECT} (den ene led mod den anden)")
    import resvg_py

    size = {"width": SVG_PX} if aspect >= 1 else {"height": SVG_PX}
    try:
        png = bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8-sig"), **size))
    except Exception as e:  # resvg raises ValueError or its own errors for a broken SVG
        raise LogoError(f"SVG-filen kan ikke tegnes ({_why(e)})") from None
    width, height = png_size(png)
    check_png_size(width, height)
    return png


# ---------------------------------------------------------------------------------- helpers

def _n(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def number_text(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") if x < 1000 else _n(int(x))


def _clip(text: str, n: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _os_reason(e: OSError) -> str:
    import errno

    if e.errno == errno.ELOOP:
        return "filen er en løkke af symbolske links"
    if e.errno == errno.ENOENT:
        return "filen findes ikke ved siden af planen"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "filen kan ikke læses (ingen adgang)"
    return f"filen kan ikke læses ({e.strerror or type(e).__name__})"
