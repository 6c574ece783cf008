"""PDF/UA-1 for the document model (:mod:`opkval.base.doc`) through Typst (the ``typst`` wheel).

:func:`document_pdf` writes any :class:`opkval.base.doc.Document` as a tagged A4 PDF: title and
language in its metadata, the running header and "Side X af Y" as page artifacts, headings as
real headings, tables as real tables (header cells marked and repeated on every page, totals
once at the end, numeric columns right-aligned, caption), figures with their text alternative,
status words in colours with contrast of at least 4,5:1, links as links.

Escaped by construction: the Typst source is generated as *code*, and every piece of the
document's text enters it as a Typst string literal (:func:`typst_string`), never as markup, so
``#``, ``*``, ``_``, ``$``, ``<``, ``@``, backslashes and brackets print as themselves. The only
markup is this module's own.

Layout decisions Typst leaves to the author are made here: table columns are sized from their
content with the font's advance widths (:mod:`opkval.publish.fontmetrics`), short tables and
boxes are kept on one page and longer ones may break (so a table taller than the space left never
pushes itself to a new page and leaves a near-empty one behind), and headings and the sentence that
introduces a table stick to what follows.

Fonts come from matplotlib's wheel (DejaVu Sans), system fonts are ignored, and any Typst
warning (a missing font is only a warning in Typst) is an error. With ``SOURCE_DATE_EPOCH`` set
the PDF is byte-identical from run to run.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import struct
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from opkval.base import doc
from opkval.publish import fontmetrics

# ------------------------------------------------------------------------------ page geometry

#: A4 with the stylesheet's print margins (top, right, bottom, left) in mm.
PAGE_MM = (210.0, 297.0)
MARGIN_MM = (20.0, 18.0, 22.0, 18.0)
_PT_PER_MM = 72 / 25.4
TEXT_WIDTH = (PAGE_MM[0] - MARGIN_MM[1] - MARGIN_MM[3]) * _PT_PER_MM
TEXT_HEIGHT = (PAGE_MM[1] - MARGIN_MM[0] - MARGIN_MM[2]) * _PT_PER_MM

BODY_PT = 9.5
TABLE_PT = 9.0
SMALL_TABLE_PT = 8.5
#: Table roles set in the smaller size (as in style.css).
_SMALL_TABLES = ("compact", "long", "indsatser")
#: Table roles that take only the width they need (with a minimum share of the line).
_AUTO_WIDTH = {"compact": 0.6, "long": 0.7}
CELL_INSET_X = 5.0
CELL_INSET_Y = 2.6
#: Line height of a text line as a multiple of the font size (cap height + leading, rounded up).
_LINE = 1.3
#: A table, box or list estimated at most this share of a page is kept on one page; a taller
#: one may break, so that it never leaves more than this share of a page empty behind it.
KEEP_SHARE = 0.35
#: A table row estimated taller than this share of a page may break across pages.
TALL_ROW = 0.2
#: Body rows a table that breaks keeps with its caption and header at a page's foot.
ORPHAN_ROWS = 3
#: A document of more than one page whose text ends in the top part of its last page (this
#: share of the text height) is laid out again with the :data:`TIGHT` spacings, one after the
#: other, and the first that saves the page is kept: the end of a long document (the analysis's
#: last items and its run details) then does not stand alone on a nearly empty page when a
#: little less space between blocks on the pages before would hold it. (Of the 98 analyses
#: without a plan, 84 ended so, 9–24 % of their seventh page filled; the first step saves 77
#: of them, the second the other 7: now 6 pages, the last 56–70 % filled.)
MIN_LAST_PAGE = 0.25
#: What the tighter spacings can save, at the most, per full page before the last (as a share
#: of the text height): about 5 % was measured (Ishøj's bilag: its second page 16,4 % full in
#: the normal spacing, 11,3 % and 11,0 % in the two tighter ones). A last page fuller than
#: twice that per page before it cannot be saved, so it is not laid out again for nothing
#: (a two-page bilag whose second page is more than a tenth full).
MAX_SAVED_PER_PAGE = 0.10
#: Vertical spacing in em: between lines of a paragraph, between paragraphs, between list
#: items, above headings of level 2 and 3, around figures and above the run details.
SPACING = {"leading": 0.5, "par": 0.8, "list": 0.55, "h2": 1.5, "h3": 1.1, "fig_above": 0.8,
           "fig_below": 1.0, "manifest": 2.0}
#: Tighter spacings, each tighter than the one before, used only to save a nearly empty last
#: page (see :data:`MIN_LAST_PAGE`): first less space between blocks, then between lines too.
TIGHT = ({"leading": 0.5, "par": 0.6, "list": 0.4, "h2": 1.1, "h3": 0.8, "fig_above": 0.6,
          "fig_below": 0.7, "manifest": 1.0},
         {"leading": 0.45, "par": 0.55, "list": 0.4, "h2": 1.1, "h3": 0.8, "fig_above": 0.6,
          "fig_below": 0.7, "manifest": 1.0})

# ------------------------------------------------------------------------------ colours

#: The stylesheet's colours (templates/opkval/style.css).
INK, MUTED, RULE, ACCENT, SOFT = "#1a1a1a", "#5a5a5a", "#d0d7de", "#1f4e79", "#f3f6fa"
#: Status word colours: (text, background, border). The first four are the stylesheet's;
#: "afhaenger" (no class there yet) is a violet of the same contrast. Every text/background
#: pair has a contrast ratio of at least 4,5:1 (tests/test_typst.py computes it).
STATUS_COLOURS = {
    "ok": ("#1e5631", "#e2f0d9", "#70ad47"),
    "advarsel": ("#7f4f00", "#fff2cc", "#c9a227"),
    "uafklaret": ("#3a3a3a", "#ececec", "#767676"),
    "afhaenger": ("#5b2a86", "#efe6f7", "#8e6bbf"),
    "brud": ("#ffffff", "#a61b1b", "#a61b1b"),
}
#: Grant label chips: (text, background, border).
LABEL_COLOURS = {
    "tilsagn": ("#ffffff", "#1f4e79", "#1f4e79"),
    "fremskrevet": ("#1f4e79", "#ddebf7", "#5b9bd5"),
    "skøn": ("#333333", "#eeeeee", "#999999"),
}


class TypstPdfError(RuntimeError):
    """Typst could not write the PDF (an error, or a warning: both are errors here)."""


# ------------------------------------------------------------------------------ escaping


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal: the only way document text enters the source.

    Backslash and double quote are escaped, line breaks and tabs written as ``\\n``, ``\\t``
    and ``\\r``, and every other control character as ``\\u{..}``; nothing else is special
    inside a Typst string. (Plain ``str.replace`` first: a chart's SVG is 50–80 kB.)
    """
    t = (str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
         .replace("\t", "\\t").replace("\r", "\\r"))
    t = _CONTROL.sub(lambda m: f"\\u{{{ord(m.group()):x}}}", t)
    return '"' + t + '"'


