"""The kommune's own words in its note: Markdown text, the header fields and the logo.

The plan's ``notat:`` texts are Markdown, and only paragraphs, bullet and numbered lists,
bold, italics and links pass through (markdown-it-py's "zero" preset with those rules and
``html`` off: raw HTML is shown as text, never passed on; links only to http(s) and mailto).
The same parse gives the document blocks every writer takes (:func:`md_doc`) and the plain
structure the agenda item is written from (:func:`md_blocks`).
"""

from __future__ import annotations

from functools import lru_cache

from opkval.base import doc
from opkval.sections.present import bilag_label, header, header_fields, section  # noqa: F401

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


def md_doc(text: str | None) -> list:
    """The kommune's Markdown as document blocks: paragraphs and lists of runs, with bold,
    italics and links (none for no text)."""
    out: list = []
    for blk in md_blocks(text):
        items = [[doc.Run(r["text"], bold=r["bold"], italic=r["italic"], href=r["href"] or "")
                  for r in runs] for runs in blk["items"]]
        if blk["kind"] == "p":
            out.append(doc.Paragraph(items[0]))
        else:
            out.append(doc.BulletList(items, ordered=blk["kind"] == "ol"))
    return out


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


def indledning(ctx: dict) -> doc.Section | None:
    text = (ctx.get("notat") or {}).get("indledning")
    if not text:
        return None
    return section("Indledning", md_doc(text), role="kommune-tekst")


def own_sections(ctx: dict) -> list[doc.Section] | None:
    """The kommune's own sections (``notat.afsnit``), each with its heading."""
    afsnit = (ctx.get("notat") or {}).get("afsnit") or []
    if not afsnit:
        return None
    return [section(a["overskrift"], md_doc(a["tekst"]), role="kommune-tekst")
            for a in afsnit]


def indstilling_text(ctx: dict) -> str:
    """The kommune's indstilling, or the default: the udvalg takes the orientation to
    efterretning."""
    return (ctx.get("notat") or {}).get("indstilling") or DEFAULT_INDSTILLING


def indstilling(ctx: dict) -> doc.Section | None:
    """The kommune's own indstilling (the default one belongs to the agenda item only)."""
    text = (ctx.get("notat") or {}).get("indstilling")
    if not text:
        return None
    return section("Indstilling", md_doc(text), role="kommune-tekst")
