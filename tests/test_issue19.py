"""Issue 19: figures and verdicts a council can act on.

Expected values are derived by hand from the seeds and data/raw (the derivation is beside each
figure): Ishøj's tilsagn 280.000 + 2 × 512.000 = 1.304.000 kr. for round 1 (seed 001), 1.750
children aged 0-5 of 369.586 (population_0_5_2021.csv), Dragør 987 children and 817.000 kr.
(known_allocations.csv), pool 107,0 mio. kr. in 2023 and 195,9 mio. kr. a year after.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import textwrap
from dataclasses import replace

import pytest

from opkval.app.cli import main
from opkval.assembly.context import build_context, plan_context
from opkval.engine import wording
from opkval.engine.allocation import grants_for_kommune, key_factor_range, key_record
from opkval.inputs.config import load_config
from opkval.inputs.kommune import official_name
from opkval.inputs.plan import PlanError, load_plan
from opkval.publish import agenda
from opkval.sections import present, present_gaps, present_plan
from tests.conftest import PLAN_CONFIG, PLANS, RULES
from tests.textof import text_of

CFG = load_config()  # the engines take the pool's config as an argument

NATIONAL = 369_586
MINIMAL = (PLANS / "good_minimal.yaml").read_text(encoding="utf-8")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _yaml(tmp_path, text: str):
    p = tmp_path / "plan.yaml"
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------- 4. the key's record


def test_key_record_by_hand(data):
    """Ishøj: 1.304.000 against (107,0 + 2 × 195,9) mio. × 1.750 / 369.586 = 2.361.832 kr.
    (55,2 %); Dragør: 817.000 against 302,9 mio. × 987 / 369.586 = 808.911 (101,0 %) read as
    2023–2024, or 498,8 mio. × 987 / 369.586 = 1.332.073 (61,3 %) read as the whole round."""
    rec = {(r.kommune, tuple(r.aar)): r for r in key_record(data, CFG)}
    ishoej = rec[("Ishøj", (2023, 2024, 2025))]
    assert ishoej.offentliggjort_kr == 1_304_000
    assert abs(ishoej.skoen_kr - 498_800_000 * 1750 / NATIONAL) <= 2
    d2 = rec[("Dragør", (2023, 2024))]
    d3 = rec[("Dragør", (2023, 2024, 2025))]
    assert abs(d2.skoen_kr - 302_900_000 * 987 / NATIONAL) <= 2
    assert abs(d3.skoen_kr - 498_800_000 * 987 / NATIONAL) <= 2
    assert len(rec) == 3
    lo, hi = key_factor_range(list(rec.values()))
    assert round(lo, 3) == 0.552 and round(hi, 3) == 1.010


def test_every_estimate_has_a_range_founded_on_the_record(data, index, ishoej_plan):
    """Ishøj round 2: the key's 4.637.960 kr. (5 × 927.592) times 55,2 %–101,0 %, widened by
    round 1's share carried forward (5 × 512.000 = 2.560.000): [2.560.000; 4.684.340]. Round 1
    is a tilsagn: no range. A kommune without tilsagn (Læsø, 2023–2025 key 498,8 mio. × 58 /
    369.586 ≈ 78.278 kr.) gets both rounds as ranges: × 0,552 ≈ 43.218, × 1,010 ≈ 79.061."""
    ctx = build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan)
    r1, r2 = ctx["runder"]
    assert r1["skoen_interval_kr"] is None
    lo, hi = r2["skoen_interval_kr"]
    assert lo == 2_560_000
    assert abs(hi - 4_637_960 * 817_000 / 808_911) <= 2
    laesoe = build_context(data, index.resolve("Læsø"), 2026)
    est = laesoe["runder"][0]["beloeb_kr"]
    lo, hi = laesoe["runder"][0]["skoen_interval_kr"]
    assert abs(lo - est * 1_304_000 / ishoej_rec(data).skoen_kr) <= 2
    assert abs(hi - est * 817_000 / 808_911) <= 2
    # page 1 and the agenda item show the range rounded, never as exact kroner
    page1 = text_of(present.summary(laesoe))
    assert "Målt mod de få kendte tilsagn fra puljen kan beløbet" in page1
    assert wording.interval_text(laesoe["runder"][0]["skoen_interval_kr"]) \
        .replace("\u00a0", " ") in page1
    item = agenda.to_text(agenda.agenda(laesoe)).replace("\u00a0", " ")
    # issue 21: each round's range once, in Økonomi, labelled as a skøn
    assert "- Første tildelingsrunde, 2023–2025: ca. 43.000–79.000 kr. Grundlag: skøn." in item
    assert item.count("43.000–79.000") == 1
    assert str(est) not in item and fmt_kr(est) not in item


def ishoej_rec(data):
    return next(r for r in key_record(data, CFG) if r.kommune == "Ishøj")


def fmt_kr(n: int) -> str:
    from opkval.base import fmt

    return fmt.kr(n).replace("\u00a0", " ")


def test_method_section_says_how_the_range_is_made(data, index):
    ctx = build_context(data, index.resolve("Odense"), 2026)
    text = text_of(present.assumptions(ctx))
    assert "laveste og det højeste forhold" in text and "55 % og 101 %" in text
    assert "Ishøj Kommunes tilsagn for 2023–2025 (1.304.000 kr.) er 55 % af nøglens skøn" in text
    assert "101 % (2023–2024) eller 61 % (2023–2025)" in text
    assert "Kommunens eget tilsagnsbrev gør spændet til ét tal" in text


def test_national_context_carries_the_range_per_kommune(data, tmp_path):
    from opkval.assembly.national import national_context

    nctx = national_context(data, tmp_path, 2026)
    rows = {r["navn"]: r for r in nctx["kommuner"]}
    assert all(all(r.get("skoen_interval_kr") for r in k["runder"]) for n, k in rows.items()
               if n != "Ishøj")
    assert rows["Ishøj"]["runder"][0]["skoen_interval_kr"] is None


def test_dragoer_both_readings_and_timing_as_an_assumption(data, index):
    ctx = build_context(data, index.resolve("Odense"), 2026)
    text = text_of(present.key_check(ctx))
    assert "Kilden siger ikke, hvilke tilskudsår beløbet dækker" in text
    assert "læst som 2023–2024 er det 101 % af nøglens skøn (808.911 kr.)" in text.lower()
    assert "læst som 2023–2025 er det 61 % af nøglens skøn (1.332.073 kr.)" in text
    assert "antaget" in text and "tallene for kommunen er derfor skøn" in text
    grants = text_of(present.grant_table(ctx))
    assert "2023 (antaget)" in grants and "antaget udbetalt samlet i 2023" in grants
    # round 1's total row names its payment years, not "årligt"
    assert "Første tildelingsrunde i alt" in grants and "årligt" not in grants
    assert re.search(r"Første tildelingsrunde i alt [\d,]+ mio\. kr\. [\d.]+ kr\. 2023 og 2025",
                     grants)


def test_own_letters_are_not_called_estimates_nor_timed_by_dragoer(data, index, tmp_path):
    """A kommune whose own letters give round 1 (Ishøj's letter in its plan): the key check does
    not say its figures are estimates, and its payment timing does not rest on Dragør."""
    p = _yaml(tmp_path, MINIMAL.replace("kommune: Ishøj", "kommune: Ballerup") + textwrap.dedent(
        """\
        tilsagn:
          - {runde: 1, beloeb: 1500000, kilde: "Tilsagnsbrev af 1. juni 2023"}
        """))
    plan = load_plan(p, index, config=PLAN_CONFIG)
    ctx = build_context(data, plan.kommune, 2026, plan=plan)
    check = text_of(present.key_check(ctx))
    assert "derfor skøn" not in check
    assert "Ballerup Kommunes eget tilsagnsbrev" in check
    assert "Notatet antager ud fra den første læsning" not in check
    assert "Dragør" not in ctx["runder"][0]["udbetaling_kilde"]


def test_backtest_names_who_falls_outside_and_why(data, index):
    text = text_of(present.key_check(build_context(data, index.resolve("Aarhus"), 2026)))
    assert "3 af 16 ligger uden for tolerancen (Silkeborg, Skanderborg, Odder)" in text
    assert "prognose fra 2019" in text


# ---------------------------------------------------------------- 1. letters


def test_year_letter_inside_round_two_is_refused_with_how_to_write_it(tmp_path, index):
    p = _yaml(tmp_path, MINIMAL + 'tilsagn:\n  - {aar: 2026, beloeb: 5480000, kilde: "Brev"}\n')
    with pytest.raises(PlanError) as e:
        load_plan(p, index, config=PLAN_CONFIG)
    assert len(e.value.problems) == 1  # one message
    msg = e.value.problems[0].text()
    assert msg.startswith("linje ") and "tilsagn[1].aar" in msg and "(værdi: 2026)" in msg
    assert "udmøntes samlet i 2026" in msg and "runde: 2" in msg


def test_implausible_letter_is_a_warning_beside_the_figure(data, index, tmp_path, capsys):
    """512.000 typed as 5.120.000 for 2024: 2,61 % of 195,9 mio. against the key's 0,47 %
    (1.750 / 369.586) and the other letter's 0,26 % (280.000 / 107 mio.). 2023's 0,26 % is 55 %
    of the key's share: within half, no warning."""
    p = _yaml(tmp_path, MINIMAL + textwrap.dedent("""\
        tilsagn:
          - {aar: 2023, beloeb: 280000, kilde: "Brev 2023"}
          - {aar: 2024, beloeb: 5120000, kilde: "Brev 2024"}
        """))
    plan = load_plan(p, index, config=PLAN_CONFIG)
    rows = {g.aar: g for g in grants_for_kommune(data, 183, tilsagn=plan.tilsagn, cfg=CFG)}
    assert rows[2023].advarsel is None
    w = rows[2024].advarsel
    assert w and "2,61" in w and "nøglen giver 0,47" in w and "øvrige tilsagn giver 0,26" in w
    ctx = build_context(data, plan.kommune, 2026, plan=plan)
    assert "Advarsel: Tilsagnet for 2024" in text_of(present.grant_table(ctx))
    assert main(["plan", "check", str(p)]) == 0
    out = capsys.readouterr().out
    assert "Advarsler:" in out and "Tilsagnet for 2024 (5.120.000 kr.)" in out
    # paid years without a letter (2025 is Ishøj's published tilsagn): 2026–2030 estimated
    assert "Ingen tilsagn i planen eller i opkvals data for 2026–2030" in out


def test_ishoejs_real_letters_raise_no_warning(data):
    from opkval.inputs.plan import Tilsagn

    letters = (Tilsagn(280_000, "Bilag", aar=2023), Tilsagn(1_304_000, "Bilag", runde=1))
    assert all(g.advarsel is None for g in grants_for_kommune(data, 183, tilsagn=letters, cfg=CFG))


# ---------------------------------------------------------------- 2. heads


VIKAR = """\
  - navn: Vikardækning for meritstuderende
    kategori: loen_vikar
    maalgruppe: paedagogmedhjaelpere
    start: 2024-08-01
    slut: 2027-07-31
    deltagere: 6
    budget: {2025: 100000}
  - navn: Sprogkursus
    kategori: uformel
    maalgruppe: paedagoger
    start: 2024-01-01
    slut: 2024-12-31
    deltagere: 10
    finansiering: anden
    budget: {2024: 50000}
"""


def test_heads_are_counted_once_in_the_right_place(tmp_path, index, data):
    """8 merit students; the vikar line's 6 and the other-financed course's 10 are not
    course participants (issue 19: they added six "kursusdeltagere" to page 1)."""
    plan = load_plan(_yaml(tmp_path, MINIMAL + VIKAR), index, config=PLAN_CONFIG)
    ctx = build_context(data, plan.kommune, 2026, plan=plan)
    p = ctx["plan"]
    assert p["studerende_i_alt"] == 8 and p["kursister_i_alt"] == 0
    assert p["deltagere_i_alt"] == 8
    page1 = text_of(present_plan.key_points(ctx))
    assert "deltagere i kurser" not in page1 and "8 studerende" in page1
    item = agenda.to_text(agenda.agenda(ctx))
    assert "Vikardækning for meritstuderende (Løn/vikar, pædagogmedhjælpere, 6 personer)" in item
    assert "6 kursusdeltagere" not in item


def test_blank_count_warns_uses_fordeling_and_never_divides_by_it(tmp_path, index, data,
                                                                   capsys):
    """Merit with a blank count but a Fordeling of 5 + 3 = 8, spending 462.000 (forbrug
    2024) + 400.000 (budget 2025): 862.000 / 8 = 107.750 kr. per person; a second merit line
    without any count (300.000 kr.) is left out, never divided by."""
    text = MINIMAL.replace("    deltagere: 8\n", "    fordeling: {A: 5, B: 3}\n").replace(
        "budget: {2024: 462000, 2025: 462000}",
        "budget: {2024: 500000, 2025: 400000}\n    forbrug: {2024: 462000}") + (
        "  - navn: Merit hold 2\n"
        "    kategori: meritpaedagog\n"
        "    maalgruppe: paedagogmedhjaelpere\n"
        "    start: 2025-08-01\n"
        "    slut: 2028-07-31\n"
        "    budget: {2025: 300000}\n")
    p = _yaml(tmp_path, text)
    plan = load_plan(p, index, config=PLAN_CONFIG)
    assert any("indsatser[1].deltagere" in w and "fordelingens sum (8)" in w
               for w in plan.advarsler)
    assert any(w.startswith("linje ") and "indsatser[2].deltagere" in w
               for w in plan.advarsler)
    ctx = build_context(data, plan.kommune, 2026, plan=plan)
    kr = ctx["gaps"]["plan_effekt"]["kr_pr_uddannet"]["meritpaedagog"]
    assert kr["deltagere"] == 8 and kr["kr"] == 862_000 and kr["kr_pr_person"] == 107_750
    assert kr["uden_antal"] == ["Merit hold 2"]
    effect = text_of(present_gaps.plan_effect(ctx))
    assert "Merit hold 2 angiver ikke antal deltagere" in effect
    assert "summen af fordelingen på dagtilbud" in effect
    assert main(["plan", "check", str(p)]) == 0
    assert "indsatser[1].deltagere: antal deltagere er ikke angivet" in capsys.readouterr().out


# ---------------------------------------------------------------- 3. statuses


def test_ishoej_statuses_are_as_strong_as_their_evidence(data, ishoej_plan):
    ctx = build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan)
    p = ctx["plan"]
    by_id = {r["id"]: r for r in p["regler"]}
    assert by_id["formel_andel"]["status"] == "afhaenger"
    assert by_id["lokal_plan_godkendt"]["status"] == "uafklaret"
    assert by_id["forbrug_inden_for_tilskud"]["status"] == "advarsel"
    assert p["status_antal"] == {"ok": 3, "uafklaret": 2, "afhaenger": 1, "advarsel": 1,
                                 "brud": 0}
    page1 = text_of(present_plan.key_points(ctx))
    assert "1 afhænger af klassifikationen" in page1
    assert "Brud (29,1 %), hvis" in page1 and "overholdt (7,7 %), hvis" in page1
    assert "ikke fra tilsagnets vilkår" in page1  # the 90/10 rule's sources
    # round 2's condition cannot be decided, and page 1 says why
    assert ("Lokal plan før anden runde: planen er fra 21. april 2024, før anden rundes "
            "vilkår blev fastlagt, og dækker ikke runden") in page1
    # the round's money on page 1 is the same range as in Kort fortalt
    assert "Af rundens ca. 2,6–4,7 mio. kr. (skøn)" in page1
    item = agenda.to_text(agenda.agenda(ctx)).replace("\u00a0", " ")
    assert "1 afhænger af klassifikationen" in item
    assert "ikke fra vilkårene i tilsagnet" in item
    from opkval.assembly.national import note_summary

    assert [x.replace("\u00a0", " ") for x in note_summary(ctx)["afhaenger"]] == [
        "Mindst 90 % til formel uddannelse"]


