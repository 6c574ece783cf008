"""The plan sections: escaping of free text, and a kommune without a plan."""

from __future__ import annotations

from dataclasses import replace

from opkval.assembly.context import plan_context, pool_facts
from opkval.base import doc
from opkval.inputs.config import load_config, load_rules
from opkval.sections import present_plan
from opkval.sections.charts import plan_cumulative
from tests.conftest import RULES
from tests.docquery import cell_texts, html_of, plain, runs_in, table_with
from tests.textof import text_of

CFG = load_config()  # the engines take the pool's config as an argument


def _ctx(plan_ctx, kommune_navn="Ishøj", grants=None):
    """A note's context with the pool's facts from the config and a hand-made kommune; with
    ``grants``, the round summaries of those grants (as build_context makes them)."""
    ctx = {**pool_facts(load_config(), load_rules()),
           "kommune": {"navn": kommune_navn, "slug": "ishoej"}, "plan": plan_ctx}
    if grants is not None:
        from opkval.assembly.context import round_summaries
        from opkval.engine.allocation import GrantRow, key_factor_range, key_record
        from opkval.inputs.data import load_all

        factor = key_factor_range(key_record(load_all(), CFG))
        ctx["runder"] = round_summaries(load_config(), [GrantRow(**g) for g in grants], factor)
    return ctx


def _all_sections(ctx) -> list:
    return [f(ctx) for f in (present_plan.key_points, present_plan.money_table,
                             present_plan.indsats_table, present_plan.distribution,
                             present_plan.rules_table, present_plan.classification)]


def test_free_text_is_escaped(ishoej_plan, ishoej_grants):
    evil = "<script>alert(1)</script>"
    first = replace(ishoej_plan.indsatser[0], navn=evil, beskrivelse=evil,
                    antagelser=(evil,), fordeling={evil: 8})
    p = replace(ishoej_plan, indsatser=(first, *ishoej_plan.indsatser[1:]), titel=evil,
                kilde=evil)
    sections = _all_sections(_ctx(plan_context(p, ishoej_grants, CFG, RULES), grants=ishoej_grants))
    # The blocks hold the plan's text as it is (no markup, not escaped twice) ...
    assert evil in plain(sections) and "&lt;" not in plain(sections)
    # ... and the HTML writer escapes every place it reaches: name, title, source, beskrivelse,
    # antagelse and dagtilbud (a table header).
    html = html_of(sections)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6


def test_ishoej_sections_show_the_seed_figures(ishoej_plan, ishoej_grants):
    sections = _all_sections(_ctx(plan_context(ishoej_plan, ishoej_grants, CFG, RULES),
                                  grants=ishoej_grants))
    text = plain(sections)
    nb = "\u00a0"
    assert f"Planen bruger præcis første tildelingsrundes tilskud på 1.304.000{nb}kr. i " \
        "2024–2025" in text
    assert doc.b(f"1.304.000{nb}kr.") in runs_in(sections[0])  # the amount stands out
    for figure in ("462.000", "280.000", "50.000", "1.848.000", "792.000", "1.586.000",
                   "3.663.960", "4.637.960"):
        assert figure in text
    # Page 1: round 2 is an estimate, rounded in prose, given as the range of the two
    # estimates (4.637.960 on the 0-5 key, 2.560.000 carried forward); the plan (April 2024)
    # predates it, so it is "not yet planned", and the deadline is marked as assumed.
    section = present_plan.key_points(_ctx(plan_context(ishoej_plan, ishoej_grants, CFG, RULES),
                                           grants=ishoej_grants))
    points = plain(section)
    # issue 19: the range founded on the key's record: 2.560.000 (round 1's share carried
    # forward, 55 % of the key) to 4.637.960 x 817.000 / 808.911 = 4.684.340 kr.
    assert f"ca.{nb}2,6–4,7{nb}mio.{nb}kr. for 2026–2030 (skøn: " in points
    assert doc.b("Anden tildelingsrunde er endnu ikke planlagt:") in runs_in(section)
    assert f"resten, ca.{nb}1,6–3,7{nb}mio.{nb}kr., skal planlægges" in points
    assert "31. december 2030 (antaget frist" in points
    assert "skal betales tilbage, hvis" not in points
    assert f"overholdt (7,7{nb}%), hvis den er diplommodul" in points
    # status shown as a word, not colour alone; the alternative verdict beside it
    rules = table_with(sections, "Planen kontrolleret")
    statuses = [r for row in rules.rows for r in row[1]]
    for st in ("afhaenger", "uafklaret", "ok"):
        assert doc.Run({"afhaenger": "Afhænger af klassifikationen",
                        "uafklaret": "Kan ikke afgøres", "ok": "OK"}[st], status=st) in statuses
    assert doc.Run("Brud", status="brud") not in statuses
    assert "Usikker klassifikation" in text and "fem kompetencegivende dage" in text
    rounds = table_with(sections, "Pr. tildelingsrunde")
    assert cell_texts(rounds.head) == ["Runde", "Modtaget", "Brugt", "Brugt i år", "Tilbage",
                                       "Frist", "Risiko*"]
    assert rounds.numeric == (1, 2, 4, 6)
    assert ["31.12.2030 (antaget)", "1.586.000–3.663.960"] == cell_texts(rounds.rows[1])[5:]
    assert "40 pædagoger" in text and "8 pædagogmedhjælpere" in text