_s = typst_string


def _label_name(anchor: str) -> str:
    """An anchor as a Typst label name (only the characters label syntax allows)."""
    return "a-" + re.sub(r"[^A-Za-z0-9_.:-]", "-", anchor)


def _pt(x: float) -> str:
    return f"{x:.2f}pt"


# ------------------------------------------------------------------------------ preamble


def _preamble(document: doc.Document, spacing: dict[str, float] | None = None) -> str:
    sp = {k: f"{v}em" for k, v in (spacing or SPACING).items()}
    title = document.title.strip() or "Dokument"
    lang = document.lang if re.fullmatch(r"[a-z]{2,3}", document.lang or "") else "da"
    author = f", author: ({_s(document.author)},)" if document.author.strip() else ""
    header_lines = [ln for ln in document.header if ln.strip()]
    # Page 1's title block shows the header fields: there the running header leaves out the
    # line of fields the title block has (kommune and bilag number stay), so no fact stands
    # twice and nothing crowds the title; from page 2 on, every line.
    shown = set()
    for blk in doc.walk(document.blocks):
        if isinstance(blk, doc.KeyValue):
            shown |= {k for k, _ in blk.pairs}

    def fields_line(line: str) -> bool:
        return all(part.split(":")[0] in shown for part in line.split(" · "))

    first = [ln for ln in header_lines if not fields_line(ln)] or header_lines[:1]

    def lines(ls: list[str]) -> str:
        return "(" + ", ".join(_s(ln) for ln in ls) + ",).join(linebreak())"

    header = ("none" if not header_lines else
              "context align(right, text(size: 7.5pt, fill: muted, if here().page() == 1 "
              f"{{ {lines(first)} }} else {{ {lines(header_lines)} }}))")
    status = ", ".join(f"{_s(k)}: ({', '.join(f'rgb({_s(c)})' for c in v)})"
                       for k, v in STATUS_COLOURS.items())
    labels = ", ".join(f"{_s(k)}: ({', '.join(f'rgb({_s(c)})' for c in v)})"
                       for k, v in LABEL_COLOURS.items())
    top, right, bottom, left = MARGIN_MM
    return f"""\
#let ink = rgb("{INK}")
#let muted = rgb("{MUTED}")
#let rule = rgb("{RULE}")
#let accent = rgb("{ACCENT}")
#let soft = rgb("{SOFT}")
#let status-colours = ({status})
#let label-colours = ({labels})
#set document(title: {_s(title)}{author})
#set text(lang: {_s(lang)}, font: "{fontmetrics.FAMILY}", size: {BODY_PT}pt, fill: ink,
  hyphenate: false)
#set par(leading: {sp['leading']}, spacing: {sp['par']}, justify: false)
#set page(paper: "a4", margin: (top: {top}mm, right: {right}mm, bottom: {bottom}mm,
    left: {left}mm),
  header: {header},
  footer: text(size: 7.5pt, fill: muted, grid(columns: (1fr, auto), column-gutter: 1em,
    {_s(title)},
    context [Side #counter(page).display() af #str(counter(page).final().first())])))
#set raw(theme: none)
#show raw: set text(font: "{fontmetrics.MONO_FAMILY}", size: 8pt)
#show link: set text(fill: accent)
#show link: underline
#show heading: set text(fill: accent, weight: "bold", hyphenate: false)
#show heading.where(level: 1): it => block(sticky: true, above: 0.6em, below: 0.7em,
  text(size: 19pt, it.body))
#show heading.where(level: 2): it => block(sticky: true, above: {sp['h2']}, below: 0.6em,
  width: 100%, stroke: (bottom: 0.75pt + rule), inset: (bottom: 2.5pt), text(size: 13pt, it.body))
#show heading.where(level: 3): it => block(sticky: true, above: {sp['h3']}, below: 0.5em,
  text(size: 11pt, fill: ink, it.body))
#set list(spacing: {sp['list']}, indent: 0.3em, body-indent: 0.6em)
#set enum(spacing: {sp['list']}, indent: 0.3em, body-indent: 0.6em)
#set figure(numbering: none, gap: 0.4em)
#show figure: set block(above: {sp['fig_above']}, below: {sp['fig_below']})
#let manifest-above = {sp['manifest']}
#show figure.where(kind: table): set figure.caption(position: top)
#show figure.where(kind: table): set block(breakable: true)
#show figure.where(kind: table): it => {{
  block(sticky: true, width: 100%, below: 0.4em, it.caption)
  it.body
}}
#show figure.caption: it => align(left, text(size: 8.5pt, fill: muted, it.body))
#show figure.caption.where(kind: table): it => align(left, text(size: 9pt, fill: muted,
  weight: "bold", it.body))
#set table(stroke: none, inset: (x: {CELL_INSET_X}pt, y: {CELL_INSET_Y}pt))
#set table.cell(breakable: false)
#let status(kind, body, width: auto) = box(width: width, fill: status-colours.at(kind).at(1),
  stroke: 0.75pt + status-colours.at(kind).at(2), inset: (x: 0.3em), outset: (y: 0.22em),
  radius: 2pt, text(weight: "bold", fill: status-colours.at(kind).at(0), body))
#let chip(kind, body, width: auto) = box(width: width, fill: label-colours.at(kind).at(1),
  stroke: 0.75pt + label-colours.at(kind).at(2), inset: (x: 0.3em), outset: (y: 0.2em),
  radius: 2pt, text(size: 8pt, weight: "bold", fill: label-colours.at(kind).at(0), body))
"""


