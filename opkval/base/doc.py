"""The document model: a note as plain data, written by three writers (HTML, Word, Typst PDF).

A section of a note is a small tree of typed blocks. Nothing here knows HTML, Word or Typst:
each writer walks the same tree, so no writer parses another's output. Text is always plain
text (never markup); a writer escapes it for its own format.

Blocks:

- :class:`Heading` (level 1–3), :class:`Paragraph` (inline :class:`Run` s),
  :class:`BulletList` (items of runs), :class:`Table` (header, body and total rows, numeric
  columns, caption), :class:`Figure` (a chart or logo with alt text and caption),
  :class:`KeyValue` (the header fields), :class:`Box` (a boxed summary holding blocks) and
  :class:`Section` (a group of blocks, usually a heading first).

Every block serialises to JSON (:func:`to_data`, :func:`from_data`) and shows itself in Jupyter
as HTML plus that JSON under :data:`MIMETYPE`, so an executed notebook holds the document and
every writer reads it from there (the way nbconvert's LaTeX exporter reads ``text/latex``). A
notebook cell shows its blocks together, as one output (:class:`Shown`).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

#: The project's own mimetype for a block in a notebook output.
MIMETYPE = "application/vnd.opkval.block+json"

#: Statuses a :class:`Run` may carry as a status label (the Danish word is the run's text).
STATUSES = ("ok", "uafklaret", "afhaenger", "advarsel", "brud")
#: Grant labels a :class:`Run` may carry as a label chip.
LABELS = ("tilsagn", "fremskrevet", "skøn")


@dataclass(frozen=True)
class Run:
    """A piece of inline text with its emphasis, link, status label or grant label.

    A ``"\n"`` in ``text`` is a line break (a hard break in the kommune's Markdown, a period
    written over two lines in a table cell).
    """

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str = ""
    #: One of :data:`STATUSES`: the run is a coloured status word (text is the Danish word).
    status: str = ""
    #: One of :data:`LABELS`: the run is a grant-origin chip.
    label: str = ""


Inline = str | Run


def runs(*parts: Inline | Iterable[Inline] | None) -> tuple[Run, ...]:
    """Normalise text and runs (nested iterables allowed, None skipped) to a tuple of runs."""
    out: list[Run] = []
    for p in parts:
        if p is None or p == "":
            continue
        if isinstance(p, Run):
            out.append(p)
        elif isinstance(p, str):
            out.append(Run(p))
        else:
            out.extend(runs(*p))
    return tuple(out)


def b(text: str) -> Run:
    """Bold text."""
    return Run(str(text), bold=True)


def i(text: str) -> Run:
    """Italic text."""
    return Run(str(text), italic=True)


def link(text: str, href: str) -> Run:
    return Run(str(text), href=href)


def plain(parts: Iterable[Run]) -> str:
    """The text of runs, without any emphasis."""
    return "".join(r.text for r in parts)


#: The HTML writer (:func:`opkval.base.html_writer.block_html`), registered by that module when it
#: is imported, so a block shows itself as HTML in Jupyter while the model imports no writer.
HTML_WRITER = None


class _Block:
    """Jupyter display of any block: its HTML and its data under :data:`MIMETYPE`."""

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {MIMETYPE: to_data(self), "text/plain": plain_text(self)[:200]}
        if HTML_WRITER is not None:
            bundle["text/html"] = str(HTML_WRITER(self))
        return bundle, {}


@dataclass(frozen=True)
class Heading(_Block):
    level: int
    text: str
    #: An anchor id (HTML id, Typst label, Word bookmark), optional.
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph(_Block):
    runs: tuple[Run, ...]
    #: Presentation role: "" (body), "small", "lead", "kicker", "meta", "generated", "scenario".
    role: str = ""

    def __init__(self, *parts: Inline | Iterable[Inline] | None, role: str = ""):
        object.__setattr__(self, "runs", runs(*parts))
        object.__setattr__(self, "role", role)


@dataclass(frozen=True)
class BulletList(_Block):
    items: tuple[tuple[Run, ...], ...]
    ordered: bool = False
    role: str = ""

    def __init__(self, items: Iterable[Inline | Iterable[Inline]], ordered: bool = False,
                 role: str = ""):
        object.__setattr__(self, "items", tuple(runs(x) for x in items))
        object.__setattr__(self, "ordered", ordered)
        object.__setattr__(self, "role", role)


Cell = tuple[Run, ...]


def _cells(row: Iterable[Inline | Iterable[Inline] | int | float | None]) -> tuple[Cell, ...]:
    out = []
    for v in row:
        if v is None:
            out.append(())
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append((Run(str(v)),))
        else:
            out.append(runs(v))
    return tuple(out)


@dataclass(frozen=True)
class Table(_Block):
    """A table: one header row, body rows, total rows (foot), numeric (right-aligned) columns.

    Cells hold runs (already formatted text: numbers go through :mod:`opkval.base.fmt` first).
    ``role`` names the table's kind for the writers' styles ("grants", "rules", "compact", ...).
    """

    head: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    foot: tuple[tuple[Cell, ...], ...] = ()
    numeric: tuple[int, ...] = ()
    caption: str = ""
    role: str = ""

    def __init__(self, head, rows, foot=(), numeric=(), caption: str = "", role: str = ""):
        object.__setattr__(self, "head", _cells(head))
        object.__setattr__(self, "rows", tuple(_cells(r) for r in rows))
        object.__setattr__(self, "foot", tuple(_cells(r) for r in foot))
        object.__setattr__(self, "numeric", tuple(sorted(set(numeric))))
        object.__setattr__(self, "caption", caption)
        object.__setattr__(self, "role", role)


@dataclass(frozen=True)
class Figure(_Block):
    """A picture with its text alternative: a chart (SVG and PNG) or a logo (PNG).

    ``alt`` says what the picture shows (every series of a chart with its values); ``caption``
    is the visible caption. ``svg`` is used where a writer takes vectors (HTML, PDF); ``png``
    where it does not (Word). ``width_cm`` is the width on an A4 page.
    """

    alt: str
    png: bytes = b""
    svg: str = ""
    caption: str = ""
    role: str = "chart"
    width_cm: float = 16.0


@dataclass(frozen=True)
class KeyValue(_Block):
    """Label–value pairs, such as a bilag's header fields (Udvalg, Møde, Sagsnr., ...)."""

    pairs: tuple[tuple[str, str], ...]

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        object.__setattr__(self, "pairs", tuple((str(k), str(v)) for k, v in pairs))


