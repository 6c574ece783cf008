"""The landsoversigt's national figures (issue 22), against a recomputation from data/raw with
the csv module alone (not opkval.engine.gaps), and the issue's own rounded figures."""

import csv
import statistics

import pytest

from opkval import PROJECT_ROOT
from opkval.assembly.national import (
    distance_counts,
    national_context,
    note_summary,
    plan_coverage,
    status_counts,
)

RAW = PROJECT_ROOT / "data" / "raw"
TILBUD = {"Dagpleje": "boern_dagpleje_2024", "0-2 år": "boern_daginst_0_2_2024",
          "3-5 år": "boern_daginst_3_5_2024"}


def _rows(name: str) -> list[dict]:
    with (RAW / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def by_hand() -> dict:
    """Staff = enrolled children 2024 / normering 2023 per pasningstilbud; a normering of 0
    (not published) where there are children takes the median of the published ones."""
    norm: dict[tuple[int, str], float] = {}
    for r in _rows("normering_2017_2023.csv"):
        if r["aar"] == "2023":
            norm[(int(r["kommunekode"]), r["pasningstilbud"])] = float(r["normering"])
    median = {t: statistics.median(v for (_, tt), v in norm.items() if tt == t and v > 0)
              for t in TILBUD}
    out = {"staff": 0.0, "paed": 0.0, "gap_23": 0.0, "gap_80": 0.0, "enrolled": 0, "n": 0,
           "children": sum(int(r["age_0_5"]) for r in _rows("population_0_5_2021.csv"))}
    for r in _rows("dagtilbud_kommune_stats.csv"):
        kode = int(r["kommunekode"])
        staff = 0.0
        for t, col in TILBUD.items():
            n = int(r[col])
            out["enrolled"] += n
            if n:
                staff += n / (norm.get((kode, t)) or median[t])
        share = float(r["pct_paedagoger_2024"])
        out["staff"] += staff
        out["paed"] += staff * share / 100
        out["gap_23"] += max(0.0, staff * (66.7 - share) / 100)
        out["gap_80"] += max(0.0, staff * (80 - share) / 100)
        out["n"] += 1
    return out


@pytest.fixture(scope="module")
def nctx(data, tmp_path_factory):
    return national_context(data, tmp_path_factory.mktemp("empty"), 2026)


def test_national_totals_match_a_recomputation_from_data_raw(nctx, by_hand):
    t = nctx["landstal"]
    assert by_hand["n"] == t["n"] == 98
    assert t["personale"] == pytest.approx(by_hand["staff"], rel=1e-9)
    assert t["paedagoger"] == pytest.approx(by_hand["paed"], rel=1e-9)
    assert t["maal"]["to_tredjedele"]["gap_personer"] == pytest.approx(by_hand["gap_23"],
                                                                       rel=1e-9)
    assert t["maal"]["bupl_80"]["gap_personer"] == pytest.approx(by_hand["gap_80"], rel=1e-9)
    assert t["boern_0_5"] == by_hand["children"] == 369_586  # national_age_0_5.csv, 2021-01-01
    assert t["boern_indskrevet"] == by_hand["enrolled"]
    # The issue's own figures: staff about 60.500; gap to 2/3 about 14.500, to 80 % 22.600.
    assert round(t["personale"], -2) == 60_500
    assert round(t["maal"]["to_tredjedele"]["gap_personer"], -2) == 14_500
    assert round(t["maal"]["bupl_80"]["gap_personer"], -2) == 22_600
    # Per 1.000 enrolled children and in points from the staff-weighted share.
    assert t["maal"]["to_tredjedele"]["gap_pr_1000_boern"] == pytest.approx(
        by_hand["gap_23"] / by_hand["enrolled"] * 1000)
    assert t["maal"]["to_tredjedele"]["gap_pp"] == pytest.approx(
        66.7 - 100 * by_hand["paed"] / by_hand["staff"])


def test_groups_add_up_to_the_nation(nctx):
    t = nctx["landstal"]
    for level in ("region", "kommunegruppe"):
        groups = nctx["grupper"][level]
        assert sum(g["n"] for g in groups) == 98
        assert sum(g["personale"] for g in groups) == pytest.approx(t["personale"])
        assert sum(g["maal"]["bupl_80"]["gap_personer"] for g in groups) == pytest.approx(
            t["maal"]["bupl_80"]["gap_personer"])
    assert len(nctx["grupper"]["region"]) == 5


def test_distance_counts_are_exact_at_the_bounds():
    rows = [{"pct_paedagoger": p} for p in (66.7, 70.0, 60.0, 56.7, 46.7, 36.7)]
    # By hand, to 66,7 %: reached 66,7 and 70; 6,7 points → under 10; 10 points → 10–20;
    # 20 points → 20 or more (46,7 is exactly 20, not 19,999…); 30 points → 20 or more.
    got = [c["antal"] for c in distance_counts(rows, 66.7, [10, 20])]
    assert got == [2, 1, 1, 2]


def test_distance_counts_cover_all_98(nctx):
    for counts in nctx["afstand"].values():
        assert sum(c["antal"] for c in counts) == 98
    # 2024: the nearest kommune is 11,5 points from two thirds (dagtilbud_kommune_stats.csv:
    # Brøndby 55,2 %), so none is within 10 points.
    two = nctx["afstand"]["to_tredjedele"]
    assert two[0]["antal"] == 0 and two[1]["antal"] == 0


def test_what_the_pool_buys_at_typical_fees(nctx):
    reach = nctx["puljens_raekkevidde"]
    # Round 2: 5 × 195,9 mio. kr. (pulje.yaml); the whole pool 107,0 + 7 × 195,9 mio. kr.
    assert reach["pulje_kr"] == {"runde": 979_500_000, "hele": 1_478_300_000}
    prices = {(p["grundlag"], p["pris_kr"]): p["pladser"] for p in reach["priser"]}
    # By hand: 979.500.000 ÷ 61.200 = 16.004,9; ÷ 48.000 = 20.406,25; ÷ 231.000 = 4.240,3.
    assert prices[("gebyr", 61_200)]["runde"] == 16_004
    assert prices[("gebyr", 48_000)]["runde"] == 20_406
    assert prices[("plan", 231_000)]["runde"] == 4_240


def test_note_summary_counts_afhaenger_apart_and_the_rounds_a_plan_covers():
    ctx = {"runder": [{"id": 1, "beloeb_kr": 10, "labels": ["tilsagn"]},
                      {"id": 2, "beloeb_kr": 20, "labels": ["skøn"],
                       "skoen_interval_kr": [11, 25]}],
           "plan": {"regler": [{"id": "a", "navn": "A", "status": "afhaenger"},
                               {"id": "b", "navn": "B", "status": "ok"},
                               {"id": "c", "navn": "C", "status": "advarsel"}],
                    "ledger": {"runder": [{"id": 1, "ikke_planlagt": False},
                                          {"id": 2, "ikke_planlagt": True}],
                               "risiko_tilbagebetaling_kr": 0}}}
    s = note_summary(ctx)
    assert s["regler_antal"]["afhaenger"] == 1 and s["regler_antal"]["advarsel"] == 1
    assert s["regelstatus"] == "advarsel"
    assert s["plan_runder"] == [1]
    assert s["runder"][1]["skoen_interval_kr"] == [11, 25]
    rows = [{"navn": "X", **s}, {"navn": "Y", "har_plan": False}]
    rounds = [{"id": 1, "roller": ["aktivitetsvindue"]}, {"id": 2, "roller": ["lokal_plan"]}]
    cov = plan_coverage(rows, rounds)
    assert (cov["med_plan"], cov["daekker_runde"], cov["kun_tidligere"]) == (1, 0, 1)
    counts = status_counts(rows)
    assert counts["regler"]["afhaenger"] == 1 and counts["kommuner"]["advarsel"] == 1


def test_estimate_ranges_are_read_when_present_and_absent_otherwise(nctx):
    for r in nctx["skoen_interval"]:
        assert r["skoen"] + r["tilsagn"] == 98
    rows = [{**row, "runder": [dict(g, skoen_interval_kr=[g["beloeb_kr"] // 2,
                                                           g["beloeb_kr"]])
                               for g in row["runder"]]} for row in nctx["kommuner"]]
    from opkval.assembly.national import estimate_ranges

    got = estimate_ranges(rows, [{"id": 2, "kort": "Anden runde", "aar": [2026]}])[0]
    assert got["med_interval"] == 98 and got["andel_lav_median"] == pytest.approx(0.5, abs=1e-3)
    assert got["interval_kr"][1] == 979_500_000
