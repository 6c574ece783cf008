"""The money year by year and the seven rules; expected values worked out by hand."""

from __future__ import annotations

import datetime as dt

from opkval.config import load_config
from opkval.context import plan_context
from opkval.ledger import build_ledger
from opkval.plan import Behov, Indsats, Plan
from opkval.rules import check_all

D = dt.date


def grants(r1=(100000, 100000, 100000), r2=500000) -> list[dict]:
    """Round 1 paid each year 2023-2025; round 2 (five years) paid in one sum in 2026."""
    rows = [{"aar": 2023 + i, "runde": 1, "udbetalingsaar": 2023 + i, "beloeb_kr": v}
            for i, v in enumerate(r1)]
    rows += [{"aar": y, "runde": 2, "udbetalingsaar": 2026, "beloeb_kr": r2 // 5}
             for y in range(2026, 2031)]
    return rows


def ind(navn="A", kategori="pau", budget=None, **kw) -> Indsats:
    base = dict(navn=navn, kategori=kategori, maalgruppe="paedagogmedhjaelpere",
                start=D(2024, 1, 1), slut=D(2026, 12, 31), budget=budget or {})
    base.update(kw)
    return Indsats(**base)


def plan(*indsatser, kommune=None, **kw) -> Plan:
    from opkval.kommune import Kommune

    k = kommune or Kommune(183, "Ishøj", "Region Hovedstaden", "Hovedstadskommuner")
    return Plan(kommune=k, dato=D(2024, 4, 21), indsatser=tuple(indsatser), **kw)


def rule(results, rid):
    return next(r for r in results if r.id == rid)


# ----------------------------------------------------------------------------- Ishøj


def test_ishoej_ledger_by_year(ishoej_plan, ishoej_grants):
    led = build_ledger(ishoej_plan, ishoej_grants, load_config())
    rows = {y.aar: y for y in led.aar}
    # Paid: 280.000 (2023), 512.000 (2024), 512.000 (2025), 5 x 512.000 = 2.560.000 (2026).
    assert [rows[y].udbetalt_kr for y in range(2023, 2031)] == [
        280000, 512000, 512000, 2560000, 0, 0, 0, 0]
    # Balance: 280.000; 280.000+512.000-792.000 = 0; 0; 2.560.000-512.000 = 2.048.000;
    # 2.048.000-462.000 = 1.586.000, unchanged to 2030.
    assert [rows[y].saldo_kr for y in range(2023, 2031)] == [
        280000, 0, 0, 2048000, 1586000, 1586000, 1586000, 1586000]
    assert led.ikke_finansieret_kr == 0


def test_ishoej_round_1_used_exactly_in_2024_2025(ishoej_plan, ishoej_grants):
    led = build_ledger(ishoej_plan, ishoej_grants, load_config())
    r1, r2 = led.round(1), led.round(2)
    assert (r1.modtaget_kr, r1.brugt_kr, r1.tilbage_kr) == (1304000, 1304000, 0)
    assert r1.brugt_aar == [2024, 2025] and r1.opbrugt_aar == 2025
    # Round 2: 2.560.000 received; 2026: 462.000 + 50.000, 2027: 462.000 -> 974.000 spent.
    assert (r2.modtaget_kr, r2.brugt_kr, r2.risiko_tilbagebetaling_kr) == (
        2560000, 974000, 1586000)


def test_ishoej_rules(ishoej_plan, ishoej_grants):
    ctx = plan_context(ishoej_plan, ishoej_grants)
    by_id = {r["id"]: r for r in ctx["regler"]}
    f = by_id["formel_andel"]
    r1 = f["vaerdier"]["runder"][0]
    # Round 1: formal = meritpædagog 2 x 462.000 = 924.000; informal = 280.000 + 2 x 50.000
    # = 380.000 of 1.304.000 (29,1 %); limit 10 % = 130.400; over by 249.600.
    assert (r1["formel_kr"], r1["uformel_kr"], r1["over_graensen_kr"]) == (924000, 380000,
                                                                           249600)
    assert abs(r1["uformel_andel"] - 380000 / 1304000) < 1e-12
    assert f["status"] == "brud"
    # Round 2: informal 50.000 of 974.000 (5,1 %) is within the limit.
    assert f["vaerdier"]["runder"][1]["over_graensen_kr"] == 0
    assert by_id["runde1_periode"]["status"] == "ok"
    assert by_id["loen_vikar"]["status"] == "ok"
    assert by_id["ikke_sfo"]["status"] == "ok"
    assert by_id["lokal_plan_godkendt"]["status"] == "advarsel"
    assert by_id["forbrug_inden_for_tilskud"]["status"] == "advarsel"
    assert by_id["forbrug_inden_for_tilskud"]["vaerdier"]["risiko_pr_runde"] == {
        "1": 0, "2": 1586000}
    assert by_id["fordeling_og_behov"]["status"] == "ok"
    assert ctx["deltagere_pr_maalgruppe"] == {"Pædagogmedhjælpere": 8, "Pædagoger": 40}
    assert len(ctx["regler"]) == 7
    assert all(r["kilde"] and r["tekst"] and r["navn"] for r in ctx["regler"])


# ----------------------------------------------------------------------------- synthetic


def test_oldest_money_first_and_unfunded_spending():
    p = plan(ind(budget={2023: 50000, 2024: 300000}))
    led = build_ledger(p, grants(), load_config())
    rows = {y.aar: y for y in led.aar}
    # 2023: 100.000 paid, 50.000 spent -> balance 50.000.
    # 2024: 100.000 paid, 300.000 wanted, 150.000 available -> 150.000 not financed.
    assert rows[2023].saldo_kr == 50000
    assert (rows[2024].finansieret_kr, rows[2024].ikke_finansieret_kr) == (150000, 150000)
    assert led.draws[("A", 1, 2024)] == 150000  # from the 2023 and 2024 tranches
    r = rule(check_all(p, led, load_config()), "forbrug_inden_for_tilskud")
    assert r.status == "brud" and r.vaerdier["ikke_finansieret_pr_aar"] == {"2024": 150000}
    assert "150.000\u00a0kr. i 2024" in r.tekst


def test_round_1_money_before_round_2_money():
    p = plan(ind(budget={2026: 350000}))
    led = build_ledger(p, grants(), load_config())
    # 300.000 of round 1 is unspent by 2026, so it is drawn first; 50.000 from round 2.
    assert led.draws[("A", 1, 2026)] == 300000 and led.draws[("A", 2, 2026)] == 50000
    assert led.round(2).risiko_tilbagebetaling_kr == 450000


def test_formal_share_exactly_at_the_limit_is_ok_and_one_krone_over_is_not():
    ok = plan(ind("F", "pau", {2024: 90000}), ind("U", "uformel", {2024: 10000}))
    assert rule(check_all(ok, build_ledger(ok, grants(), load_config()), load_config()),
                "formel_andel").status == "ok"
    bad = plan(ind("F", "pau", {2024: 89999}), ind("U", "uformel", {2024: 10001}))
    r = rule(check_all(bad, build_ledger(bad, grants(), load_config()), load_config()),
             "formel_andel")
    # 10.001 informal of 100.000: limit 10.000 -> 1 kr. over.
    assert r.status == "brud" and r.vaerdier["runder"][0]["over_graensen_kr"] == 1


def test_administration_counts_as_informal():
    p = plan(ind("F", "pau", {2024: 80000}), ind("Adm", "administration", {2024: 20000}))
    r = rule(check_all(p, build_ledger(p, grants(), load_config()), load_config()),
             "formel_andel")
    assert r.vaerdier["runder"][0]["uformel_kr"] == 20000 and r.status == "brud"


def test_round_1_window():
    late = ind("Sen", "pau", {2025: 100000}, start=D(2026, 8, 1), slut=D(2027, 1, 1))
    long = ind("Lang", "pau", {2024: 100000}, start=D(2024, 8, 1), slut=D(2031, 7, 31))
    p = plan(late, long)
    r = rule(check_all(p, build_ledger(p, grants(), load_config()), load_config()),
             "runde1_periode")
    assert r.status == "brud"
    assert sorted(f["indsats"] for f in r.vaerdier["fund"]) == ["Lang", "Sen"]


def test_loen_vikar_is_a_warning_and_sfo_a_breach():
    p = plan(ind("Løn", "loen_vikar", {2024: 30000}),
             ind("SFO", "pau", {2024: 20000}, maalgruppe="sfo"))
    res = check_all(p, build_ledger(p, grants(), load_config()), load_config())
    assert rule(res, "loen_vikar").status == "advarsel"
    assert rule(res, "loen_vikar").vaerdier["beloeb_kr"] == 30000
    assert "tilsagnsbrevet" in rule(res, "loen_vikar").tekst
    assert rule(res, "ikke_sfo").status == "brud"
    assert rule(res, "ikke_sfo").vaerdier["beloeb_kr"] == 20000


def test_other_financing_is_not_charged_to_the_pool():
    p = plan(ind("Egen", "uformel", {2024: 999999}, finansiering="anden"))
    led = build_ledger(p, grants(), load_config())
    assert led.forbrug_kr == 0 and led.aar[1].anden_finansiering_kr == 999999


def test_approved_plan_and_fordeling_and_behov_links():
    p = plan(ind("A", "pau", {2024: 1000}, deltagere=3, fordeling={"X": 1, "Y": 1},
                 behov=("mangler",)),
             godkendt_af="Børne- og Undervisningsudvalget", godkendt_dato=D(2024, 5, 1),
             behov=(Behov("findes", "tekst"),))
    res = check_all(p, build_ledger(p, grants(), load_config()), load_config())
    assert rule(res, "lokal_plan_godkendt").status == "ok"
    r = rule(res, "fordeling_og_behov")
    assert r.status == "advarsel"
    assert [f["type"] for f in r.vaerdier["fund"]] == ["fordeling", "behov"]
    assert r.vaerdier["fund"][0]["sum"] == 2