def test_approval_dated_before_the_plan_is_an_earlier_version(ishoej_plan, ishoej_grants):
    p = replace(ishoej_plan, dato=dt.date(2026, 3, 1), godkendt_af="Børneudvalget",
                godkendt_dato=dt.date(2026, 2, 1))
    r = next(x for x in plan_context(p, ishoej_grants, CFG, RULES)["regler"]
             if x["id"] == "lokal_plan_godkendt")
    assert r["status"] == "ok" and r["vaerdier"]["godkendt_foer_planen"]
    assert "gælder derfor en tidligere udgave af planen" in r["tekst"]


def test_round_one_risk_after_the_window_only_for_started_activities(ishoej_plan,
                                                                       ishoej_grants):
    """Round 1 with the merit line cut to 2024: 1.304.000 − 462.000 − 280.000 − 100.000 ...
    money left in round 1 is at risk, and the sentence says what it may still pay for."""
    merit = replace(ishoej_plan.indsatser[0], budget={2024: 462000})
    p = replace(ishoej_plan, indsatser=(merit, *ishoej_plan.indsatser[1:]),
                dato=dt.date(2026, 3, 1))
    from tests.test_present_plan import _ctx

    points = text_of(present_plan.key_points(_ctx(plan_context(p, ishoej_grants, CFG, RULES),
                                                  grants=ishoej_grants)))
    assert "Efter 31. juli 2026 kan midlerne kun bruges til aktiviteter, der allerede er sat " \
           "i gang" in points


