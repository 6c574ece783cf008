"""What the plan moves, the Bilag 2 checklist and the KL/BUPL chain, on a fixture plan.

tests/fixtures/plan_ishoej_fixture.yaml is built from seed 001 (8 meritpædagoger, autumn 2024,
three years, 462.000 kr. a year 2024–2027) plus a fixture target of 60 % by 2030.
Ishøj's staff 270.602 and share 43.9 % come from data/raw (see test_gaps.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opkval.base.errors import OpkvalError
from opkval.engine import checklist, gaps, plan_effect
from opkval.inputs.config import load_maal, load_points, load_rules
from opkval.inputs.data import load_all

# The engines take the Bilag 2 points, the rules and the targets as arguments.
POINTS, RULES, MAAL = load_points().punkter, load_rules(), load_maal()

FIXTURE = Path(__file__).parent / "fixtures" / "plan_ishoej_fixture.yaml"
STAFF = 47 / 3.0 + 409 / 3.1 + 738 / 6.0  # 270.602, by hand from data/raw


@pytest.fixture(scope="module")
def plan():
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def g(plan):
    return gaps.kommune_gaps(load_all(), 183, maal=plan["maal"], cfg=MAAL)


def test_ishoej_merit_closes_18_pct_of_gap_to_60(plan, g):
    # Gap to 60 %: 16.1 pp × 270.602 / 100 = 43.567 persons. 8 / 43.567 = 18.4 %.
    # Share after 2027, all else equal: 43.9 + 100 × 8 / 270.602 = 46.856 %.
    e = plan_effect.plan_effect(g, plan["indsatser"], cfg=MAAL, maal=plan["maal"])
    assert e["merit"] == {"i_alt": 8, "plan": 8, "scenarie": 0}
    assert e["pau"]["i_alt"] == 0
    assert e["fuldfoert"] == [{"kategori": "meritpaedagog", "bliver": "paedagog", "aar": 2027,
                               "deltagere": 8, "indsatser": ["Meritpædagoguddannelse"]}]
    assert e["efter_aar"] == 2027
    assert e["andel_efter_pct"] == pytest.approx(43.9 + 800 / STAFF)
    assert e["andel_efter_pct"] == pytest.approx(46.856, abs=0.001)
    to60 = next(t for t in e["maal"] if t["id"] == "plan")
    assert to60["gap_personer"] == pytest.approx(16.1 * STAFF / 100)
    assert to60["andel_lukket"] == pytest.approx(0.184, abs=0.001)


def test_pace_years_and_kroner(plan, g):
    # Merit runs 2024-08-01 .. 2027-07-31 = 1095 days = 2.998 years → 8 / 2.998 = 2.668 a year.
    # Years to 60 %: 43.567 / 2.668 = 16.33. Kroner: 4 × 462.000 / 8 = 231.000 per meritpædagog.
    e = plan_effect.plan_effect(g, plan["indsatser"], cfg=MAAL, maal=plan["maal"])
    assert e["tempo_pr_aar"] == pytest.approx(8 / (1095 / 365.25))
    to60 = next(t for t in e["maal"] if t["id"] == "plan")
    assert to60["aar_til_maal"] == pytest.approx(16.33, abs=0.01)
    assert e["kr_pr_uddannet"]["meritpaedagog"] == {"kr": 1_848_000.0, "deltagere": 8,
                                                    "kr_pr_person": 231_000.0,
                                                    "uden_antal": [], "fra_fordeling": []}
    assert e["kr_pr_uddannet"]["pau"] is None
    # Ishøj is above the national median (41.7 %): no gap, nothing to close.
    med = next(t for t in e["maal"] if t["id"] == "landsmedian")
    assert med["andel_lukket"] is None and med["aar_til_maal"] == 0.0


def test_scenario_four_extra_merit_in_2026(plan, g):
    # +4 merit from 2026-08-01, three years (config) → slut 2029-07-31. 12 in all.
    # Share after 2029: 43.9 + 1200 / 270.602 = 48.335 %. Closed: 12 / 43.567 = 27.5 %.
    extras = plan_effect.parse_extra("meritpaedagog:4:2026", RULES)
    assert extras == [{"kategori": "meritpaedagog", "deltagere": 4, "start_aar": 2026}]
    e = plan_effect.plan_effect(g, plan["indsatser"], cfg=MAAL, maal=plan["maal"], extras=extras)
    assert e["merit"] == {"i_alt": 12, "plan": 8, "scenarie": 4}
    assert e["scenarie"][0]["start"] == "2026-08-01"
    assert e["scenarie"][0]["slut"] == "2029-07-31"
    assert e["efter_aar"] == 2029
    assert e["andel_efter_pct"] == pytest.approx(48.335, abs=0.001)
    to60 = next(t for t in e["maal"] if t["id"] == "plan")
    assert to60["andel_lukket"] == pytest.approx(0.275, abs=0.001)
    # Kroner per meritpædagog stay the plan's own (scenario lines carry no budget).
    assert e["kr_pr_uddannet"]["meritpaedagog"]["kr_pr_person"] == 231_000.0


def test_turnover_can_make_the_target_unreachable(plan, g):
    # 10 % of the newly trained leave each year: stock levels off at 2.668 × 0.9 / 0.1 = 24
    # persons < 43.567, so 60 % is never reached at this pace.
    e = plan_effect.plan_effect(g, plan["indsatser"], cfg=MAAL, maal=plan["maal"],
                                afgang_pct_aar=10)
    to60 = next(t for t in e["maal"] if t["id"] == "plan")
    assert to60["aar_til_maal"] is None
    assert e["antagelser"]["afgang_pct_aar"] == pytest.approx(10)


def test_years_to_close_by_hand():
    assert plan_effect.years_to_close(10, 2, 0) == 5
    # 50 % leave: stock 1×0.5=0.5, (0.5+1)×0.5=0.75, ... levels off at 1 → 1.01 never reached.
    assert plan_effect.years_to_close(1.01, 1, 50) is None
    assert plan_effect.years_to_close(0.75, 1, 50) == 2
    assert plan_effect.years_to_close(0.5, 1, 50) == 1
    assert plan_effect.years_to_close(-3, 1, 0) == 0
    assert plan_effect.years_to_close(3, 0, 0) is None


@pytest.mark.parametrize("text", ["merit:4:2026", "meritpaedagog:fire", "pau:2:26"])
def test_parse_extra_rejects_bad_input(text):
    with pytest.raises(OpkvalError):
        plan_effect.parse_extra(text, RULES)


def test_parse_extra_forms():
    assert plan_effect.parse_extra("", RULES) == []
    assert plan_effect.parse_extra("pau=2@2025; meritpaedagog:+1", RULES) == [
        {"kategori": "pau", "deltagere": 2, "start_aar": 2025},
        {"kategori": "meritpaedagog", "deltagere": 1, "start_aar": None}]


def test_checklist_on_fixture(plan):
    status = {c["id"]: c for c in checklist.checklist(plan, POINTS, RULES)}
    # Merit but no PAU and no text → delvist.
    assert status["pau_merit"]["status"] == "delvist"
    # "vejledning" in an indsats for pædagoger: indirect sign only.
    assert status["faglige_fyrtaarne"]["status"] == "delvist"
    # Plan writes about leaders but no indsats has maalgruppe ledere → delvist, with a note.
    assert status["ledere"]["status"] == "delvist"
    assert status["ledere"]["note"]
    # The plan's own words cover existing efforts, quoted as evidence.
    assert status["eksisterende_indsatser"]["status"] == "dækket"
    assert "ICDP-programmet" in status["eksisterende_indsatser"]["evidens"][0]
    # behov present → the KL/BUPL point is covered; no godkendt field → approval missing.
    assert status["behov_kaede"]["status"] == "dækket"
    assert status["politisk_godkendelse"]["status"] == "mangler"
    assert status["introkursus"]["status"] == "mangler"
    assert all(c["seed"].startswith(("Børne- og Undervisningsministeriet", "KL og BUPL"))
               for c in status.values())


def test_checklist_full_coverage_from_data():
    plan = {"indsatser": [
        {"navn": "PAU", "kategori": "pau", "maalgruppe": "medhjælpere"},
        {"navn": "Merit", "kategori": "meritpaedagog", "maalgruppe": "medhjælpere"},
        {"navn": "Ledelse", "kategori": "diplommodul", "maalgruppe": "pædagogiske ledere"},
        {"navn": "Introkursus", "kategori": "amu", "maalgruppe": "nye medhjælpere"}],
        "godkendt": {"organ": "Børneudvalget", "dato": "2024-05-01"}}
    status = {c["id"]: c["status"] for c in checklist.checklist(plan, POINTS, RULES)}
    assert status["pau_merit"] == "dækket"
    assert status["ledere"] == "dækket"
    assert status["introkursus"] == "dækket"
    assert status["politisk_godkendelse"] == "dækket"
    assert status["oversigt"] == "mangler"


def test_chain_names_loose_ends(plan):
    c = checklist.chain(plan["behov"], plan["indsatser"])
    by_id = {b["id"]: b["indsatser"] for b in c["behov"]}
    assert by_id["flere_paedagoger"] == ["Meritpædagoguddannelse"]
    assert by_id["rollefordeling"] == ["Ansvar og følgeskab i pædagogikken"]
    assert c["behov_uden_indsats"] == ["sprog"]
    assert c["indsatser_uden_behov"] == ["ICDP"]
    assert c["ukendte_henvisninger"] == []


def test_chain_links_from_behov_side_and_unknown_refs():
    c = checklist.chain([{"id": "a", "tekst": "A", "indsatser": ["X", "Y"]}, "B"],
                        [{"navn": "X", "kategori": "uformel"},
                         {"navn": "Adm", "kategori": "administration"},
                         {"navn": "Z", "kategori": "amu", "behov": ["nope"]}])
    assert c["behov"][0]["indsatser"] == ["X"]
    assert c["behov_uden_indsats"] == ["B"]
    assert c["indsatser_uden_behov"] == ["Z"]  # administration is not an effort
    assert len(c["ukendte_henvisninger"]) == 2
