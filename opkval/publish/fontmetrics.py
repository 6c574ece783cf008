"""The fonts every writer lays text out with, and the width text takes in them.

The fonts come from matplotlib's wheel (DejaVu Sans), never from the system, so a PDF looks the
same on every machine. Widths come from the fonts' own advance widths (read from the font
tables directly, checked against fontTools in the tests), so a writer can size table columns
from their content before layout instead of measuring inside the layout engine (the Typst PDF
writer does; the Word writer can too). Kerning is ignored: it only makes text narrower, so a
width computed here is never too small.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import struct
from pathlib import Path

#: The family every writer uses (body, tables, headings); its bold, oblique and mono faces
#: are in the same folder.
FAMILY = "DejaVu Sans"
MONO_FAMILY = "DejaVu Sans Mono"
_FILES = {(False, False): "DejaVuSans.ttf", (True, False): "DejaVuSans-Bold.ttf",
          (False, True): "DejaVuSans-Oblique.ttf", (True, True): "DejaVuSans-BoldOblique.ttf"}

#: Characters a line may break after (besides a plain space): hyphen before a letter and the
#: dashes. A no-break space (U+00A0, U+202F) is no break point. Deliberately fewer than the
#: Unicode line-breaking rules allow, so a column sized from these is never too narrow.
_BREAK_AFTER = "-\u2010\u2013\u2014\u200b"


@functools.cache
def font_dir() -> Path:
    """The folder with DejaVu Sans (and its bold, oblique and mono faces) in matplotlib's wheel.

    Found without importing matplotlib (half a second): the PDF needs only its font files.
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib er ikke installeret: dens skrifttyper (DejaVu Sans) mangler")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


@functools.cache
def _advances(bold: bool, italic: bool) -> tuple[dict[int, float], float]:
    """Advance width per code point in em, and the width of a missing glyph.

    Read straight from the font's ``head``, ``hhea``, ``hmtx`` and ``cmap`` tables (a few
    milliseconds; fontTools takes a third of a second per face, too much for one note's PDF).
    tests/test_typst.py checks these widths against fontTools.
    """
    data = (font_dir() / _FILES[(bold, italic)]).read_bytes()
    tables = {}
    (ntables,) = struct.unpack_from(">H", data, 4)
    for k in range(ntables):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * k)
        tables[tag.decode("latin-1")] = offset
    (upem,) = struct.unpack_from(">H", data, tables["head"] + 18)
    (nmetrics,) = struct.unpack_from(">H", data, tables["hhea"] + 34)
    widths = struct.unpack_from(f">{2 * nmetrics}H", data, tables["hmtx"])[0::2]

    def advance(gid: int) -> float:
        return widths[min(gid, nmetrics - 1)] / upem

    return {cp: advance(g) for cp, g in _cmap(data, tables["cmap"]).items()}, advance(0)


def _cmap(data: bytes, base: int) -> dict[int, int]:
    """Code point → glyph id from a Unicode cmap subtable (format 12, else format 4)."""
    (n,) = struct.unpack_from(">H", data, base + 2)
    subtables = {}
    for k in range(n):
        platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * k)
        subtables[(platform, encoding)] = base + offset
    out: dict[int, int] = {}
    for key in ((3, 10), (0, 4), (0, 6)):
        at = subtables.get(key)
        if at is not None and struct.unpack_from(">H", data, at)[0] == 12:
            (ngroups,) = struct.unpack_from(">I", data, at + 12)
            for g in range(ngroups):
                first, last, gid = struct.unpack_from(">III", data, at + 16 + 12 * g)
                for cp in range(first, last + 1):
                    out[cp] = gid + cp - first
            return out
    at = next(subtables[k] for k in ((3, 1), (0, 3), (0, 1), (0, 0)) if k in subtables)
    (segx2,) = struct.unpack_from(">H", data, at + 6)
    seg = segx2 // 2
    ends = struct.unpack_from(f">{seg}H", data, at + 14)
    starts = struct.unpack_from(f">{seg}H", data, at + 16 + segx2)
    deltas = struct.unpack_from(f">{seg}h", data, at + 16 + 2 * segx2)
    ro_at = at + 16 + 3 * segx2
    offsets = struct.unpack_from(f">{seg}H", data, ro_at)
    for k in range(seg):
        for cp in range(starts[k], ends[k] + 1):
            if cp == 0xFFFF:
                continue
            if offsets[k] == 0:
                gid = (cp + deltas[k]) & 0xFFFF
            else:
                (gid,) = struct.unpack_from(
                    ">H", data, ro_at + 2 * k + offsets[k] + 2 * (cp - starts[k]))
                gid = (gid + deltas[k]) & 0xFFFF if gid else 0
            if gid:
                out[cp] = gid
    return out


def text_width(text: str, size: float, bold: bool = False, italic: bool = False, *,
               missing_em: float = 0.0) -> float:
    """The width of ``text`` on one line, in points, at ``size`` points. A character the font
    lacks counts as its missing glyph, or as ``missing_em`` if that is wider: a writer whose
    reader draws such characters in a fallback font (Word: CJK and emoji about 1 em wide)
    says so, so a column sized from them is not too narrow."""
    return size * _em_width(text, bold, italic, missing_em)


@functools.lru_cache(maxsize=65536)
def _em_width(text: str, bold: bool, italic: bool, missing_em: float = 0.0) -> float:
    adv, notdef = _advances(bold, italic)
    missing = max(notdef, missing_em)
    return sum(adv.get(ord(ch), missing) for ch in text if ch not in "\u200b\u00ad")


_SPACES = re.compile(r"[ \t\n]+")
_AFTER_DASH = re.compile(r"(?<=[\u2010\u2013\u2014\u200b])|(?<=-)(?=[^\W\d_])")


def segments(text: str) -> list[str]:
    """The pieces of ``text`` a line may not break inside (split at spaces and after dashes)."""
    return [piece for word in _SPACES.split(text) if word
            for piece in _AFTER_DASH.split(word) if piece]


def widest_segment(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """The width of the widest piece of ``text`` that cannot be broken, in points."""
    return max((text_width(s, size, bold, italic) for s in segments(text)), default=0.0)


def line_count(text: str, width: float, size: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in ``width`` points, breaking greedily at break points."""
    if width <= 0:
        return 1
    lines = 0
    for para in text.split("\n"):
        lines += 1
        used = 0.0
        space = text_width(" ", size, bold)
        for seg in segments(para):
            w = text_width(seg, size, bold)
            if used and used + space + w > width:
                lines += 1
                used = 0.0
            while w > width:  # a piece wider than the line is broken anywhere
                lines += 1
                w -= width
            used += (space if used else 0.0) + w
    return max(lines, 1)
