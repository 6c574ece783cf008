"""Competence gaps (opkval.engine.gaps). Expected values are worked out by hand from data/raw; each
test says which rows. Ishøj = kommunekode 183."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from opkval.base.errors import OpkvalError
from opkval.engine import gaps
from opkval.inputs.config import load_maal
from opkval.inputs.data import load_all

MAAL = load_maal()  # the engines take the targets as an argument


@pytest.fixture(scope="module")
def data():
    return load_all()


def test_ishoej_staff_estimate_by_hand(data):
    # dagtilbud_kommune_stats.csv, Ishøj: boern_dagpleje 47, daginst 0-2 409, daginst 3-5 738.
    # normering_2017_2023.csv, Ishøj 2023: Dagpleje 3.0, 0-2 år 3.1, 3-5 år 6.0.
    # 47/3.0 = 15.667; 409/3.1 = 131.935; 738/6.0 = 123.0; sum = 270.60 ("roughly 270").
    g = gaps.kommune_gaps(data, 183, cfg=MAAL)
    p = g["personale"]["pasningstilbud"]
    assert p["Dagpleje"]["personale"] == pytest.approx(47 / 3.0)
    assert p["0-2 år"]["personale"] == pytest.approx(409 / 3.1)
    assert p["3-5 år"]["personale"] == pytest.approx(123.0)
    assert g["personale"]["i_alt"] == pytest.approx(270.60, abs=0.01)
    assert not any(v["normering_fallback"] for v in p.values())


def test_ishoej_measures_are_kept_apart(data):
    # dagtilbud_kommune_stats.csv, Ishøj: 43.9 employed as pædagog, 47.72 educated, 38.6 medhj.
    a = gaps.kommune_gaps(data, 183, cfg=MAAL)["andele"]
    assert a["pct_paedagoger_2024"] == {"pct": 43.9, "betyder": "ansat som pædagog"}
    assert a["pct_paedagoguddannede_2024"]["pct"] == 47.72
    assert a["pct_paedagoguddannede_2024"]["betyder"] == "med pædagoguddannelse"
    assert a["pct_paedagogmedhjaelpere_2024"]["pct"] == 38.6


def test_ishoej_gaps_to_targets(data):
    # 80 - 43.9 = 36.1 pp; 270.60 * 0.361 = 97.69 persons.
    # 66.7 - 43.9 = 22.8 pp; 270.60 * 0.228 = 61.70 persons.
    # National median of pct_paedagoger_2024 (98 values sorted, 49th and 50th are both 41.7)
    # = 41.7, so Ishøj is 2.2 pp above: gap -2.2 pp, -5.95 persons.
    # Plan target 60 %: 16.1 pp, 270.60 * 0.161 = 43.57 persons (the "60 %" example).
    g = gaps.kommune_gaps(data, 183, maal={"andel_paedagoger_pct": 60, "aar": 2030}, cfg=MAAL)
    by_id = {t["id"]: t for t in g["maal"]}
    assert list(by_id) == ["plan", "bupl_80", "to_tredjedele", "landsmedian"]
    assert by_id["bupl_80"]["gap_pp"] == pytest.approx(36.1)
    assert by_id["bupl_80"]["gap_personer"] == pytest.approx(97.69, abs=0.01)
    assert by_id["to_tredjedele"]["gap_personer"] == pytest.approx(61.70, abs=0.01)
    assert by_id["landsmedian"]["maal_pct"] == pytest.approx(41.7)
    assert by_id["landsmedian"]["gap_personer"] == pytest.approx(-5.95, abs=0.01)
    assert by_id["plan"]["gap_personer"] == pytest.approx(43.57, abs=0.01)
    assert by_id["plan"]["navn"].endswith("(2030)")
    assert "bupl.dk" in by_id["bupl_80"]["kilde"]


def test_no_plan_target_without_maal(data):
    ids = [t["id"] for t in gaps.kommune_gaps(data, 183, cfg=MAAL)["maal"]]
    assert "plan" not in ids


def test_ishoej_peers_by_hand(data):
    # municipalities.csv: 24 Hovedstadskommuner; their pct_paedagoger_2024 sorted, the 12th and
    # 13th are 41.3 and 42.4 → median 41.85. Region Hovedstaden: 29 kommuner, 15th = 42.4.
    # Whole country: 41.7 (see above). 28 kommuner have more than 43.9 → Ishøj ranks 29.
    g = gaps.kommune_gaps(data, 183, cfg=MAAL)
    m = "pct_paedagoger_2024"
    assert g["peers"]["kommunegruppe"]["navn"] == "Hovedstadskommuner"
    assert g["peers"]["kommunegruppe"][m]["n"] == 24
    assert g["peers"]["kommunegruppe"][m]["median"] == pytest.approx(41.85)
    assert g["peers"]["region"][m]["median"] == pytest.approx(42.4)
    assert g["peers"]["region"][m]["n"] == 29
    assert g["peers"]["land"][m]["median"] == pytest.approx(41.7)
    # Quartiles, pandas' linear interpolation over the 98 values sorted ascending
    # (cut -d, -f3 dagtilbud_kommune_stats.csv | tail -n +2 | sort -n): q1 sits at 0-based
    # position 0.25 × 97 = 24.25, between the 25th (38.6) and 26th (38.7) value:
    # 38.6 + 0.25 × 0.1 = 38.625; q3 at 72.75, between the 73rd (44.2) and 74th (44.4):
    # 44.2 + 0.75 × 0.2 = 44.35.
    assert g["peers"]["land"][m]["q1"] == pytest.approx(38.625)
    assert g["peers"]["land"][m]["q3"] == pytest.approx(44.35)
    assert g["rang"] == 29
    s = g["sammenligning_tekst"]
    # Exact, not 41.849999... (the float mean of 41.3 and 42.4), so it rounds half up to 41,9.
    assert g["peers"]["kommunegruppe"][m]["median"] == 41.85
    assert s.startswith("Ishøj har 43,9\u00a0% af det pædagogiske personale (dagplejere "
                        "medregnet) ansat som pædagoger")
    assert "41,9\u00a0% i hovedstadskommunerne" in s  # 41,85 rounds half up (Danish convention)
    assert "41,7\u00a0% på landsplan" in s
    assert "median" in s


def test_ranking_has_all_98_in_order(data):
    # dagtilbud_kommune_stats.csv sorted by pct_paedagoger_2024 descending, then by name
    # (sort -t, -k3,3nr): 1 Brøndby 55.2, 2 Sønderborg 54.7, 28 Svendborg 44.1, 29 Ishøj 43.9,
    # 30 Herlev 43.5; three kommuner share 35.7 and follow by name at 88-90 (Allerød, Billund,
    # Ringkøbing-Skjern); last, 98, Samsø 14.3.
    r = gaps.kommune_gaps(data, 183, cfg=MAAL)["rangering"]
    assert len(r) == 98 and len({x["kode"] for x in r}) == 98
    at = {i: (x["navn"], x["pct"]) for i, x in enumerate(r, start=1)}
    assert at[1] == ("Brøndby", 55.2) and at[2] == ("Sønderborg", 54.7)
    assert [at[i] for i in (28, 29, 30)] == [("Svendborg", 44.1), ("Ishøj", 43.9),
                                             ("Herlev", 43.5)]
    assert [at[i][0] for i in (88, 89, 90)] == ["Allerød", "Billund", "Ringkøbing-Skjern"]
    assert at[98] == ("Samsø", 14.3)


def test_normering_series_marks_2023_break(data):
    # normering_2017_2023.csv, Ishøj 3-5 år 2017..2023: 5.9 6.3 5.7 5.5 5.2 5.4 6.0;
    # opgoerelsesmetode changes from "til og med 2022" to "fra 2023" in 2023.
    n = gaps.kommune_gaps(data, 183, cfg=MAAL)["normering"]
    assert n["aar"] == list(range(2017, 2024))
    assert n["kommune"]["3-5 år"] == [5.9, 6.3, 5.7, 5.5, 5.2, 5.4, 6.0]
    assert n["metodeskift_aar"] == [2023]


def test_zero_normering_is_missing_not_division_by_zero(data):
    # normering 0 = not published. Samsø (741): 0-2 år normering 0 and 0 children in
    # daginstitution 0-2 → 0 staff there, no fallback. Its 2023 normering for 0-2 år is
    # missing in the chart series (None), not 0.
    t = gaps.gap_table(data, MAAL)
    assert t.loc[741, "personale_0-2 år"] == 0
    assert not t.loc[741, "norm_fallback_0-2 år"]
    assert gaps.normering_series(data, 741)["kommune"]["0-2 år"][-1] is None


def test_zero_normering_with_children_falls_back_to_median(data):
    # Synthetic: Ishøj's 2023 Dagpleje normering set to 0 ("not published") while it has 47
    # children in dagpleje. The 2023 Dagpleje medians over kommuner with a published figure
    # (96 values, Ishøj's 3.0 now excluded) stays 3.2 → 47/3.2 = 14.69 staff, flagged.
    tables = dict(data.tables)
    n = tables["normering_2017_2023.csv"].copy()
    sel = (n["kommunekode"] == 183) & (n["pasningstilbud"] == "Dagpleje") & (n["aar"] == 2023)
    n.loc[sel, "normering"] = 0.0
    tables["normering_2017_2023.csv"] = n
    fake = dataclasses.replace(data, tables=tables, cache={})
    g = gaps.kommune_gaps(fake, 183, cfg=MAAL)["personale"]["pasningstilbud"]["Dagpleje"]
    assert g["normering_fallback"] is True
    assert g["normering"] == pytest.approx(3.2)
    assert g["personale"] == pytest.approx(47 / 3.2)


def test_gap_table_all_98(data):
    t = gaps.gap_table(data, MAAL)
    assert len(t) == 98
    assert t["personale"].notna().all() and (t["personale"] > 0).all()
    assert all(math.isfinite(v) for v in t["gap_personer_bupl_80"])
    assert t["rang"].min() == 1 and t["rang"].max() <= 98
    # Every kommune's section builds and is JSON-able.
    for kode in t.index:
        g = gaps.kommune_gaps(data, int(kode), maal={"andel_paedagoger_pct": 60}, cfg=MAAL)
        json.dumps(g, allow_nan=False)
    # København (101): 295/2.1 + 12710/2.8 + 17327/5.8 = 140.48 + 4539.29 + 2987.41 = 7667.17
    # (normering_2017_2023.csv 2023: Dagpleje 2.1, 0-2 år 2.8, 3-5 år 5.8).
    assert t.loc[101, "personale"] == pytest.approx(7667.17, abs=0.01)


def test_gap_table_is_computed_once(data):
    assert gaps.gap_table(data, MAAL) is gaps.gap_table(data, MAAL)
    # The same config read twice (equal, not the same object) is one cache entry, not two.
    assert gaps.gap_table(data, MAAL) is gaps.gap_table(data, MAAL.model_copy(deep=True))


def test_defaults_resolved_before_caching(data):
    from opkval.engine.allocation import backtest, key_weights
    from opkval.inputs.config import load_config

    cfg = load_config()
    assert backtest(data, cfg) is backtest(data, cfg, cfg.default_key)
    assert key_weights(data, "population", 2025, cfg) is key_weights(
        data, "population", 2025, cfg.model_copy(deep=True))  # equal configs: one entry


def test_unknown_kommune(data):
    with pytest.raises(OpkvalError):
        gaps.kommune_gaps(data, 999, cfg=MAAL)



def test_tied_ranks_are_shared_and_dagpleje_is_shown(data):
    # dagtilbud_kommune_stats.csv: København, Herlev and Holbæk all have 43.5; 29 kommuner
    # are higher (the 28 above Ishøj, and Ishøj), so all three are "delt nr. 30".
    for kode in (101, 163, 316):
        g = gaps.kommune_gaps(data, kode, cfg=MAAL)
        assert (g["rang"], g["rang_delt"]) == (30, True)
    assert gaps.kommune_gaps(data, 183, cfg=MAAL)["rang_delt"] is False  # Ishøj alone at 43.9
    # Samsø: 54 children in dagpleje, 0 in daginstitution 0-2, 44 in 3-5: 54/98 = 55,1 %.
    g = gaps.kommune_gaps(data, 741, cfg=MAAL)
    assert g["dagpleje"]["pct"] == pytest.approx(5400 / 98)
    assert "55,1\u00a0% af kommunens indskrevne børn er i dagpleje" in g["sammenligning_tekst"]


def test_dagpleje_correlations_by_hand(data):
    """Across the 98 kommuner the dagpleje share correlates negatively with the pædagog share,
    and strongly with pædagoger + medhjælpere together (dagplejere are most of the rest)."""
    import csv
    import statistics

    from opkval import PROJECT_ROOT

    rows = list(csv.DictReader(open(PROJECT_ROOT / "data/raw/dagtilbud_kommune_stats.csv",
                                    encoding="utf-8")))
    dp = [int(r["boern_dagpleje_2024"]) / (int(r["boern_dagpleje_2024"])
                                           + int(r["boern_daginst_0_2_2024"])
                                           + int(r["boern_daginst_3_5_2024"])) for r in rows]
    ped = [float(r["pct_paedagoger_2024"]) for r in rows]
    both = [float(r["pct_paedagoger_2024"]) + float(r["pct_paedagogmedhjaelpere_2024"])
            for r in rows]
    c = gaps.kommune_gaps(data, 183, cfg=MAAL)["dagpleje"]["korrelation"]
    assert c["paedagoger"] == pytest.approx(statistics.correlation(dp, ped), abs=1e-6)
    assert c["paedagoger_og_medhjaelpere"] == pytest.approx(statistics.correlation(dp, both),
                                                            abs=1e-6)
    assert round(c["paedagoger_og_medhjaelpere"], 2) == -0.94
