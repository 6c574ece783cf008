"""HTML for the document model (:mod:`opkval.base.doc`), escaped by construction.

Every piece of text passes through :func:`markupsafe.escape`; the only markup is the writer's
own. The classes match ``templates/opkval/style.css``.

The blocks are told apart by their class names. On import this module registers itself as
:data:`opkval.base.doc.HTML_WRITER`, so a block shows itself as HTML in Jupyter while the model
imports no writer (no import cycle).
"""

from __future__ import annotations

import base64
from typing import Any

from markupsafe import Markup, escape

from opkval.base import doc, fmt

#: A word longer than this (a plan allows 30 characters without a space) may break anywhere
#: in its table cell (class ``longword``), so one long name cannot push the columns after it
#: off the A4 page; cells with only shorter words ("Meritpædagoguddannelse", 22) keep them whole.
LONG_WORD = 24


def has_long_word(text: str) -> bool:
    """Whether plain text holds a word (punctuation around it aside) over :data:`LONG_WORD`.

    Words are split only where a line can break (:func:`opkval.base.fmt.line_words`): a name glued
    with no-break spaces is one word to the layout, so it is one word here too."""
    return any(len(w.strip(".,;:()»«\"'")) > LONG_WORD for w in fmt.line_words(text))


def _plain(runs) -> str:
    return "".join(r.text for r in runs)


def _kind(blk: Any) -> str:
    return type(blk).__name__

_HEADING_TAG = {1: "h1", 2: "h2", 3: "h3"}
_SECTION_TAG = {"title": "header", "manifest": "footer"}


def _esc(text: Any) -> str:
    """Text escaped for HTML (``& < > " '``), as a plain string to build on."""
    return str(escape(text))


def _attr(name: str, value: str) -> str:
    return f' {name}="{_esc(value)}"' if value else ""


# The writer builds plain strings in which every piece of text has passed through _esc and
# the only markup is its own, and hands out Markup: the same bytes as building with
# Markup.format, which (string.Formatter in Python) was four fifths of a note's HTML time.


def _run(r) -> str:
    # A line break inside a run (a hard break in the kommune's Markdown) is a <br>.
    text = "<br>".join(_esc(line) for line in r.text.split("\n"))
    if r.status:
        return f'<span class="status status-{_esc(r.status)}">{text}</span>'
    if r.label:
        cls = {"skøn": "sk"}.get(r.label, r.label)
        return f'<span class="label label-{_esc(cls)}">{text}</span>'
    if r.code:
        text = f"<code>{text}</code>"
    if r.italic:
        text = f"<i>{text}</i>"
    if r.bold:
        text = f"<b>{text}</b>"
    if r.href:
        text = f'<a href="{_esc(r.href)}">{text}</a>'
    return text


def _runs(rs) -> str:
    return "".join(_run(r) for r in rs)


def run_html(r) -> Markup:
    return Markup(_run(r))


def runs_html(rs) -> Markup:
    return Markup(_runs(rs))


def _table(t) -> str:
    num = set(t.numeric)

    def cell(tag: str, i: int, c) -> str:
        classes = (["num"] if i in num else [])
        if has_long_word(_plain(c)):
            classes.append("longword")
        scope = ' scope="col"' if tag == "th" else ""
        return f"<{tag}{scope}{_attr('class', ' '.join(classes))}>{_runs(c)}</{tag}>"

    def row(tag: str, cells) -> str:
        return "<tr>" + "".join(cell(tag, i, c) for i, c in enumerate(cells)) + "</tr>"

    out = [f"<table{_attr('class', t.role)}>"]
    if t.caption:
        out.append(f"<caption>{_esc(t.caption)}</caption>")
    out.append("<thead>" + row("th", t.head) + "</thead><tbody>")
    out.extend(row("td", r) for r in t.rows)
    out.append("</tbody>")
    if t.foot:
        out.append("<tfoot>" + "".join(row("td", r) for r in t.foot) + "</tfoot>")
    out.append("</table>")
    label = t.caption or "Tabel: " + ", ".join(_plain(h) for h in t.head)
    # On a narrow screen a wide table scrolls in its own box, reachable by keyboard.
    return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{_esc(label)}">'
            + "".join(out) + "</div>")


def _figure(f) -> str:
    if f.svg:
        src = "data:image/svg+xml;base64," + base64.b64encode(f.svg.encode()).decode("ascii")
    else:
        src = "data:image/png;base64," + base64.b64encode(f.png).decode("ascii")
    img = (f'<img src="{_esc(src)}" alt="{_esc(f.alt)}"'
           f'{_attr("class", "logo" if f.role == "logo" else "")}>')
    if f.role == "logo":
        return img
    cap = f"<figcaption>{_esc(f.caption)}</figcaption>" if f.caption else ""
    return f'<figure class="chart">{img}{cap}</figure>'


def _block(blk: Any) -> str:
    kind = _kind(blk)
    if kind == "Document":
        return "\n".join(_block(x) for x in blk.blocks)
    if kind == "Heading":
        tag = _HEADING_TAG.get(blk.level, "h3")
        return f"<{tag}{_attr('id', blk.anchor)}>{_esc(blk.text)}</{tag}>"
    if kind == "Paragraph":
        return f"<p{_attr('class', blk.role)}>{_runs(blk.runs)}</p>"
    if kind == "BulletList":
        tag = "ol" if blk.ordered else "ul"
        items = "".join(f"<li>{_runs(i)}</li>" for i in blk.items)
        return f"<{tag}{_attr('class', blk.role)}>{items}</{tag}>"
    if kind == "Table":
        return _table(blk)
    if kind == "Figure":
        return _figure(blk)
    if kind == "KeyValue":
        rows = "".join(f"<div><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>" for k, v in blk.pairs)
        return f'<dl class="notat-meta">{rows}</dl>'
    if kind == "Box":
        return (f'<section class="{_esc(blk.role)}">'
                + "".join(_block(c) for c in blk.children) + "</section>")
    if kind == "Section":
        # The title block is the page's <header>, the run manifest its <footer>.
        tag = _SECTION_TAG.get(blk.role, "section")
        return (f"<{tag}{_attr('class', blk.role)}{_attr('id', blk.anchor)}>"
                + "".join(_block(c) for c in blk.children) + f"</{tag}>")
    raise TypeError(f"not a document block: {blk!r}")


def block_html(blk: Any) -> Markup:
    """One block (or a whole :class:`opkval.base.doc.Document`'s blocks) as HTML."""
    return Markup(_block(blk))


doc.HTML_WRITER = block_html
