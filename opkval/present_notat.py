"""The kommune's own words in its note: Markdown text, the header fields and the logo.

The plan's ``notat:`` texts are Markdown, and only paragraphs, bullet and numbered lists,
bold, italics and links pass through (markdown-it-py's "zero" preset with those rules and
``html`` off: raw HTML is shown as text, never passed on; links only to http(s) and mailto).
The same parse feeds the HTML (:func:`md_html`) and the Word writers (:func:`md_blocks`).
"""

from __future__ import annotations

from functools import lru_cache

from opkval.present import Html, bilag_label, esc, header, header_fields  # noqa: F401

LINK_SCHEMES = ("http://", "https://", "mailto:")
DEFAULT_INDSTILLING = ("Forvaltningen indstiller, at udvalget tager orienteringen til "
                       "efterretning.")


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "list", "link", "newline", "escape"])
    md.validateLink = lambda url: url.strip().lower().startswith(LINK_SCHEMES)
    return md


def md_html(text: str | None) -> Html:
    """Safe HTML for the kommune's Markdown ('' for none)."""
    if not text:
        return Html("")
    return Html(_parser().render(text))


def md_blocks(text: str | None) -> list[dict]:
    """The kommune's Markdown as blocks for other writers (Word, plain text).

    Each block: ``{"kind": "p" | "ul" | "ol", "items": [runs, ...]}`` (one item for a
    paragraph); runs: ``{"text", "bold", "italic", "href"}``.
    """
    if not text:
        return []
    blocks: list[dict] = []
    list_kind: str | None = None
    for tok in _parser().parse(text):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_kind = "ul" if tok.type.startswith("bullet") else "ol"
            blocks.append({"kind": list_kind, "items": []})
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_kind = None
        elif tok.type == "inline":
            runs = _runs(tok.children or [])
            if list_kind:
                blocks[-1]["items"].append(runs)
            else:
                blocks.append({"kind": "p", "items": [runs]})
    return blocks


def _runs(children) -> list[dict]:
    runs: list[dict] = []
    bold = italic = 0
    href = None
    for t in children:
        if t.type == "strong_open":
            bold += 1
        elif t.type == "strong_close":
            bold -= 1
        elif t.type == "em_open":
            italic += 1
        elif t.type == "em_close":
            italic -= 1
        elif t.type == "link_open":
            href = t.attrGet("href")
        elif t.type == "link_close":
            href = None
        elif t.type in ("softbreak", "hardbreak"):
            runs.append({"text": "\n" if t.type == "hardbreak" else " ", "bold": False,
                         "italic": False, "href": None})
        elif t.type == "text" and t.content:
            runs.append({"text": t.content, "bold": bold > 0, "italic": italic > 0,
                         "href": href})
    return runs


def md_plain(text: str | None) -> str:
    """The kommune's Markdown as plain text (lists as '- ' or '1. ' lines; links 'x (url)')."""
    out = []
    for b in md_blocks(text):
        for n, runs in enumerate(b["items"], start=1):
            line = "".join(r["text"] + (f" ({r['href']})" if r["href"] and r["href"] !=
                                        r["text"] else "") for r in _merge_links(runs))
            prefix = {"p": "", "ul": "- ", "ol": f"{n}. "}[b["kind"]]
            out.append(prefix + line)
        out.append("")
    return "\n".join(out).strip()


def _merge_links(runs: list[dict]) -> list[dict]:
    """Runs of one link's text as one run (so the URL is shown once)."""
    merged: list[dict] = []
    for r in runs:
        if merged and r["href"] and merged[-1]["href"] == r["href"]:
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + r["text"]}
        else:
            merged.append(dict(r))
    return merged


def indledning(ctx: dict) -> Html | None:
    text = (ctx.get("notat") or {}).get("indledning")
    if not text:
        return None
    return Html('<section class="kommune-tekst"><h2>Indledning</h2>' + md_html(text)
                + "</section>")


def own_sections(ctx: dict) -> Html | None:
    """The kommune's own sections (``notat.afsnit``), each with its heading."""
    afsnit = (ctx.get("notat") or {}).get("afsnit") or []
    if not afsnit:
        return None
    return Html("".join(f'<section class="kommune-tekst"><h2>{esc(a["overskrift"])}</h2>'
                        f"{md_html(a['tekst'])}</section>" for a in afsnit))


def indstilling_text(ctx: dict) -> str:
    """The kommune's indstilling, or the default: the udvalg takes the orientation to
    efterretning."""
    return (ctx.get("notat") or {}).get("indstilling") or DEFAULT_INDSTILLING


def indstilling(ctx: dict) -> Html | None:
    """The kommune's own indstilling (the default one belongs to the agenda item only)."""
    text = (ctx.get("notat") or {}).get("indstilling")
    if not text:
        return None
    return Html('<section class="kommune-tekst"><h2>Indstilling</h2>' + md_html(text)
                + "</section>")
