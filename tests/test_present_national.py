"""The landsoversigt's wording: grammatical number, no file names in prose, its own h1, and
its first page (issue 22): totals, what the pool buys, estimates, the lift, plan coverage."""

import datetime as dt
import re

import pytest

from opkval import PROJECT_ROOT
from opkval.assembly.context import build_context
from opkval.assembly.national import national_context, note_summary
from opkval.base import doc, klarsprog
from opkval.publish.site import index_html
from opkval.sections import present_national
from tests.textof import text_of


@pytest.fixture(scope="module")
def nctx(data):
    return national_context(data, PROJECT_ROOT / "reports", 2026)


def _text(x) -> str:
    return text_of(x)


def test_counts_take_the_grammatical_number(nctx):
    one = _text(present_national.title({**nctx, "notater": 1, "planer": 1}))
    assert "1 kommunenotat ·" in one and "1 lokal plan registreret" in one
    assert "1 lokale planer" not in one
    many = _text(present_national.title({**nctx, "notater": 98, "planer": 2}))
    assert "98 kommunenotater" in many and "2 lokale planer" in many


def test_the_landsoversigt_has_its_own_h1(nctx, tmp_path):
    h1 = next(x.text for x in doc.walk([present_national.title(nctx)])
              if isinstance(x, doc.Heading) and x.level == 1)
    index = index_html(nctx, tmp_path, ("html",))
    assert h1 != re.search(r"<h1>(.*?)</h1>", index).group(1)
    assert h1.startswith("Landsoversigt")


def test_no_file_names_in_the_prose(nctx):
    prose = _text([present_national.summary(nctx), present_national.grants_by_key(nctx),
                   present_national.gaps(nctx), present_national.plans(nctx),
                   present_national.backtest(nctx), present_national.distances(nctx),
                   present_national.groups(nctx), present_national.pool_reach(nctx)])
    assert not re.search(r"\w+\.(html|json|pdf|yaml|csv)\b|data/plans", prose), prose
    empty = {**nctx, "kommuner": [{**r, "har_plan": False} for r in nctx["kommuner"]]}
    assert "data/plans" not in _text(present_national.plans(empty))


def _read_by_the_council(nctx) -> str:
    """Every section of the landsoversigt as notebooks/landsoversigt.py shows it, the chart's
    text alternative and caption included, but the run details (version, commit, input
    hashes: the record of how it was made, as in each analysis)."""
    from opkval.sections import charts

    chart = charts.national_staff_distribution(nctx)
    return _text([present_national.title(nctx), present_national.summary(nctx),
                  present_national.distances(nctx), present_national.gaps(nctx),
                  present_national.groups(nctx), present_national.pool_reach(nctx),
                  present_national.plans(nctx), present_national.backtest(nctx),
                  present_national.grants_by_key(nctx)]) + " " + " ".join(
        x for x in (getattr(chart, "alt", ""), getattr(chart, "caption", "")) if x)


def test_no_tool_names_or_paths_in_what_the_landsoversigt_says(nctx, with_ishoej):
    """No tool name (it said "opkval kender …", "registreret i opkval"), command, file path or
    commit in the text a ministry or council reads: with no plan, with Ishøj's, and with none
    registered at all."""
    empty = {**nctx, "kommuner": [{**r, "har_plan": False} for r in nctx["kommuner"]]}
    for n in (nctx, with_ishoej, empty):
        text = _read_by_the_council(n)
        assert klarsprog.forbidden(text) == [], klarsprog.forbidden(text)
        assert not re.search(r"\bopkvals?\b", text, re.IGNORECASE)
    # The facts those sentences carried are still said.
    summary = _text(present_national.summary(with_ishoej))
    assert "Der er kendte, offentliggjorte tilsagn for " in summary
    assert "1 kommune har en lokal plan i datagrundlaget" in summary
    assert _text(present_national.plans(empty)) == (
        "Lokale planer og regler Ingen kommuner har en lokal plan i datagrundlaget endnu.")


def test_the_plan_sentence_takes_the_number_of_plans():
    assert present_national._breaches(1, 1) == "; den bryder mindst én af puljens regler."
    assert present_national._breaches(1, 0) == "; den bryder ingen af puljens regler."
    assert present_national._breaches(3, 1) == "; 1 af dem bryder mindst én af puljens regler."
    assert present_national._breaches(0, 0) == "."
    # Ishøj's only brud rests on an uncertain classification (issue 11): not "ingen".
    assert present_national._breaches(1, 0, 1) == (
        "; den bryder en af puljens regler, men kun under en usikker klassifikation (under "
        "den alternative overholder planen reglen).")
    assert present_national._breaches(3, 1, 1).endswith(
        ", og 1 gør det kun under en usikker klassifikation (under den alternative overholder "
        "planen reglen).")