@dataclass(frozen=True)
class Box(_Block):
    """A boxed group of blocks (the summary a council member reads first)."""

    children: tuple[Any, ...]
    role: str = "summary"

    def __init__(self, children: Iterable[Any], role: str = "summary"):
        object.__setattr__(self, "children", tuple(c for c in children if c is not None))
        object.__setattr__(self, "role", role)


@dataclass(frozen=True)
class Section(_Block):
    """A section of the document: its blocks in order (a :class:`Heading` usually first).

    ``role``: "" (a plain section), "title" (the title block: logo, header fields, kicker,
    the document's level-1 heading, meta lines), "summary" (boxed like :class:`Box`: what a
    council member reads first), "kommune-tekst" (the kommune's own words), "manifest" (the
    run manifest at the end, in small type).
    """

    children: tuple[Any, ...]
    role: str = ""
    anchor: str = ""

    def __init__(self, children: Iterable[Any], role: str = "", anchor: str = ""):
        object.__setattr__(self, "children", tuple(c for c in children if c is not None))
        object.__setattr__(self, "role", role)
        object.__setattr__(self, "anchor", anchor)


Block = Heading | Paragraph | BulletList | Table | Figure | KeyValue | Box | Section
BLOCK_TYPES: dict[str, type] = {c.__name__: c for c in
                                (Heading, Paragraph, BulletList, Table, Figure, KeyValue, Box,
                                 Section)}
BLOCK_CLASSES = tuple(BLOCK_TYPES.values())


@dataclass
class Document:
    """A whole document: its blocks and what every page carries (title, header fields, logo).

    ``kind`` is "bilag", "analyse", "dagsordenspunkt" or "landsoversigt"; ``lang`` is always
    Danish. ``header`` holds the running header's lines (kommune, bilag number, ...).
    """

    title: str
    blocks: list[Any] = field(default_factory=list)
    kind: str = "bilag"
    lang: str = "da"
    header: tuple[str, ...] = ()
    #: Set from SOURCE_DATE_EPOCH or the build time (ISO 8601), for the files' metadata.
    created: str = ""
    author: str = ""


# ------------------------------------------------------------------------------ JSON


def _run_data(r: Run) -> dict | str:
    d = {f.name: getattr(r, f.name) for f in fields(r) if getattr(r, f.name) != f.default}
    return r.text if set(d) == {"text"} else d


def _run_from(d: dict | str) -> Run:
    return Run(d) if isinstance(d, str) else Run(**d)


def to_data(block: Any) -> dict:
    """A block as JSON-ready data (``{"type": "Table", ...}``); bytes as base64."""
    if isinstance(block, Document):
        return {"type": "Document", "title": block.title, "kind": block.kind,
                "lang": block.lang, "header": list(block.header), "created": block.created,
                "author": block.author, "blocks": [to_data(x) for x in block.blocks]}
    t = type(block).__name__
    if t not in BLOCK_TYPES:
        raise TypeError(f"not a document block: {block!r}")
    d: dict[str, Any] = {"type": t}
    for f in fields(block):
        v = getattr(block, f.name)
        if f.name == "runs":
            v = [_run_data(r) for r in v]
        elif f.name == "items":
            v = [[_run_data(r) for r in item] for item in v]
        elif f.name == "head":
            v = [[_run_data(r) for r in c] for c in v]
        elif f.name in ("rows", "foot"):
            v = [[[_run_data(r) for r in c] for c in row] for row in v]
        elif f.name == "children":
            v = [to_data(c) for c in v]
        elif f.name == "pairs":
            v = [list(p) for p in v]
        elif f.name == "png":
            v = base64.b64encode(v).decode("ascii")
        elif f.name == "numeric":
            v = list(v)
        d[f.name] = v
    return d


