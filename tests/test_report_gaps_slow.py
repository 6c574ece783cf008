"""One real notebook run: a kommune without a plan gets the gap sections in the note."""

from __future__ import annotations

import pytest

from opkval.assembly.context import build_context
from opkval.inputs.data import load_all
from opkval.inputs.kommune import KommuneIndex
from opkval.publish.render import render_report


@pytest.mark.slow
def test_note_without_plan_has_gap_sections(tmp_path):
    data = load_all()
    k = KommuneIndex(data.municipalities).resolve("Læsø")
    files = render_report(build_context(data, k), tmp_path, formats=("html",))
    # The gap sections are in the analysis (<slug>-analyse.html).
    html = files.analyse_html.read_text(encoding="utf-8")
    assert "Uddannet personale: status og afstand til mål" in html
    # dagtilbud_kommune_stats.csv, Læsø: 41,7 % employed as pædagog.
    assert ("Læsø har 41,7\u00a0% af det pædagogiske personale (dagplejere medregnet) ansat "
            "som pædagoger") in html
    assert "opkval har ingen lokal plan for Læsø Kommune" in html
    assert html.count("data:image/svg+xml;base64") >= 3  # grants + ranking + normering charts