# ------------------------------------------------------------------------------ inline


def _run(r: doc.Run, anchors: set[str], fit: tuple[float, float] | None = None) -> str:
    """One run as a Typst code expression (content). ``fit`` (width, size): a status word or
    label wider than a table column's ``width`` wraps inside its tint instead of widening it."""
    t = _s(r.text)
    if r.status:
        if r.status not in STATUS_COLOURS:
            raise ValueError(f"ukendt status {r.status!r} i teksten {r.text!r}")
        if fit and _runs_width((r,), fit[1]) > fit[0]:
            return f"status({_s(r.status)}, {t}, width: {_pt(fit[0])})"
        return f"status({_s(r.status)}, {t})"
    if r.label:
        if r.label not in LABEL_COLOURS:
            raise ValueError(f"ukendt mærkat {r.label!r} i teksten {r.text!r}")
        if fit and _runs_width((r,), fit[1]) > fit[0]:
            return f"chip({_s(r.label)}, {t}, width: {_pt(fit[0])})"
        return f"chip({_s(r.label)}, {t})"
    e = f"raw({t})" if r.code else _keep_ranges(r.text)
    if r.italic:
        e = f"emph({e})"
    if r.bold:
        e = f"strong({e})"
    if r.href:
        if r.href.startswith("#"):
            name = _label_name(r.href[1:])
            if name in anchors:
                e = f"link(label({_s(name)}), {e})"
        else:
            e = f"link({_s(r.href)}, {e})"
    return e


#: A range of numbers ("2024–2027", "48.000–61.200"): one piece a line never breaks.
_RANGE = re.compile(r"\d[\d.,]*\u2013\d[\d.,]*\d|\d\u2013\d")


def _keep_ranges(text: str) -> str:
    """``text`` as a string literal, with each number range in an unbreakable box (Typst
    would break after the en dash: "2024–" on one line, "2027" on the next)."""
    parts, k = [], 0
    for m in _RANGE.finditer(text):
        if m.start() > k:
            parts.append(_s(text[k:m.start()]))
        parts.append(f"box({_s(m.group())})")
        k = m.end()
    if not parts:
        return _s(text)
    if k < len(text):
        parts.append(_s(text[k:]))
    return "[" + "".join("#" + p for p in parts) + "]"


def _segments(text: str) -> list[str]:
    """The pieces of ``text`` a line may not break inside, as Typst breaks it here: at spaces
    and after dashes, except inside a number range (:func:`_keep_ranges`)."""
    out: list[str] = []
    for word in re.split(r"[ \t\n]+", text):
        if not word:
            continue
        ranges = [m.span() for m in _RANGE.finditer(word)]
        k = 0
        for piece in fontmetrics.segments(word):
            end = k + len(piece)
            if out and k > 0 and any(a < k < b for a, b in ranges):
                out[-1] += piece  # the range's dash is no break point
            else:
                out.append(piece)
            k = end
    return out


def _runs(rs: Sequence[doc.Run], anchors: set[str],
          fit: tuple[float, float] | None = None) -> str:
    """Runs as one content expression."""
    if not rs:
        return "[]"
    return "[" + "".join("#" + _run(r, anchors, fit) for r in rs) + "]"


# ------------------------------------------------------------------------------ estimates


def _runs_width(rs: Sequence[doc.Run], size: float, bold: bool = False) -> float:
    """The width of runs on one line (status words and chips with their padding)."""
    w = 0.0
    for r in rs:
        if r.status:
            w += fontmetrics.text_width(r.text, size, bold=True) + 0.6 * size + 1.5
        elif r.label:
            w += fontmetrics.text_width(r.text, 8.0, bold=True) + 0.6 * 8.0 + 1.5
        elif r.code:
            w += len(r.text) * 0.602 * 8.0
        else:
            w += fontmetrics.text_width(r.text, size, bold=bold or r.bold, italic=r.italic)
    return w