def test_page_1_says_which_count_rests_on_the_uncertain_course(ishoej_plan, ishoej_grants):
    """The bilag's 40 pædagoger on Ansvar og følgeskab are counted as course participants; if
    the course is a diplommodul they are students, and page 1 says so."""
    points = text_of(present_plan.key_points(_ctx(plan_context(ishoej_plan, ishoej_grants, CFG,
                                                               RULES), grants=ishoej_grants)))
    assert ("De 40 deltagere i Ansvar og følgeskab i pædagogikken er talt som deltagere i "
            "kurser; hvis den er diplommodul, er de studerende i formel uddannelse.") in points


def test_an_ok_that_rests_on_the_uncertain_course_says_so_on_page_1(
        ishoej_plan_read_otherwise, ishoej_grants):
    """The course read as a diplommodul: the 90/10 rule holds (7,7 % informal) only under that
    reading, and is broken (29,1 %) under the other. Page 1 names it with both verdicts, not
    just the rules that are not OK; the counts say one verdict rests on an assumption."""
    pc = plan_context(ishoej_plan_read_otherwise, ishoej_grants, CFG, RULES)
    points = plain(present_plan.key_points(_ctx(pc, grants=ishoej_grants)))
    nb = "\u00a0"
    assert ("1 afhænger af klassifikationen (Mindst 90" in points
            and f"Overholdt (7,7{nb}%), hvis Ansvar og følgeskab i pædagogikken er diplommodul"
            in points and f"brud (29,1{nb}%), hvis den er uformel opkvalificering" in points)
    assert "1 brud" not in points
    assert "1 af dem afhænger af en antagelse" in text_of(present_plan.rules_table(
        _ctx(pc, grants=ishoej_grants)))
    assert ("er talt som studerende i formel uddannelse; hvis den er uformel "
            "opkvalificering, er de deltagere i kurser") in points


def test_no_plan_is_a_section_not_an_error():
    ctx = _ctx(None)
    section = present_plan.key_points(ctx)
    assert section.children[0] == doc.Heading(2, "Lokal plan")
    assert doc.b("Ingen lokal plan registreret.") in runs_in(section)
    assert doc.Run("data/plans/ishoej.yaml", code=True) in runs_in(section)
    for f in (present_plan.money_table, present_plan.indsats_table, present_plan.distribution,
              present_plan.rules_table, present_plan.classification, present_plan.changes):
        assert f(ctx) is None
    assert plan_cumulative(ctx) is None


def test_cumulative_chart_alt_text(ishoej_plan, ishoej_grants):
    chart = plan_cumulative(_ctx(plan_context(ishoej_plan, ishoej_grants, CFG, RULES),
                                 grants=ishoej_grants))
    assert "<svg" in chart.svg[:500] and not chart.png
    # Received by 2030: 1.304.000 (round 1) + 4.637.960 (round 2 on the 0-5 key).
    assert "2030: tilskud 5.941.960\u00a0kr., forbrug 2.278.000\u00a0kr." in chart.alt