WHEN = dt.datetime(2026, 12, 7, 12, 0)


@pytest.fixture(scope="module")
def with_ishoej(data, index, ishoej_plan, tmp_path_factory):
    ctx = build_context(data, index.resolve("Ishøj"), 2026, generated_at=WHEN,
                        plan=ishoej_plan)
    return national_context(data, tmp_path_factory.mktemp("n"), 2026, generated_at=WHEN,
                            summaries={"ishoej": note_summary(ctx)})


def test_page_one_has_totals_reach_estimates_lift_and_coverage(with_ishoej):
    text = _text(present_national.summary(with_ishoej))
    # Totals, rounded as estimates (tests/test_national.py recomputes them from data/raw).
    assert "Pædagogisk personale (skøn) ca. 60.500" in text
    assert "ca. 14.500 personer" in text and "ca. 22.600 personer" in text
    assert "Børn 0–5 år (1. januar 2021) 369.586" in text
    # The pool against the gap: 979.500.000 ÷ 61.200 and ÷ 48.000, by hand.
    assert "kan betale 16.004–20.406 meritpladser" in text
    # The one-off lift: that it exists, and that its size is unknown.
    assert "engangsløft i 2026. Størrelsen er ukendt" in text
    # Plan coverage for round 2: Ishøj's plan is from before the round's terms.
    assert "0 af 98 kommuner har en lokal plan for anden runde" in text
    assert "1 kommune (Ishøj) har kun en plan fra før rundens vilkår" in text
    # The notes' ranges come from the key's record: Ishøj's tilsagn is 55 % of the key (seed
    # 001: 1.304.000 kr. against 2.361.832 kr.), Dragør's 817.000 kr. 101 % of two years' key.
    assert "typisk med et spænd fra 55 % til 101 % af skønnet, median over kommunerne" in text
    assert "Hver kommunes spænd står i regnearket" in text


def test_page_one_shows_the_estimates_range_when_the_notes_give_one(with_ishoej):
    rows = [{**r, "runder": [dict(g, skoen_interval_kr=[g["beloeb_kr"] * 55 // 100,
                                                         g["beloeb_kr"] * 101 // 100])
                             if g["grundlag"] != ["tilsagn"] else g for g in r["runder"]]}
            for r in with_ishoej["kommuner"]]
    from opkval.assembly.national import estimate_ranges

    nctx = {**with_ishoej, "kommuner": rows,
            "skoen_interval": estimate_ranges(rows, with_ishoej["runder"])}
    text = _text(present_national.summary(nctx))
    assert "typisk med et spænd fra 55 % til 101 % af skønnet" in text
    assert "ikke beregnet" not in text


def test_rankings_are_in_points_and_per_1000_children_not_persons(with_ishoej):
    table = next(x for x in doc.walk([present_national.gaps(with_ishoej)])
                 if isinstance(x, doc.Table))
    head = [doc.plain(c).replace("\u00a0", " ") for c in table.head]
    assert "Til 66,7 % (pp)" in head and "Til 66,7 % pr. 1.000 børn" in head
    assert not any("ersoner" in h for h in head)
    # Furthest from two thirds by points: the lowest share in data/raw (14,3 %) first.
    first = [doc.plain(c) for c in table.rows[0]]
    assert first[3] == "14,3\u00a0%" and first[4] == "52,4"


def test_afhaenger_is_counted_apart_in_the_plans_section(with_ishoej):
    rows = [dict(r, regler_antal={**r["regler_antal"], "brud": 0, "afhaenger": 1},
                 regelstatus="afhaenger") if r.get("har_plan") else r
            for r in with_ishoej["kommuner"]]
    from opkval.assembly.national import status_counts

    nctx = {**with_ishoej, "kommuner": rows, "status_antal": status_counts(rows)}
    section = present_national.plans(nctx)
    text = _text(section)
    assert "afhænger af klassifikationen: 1" in text and "brud:" not in text
    summary = _text(present_national.summary(nctx))
    assert "For 1 plan afhænger en regel af en klassifikation" in summary
    runs = [r for x in doc.walk([section]) if isinstance(x, doc.Table)
            for row in x.rows for c in row for r in c]
    assert any(r.status == "afhaenger" for r in runs)