def _runs_min_width(rs: Sequence[doc.Run], size: float, bold: bool = False) -> float:
    """The widest piece of runs that cannot be broken: pieces run on across runs with no
    space between them ("**1.304.000 kr.**," is one piece), status words never break."""
    pieces: list[float] = []
    glue = False  # the next run continues the last piece
    for r in rs:
        if r.status or r.label:
            w = _runs_width((r,), size, bold)
            # A long status ("Afhænger af klassifikationen") may wrap; a short one ("Kan
            # ikke afgøres") stays on one line (as in the Word writer).
            if " " in r.text and len(r.text) > 20:  # also "Tilsagn (kommunens tilsagnsbrev)"
                at = size if r.status else 8.0
                w = (max(fontmetrics.text_width(p, at, bold=True) for p in r.text.split())
                     + 0.6 * at + 1.5)
            segs, first_glued = [w], glue
            glue = True
        else:
            if r.code:
                widths = [len(p) * 0.602 * 8.0 for p in fontmetrics.segments(r.text)]
            else:
                widths = [fontmetrics.text_width(p, size, bold or r.bold, r.italic)
                          for p in _segments(r.text)]
            if not widths:
                glue = glue and not r.text[:1].isspace()
                continue
            segs, first_glued = widths, glue and not r.text[0].isspace()
            glue = not r.text[-1].isspace()
        if first_glued and pieces:
            pieces[-1] += segs[0]
            segs = segs[1:]
        pieces.extend(segs)
    return max(pieces, default=0.0)


def _text_height(text: str, width: float, size: float, bold: bool = False) -> float:
    return fontmetrics.line_count(text, width, size, bold) * size * _LINE


def _estimate(blk: Any, width: float = TEXT_WIDTH) -> float:
    """A generous estimate of a block's height in points (for keep-together decisions)."""
    if isinstance(blk, doc.Heading):
        size = {1: 19.0, 2: 13.0}.get(blk.level, 11.0)
        return _text_height(blk.text, width, size, True) + 2.2 * size
    if isinstance(blk, doc.Paragraph):
        size = BODY_PT if blk.role not in ("small", "generated", "kicker", "note") else 8.5
        return _text_height(doc.plain(blk.runs), width, size) + 0.8 * BODY_PT
    if isinstance(blk, doc.BulletList):
        return sum(_text_height(doc.plain(i), width - 15, BODY_PT) + 0.55 * BODY_PT
                   for i in blk.items) + 0.8 * BODY_PT
    if isinstance(blk, doc.Table):
        return _Layout(blk, width).height
    if isinstance(blk, doc.Figure):
        if blk.role == "logo":
            return 2.2 * 28.35 + 10
        return min(blk.width_cm * 72 / 2.54, width) * _aspect(blk) + 30
    if isinstance(blk, doc.KeyValue):
        return _text_height("   ".join(f"{k}: {v}" for k, v in blk.pairs), width, 9.0) + 9
    if isinstance(blk, (doc.Box, doc.Section)):
        inner = width - (2 * 10 + 3 if isinstance(blk, doc.Box) else 0)
        return sum(_estimate(c, inner) for c in blk.children) + 14
    return 0.0


# ------------------------------------------------------------------------------ tables


class _Layout:
    """A table's column widths from its content, and its estimated height."""

    def __init__(self, t: doc.Table, avail: float = TEXT_WIDTH):
        self.size = SMALL_TABLE_PT if t.role in _SMALL_TABLES else TABLE_PT
        ncol = max([len(t.head)] + [len(r) for r in (*t.rows, *t.foot)])
        self.ncol = ncol
        num = set(t.numeric)
        pad = 2 * CELL_INSET_X + 1.0  # both insets and a point to spare
        rows = [(t.head, True)] + [(r, False) for r in t.rows] + [(r, True) for r in t.foot]
        minw = [pad] * ncol
        maxw = [pad] * ncol
        for k, (row, bold) in enumerate(rows):
            for i, c in enumerate(row):
                full = _runs_width(c, self.size, bold) + pad
                # A number never breaks; a numeric column's heading ("Pædagogisk personale
                # (skøn)") may, so it does not squeeze the text columns into broken words.
                whole = i in num and not (k == 0 and t.head)
                least = (_number_min_width(c, self.size, bold, full - pad) + pad if whole
                         else _runs_min_width(c, self.size, bold) + pad)
                maxw[i] = max(maxw[i], full)
                minw[i] = max(minw[i], least)
        share = _AUTO_WIDTH.get(t.role)
        target = avail if share is None else min(avail, max(sum(maxw), share * avail))
        if sum(maxw) <= target:
            extra = target - sum(maxw)
            widths = [w + extra * w / sum(maxw) for w in maxw]
        elif sum(minw) <= target:
            room = target - sum(minw)
            give = [mx - mn for mx, mn in zip(maxw, minw, strict=True)]
            widths = [mn + room * g / sum(give) for mn, g in zip(minw, give, strict=True)]
        else:
            # Even the longest unbreakable pieces do not fit: numeric columns keep their width,
            # the others share what is left (a cap found by water-filling); a piece wider than
            # its column is then broken anywhere (as overflow-wrap: anywhere in the HTML).
            fixed = sum(minw[i] for i in range(ncol) if i in num)
            free = [i for i in range(ncol) if i not in num]
            left = max(target - fixed, pad * len(free))
            cap = _water_fill([minw[i] for i in free], left)
            widths = [minw[i] if i in num else min(minw[i], cap) for i in range(ncol)]
        self.widths = widths
        self.rows_h = []
        for row, bold in rows:
            h = 1
            for i, c in enumerate(row):
                h = max(h, fontmetrics.line_count(doc.plain(c), widths[i] - pad, self.size, bold))
            self.rows_h.append(h * self.size * _LINE + 2 * CELL_INSET_Y)
        cap_h = _text_height(t.caption, avail, 9.0, True) + 4 if t.caption else 0.0
        self.height = sum(self.rows_h) + cap_h + 12

    def content_width(self, i: int) -> float:
        return self.widths[i] - 2 * CELL_INSET_X - 1.0


