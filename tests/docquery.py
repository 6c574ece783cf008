"""Reading document blocks (opkval.base.doc) in tests: their runs, tables, HTML and exact text.

:func:`tests.textof.text_of` folds white space (no-break spaces too); :func:`plain` keeps it,
for the tests that prove a figure is held together by a no-break space.
"""

from __future__ import annotations

from opkval.base import doc
from opkval.base.html_writer import block_html


def blocks(x) -> list:
    """Every block in x (a block or a list of them, None skipped), containers first."""
    items = [b for b in (x if isinstance(x, (list, tuple)) else [x]) if b is not None]
    return list(doc.walk(items))


def runs_in(x) -> list[doc.Run]:
    """Every run in x, in document order (paragraphs, list items, table cells)."""
    out: list[doc.Run] = []
    for b in blocks(x):
        if isinstance(b, doc.Paragraph):
            out.extend(b.runs)
        elif isinstance(b, doc.BulletList):
            for item in b.items:
                out.extend(item)
        elif isinstance(b, doc.Table):
            for row in (b.head, *b.rows, *b.foot):
                for cell in row:
                    out.extend(cell)
    return out


def tables_in(x) -> list[doc.Table]:
    return [b for b in blocks(x) if isinstance(b, doc.Table)]


def table_with(x, caption: str) -> doc.Table:
    """The one table in x whose caption starts with ``caption``."""
    found = [t for t in tables_in(x) if t.caption.startswith(caption)]
    assert len(found) == 1, [t.caption for t in tables_in(x)]
    return found[0]


def cell_texts(row) -> list[str]:
    return [doc.plain(c) for c in row]


def plain(x) -> str:
    """The exact text of x (no-break spaces kept), blocks joined by blank lines."""
    items = [b for b in (x if isinstance(x, (list, tuple)) else [x]) if b is not None]
    return "\n\n".join(doc.plain_text(b) for b in items)


def html_of(x) -> str:
    """The HTML the document's HTML writer makes of x (blocks or a list of them)."""
    items = [b for b in (x if isinstance(x, (list, tuple)) else [x]) if b is not None]
    return "".join(str(block_html(b)) for b in items)