def test_participant_counts_have_thousands_separators(ishoej_plan, ishoej_grants):
    # Counts go through fmt.number like every other figure: 1200 reads "1.200", not "1200".
    pc = plan_context(ishoej_plan, ishoej_grants, CFG, RULES)
    pc["deltagere_i_alt"] = pc["studerende_i_alt"] = 1200
    pc["studerende_pr_maalgruppe"] = {"Pædagogmedhjælpere": 1200}
    pc["kursister_i_alt"], pc["kursister_pr_maalgruppe"] = 0, {}
    html = text_of(present_plan.key_points(_ctx(pc, grants=ishoej_grants)))
    assert "Planen omfatter 1.200 studerende i formel uddannelse (1.200 pædagogmedhjælpere)" \
        in html
    assert "1200" not in html


def test_no_plan_and_rule_count_follow_the_config(ishoej_plan, ishoej_grants):
    # The payment year of round 2 and the number of rules come from the context, not the text.
    ctx = _ctx(None)
    ctx["runder"][1]["udbetalingsaar"] = 2027
    assert "Anden tildelingsrunde (udmøntes i 2027)" in text_of(present_plan._no_plan(ctx))
    pc = plan_context(ishoej_plan, ishoej_grants, CFG, RULES)
    pc["regler"] = [dict(r, status="ok") for r in pc["regler"][:5]]
    assert "Planen overholder alle fem regler" in text_of(present_plan.key_points(
        _ctx(pc, grants=ishoej_grants)))


def test_risk_at_an_assumed_deadline_is_conditional_on_page_1(ishoej_plan, ishoej_grants):
    """The same plan dated after round 2 was set (2026-02-01): its 1.586.000-3.663.960 kr. of
    round 2 left is a conditional risk (an estimate and an assumed deadline), not "skal
    betales tilbage"."""
    import datetime as dt

    p = replace(ishoej_plan, dato=dt.date(2026, 2, 1))
    section = present_plan.key_points(_ctx(plan_context(p, ishoej_grants, CFG, RULES),
                                           grants=ishoej_grants))
    points = plain(section)
    nb = "\u00a0"
    assert doc.b("Risiko for tilbagebetaling (betinget):") in runs_in(section)
    assert f"ca.{nb}1,6–3,7{nb}mio.{nb}kr. af anden tildelingsrunde" in points
    assert "udmøntes samlet i 2026" in points
    assert "hvis skønnet holder" in points and "(antaget frist" in points
    assert "endnu ikke planlagt" not in points


def test_a_line_break_in_a_cell_is_in_the_blocks(ishoej_plan, ishoej_grants):
    """Where the HTML note broke a cell's line (a period, the 'ellers' verdict, the
    assumption under a rule's text), the blocks hold a "\\n" in the run's text."""
    ctx = _ctx(plan_context(ishoej_plan, ishoej_grants, CFG, RULES), grants=ishoej_grants)
    indsatser = table_with(present_plan.indsats_table(ctx), "Planens indsatser")
    # Meritpædagoguddannelse runs 1 August 2024 – 31 July 2027 (data/plans/ishoej.yaml).
    assert cell_texts(indsatser.rows[0])[4] == "01.08.2024–\n31.07.2027"
    rules = table_with(present_plan.rules_table(ctx), "Planen kontrolleret")
    text = [doc.plain(row[2]) for row in rules.rows]
    assert any("\nForudsætning: Ansvar og følgeskab" in t for t in text)


def test_a_line_break_in_a_cell_is_a_line_break_in_the_html(ishoej_plan, ishoej_grants):
    ctx = _ctx(plan_context(ishoej_plan, ishoej_grants, CFG, RULES), grants=ishoej_grants)
    html = html_of(present_plan.rules_table(ctx))
    assert "<br><i>Forudsætning:</i> Ansvar og følgeskab" in html
    # A verdict that flips on a classification gives both readings in its text, not "ellers".
    assert ('<span class="status status-afhaenger">Afhænger af klassifikationen</span></td>'
            in html)