def _number_min_width(c: Sequence[doc.Run], size: float, bold: bool, full: float) -> float:
    """The least width of a numeric cell: the number whole, with a note in parentheses after
    it ("1.586.000–3.663.960 kr. (skøn)") allowed onto a line of its own."""
    text = doc.plain(c)
    if " (" not in text or any(r.status or r.label or r.code for r in c):
        return full
    return max(fontmetrics.text_width(p, size, bold) for p in re.split(r" (?=\()", text))


def _water_fill(wants: list[float], total: float) -> float:
    """The cap c with sum(min(w, c)) = total (wants exceed total)."""
    lo, hi = 0.0, max(wants, default=0.0)
    for _ in range(50):
        mid = (lo + hi) / 2
        if sum(min(w, mid) for w in wants) > total:
            hi = mid
        else:
            lo = mid
    return lo


_SPACE_RUNS = re.compile(r"([ \t\n]+)")


def _break_long(text: str, width: float, measure) -> str:
    """``text`` with a zero-width space between the characters of every piece that cannot be
    broken and is wider than ``width`` (as ``overflow-wrap: anywhere`` in the HTML); every
    other piece, and every no-break space, untouched."""
    if measure(text) <= width:
        return text  # no piece is wider than the whole (most table cells): nothing to split
    parts = _SPACE_RUNS.split(text)
    changed = False
    for k, p in enumerate(parts):
        if p and not p.isspace() and measure(p) > width:
            parts[k] = "\u200b".join(p)
            changed = True
    return "".join(parts) if changed else text


def _breakable_runs(rs: Sequence[doc.Run], width: float, size: float,
                    bold: bool = False) -> tuple[doc.Run, ...]:
    """Runs whose pieces wider than ``width`` points may break anywhere."""
    out = []
    for r in rs:
        if r.status or r.label or width <= 0:
            out.append(r)
            continue
        if r.code:
            text = _break_long(r.text, width, lambda p: len(p) * 0.602 * 8.0)
        else:
            text = _break_long(r.text, width, lambda p, r=r: fontmetrics.text_width(
                p, size, bold or r.bold, r.italic))
        out.append(r if text == r.text else doc.Run(**{**r.__dict__, "text": text}))
    return tuple(out)


def _table(t: doc.Table, anchors: set[str], avail: float = TEXT_WIDTH) -> str:
    if not (t.head or t.rows or t.foot):
        raise ValueError(f"Tabellen {t.caption!r} har hverken overskrift eller rækker.")
    lay = _Layout(t, avail)
    num = set(t.numeric)
    ncol = lay.ncol

    def cells(row: Sequence[doc.Cell], bold: bool, tall: bool = False) -> list[str]:
        out = []
        for i in range(ncol):
            c = row[i] if i < len(row) else ()
            c = _breakable_runs(c, lay.content_width(i), lay.size, bold)
            e = _runs(c, anchors, fit=(lay.content_width(i), lay.size))
            e = f"strong({e})" if bold and c else e
            # A row is kept on one page (as tr { break-inside: avoid }), unless it is so tall
            # that moving it would leave most of a page empty, or it would not fit on any page.
            out.append(f"table.cell(breakable: true, {e})" if tall else e)
        return out

    nhead, nbody = (1 if t.head else 0), len(t.rows)
    parts = [f"columns: ({', '.join(_pt(w) for w in lay.widths)},)",
             "align: (" + ", ".join(("right" if i in num else "left") + " + top"
                                    for i in range(ncol)) + ",)",
             f"fill: (x, y) => if y < {nhead} {{ soft }} else if y >= {nhead + nbody} "
             '{ rgb("#fafbfc") }',
             f"stroke: (x, y) => (bottom: if y < {nhead} {{ 1.5pt + accent }} else "
             f"{{ 0.75pt + rule }}, top: if y == {nhead + nbody} and {1 if t.foot else 0} == 1 "
             "{ 1.5pt + accent } else { none })"]
    if t.head:
        parts.append("table.header(" + ", ".join(cells(t.head, True)) + ")")
    for row, h in zip(t.rows, lay.rows_h[1:1 + nbody], strict=True):
        parts.append(", ".join(cells(row, False, tall=h > TALL_ROW * TEXT_HEIGHT)))
    if t.foot:
        parts.append("table.footer(repeat: false, "
                     + ", ".join(", ".join(cells(r, True)) for r in t.foot) + ")")
    body = "table(\n  " + ",\n  ".join(p for p in parts if p) + ")"
    if t.caption:
        body = f"figure(kind: table, caption: {_s(t.caption)}, {body})"
    keep = lay.height <= KEEP_SHARE * TEXT_HEIGHT
    table = (f"block(breakable: {'false' if keep else 'true'}, width: 100%, "
             f"text(size: {lay.size}pt, {body}))")
    if keep:
        return table
    # A table that may break starts where its caption, header and first rows fit: room for
    # them is asked for with an empty unbreakable block taken back by negative spacing (it
    # moves to the next page only when the room is not there), so no caption and header with
    # a single row stand alone at a page's foot.
    first = min(nbody, ORPHAN_ROWS)
    need = (lay.height - sum(lay.rows_h[1 + first:]) - 12
            - (sum(lay.rows_h[1 + nbody:]) if t.foot else 0))
    if need <= 0 or need > 0.5 * TEXT_HEIGHT:
        return table
    return (f"{{ block(breakable: false, width: 100%, height: {_pt(need)}, above: 0.8em, "
            f"below: 0pt); v({_pt(-need)}, weak: false); {table} }}")


# ------------------------------------------------------------------------------ figures


_SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)[a-z]*"[^>]*?\sheight="([\d.]+)[a-z]*"')


