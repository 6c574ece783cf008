"""What a section says, as plain text, whether it is an HTML string or document blocks.

Tests of wording assert on this text, so they hold while the sections move from HTML strings
to the document model (opkval.base.doc) and do not depend on markup.
"""

from __future__ import annotations

import html
import re

from opkval.base import doc

_TAG = re.compile(r"<[^>]*>")


def text_of(x) -> str:
    """The visible text of a block, a Document, a list of them, or an HTML string."""
    if x is None:
        return ""
    if isinstance(x, (list, tuple)):
        return " ".join(text_of(p) for p in x)
    if isinstance(x, doc.Document) or type(x).__name__ in doc.BLOCK_TYPES:
        t = doc.plain_text(x)
    else:
        t = html.unescape(_TAG.sub(" ", str(x)))
    # Every run of white space, no-break spaces included, becomes one plain space.
    return " ".join(t.split())


def html_of(x) -> str:
    """The HTML the document model's writer gives a block, a list of blocks, or an HTML string
    (as it is): for tests that look at markup (bold, headings, escaping)."""
    from opkval.base.html_writer import block_html

    if x is None:
        return ""
    if isinstance(x, str):
        return x
    return "".join(str(block_html(b)) for b in doc.sequence(x))
