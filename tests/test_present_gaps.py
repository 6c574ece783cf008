"""The gap sections render from a context, with and without a plan (no notebook run)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from opkval.assembly.context import build_context
from opkval.base import doc
from opkval.engine.plan_effect import parse_extra
from opkval.inputs.data import load_all
from opkval.inputs.kommune import KommuneIndex
from opkval.inputs.plan import load_plan
from opkval.sections import charts, present_gaps
from tests.conftest import PLAN_CONFIG, RULES
from tests.docquery import cell_texts, plain, runs_in, table_with
from tests.textof import text_of

FIXTURE = Path(__file__).parent / "fixtures" / "plan_ishoej_fixture.yaml"
WHEN = dt.datetime(2026, 11, 23, 12, 0)


def _ctx(kommune: str, **kw) -> dict:
    data = load_all()
    k = KommuneIndex(data.municipalities).resolve(kommune)
    ctx = build_context(data, k, generated_at=WHEN, run_manifest={"stub": True}, **kw)
    # As the notebook sees it: through JSON (sorted keys, dates as strings).
    return json.loads(json.dumps(ctx, ensure_ascii=False, sort_keys=True, allow_nan=False))


def test_no_plan_still_gets_gap_and_peer_sections():
    ctx = _ctx("Ishøj")
    sections = [present_gaps.staff_mix(ctx), present_gaps.peers(ctx)]
    text = plain(sections)
    assert "43,9\u00a0%" in text and "47,7\u00a0%" in text
    assert "hovedstadskommunerne" in text
    # 270,6 rounds to 271 persons (the staff table's total); gap to 80 %: 97,7 → 98.
    staff = table_with(sections, "Skøn over det pædagogiske personale")
    assert cell_texts(staff.foot[0])[-1] == "271" and staff.numeric == (1, 2, 3)
    gap = table_with(sections, "Ishøj Kommune: afstand fra 43,9")
    assert "98" in [cell_texts(r)[3] for r in gap.rows] and gap.role == "compact"
    assert "ingen lokal plan" in text_of(present_gaps.plan_effect(ctx))
    assert "ingen lokal plan" in text_of(present_gaps.checklist(ctx))
    assert present_gaps.chain(ctx) is None


def test_plan_sections_render_from_fixture(index, ishoej):
    plan = load_plan(FIXTURE, index, expected=ishoej, config=PLAN_CONFIG)
    ctx = _ctx("Ishøj", plan=plan, extras=parse_extra("meritpaedagog:4:2026", RULES))
    effect = present_gaps.plan_effect(ctx)
    html = plain(effect)
    # 8 + 4 scenario merit; 12 / 43,567 = 27,5 % → "28 %" of the way to 60 %.
    assert "12 meritpædagoger lukker ca. 28\u00a0% af afstanden til 60\u00a0%" in html
    assert doc.b("231.000\u00a0kr.") in runs_in(effect) and doc.b("Scenarie:") in runs_in(effect)
    cl = present_gaps.checklist(ctx)
    assert doc.Run("mangler", status="brud") in runs_in(cl) and "ICDP-programmet" in plain(cl)
    ch = present_gaps.chain(ctx)
    # The fixture's behov 'sprog' has no indsats; the note names it by its text.
    assert doc.Paragraph(doc.b("Behov uden indsats:"),
                         " Sprogarbejde med de mindste børn.") in ch.children


@pytest.mark.parametrize("kommune", ["Ishøj", "Samsø", "Læsø", "København"])
def test_charts_build(kommune):
    ctx = _ctx(kommune)
    for chart in (charts.staff_ranking(ctx), charts.normering_trend(ctx)):
        # Drawn once, as vectors (Word rasterises the SVG): no PNG is carried.
        assert "<svg" in chart.svg[:500] and not chart.png and chart.alt


def test_a_chart_is_the_same_whatever_was_drawn_before_it(ishoej_plan):
    """Charts reuse their emptied figures (charts._canvas): each chart's SVG is the same as
    from a new figure, byte for byte, in any order, for kommuner with and without a plan and
    with and without dagpleje figures."""
    ctxs = [_ctx("Ishøj", plan=ishoej_plan), _ctx("Læsø"), _ctx("Helsingør"),
            _ctx("København"), _ctx("Samsø")]
    fns = (charts.grants_by_year, charts.plan_cumulative, charts.staff_ranking,
           charts.normering_trend)

    def drawn(order, fresh):
        out = {}
        for i in order:
            for f in fns:
                if fresh:
                    charts._forget_figures()
                fig = f(ctxs[i])
                out[i, f.__name__] = fig.svg if fig else None
        return out

    new = drawn(range(5), fresh=True)
    assert new[0, "plan_cumulative"] and new[1, "plan_cumulative"] is None
    assert drawn(range(5), fresh=False) == new
    assert drawn([4, 2, 0, 3, 1, 0], fresh=False) == new


def test_a_kept_figure_is_empty_with_its_colours_from_the_start_and_its_own_thread():
    """An emptied figure has no lines, texts or legends left, starts the colour cycle again
    (a line without a colour is the first colour, as on a new figure), and another thread
    gets a figure of its own."""
    import threading

    import matplotlib

    first = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0]
    fig, ax = charts._canvas("prøve", (2.0, 2.0))
    ax.plot([0, 1])
    ax.annotate("x", (0, 0))
    fig.legend(handles=ax.lines)
    again, ax = charts._canvas("prøve", (2.0, 2.0))
    assert again is fig and not ax.lines and not ax.texts and not fig.legends
    (line,) = ax.plot([0, 1])
    assert line.get_color() == first
    other = []
    t = threading.Thread(target=lambda: other.append(charts._canvas("prøve", (2.0, 2.0))[0]))
    t.start()
    t.join()
    assert other and other[0] is not fig


@pytest.mark.parametrize("kommune", ["Ishøj", "Læsø"])
def test_ranking_draws_every_kommune_once_in_its_colour(kommune):
    """The 98 bars are one path a colour: the kommune's one bar, its group's other members,
    and the other kommuner, each bar a line of its own (a move and a line in the path)."""
    import re

    ctx = _ctx(kommune)
    k = ctx["kommune"]
    rows = ctx["gaps"]["rangering"]
    group = sum(1 for r in rows if r["kommunegruppe"] == k["kommunegruppe"]) - 1
    svg = charts.staff_ranking(ctx).svg
    bars = {}
    for d, style in re.findall(r'<path d="([^"]*)"[^>]*style="([^"]*)"', svg):
        colour = re.search(r"stroke: (#[0-9a-f]{6})", style)
        if colour and colour[1] in charts.GAP_COLORS.values() and "stroke-width: 3" in style:
            bars[colour[1]] = d.count("M ")
    assert bars == {charts.GAP_COLORS["kommune"]: 1, charts.GAP_COLORS["gruppe"]: group,
                    charts.GAP_COLORS["oevrige"]: 98 - 1 - group}


def test_ishoej_real_plan_without_target_uses_reference_targets(ishoej_plan):
    ctx = _ctx("Ishøj", plan=ishoej_plan)
    section = present_gaps.plan_effect(ctx)
    html = plain(section)
    # Seed 001 sets no target, so no "Planens eget mål" row.
    assert "Planen sætter ikke sit eget mål" in html and "Planens eget mål" not in html
    # Staff 47/3,0 + 409/3,1 + 738/6,0 = 270,6; 8 merit: 43,9 + 800/270,6 = 46,86 → 46,9 %.
    assert "til ca. 46,9\u00a0% i 2027" in html and doc.b("46,9\u00a0%") in runs_in(section)
    # Gap to 80 %: 36,1 pp × 270,6 = 97,7 persons; 8 / 97,7 = 8,2 % → "8 %".
    assert "8 meritpædagoger lukker ca. 8\u00a0% af afstanden til 80\u00a0%" in html
    # Ishøj (43,9 %) is above the national median (41,7 %): reached, not in the table.
    assert "Allerede nået og derfor ikke med i tabellen: Landsmedianen (41,7\u00a0%)." in html


@pytest.mark.parametrize("kommune", ["Ishøj", "Læsø"])
def test_every_section_is_a_headed_block_that_survives_the_notebook(kommune, index, ishoej):
    """Each section is a doc.Section with its heading first (never an HTML string), and comes
    back equal from the JSON the executed notebook keeps (doc.MIMETYPE)."""
    from opkval.sections import present_plan

    plan = (load_plan(FIXTURE, index, expected=ishoej, config=PLAN_CONFIG) if kommune == "Ishøj"
            else None)
    ctx = _ctx(kommune, plan=plan, extras=parse_extra("meritpaedagog:4:2026", RULES))
    fns = (present_plan.key_points, present_plan.money_table, present_plan.indsats_table,
           present_plan.distribution, present_plan.rules_table, present_plan.classification,
           present_plan.changes, present_gaps.staff_mix, present_gaps.peers,
           present_gaps.plan_effect, present_gaps.checklist, present_gaps.chain,
           present_gaps.method)
    sections = [s for s in (f(ctx) for f in fns) if s is not None]
    # The fixture plan names no distribution and no previous plan: 13 - 2 sections. Without
    # a plan only "Lokal plan" and the gap sections (no chain) are left.
    assert len(sections) == (11 if plan else 6)
    for s in sections:
        assert isinstance(s, doc.Section) and isinstance(s.children[0], doc.Heading)
        assert doc.from_data(json.loads(json.dumps(doc.to_data(s)))) == s