def _aspect(f: doc.Figure) -> float:
    """Height over width of a figure's picture (0,75 when its size cannot be read)."""
    m = _SVG_SIZE.search(f.svg[:2000]) if f.svg else None
    if m and float(m.group(1)) > 0:
        return float(m.group(2)) / float(m.group(1))
    dims = _png_size(f.png) if f.png else None
    return dims[1] / dims[0] if dims and dims[0] else 0.75


def _png_size(png: bytes) -> tuple[int, int] | None:
    if png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR":
        w, h = struct.unpack(">II", png[16:24])
        return w, h
    return None


def _image(f: doc.Figure, width: str = "", height: str = "") -> str:
    if not f.alt.strip():
        raise ValueError(
            f"Figuren {f.caption or f.role!r} mangler en tekstalternativ (alt): PDF/UA-1 kræver "
            "en tekst, der siger, hvad billedet viser.")
    if f.svg and (f.role == "chart" or not f.png):
        data = f"bytes({_s(f.svg)})"
        fmt = '"svg"'
    elif f.png:
        data = "bytes((" + ",".join(str(x) for x in f.png) + ",))"
        fmt = '"png"'
    else:
        raise ValueError(f"Figuren {f.alt[:60]!r} har hverken SVG eller PNG.")
    size = (f", width: {width}" if width else "") + (f", height: {height}" if height else "")
    return f"image({data}, format: {fmt}, alt: {_s(f.alt)}{size})"


def _logo_size(f: doc.Figure) -> tuple[str, str]:
    """A logo at most 2,2 cm tall and 5 cm wide, keeping its proportions."""
    dims = _png_size(f.png) if f.png else None
    aspect = dims[0] / dims[1] if dims and dims[1] else 2.0
    h = min(2.2, 5.0 / aspect)
    return f"{h * aspect:.3f}cm", f"{h:.3f}cm"


def _figure(f: doc.Figure, avail: float = TEXT_WIDTH) -> str:
    if f.role == "logo":
        w, h = _logo_size(f)
        return f"align(right, {_image(f, width=w, height=h)})"
    width = min(f.width_cm * 72 / 2.54, avail)
    img = _image(f, width=_pt(width))
    cap = f", caption: {_s(f.caption)}" if f.caption else ""
    return f"figure({img}{cap})"


# ------------------------------------------------------------------------------ blocks


def _empty(blk: Any) -> bool:
    if isinstance(blk, doc.Heading):
        return not blk.text.strip()
    if isinstance(blk, doc.Paragraph):
        return not doc.plain(blk.runs).strip()
    if isinstance(blk, doc.BulletList):
        return not any(doc.plain(i).strip() for i in blk.items)
    if isinstance(blk, doc.KeyValue):
        return not blk.pairs
    if isinstance(blk, (doc.Box, doc.Section)):
        return all(_empty(c) for c in blk.children) and not getattr(blk, "anchor", "")
    return False