def from_data(d: dict) -> Any:
    """The block (or Document) that :func:`to_data` wrote."""
    t = d.get("type")
    if t == "Document":
        return Document(title=d["title"], kind=d.get("kind", "bilag"), lang=d.get("lang", "da"),
                        header=tuple(d.get("header") or ()), created=d.get("created", ""),
                        author=d.get("author", ""),
                        blocks=[from_data(x) for x in d.get("blocks", [])])
    if t not in BLOCK_TYPES:
        raise ValueError(f"unknown block type {t!r}")
    a = {k: v for k, v in d.items() if k != "type"}
    if t == "Paragraph":
        return Paragraph([_run_from(r) for r in a["runs"]], role=a.get("role", ""))
    if t == "BulletList":
        return BulletList([[_run_from(r) for r in item] for item in a["items"]],
                          ordered=a.get("ordered", False), role=a.get("role", ""))
    if t == "Table":
        def cells(row):
            return [[_run_from(r) for r in c] for c in row]
        return Table(cells(a["head"]), [cells(r) for r in a["rows"]],
                     foot=[cells(r) for r in a.get("foot", [])], numeric=a.get("numeric", ()),
                     caption=a.get("caption", ""), role=a.get("role", ""))
    if t == "Figure":
        a["png"] = base64.b64decode(a.get("png") or "")
        return Figure(**a)
    if t == "KeyValue":
        return KeyValue([tuple(p) for p in a["pairs"]])
    if t in ("Box", "Section"):
        a["children"] = [from_data(c) for c in a["children"]]
        return BLOCK_TYPES[t](**a)
    return BLOCK_TYPES[t](**a)


# ------------------------------------------------------------------------------ walking


def walk(blocks: Iterable[Any]):
    """Every block in document order, containers before their children."""
    for blk in blocks:
        yield blk
        if isinstance(blk, (Box, Section)):
            yield from walk(blk.children)


def plain_text(block: Any) -> str:
    """A block's visible text, for tests (LIX, sentence length) and ``text/plain``."""
    if isinstance(block, Document):
        return "\n\n".join(plain_text(x) for x in block.blocks)
    if isinstance(block, Heading):
        return block.text
    if isinstance(block, Paragraph):
        return plain(block.runs)
    if isinstance(block, BulletList):
        return "\n".join(plain(i) for i in block.items)
    if isinstance(block, Table):
        lines = [block.caption] if block.caption else []
        for row in (block.head, *block.rows, *block.foot):
            lines.append("\t".join(plain(c) for c in row))
        return "\n".join(lines)
    if isinstance(block, Figure):
        return block.caption
    if isinstance(block, KeyValue):
        return "\n".join(f"{k}: {v}" for k, v in block.pairs)
    if isinstance(block, (Box, Section)):
        return "\n\n".join(plain_text(c) for c in block.children)
    raise TypeError(f"not a document block: {block!r}")


@dataclass(frozen=True)
class Shown:
    """Blocks a notebook cell shows as one output (:func:`opkval.sections.present.show`): their
    HTML one after another, and their data as ``{"type": "Blocks", "blocks": [...]}``.

    Not a block of the document: :func:`blocks_from_outputs` reads the blocks inside it. One
    output per cell, not one per block: each output is a message from the kernel, and a
    note's 25 of them cost about 0,03 s of CPU (kernel and papermill together) more than one.
    The HTML is the same: nbconvert writes consecutive outputs' HTML with nothing between.
    """

    blocks: tuple[Any, ...]

    def __init__(self, blocks: Iterable[Any]):
        object.__setattr__(self, "blocks", tuple(blocks))

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {MIMETYPE: {"type": "Blocks", "blocks": [to_data(b) for b in self.blocks]},
                  "text/plain": "\n\n".join(plain_text(b)[:200] for b in self.blocks)}
        if HTML_WRITER is not None:
            bundle["text/html"] = "".join(str(HTML_WRITER(b)) for b in self.blocks)
        return bundle, {}


def blocks_from_outputs(nb) -> list[Any]:
    """Every block an executed notebook displayed, in order (outputs under :data:`MIMETYPE`:
    one block, or the blocks a cell showed together, :class:`Shown`)."""
    out: list[Any] = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = (o.get("data") or {}).get(MIMETYPE)
            if data is None:
                continue
            if data.get("type") == "Blocks":
                out.extend(from_data(x) for x in data["blocks"])
            else:
                out.append(from_data(data))
    return out


def sequence(*parts: Any | Sequence[Any] | None) -> list[Any]:
    """Flatten blocks and lists of blocks, skipping None."""
    out: list[Any] = []
    for p in parts:
        if p is None:
            continue
        if isinstance(p, (list, tuple)):
            out.extend(sequence(*p))
        else:
            out.append(p)
    return out