def test_amu_counts_as_formal_only_under_a_named_assumption(tmp_path, index, data):
    plan = load_plan(_yaml(tmp_path, MINIMAL.replace("kategori: meritpaedagog",
                                                     "kategori: amu")), index, config=PLAN_CONFIG)
    r = next(x for x in build_context(data, plan.kommune, 2026, plan=plan)["plan"]["regler"]
             if x["id"] == "formel_andel")
    assert "Antagelse: Meritpædagoguddannelse er AMU eller AVU" in r["tekst"]
    assert r["forudsaetning"] and "akademi- og diplomniveau" in r["forudsaetning"]


# ---------------------------------------------------------------- 5. words


def test_official_names_in_one_place(data, index):
    assert official_name("København") == "Københavns Kommune"
    assert official_name("Bornholm") == "Bornholms Regionskommune"
    assert official_name("Ishøj") == "Ishøj Kommune"
    for navn, official in (("København", "Københavns Kommune"),
                           ("Bornholm", "Bornholms Regionskommune")):
        ctx = build_context(data, index.resolve(navn), 2026)
        note = text_of([present.title(ctx), present.summary(ctx), present.grant_table(ctx),
                        present.key_check(ctx)])
        item = agenda.to_text(agenda.agenda(ctx))
        for text in (note, item):
            assert official in text
            assert f"{navn} Kommune" not in text