class _Writer:
    def __init__(self, document: doc.Document):
        self.document = document
        self.level = 0
        self.anchors: set[str] = set()
        self.used: set[str] = set()
        for blk in doc.walk(document.blocks):
            a = getattr(blk, "anchor", "")
            if a:
                self.anchors.add(_label_name(a))

    def label(self, anchor: str) -> str:
        """`` <name>`` after an element, once per name (a label used twice is an error)."""
        if not anchor:
            return ""
        name = _label_name(anchor)
        if name in self.used:
            return ""
        self.used.add(name)
        return f" <{name}>"

    def heading(self, h: doc.Heading, avail: float = TEXT_WIDTH) -> str:
        # No skipped levels: a heading is at most one level below the one before it.
        level = max(1, min(h.level, self.level + 1, 6))
        self.level = level
        size = {1: 19.0, 2: 13.0}.get(level, 11.0)
        text = _break_long(h.text, avail - 2, lambda p: fontmetrics.text_width(p, size, True))
        return f"#heading(level: {level}, {_s(text)}){self.label(h.anchor)}"

    def paragraph(self, p: doc.Paragraph, avail: float = TEXT_WIDTH) -> str:
        size = 8.5 if p.role in ("small", "generated", "note", "kicker") else BODY_PT
        body = _runs(_breakable_runs(p.runs, avail - 2, size, p.role == "scenario"),
                     self.anchors)
        role = p.role
        if role in ("small", "generated", "note"):
            return f"#text(size: 8.5pt, fill: muted, par({body}))"
        if role == "kicker":
            return (f"#text(size: 8.5pt, fill: muted, tracking: 0.06em, "
                    f"par(upper({body})))")
        if role == "meta":
            return f"#text(fill: muted, par({body}))"
        if role == "lead":
            return f"#block(sticky: true, par({body}))"
        if role == "scenario":
            return (f"#block(width: 100%, fill: rgb(\"#fff4ce\"), stroke: (left: 3pt + "
                    f"rgb(\"#8a6d00\")), inset: (x: 0.6em, y: 0.35em), "
                    f"breakable: false, strong(par({body})))")
        return f"#par({body})"

    def bullets(self, bl: doc.BulletList, avail: float = TEXT_WIDTH) -> str:
        fn = "enum" if bl.ordered else "list"
        items = ", ".join(_runs(_breakable_runs(i, avail - 20, BODY_PT), self.anchors)
                          for i in bl.items if doc.plain(i).strip())
        keep = _estimate(bl) <= KEEP_SHARE * TEXT_HEIGHT
        e = f"{fn}({items},)"
        if bl.role in ("small", "note"):
            e = f"text(size: 8.5pt, fill: muted, {e})"
        return f"#block(breakable: {'false' if keep else 'true'}, {e})"

    def keyvalue(self, kv: doc.KeyValue, avail: float = TEXT_WIDTH) -> str:
        def value(v: str) -> str:
            return _break_long(v, avail - 80, lambda p: fontmetrics.text_width(p, 9.0))

        def pair(k: str, v: str) -> str:
            e = f"#box(strong({_s(k + ':')}))#\"\\u{{a0}}\"#{_s(value(v))}"
            # A short pair ("Dato: 7. december 2026") is never split over two lines.
            w = fontmetrics.text_width(f"{k}: {v}", 9.0, bold=True)
            return f"#box[{e}]" if w <= avail / 2 else e

        pairs = "#h(1.2em, weak: true)".join(pair(k, v) for k, v in kv.pairs)
        return f"#text(size: 9pt, par([{pairs}]))"

    def box(self, bx: doc.Box, avail: float) -> str:
        keep = _estimate(bx, avail) <= KEEP_SHARE * TEXT_HEIGHT
        inner = ("#show heading.where(level: 2): it => block(sticky: true, above: 0.6em, "
                 "below: 0.5em, text(size: 13pt, it.body))\n\n"
                 + self.blocks(bx.children, avail - 23))
        return (f"#block(width: 100%, fill: soft, stroke: (left: 3pt + accent), "
                f"inset: (x: 10pt, y: 7pt), above: 1em, below: 1em, "
                f"breakable: {'false' if keep else 'true'})[\n{inner}\n]")

    def with_logo(self, logo: doc.Figure, beside: list[Any], avail: float) -> str:
        """The logo at the right of the title block (Typst has no float: a two-column grid)."""
        w, h = _logo_size(logo)
        left = self.blocks(beside, avail)
        return (f"#grid(columns: (1fr, auto), column-gutter: 1em, [\n{left}\n], "
                f"{_image(logo, width=w, height=h)})")

    def block(self, blk: Any, avail: float) -> str:
        if _empty(blk):
            return ""  # nothing to read: no empty paragraph, list or heading in the tags
        if isinstance(blk, doc.Heading):
            return self.heading(blk, avail)
        if isinstance(blk, doc.Paragraph):
            return self.paragraph(blk, avail)
        if isinstance(blk, doc.BulletList):
            return self.bullets(blk, avail)
        if isinstance(blk, doc.Table):
            return "#" + _table(blk, self.anchors, avail)
        if isinstance(blk, doc.Figure):
            return "#" + _figure(blk, avail)
        if isinstance(blk, doc.KeyValue):
            return self.keyvalue(blk, avail)
        if isinstance(blk, doc.Box):
            return self.box(blk, avail)
        if isinstance(blk, doc.Section):
            mark = f"#metadata(none){self.label(blk.anchor)}\n\n" if blk.anchor else ""
            if blk.role == "summary":  # boxed, as a Box is (doc.Section's roles)
                return mark + self.box(doc.Box(blk.children), avail)
            inner = self.blocks(blk.children, avail)
            if blk.role == "title":  # header.title: a rule under the title block
                inner = (f"#block(width: 100%, stroke: (bottom: 2.25pt + accent), "
                         f"inset: (bottom: 0.4em), below: 1.2em)[\n{inner}\n]")
            elif blk.role == "manifest":  # footer.manifest: small print under a rule
                inner = (f"#block(width: 100%, stroke: (top: 0.75pt + rule), "
                         f"inset: (top: 0.5em), above: manifest-above)[\n#set text(size: 7.5pt, "
                         f"fill: muted)\n\n{inner}\n]")
            return mark + inner
        raise TypeError(f"not a document block: {blk!r}")

    def blocks(self, blocks: Iterable[Any], avail: float = TEXT_WIDTH) -> str:
        blocks = list(blocks)
        out: list[str] = []
        k = 0
        while k < len(blocks):
            blk = blocks[k]
            if isinstance(blk, doc.Figure) and blk.role == "logo":
                # The title block that follows the logo: title, kicker, meta lines, header fields.
                j = k + 1
                while j < len(blocks) and j - k <= 4 and (
                        (isinstance(blocks[j], doc.Heading) and blocks[j].level == 1)
                        or isinstance(blocks[j], doc.KeyValue)
                        or (isinstance(blocks[j], doc.Paragraph)
                            and blocks[j].role in ("kicker", "meta", "generated", "small"))):
                    j += 1
                if j > k + 1:
                    out.append(self.with_logo(blk, blocks[k + 1:j], avail))
                    k = j
                    continue
            out.append(self.block(blk, avail))
            k += 1
        return "\n\n".join(x for x in out if x)


#: Where the document's text ends (page, and the distance from the page's top edge in pt),
#: for :func:`document_pdf` to ask Typst; metadata is neither shown nor tagged.
_END = "#context [#metadata((page: here().page(), y: here().position().y / 1pt)) <doc-end>]"


def document_source(document: doc.Document, spacing: dict[str, float] | None = None) -> str:
    """The Typst source of a document (for inspection; :func:`document_pdf` compiles it);
    `spacing` as :data:`SPACING` (the default) or one of :data:`TIGHT`."""
    w = _Writer(document)
    return (_preamble(document, spacing) + "\n" + w.blocks(document.blocks) + "\n\n" + _END
            + "\n")


# ------------------------------------------------------------------------------ compiling


@functools.cache
def _fonts():
    """The fonts, loaded once per process (a renderer may warm them up in a background thread)
    and shared by every compiler: each document is laid out by compilers of its own, so a
    note's two PDFs are laid out at the same time, in two threads (Typst runs without the
    GIL; on `make report`'s tail the bilag's PDF no longer waits for the analysis's)."""
    import typst

    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                       font_paths=[str(fontmetrics.font_dir())])


