"""Issue 15, point 7: one long name cannot push a table's columns off the A4 page.

A plan allows 30 characters without a space (opkval.inputs.plan.MAX_WORD_CHARS). Before, 30 wide
letters in an indsats name pushed the indsats table past the page edge; the cells with such a
word may now break it, while cells with ordinary words keep them whole. The PDF is checked
where it is drawn: Typst lays out the plan's sections, poppler draws the pages, and no ink may
fall right of the text column (the right margin is 18 mm).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace

import pytest
from PIL import Image

from opkval.assembly.context import build_context
from opkval.base import doc
from opkval.base.html_writer import has_long_word
from opkval.inputs.plan import MAX_WORD_CHARS
from opkval.publish.typst_writer import MARGIN_MM, PAGE_MM, document_pdf
from opkval.sections import present_plan
from tests.textof import html_of

DPI = 72


def _overflow_mm(blocks, tmp_path) -> float:
    """How far (mm) ink reaches right of the text column on any page of the blocks' PDF."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(document_pdf(doc.Document(title="Lange ord", blocks=list(blocks))))
    subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "-png", str(pdf), str(tmp_path / "p")],
                   check=True, capture_output=True, timeout=120)
    limit = (PAGE_MM[0] - MARGIN_MM[1]) / 25.4 * DPI  # the text column's right edge, px
    worst = 0.0
    pages = sorted(tmp_path.glob("p-*.png"))
    assert pages
    for png in pages:
        im = Image.open(png).convert("L")
        w, h = im.size
        # Between the running header and the footer: the body only.
        top, bottom = int(MARGIN_MM[0] / 25.4 * DPI), int(h - MARGIN_MM[2] / 25.4 * DPI)
        right = im.crop((int(limit) + 1, top, w, bottom))
        # The darkest pixel of each column right of the limit (getextrema: no per-pixel list).
        dark = [x for x in range(right.size[0])
                if right.crop((x, 0, x + 1, right.size[1])).getextrema()[0] < 200]
        if dark:
            worst = max(worst, (max(dark) + 1) / DPI * 25.4)
    return worst


def _plan_blocks(data, ishoej_plan, name: str) -> list:
    """Ishøj's plan sections (the tables a name stands in) with its first indsats renamed."""
    first = replace(ishoej_plan.indsatser[0], navn=name)
    plan = replace(ishoej_plan, indsatser=(first, *ishoej_plan.indsatser[1:]))
    ctx = build_context(data, plan.kommune, 2026, plan=plan)
    return doc.sequence(*(f(ctx) for f in (
        present_plan.key_points, present_plan.money_table, present_plan.indsats_table,
        present_plan.distribution, present_plan.rules_table, present_plan.classification)))


@pytest.mark.parametrize("name", ["W" * MAX_WORD_CHARS, "Kompetenceudviklingsforløbet",
                                  "Meritpædagoguddannelse"])
def test_a_long_word_stays_inside_the_page(data, ishoej_plan, name, tmp_path):
    assert _overflow_mm(_plan_blocks(data, ishoej_plan, name), tmp_path) <= 0.5


def test_ordinary_words_are_kept_whole(data, ishoej_plan):
    html = html_of(_plan_blocks(data, ishoej_plan, "Meritpædagoguddannelse"))
    assert "longword" not in html  # breaks only where a word is longer than LONG_WORD
    # A cell's text, as the HTML writer checks it (punctuation around a word aside).
    assert has_long_word("W" * 30 + ", ")
    assert not has_long_word("Børne- og Undervisningsministeriet, 2024")
