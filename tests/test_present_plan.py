"""The plan sections: escaping of free text, and a kommune without a plan."""

from __future__ import annotations

from dataclasses import replace

from opkval import present_plan
from opkval.charts import plan_cumulative
from opkval.config import load_config, load_rules
from opkval.context import plan_context, pool_facts


def _ctx(plan_ctx, kommune_navn="Ishøj"):
    """A note's context with the pool's facts from the config and a hand-made kommune."""
    return {**pool_facts(load_config(), load_rules()),
            "kommune": {"navn": kommune_navn, "slug": "ishoej"}, "plan": plan_ctx}


def _all_sections(ctx) -> str:
    return "".join(f(ctx) for f in (present_plan.key_points, present_plan.money_table,
                                    present_plan.indsats_table, present_plan.distribution,
                                    present_plan.rules_table, present_plan.classification))


def test_free_text_is_escaped(ishoej_plan, ishoej_grants):
    evil = "<script>alert(1)</script>"
    first = replace(ishoej_plan.indsatser[0], navn=evil, beskrivelse=evil,
                    antagelser=(evil,), fordeling={evil: 8})
    p = replace(ishoej_plan, indsatser=(first, *ishoej_plan.indsatser[1:]), titel=evil,
                kilde=evil)
    html = _all_sections(_ctx(plan_context(p, ishoej_grants)))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_ishoej_sections_show_the_seed_figures(ishoej_plan, ishoej_grants):
    html = _all_sections(_ctx(plan_context(ishoej_plan, ishoej_grants)))
    nb = "\u00a0"
    assert f"Planen bruger præcis første tildelingsrundes tilskud på <b>1.304.000{nb}kr.</b>" \
        f" i 2024–2025" in html
    for figure in ("462.000", "280.000", "50.000", "1.848.000", "792.000", "1.586.000"):
        assert figure in html
    assert "Risiko for tilbagebetaling" in html
    # status shown as a word, not colour alone
    assert ">Brud</span>" in html and ">Advarsel</span>" in html and ">OK</span>" in html
    assert "40 pædagoger" in html and "8 pædagogmedhjælpere" in html


def test_no_plan_is_a_section_not_an_error():
    ctx = _ctx(None)
    assert "Ingen lokal plan registreret" in present_plan.key_points(ctx)
    assert "data/plans/ishoej.yaml" in present_plan.key_points(ctx)
    for f in (present_plan.money_table, present_plan.indsats_table, present_plan.distribution,
              present_plan.rules_table, present_plan.classification):
        assert f(ctx) == ""
    assert plan_cumulative(ctx) is None


def test_cumulative_chart_alt_text(ishoej_plan, ishoej_grants):
    chart = plan_cumulative(_ctx(plan_context(ishoej_plan, ishoej_grants)))
    assert chart.png.startswith(b"\x89PNG")
    assert "2030: tilskud 3.864.000\u00a0kr., forbrug 2.278.000\u00a0kr." in chart.alt


def test_participant_counts_have_thousands_separators(ishoej_plan, ishoej_grants):
    # Counts go through fmt.number like every other figure: 1200 reads "1.200", not "1200".
    pc = plan_context(ishoej_plan, ishoej_grants)
    pc["deltagere_i_alt"] = 1200
    pc["deltagere_pr_maalgruppe"] = {"Pædagogmedhjælpere": 1200}
    html = present_plan.key_points(_ctx(pc))
    assert "Planen omfatter 1.200 deltagere: 1.200 pædagogmedhjælpere" in html
    assert "1200" not in html


def test_no_plan_and_rule_count_follow_the_config(ishoej_plan, ishoej_grants):
    # The payment year of round 2 and the number of rules come from the context, not the text.
    ctx = _ctx(None)
    ctx["runder"][1]["udbetalingsaar"] = 2027
    assert "Anden tildelingsrunde (udbetales 2027)" in present_plan._no_plan(ctx)
    pc = plan_context(ishoej_plan, ishoej_grants)
    pc["regler"] = [dict(r, status="ok") for r in pc["regler"][:5]]
    assert "Planen overholder alle fem regler" in present_plan.key_points(_ctx(pc))
