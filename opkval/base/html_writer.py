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


def _attr(name: str, value: str) -> Markup:
    return Markup(' {}="{}"').format(Markup(name), value) if value else Markup("")


def run_html(r) -> Markup:
    # A line break inside a run (a hard break in the kommune's Markdown) is a <br>.
    text: Markup = Markup("<br>").join(escape(line) for line in r.text.split("\n"))
    if r.status:
        return Markup('<span class="status status-{}">{}</span>').format(r.status, text)
    if r.label:
        cls = {"skøn": "sk"}.get(r.label, r.label)
        return Markup('<span class="label label-{}">{}</span>').format(cls, text)
    if r.code:
        text = Markup("<code>{}</code>").format(text)
    if r.italic:
        text = Markup("<i>{}</i>").format(text)
    if r.bold:
        text = Markup("<b>{}</b>").format(text)
    if r.href:
        text = Markup('<a href="{}">{}</a>').format(r.href, text)
    return text


def runs_html(rs) -> Markup:
    return Markup("").join(run_html(r) for r in rs)


def _table(t) -> Markup:
    num = set(t.numeric)

    def cell(tag: str, i: int, c) -> Markup:
        classes = (["num"] if i in num else [])
        if has_long_word(_plain(c)):
            classes.append("longword")
        scope = Markup(' scope="col"') if tag == "th" else Markup("")
        return Markup("<{}{}{}>{}</{}>").format(Markup(tag), scope,
                                                 _attr("class", " ".join(classes)),
                                                 runs_html(c), Markup(tag))

    out = [Markup("<table{}>").format(_attr("class", t.role))]
    if t.caption:
        out.append(Markup("<caption>{}</caption>").format(t.caption))
    out.append(Markup("<thead><tr>") + Markup("").join(cell("th", i, h)
                                                        for i, h in enumerate(t.head))
               + Markup("</tr></thead><tbody>"))
    for row in t.rows:
        out.append(Markup("<tr>") + Markup("").join(cell("td", i, c) for i, c in enumerate(row))
                   + Markup("</tr>"))
    out.append(Markup("</tbody>"))
    if t.foot:
        out.append(Markup("<tfoot>") + Markup("").join(
            Markup("<tr>") + Markup("").join(cell("td", i, c) for i, c in enumerate(row))
            + Markup("</tr>") for row in t.foot) + Markup("</tfoot>"))
    out.append(Markup("</table>"))
    label = t.caption or "Tabel: " + ", ".join(_plain(h) for h in t.head)
    # On a narrow screen a wide table scrolls in its own box, reachable by keyboard.
    return (Markup('<div class="table-scroll" role="region" tabindex="0" aria-label="{}">')
            .format(label) + Markup("").join(out) + Markup("</div>"))


def _figure(f) -> Markup:
    if f.svg:
        src = "data:image/svg+xml;base64," + base64.b64encode(f.svg.encode()).decode("ascii")
    else:
        src = "data:image/png;base64," + base64.b64encode(f.png).decode("ascii")
    img = Markup('<img src="{}" alt="{}"{}>').format(
        src, f.alt, _attr("class", "logo" if f.role == "logo" else ""))
    if f.role == "logo":
        return img
    cap = Markup("<figcaption>{}</figcaption>").format(f.caption) if f.caption else Markup("")
    return Markup('<figure class="chart">{}{}</figure>').format(img, cap)


def block_html(blk: Any) -> Markup:
    """One block (or a whole :class:`opkval.base.doc.Document`'s blocks) as HTML."""
    kind = _kind(blk)
    if kind == "Document":
        return Markup("\n").join(block_html(x) for x in blk.blocks)
    if kind == "Heading":
        tag = Markup(_HEADING_TAG.get(blk.level, "h3"))
        return Markup("<{}{}>{}</{}>").format(tag, _attr("id", blk.anchor), blk.text, tag)
    if kind == "Paragraph":
        return Markup("<p{}>{}</p>").format(_attr("class", blk.role), runs_html(blk.runs))
    if kind == "BulletList":
        tag = Markup("ol" if blk.ordered else "ul")
        items = Markup("").join(Markup("<li>{}</li>").format(runs_html(i)) for i in blk.items)
        return Markup("<{}{}>{}</{}>").format(tag, _attr("class", blk.role), items, tag)
    if kind == "Table":
        return _table(blk)
    if kind == "Figure":
        return _figure(blk)
    if kind == "KeyValue":
        rows = Markup("").join(Markup("<div><dt>{}</dt><dd>{}</dd></div>").format(k, v)
                               for k, v in blk.pairs)
        return Markup('<dl class="notat-meta">{}</dl>').format(rows)
    if kind == "Box":
        return Markup('<section class="{}">{}</section>').format(
            blk.role, Markup("").join(block_html(c) for c in blk.children))
    if kind == "Section":
        # The title block is the page's <header>, the run manifest its <footer>.
        tag = Markup(_SECTION_TAG.get(blk.role, "section"))
        return Markup("<{}{}{}>{}</{}>").format(
            tag, _attr("class", blk.role), _attr("id", blk.anchor),
            Markup("").join(block_html(c) for c in blk.children), tag)
    raise TypeError(f"not a document block: {blk!r}")


doc.HTML_WRITER = block_html
