"""What the money not yet planned could buy (issue 22), for Ishøj by hand from seed 001.

Seed 001: round 1 is 280.000 kr. (2023) + 2 × 512.000 kr. (2024–2025) = 1.304.000 kr. The plan
spends 4 × 462.000 kr. (merit, 2024–2027) + 280.000 kr. (course, 2024) + 3 × 50.000 kr. (ICDP,
2024–2026) = 2.278.000 kr.; round 1 pays the first 1.304.000 kr., round 2 the other 974.000 kr.
Round 2's own amount is the key's estimate (tested in tests/test_allocation.py); what is left
of it is not planned, and the plan (21 April 2024) predates round 2's terms.
Fees (regler.yaml typiske_gebyrer): merit 48.000–61.200 kr., PAU 0–2.500 kr., diplommodul
9.000–14.200 kr.; the plan's own merit price is 4 × 462.000 ÷ 8 = 231.000 kr.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from opkval.assembly.context import build_context
from opkval.engine.options import extra_text, unplanned_options, window
from opkval.engine.plan_effect import parse_extra
from opkval.inputs.config import load_maal, load_rules
from opkval.sections.present_options import unplanned_money
from tests.conftest import RULES
from tests.textof import text_of

WHEN = dt.datetime(2026, 12, 7, 12, 0)
NB = "\u00a0"


@pytest.fixture(scope="module")
def ishoej_ctx(data, index, ishoej_plan):
    return build_context(data, index.resolve("Ishøj"), 2026, generated_at=WHEN,
                         plan=ishoej_plan)


def _round(ctx, rid):
    return next(r for r in ctx["muligheder"]["runder"] if r["id"] == rid)


def _opt(rnd, kat, grundlag="gebyr"):
    return next(o for o in rnd["muligheder"] if o["kategori"] == kat
                and o["pris"]["grundlag"] == grundlag)


def test_ishoej_round_2_money_not_planned_by_hand(ishoej_ctx):
    r2_amount = next(r for r in ishoej_ctx["runder"] if r["id"] == 2)["beloeb_kr"]
    planned = 2_278_000 - 1_304_000  # the plan's spending beyond round 1
    assert planned == 974_000
    r2 = _round(ishoej_ctx, 2)
    assert r2["planlagt_kr"] == planned
    assert r2["ikke_planlagt_kr"] == r2_amount - planned
    assert r2["grund"] == "plan_foer_runden"
    # Round 1 is all used by the plan.
    assert _round(ishoej_ctx, 1)["ikke_planlagt_kr"] == 0


def test_ishoej_what_round_2_could_buy_by_hand(ishoej_ctx):
    r2 = _round(ishoej_ctx, 2)
    amount = r2["ikke_planlagt_kr"]
    merit = _opt(r2, "meritpaedagog")
    assert merit["pladser"] == amount // 61_200 and merit["pladser_hoejst"] == amount // 48_000
    assert _opt(r2, "meritpaedagog", "egen_plan")["pladser"] == amount // 231_000
    diplom = _opt(r2, "diplommodul")
    assert diplom["pladser"] == amount // 14_200 and diplom["pladser_hoejst"] == amount // 9_000
    # PAU's fee (at most 2.500 kr.) is no limit: the pædagogmedhjælpere are. Ishøj: 1.194
    # enrolled children / normering (47/3,0 + 409/3,1 + 738/6,0 = 270,6 staff, data/raw),
    # 38,6 % of them pædagogmedhjælpere = 104,45 → 104, minus the plan's 8 merit students.
    pau = _opt(r2, "pau")
    assert pau["pladser"] == 104 - 8 == pau["loft"] and pau["loft_naaet"]
    # Times: the note is dated 7 December 2026, so the first intake is 1 August 2027; a
    # 3-year merit line ends 31 July 2030, before round 2's deadline 31 December 2030 (assumed),
    # and an intake in 2028 would end after it.
    assert (merit["start"], merit["slut"]) == ("2027-08-01", "2030-07-31")
    assert merit["start_senest_aar"] == 2027
    assert merit["extra"] == f"meritpaedagog:{amount // 61_200}:2027"
    # The scenario line reads back as what it says.
    assert parse_extra(merit["extra"], RULES) == [{"kategori": "meritpaedagog",
                                           "deltagere": amount // 61_200, "start_aar": 2027}]


def test_ishoej_merit_option_moves_the_share_as_the_plan_effect_model(ishoej_ctx):
    r2 = _round(ishoej_ctx, 2)
    merit = _opt(r2, "meritpaedagog")
    staff = ishoej_ctx["gaps"]["personale"]["i_alt"]
    # All else equal: 43,9 % + (8 of the plan + the option's places) / staff.
    assert merit["andel_efter_pct"] == pytest.approx(43.9 + 100 * (8 + merit["pladser"]) / staff)
    assert merit["efter_aar"] == 2030
    assert _opt(r2, "diplommodul")["andel_efter_pct"] == pytest.approx(
        ishoej_ctx["gaps"]["plan_effekt"]["andel_efter_pct"])  # diplom: no change


def test_ishoej_analysis_says_what_its_unplanned_round_2_money_could_buy(ishoej_ctx):
    from opkval.sections.present_bilag import SECTIONS, analyse

    assert list(SECTIONS).index("muligheder") == list(SECTIONS).index("planens_effekt") + 1
    amount = _round(ishoej_ctx, 2)["ikke_planlagt_kr"]
    text = text_of(unplanned_money(ishoej_ctx))
    assert "Anden runde (2026–2030): ca. 1,6–3,7 mio. kr. (skøn) er ikke planlagt" in text
    assert f"{amount // 61_200}–{amount // 48_000} pladser" in text
    assert f"make report KOMMUNE=ishoej EXTRA=meritpaedagog:{amount // 61_200}:2027" in text
    assert f"EXTRA=meritpaedagog:{amount // 231_000}:2027" in text
    assert "Første runde" not in text.split("Antagelser")[0]  # round 1 is all planned
    assert unplanned_money(ishoej_ctx) in analyse(ishoej_ctx)


def test_a_kommune_without_a_plan_has_its_whole_grant_unplanned(data, index):
    ctx = build_context(data, index.resolve("Læsø"), 2026, generated_at=WHEN)
    m = ctx["muligheder"]
    for r in m["runder"]:
        assert r["ikke_planlagt_kr"] == next(x["beloeb_kr"] for x in ctx["runder"]
                                             if x["id"] == r["id"])
    # Round 1's window for new activities closed 31 July 2026: nothing new can start.
    r1 = _round(ctx, 1)
    assert not any(o["mulig"] for o in r1["muligheder"])
    assert {o["grund"] for o in r1["muligheder"]} == {"vindue"}
    text = text_of(unplanned_money(ctx))
    assert "lukkede 31. juli 2026" in text  # text_of folds the no-break spaces
    assert "kun betale aktiviteter, der allerede er startet" in text


def test_all_money_planned_is_said_in_one_line(ishoej_ctx):
    ctx = copy.deepcopy(ishoej_ctx)
    for r in ctx["plan"]["ledger"]["runder"]:
        r["brugt_kr"], r["tilbage_kr"] = r["modtaget_kr"], 0
        r["risiko_interval_kr"] = [0, 0]
    ctx["muligheder"] = unplanned_options(ctx, load_maal(), load_rules())
    assert ctx["muligheder"]["alt_planlagt"]
    section = unplanned_money(ctx)
    assert len(section.children) == 2  # the heading and one line
    assert "Alle midler fra puljen er planlagt" in text_of(section)


def test_window_respects_the_activity_window_and_the_deadline():
    r1 = {"aar": [2023, 2024, 2025], "vindue_slut": "2026-07-31", "frist": "2030-07-31"}
    # Before the window closes: an August 2025 intake fits (3 years: ends 31 July 2028).
    w = window(r1, dt.date(2025, 3, 1), 3, 8)
    assert (w["start"], w["mulig"], w["start_senest_aar"]) == ("2025-08-01", True, 2025)
    # After 1 August 2025 the next intake, August 2026, is after the window (31 July 2026).
    w = window(r1, dt.date(2025, 9, 1), 3, 8)
    assert (w["start"], w["mulig"], w["grund"]) == ("2026-08-01", False, "vindue")
    r2 = {"aar": [2026, 2030], "vindue_slut": None, "frist": "2030-12-31"}
    # From December 2027 the next intake is 2028; a 3-year line then ends 31 July 2031, after
    # the deadline, and no later intake fits either.
    w = window(r2, dt.date(2027, 12, 1), 3, 8)
    assert (w["mulig"], w["grund"], w["start_senest_aar"]) == (False, "frist", None)
    # A 2-year line (PAU) from August 2028 ends 31 July 2030 and still fits.
    assert window(r2, dt.date(2027, 12, 1), 2, 8)["start_senest_aar"] == 2028


def test_extra_lines_stay_within_the_cli_limit():
    assert extra_text("pau", 2281, 2027) == "pau:1000:2027,pau:1000:2027,pau:281:2027"
    assert sum(e["deltagere"] for e in parse_extra(extra_text("pau", 2281, 2027), RULES)) == 2281


def test_the_named_scenario_note_shows_the_same_share(data, index, ishoej_plan, ishoej_ctx):
    """The EXTRA an option names makes a scenario note whose 'what the plan moves' reaches
    the share the option promised."""
    merit = _opt(_round(ishoej_ctx, 2), "meritpaedagog")
    scen = build_context(data, index.resolve("Ishøj"), 2026, generated_at=WHEN,
                         plan=ishoej_plan, extras=parse_extra(merit["extra"], RULES))
    assert scen["gaps"]["plan_effekt"]["andel_efter_pct"] == pytest.approx(
        merit["andel_efter_pct"])
    # The scenario line has no budget, so the ledger (and the money not planned) is unchanged.
    assert _round(scen, 2)["ikke_planlagt_kr"] == _round(ishoej_ctx, 2)["ikke_planlagt_kr"]