def test_no_double_full_stop_and_udmoentes(data, index):
    """Læsø's note said "forvente ca. 78.000 kr.. Beløbet ..." (97 notes)."""
    for navn in ("Læsø", "Ishøj", "København"):
        ctx = build_context(data, index.resolve(navn), 2026)
        plain = text_of([present.summary(ctx), present.background(ctx),
                         present.key_check(ctx), present.assumptions(ctx)])
        assert "kr.." not in plain, navn
        item = agenda.to_text(agenda.agenda(ctx))
        assert "kr.." not in item
        assert "udmøntes" in text_of(present.summary(ctx))
        assert "udbetales samlet i 2026" not in plain + item


# ---------------------------------------------------------------- a workbook, saved by LibreOffice


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) er ikke installeret: "
                    "apt-get install -y libreoffice-calc-nogui")
def test_workbook_saved_by_libreoffice_trips_every_case(tmp_path, index, data, ishoej,
                                                        ishoej_plan, capsys):
    """An analyst's plan from the template, saved by LibreOffice: round 2's letter typed as
    2026 (refused, with the cell and how to write it); then written as round 2: the blank
    merit count is a warning naming sheet, cell and field, What the plan moves uses the
    Fordeling sheet's 8, and the vikar line's 6 are not course participants."""
    from openpyxl import load_workbook

    from opkval.inputs.excel import write_workbook

    src = write_workbook(tmp_path / "plan.xlsx", ishoej, ishoej_plan, config=PLAN_CONFIG)
    wb = load_workbook(src)
    ind = wb["Indsatser"]
    ind["F2"] = None  # merit: deltagere blank (Fordeling sheet has 1+1+1+2+1+2 = 8)
    row = ["Vikardækning for meritstuderende", "Løn/vikar", "Pædagogmedhjælpere",
           dt.datetime(2024, 8, 1), dt.datetime(2027, 7, 31), 6, "Opkvalificeringspuljen"]
    for j, v in enumerate(row, start=1):
        ind.cell(row=5, column=j, value=v)
    ind["N5"] = 100000  # budget_2025
    wb["Tilsagn"]["A2"] = 2026
    wb["Tilsagn"]["C2"] = 5480000
    wb["Tilsagn"]["D2"] = "Tilsagnsbrev af 3. marts 2026"
    wb.save(src)
    out = tmp_path / "lo"
    env = {**os.environ, "HOME": str(tmp_path / "lo-home")}
    subprocess.run([SOFFICE, "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                    str(src)], check=True, capture_output=True, timeout=180, env=env)
    saved = out / "plan.xlsx"
    with pytest.raises(PlanError) as e:
        load_plan(saved, index, config=PLAN_CONFIG)
    assert len(e.value.problems) == 1
    msg = e.value.problems[0].text()
    assert msg.startswith("ark 'Tilsagn', celle A2, tilsagn[1].aar") and "(værdi: 2026)" in msg
    assert "runde 2" in msg and "kolonnen runde" in msg

    wb = load_workbook(saved)
    wb["Tilsagn"]["A2"] = None
    wb["Tilsagn"]["B2"] = 2
    wb.save(saved)
    plan = load_plan(saved, index, config=PLAN_CONFIG)
    assert any(w.startswith("ark 'Indsatser', celle F2, indsatser[1].deltagere")
               and "fordelingens sum (8)" in w for w in plan.advarsler)
    ctx = build_context(data, plan.kommune, 2026, plan=plan)
    # round 2 is the letter's 5.480.000 kr. (not 5 × 5.480.000 = 27,4 mio. kr.)
    assert ctx["runder"][1]["beloeb_kr"] == 5_480_000
    assert ctx["runder"][1]["skoen_interval_kr"] is None
    p = ctx["plan"]
    assert p["kursister_i_alt"] == 40 and p["studerende_i_alt"] == 0
    assert ctx["gaps"]["plan_effekt"]["merit"]["i_alt"] == 8
    assert ctx["gaps"]["plan_effekt"]["kr_pr_uddannet"]["meritpaedagog"]["deltagere"] == 8
    page1 = text_of(present_plan.key_points(ctx))
    assert "40 deltagere i kurser" in page1 and "46" not in page1
    assert main(["plan", "check", str(saved)]) == 0
    assert "ark 'Indsatser', celle F2" in capsys.readouterr().out


def test_landsoversigt_counts_a_flipping_verdict_apart(data, ishoej_plan):
    """Ishøj's only former brud flips on one classification: the overview does not count it
    as a plan that breaks a rule for certain, and says it is one only under a reading."""
    from opkval.assembly.national import note_summary
    from opkval.sections import present_national

    ctx = build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan)
    row = {"navn": "Ishøj", "kode": 183, "slug": "ishoej", "region": "Region Hovedstaden",
           "kommunegruppe": "Hovedstadskommuner", **note_summary(ctx)}
    text = text_of(present_national._breaches(1, 0, 1))
    assert "kun under en usikker klassifikation" in text
    table = text_of(present_national.plans({"kommuner": [row]}))
    assert "(afhænger af klassifikationen)" in table and "Advarsel" in table