def _laid_out(document: doc.Document):
    """A Typst compiler holding the document's source, already laid out (Typst keeps the
    layout, so the compile that follows reuses it): with :data:`SPACING`, or with the first of
    :data:`TIGHT` that saves a last page that would hold only the top :data:`MIN_LAST_PAGE`
    of its text height (a few lines and the run details). Costs a layout more (about 0,08 s)
    for each spacing tried, and nothing for a document that ends further down its page."""
    import json

    import typst

    def laid_out(spacing: dict[str, float]):
        # The source as bytes (it embeds its pictures): nothing is written to disk.
        compiler = typst.Compiler(input=document_source(document, spacing).encode("utf-8"),
                                  font_paths=_fonts(), ignore_system_fonts=True)
        end = json.loads(compiler.query("<doc-end>", field="value", one=True))
        return compiler, int(end["page"]), (end["y"] - MARGIN_MM[0] * _PT_PER_MM) / TEXT_HEIGHT

    first, *tighter = spacings(document)
    compiler, pages, share = laid_out(first)
    if pages > 1 and share < min(MIN_LAST_PAGE, MAX_SAVED_PER_PAGE * (pages - 1)):
        for spacing in tighter:
            tight, fewer, _ = laid_out(spacing)
            if fewer < pages:
                return tight
    return compiler


def spacings(document: doc.Document) -> tuple[dict[str, float], ...]:
    """The spacings a document is laid out with, in the order tried (:func:`_laid_out`).

    An analysis starts with the first of :data:`TIGHT`: with :data:`SPACING`, 84 of the 98
    analyses without a plan ended on a nearly empty page and were laid out a second time
    with it (a fifth of a note's CPU went to laying out PDFs); now every analysis has the
    same spacing, and a second layout is the exception. The bilag (one or two pages for the
    council) keeps the normal spacing first."""
    return TIGHT if document.kind == "analyse" else (SPACING, *TIGHT)


def _timestamp(document: doc.Document) -> int | dt.datetime | None:
    """The PDF's creation date: SOURCE_DATE_EPOCH, else the document's own time, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return int(epoch)
        except ValueError:
            raise TypstPdfError(
                f"SOURCE_DATE_EPOCH skal være et helt antal sekunder, ikke {epoch!r}") from None
    if document.created:
        try:
            t = dt.datetime.fromisoformat(document.created)
        except ValueError:
            return None
        return t if t.tzinfo else t.replace(tzinfo=dt.UTC)
    return None


def document_pdf(document: doc.Document) -> bytes:
    """The document as a tagged A4 PDF (PDF/UA-1), written by Typst.

    Raises :class:`TypstPdfError` on any Typst error or warning, and :class:`ValueError` for a
    figure without a text alternative.
    """
    import typst

    timestamp = _timestamp(document)
    try:
        pdf, warnings = _laid_out(document).compile_with_warnings(
            format="pdf", pdf_standards=["ua-1"], timestamp=timestamp)
    except typst.TypstError as e:
        raise TypstPdfError(f"Typst kunne ikke skrive PDF'en for {document.title!r}: "
                            f"{e.message} {' '.join(e.hints)}".strip()) from e
    if warnings:
        raise TypstPdfError(f"Typst advarede for {document.title!r}: "
                            + "; ".join(w.message for w in warnings))
    return pdf


# ------------------------------------------------------------------------------ warm-up


def warm_up() -> None:
    """Load the compiler and its fonts and compile a small document once, so the first note's
    PDF does not pay for the first compile (the preamble's show rules, the fonts' glyph
    tables, the PDF writer): the renderer calls this in its preload thread while the kernel
    runs the notebook's cells, as it builds the HTML exporter there."""
    blocks = [doc.Heading(1, "Opvarmning"), doc.Heading(2, "Tilskud"),
              doc.Paragraph(doc.Run("Tilskud i alt: "), doc.Run("1.304.000 kr.", bold=True))]
    document_pdf(doc.Document(title="Opvarmning", blocks=blocks, kind="bilag"))
    _raster_compiler()


# ------------------------------------------------------------------------------ rasterising


_RASTER_LOCK = threading.Lock()


@functools.cache
def _raster_compiler():
    """The compiler for pictures (Word's charts), with the fonts every compiler shares: its
    compiles are serialised by :data:`_RASTER_LOCK` and run beside the PDFs' (Typst compiles
    without holding Python's GIL)."""
    import typst

    return typst.Compiler(font_paths=_fonts(), ignore_system_fonts=True)


@functools.lru_cache(maxsize=16)
def svg_png(svg: str, width_cm: float, ppi: float) -> bytes:
    """An SVG drawn as a PNG `width_cm` wide at `ppi` pixels an inch, on white, by Typst's SVG
    renderer; b"" for an SVG Typst cannot draw.

    For Word's copy of a chart: the kernel draws each chart once, as SVG, and this makes the
    picture from it in about 0,02 s of CPU (a second matplotlib drawing with Agg cost about
    0,08 s, resvg-py about 0,09 s at the same size). The same SVG gives the same bytes, and
    the last few are kept: the renderer draws a note's charts ahead, in a thread of their own
    (Typst runs without the GIL), while the Word writer is busy with the text."""
    import typst

    source = ("#set page(width: " + _pt(width_cm * 72 / 2.54) + ", height: auto, margin: 0pt, "
              "fill: white)\n#image(bytes(" + typst_string(svg) + '), format: "svg", '
              "width: 100%)\n").encode("utf-8")
    try:
        with _RASTER_LOCK:
            png, warnings = _raster_compiler().compile_with_warnings(
                source, format="png", ppi=float(ppi))
    except typst.TypstError:
        return b""
    if warnings or not isinstance(png, bytes):
        return b""
    return png
