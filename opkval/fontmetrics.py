"""The fonts every writer lays text out with, and the width text takes in them.

The fonts come from matplotlib's wheel (DejaVu Sans), never from the system, so a PDF looks the
same on every machine. Widths come from the fonts' own advance widths (fontTools, which ships
with matplotlib), so a writer can size table columns from their content before layout instead
of measuring inside the layout engine. Kerning is ignored: it only makes text narrower, so a
width computed here is never too small.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

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


def font_dir() -> Path:
    """The folder with DejaVu Sans (and its bold, oblique and mono faces) in matplotlib's wheel."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.cache
def _advances(bold: bool, italic: bool) -> tuple[dict[int, float], float]:
    """Advance width per code point in em, and the width of a missing glyph."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_dir() / _FILES[(bold, italic)], lazy=True)
    upem = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    cmap = font.getBestCmap()
    adv = {cp: hmtx[name][0] / upem for cp, name in cmap.items()}
    notdef = hmtx[".notdef"][0] / upem if ".notdef" in hmtx.metrics else 0.6
    return adv, notdef


def text_width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """The width of ``text`` on one line, in points, at ``size`` points."""
    return size * _em_width(text, bold, italic)


@functools.lru_cache(maxsize=65536)
def _em_width(text: str, bold: bool, italic: bool) -> float:
    adv, notdef = _advances(bold, italic)
    return sum(adv.get(ord(ch), notdef) for ch in text if ch not in "\u200b\u00ad")


def segments(text: str) -> list[str]:
    """The pieces of ``text`` a line may not break inside (split at spaces and after dashes)."""
    out: list[str] = []
    cur = ""
    for k, ch in enumerate(text):
        if ch in " \n\t":
            if cur:
                out.append(cur)
            cur = ""
            continue
        cur += ch
        if ch in _BREAK_AFTER:
            nxt = text[k + 1] if k + 1 < len(text) else ""
            if ch != "-" or nxt.isalpha():
                out.append(cur)
                cur = ""
    if cur:
        out.append(cur)
    return out


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
