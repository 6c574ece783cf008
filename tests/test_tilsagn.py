"""Issue 12, point 1: the kommune's own tilsagn letters in its plan (YAML and workbook)."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from opkval.assembly.context import build_context
from opkval.engine.allocation import grants_for_kommune, letter_amounts
from opkval.inputs.config import load_config
from opkval.inputs.excel import write_workbook
from opkval.inputs.plan import PlanError, Tilsagn, load_plan
from opkval.sections.present import assumptions, grant_table
from tests.conftest import PLAN_CONFIG, PLANS
from tests.textof import text_of

CFG = load_config()  # the engines take the pool's config as an argument

VEJLE = PLANS / "vejle" / "vejle.yaml"
MINIMAL = (PLANS / "good_minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def vejle_plan(index):
    return load_plan(VEJLE, index, config=PLAN_CONFIG)


@pytest.fixture(scope="module")
def vejle_ctx(data, vejle_plan):
    return build_context(data, vejle_plan.kommune, 2026, plan=vejle_plan)


def _plan(tmp_path, tilsagn: str):
    p = tmp_path / "plan.yaml"
    p.write_text(MINIMAL + "tilsagn:\n" + textwrap.indent(textwrap.dedent(tilsagn), "  "),
                 encoding="utf-8")
    return p


def test_letters_override_and_are_carried_forward(vejle_ctx):
    g = {x["aar"]: x for x in vejle_ctx["grants"]}
    # The 2023 letter: 1.250.000 kr., labelled as the kommune's letter with its source.
    assert g[2023]["beloeb_kr"] == 1_250_000
    assert g[2023]["grundlag"] == "tilsagnsbrev"
    assert "Tilsagn (kommunens tilsagnsbrev: Tilsagnsbrev fra STUK af 14. juni 2023)" \
        == g[2023]["forklaring"]
    # 2024-2025: carried forward with the letter's share: 1.250.000 / 107,0 mio. × 195,9 mio.
    # = 2.288.551,40 → 2.288.551 kr.
    assert g[2024]["label"] == g[2025]["label"] == "fremskrevet"
    assert g[2024]["beloeb_kr"] == g[2025]["beloeb_kr"] == 2_288_551
    # Round 2: 20.900.000 kr. over five years of equal pools = 4.180.000 kr. a year.
    assert [g[y]["beloeb_kr"] for y in range(2026, 2031)] == [4_180_000] * 5
    assert {g[y]["grundlag"] for y in range(2026, 2031)} == {"tilsagnsbrev"}
    r2 = next(r for r in vejle_ctx["runder"] if r["id"] == 2)
    assert r2["beloeb_kr"] == 20_900_000


def test_letters_move_the_repayment_risk(vejle_ctx):
    # By hand: round 1 = 1.250.000 + 2 × 2.288.551 = 5.827.102 kr.; the plan's pool spending
    # 2024 0,7 + 2025 0,7 + 2026 4,0 mio. uses 5,4 mio. of it, 2027 (5,3 mio.) the last
    # 427.102 kr., and round 2 pays 5.300.000 - 427.102 + 1.600.000 (2028) = 6.472.898 kr.;
    # 20.900.000 - 6.472.898 = 14.427.102 kr. is at risk.
    runder = {r["id"]: r for r in vejle_ctx["plan"]["ledger"]["runder"]}
    assert runder[1]["modtaget_kr"] == 5_827_102
    assert runder[2]["risiko_tilbagebetaling_kr"] == 14_427_102


def test_a_letter_beats_a_published_amount(data, ishoej):
    # Ishøj's published 2023 tilsagn is 280.000 kr. (seed 001); a letter of 300.000 wins.
    letters = (Tilsagn(beloeb_kr=300_000, kilde="Brev", aar=2023),)
    g = {x.aar: x for x in grants_for_kommune(data, ishoej.kode, tilsagn=letters, cfg=CFG)}
    assert g[2023].beloeb_kr == 300_000 and g[2023].grundlag == "tilsagnsbrev"
    assert g[2024].beloeb_kr == 512_000 and g[2024].grundlag == "offentliggjort"
    plain = {x.aar: x for x in grants_for_kommune(data, ishoej.kode, cfg=CFG)}
    assert plain[2023].beloeb_kr == 280_000


def test_round_amount_fills_the_years_not_given():
    cfg = load_config()
    # Round 1 = 2023-2025; 2023 given as 100.000, the round as 500.000: the other 400.000
    # split by the pools of 2024 and 2025 (equal) = 200.000 each.
    out = letter_amounts((Tilsagn(100_000, "A", aar=2023), Tilsagn(500_000, "B", runde=1)), cfg)
    assert {y: v[0] for y, v in out.items()} == {2023: 100_000, 2024: 200_000, 2025: 200_000}


def test_precedence_is_stated_in_the_note(vejle_ctx):
    text = text_of([grant_table(vejle_ctx), assumptions(vejle_ctx)])
    assert "kommunens eget tilsagnsbrev (angivet i planen), et offentliggjort tilsagn" in text
    assert "Tilsagn (kommunens tilsagnsbrev)" in text_of(grant_table(vejle_ctx))


@pytest.mark.parametrize(("tilsagn", "field", "message"), [
    ("- {aar: 2023, beloeb: -5, kilde: Brev}\n", "tilsagn[1].beloeb", "negativt"),
    ("- {aar: 2023, beloeb: 12.5, kilde: Brev}\n", "tilsagn[1].beloeb", "hele kroner"),
    ("- {aar: 2022, beloeb: 5, kilde: Brev}\n", "tilsagn[1].aar", "2023–2030"),
    ("- {aar: 2031, beloeb: 5, kilde: Brev}\n", "tilsagn[1].aar", "2023–2030"),
    ("- {runde: 3, beloeb: 5, kilde: Brev}\n", "tilsagn[1].runde", "ukendt runde"),
    ("- {aar: 2023, beloeb: 5, kilde: A}\n- {aar: 2023, beloeb: 6, kilde: B}\n",
     "tilsagn[2].aar", "står også i tilsagn nr. 1"),
    ("- {runde: 2, beloeb: 5, kilde: A}\n- {runde: 2, beloeb: 6, kilde: B}\n",
     "tilsagn[2].runde", "står også i tilsagn nr. 1"),
    ("- {aar: 2023, runde: 1, beloeb: 5, kilde: A}\n", "tilsagn[1]", "enten aar eller runde"),
    ("- {aar: 2023, beloeb: 5}\n", "tilsagn[1].kilde", "mangler"),
    ("- {aar: 2023, beloeb: 5, kilde: A, bloeb: 3}\n", "tilsagn[1].bloeb", "mente du 'beloeb'"),
    # Round 1 given as 500.000, but its three years as 100.000 each: 300.000.
    ("- {runde: 1, beloeb: 500000, kilde: R}\n- {aar: 2023, beloeb: 100000, kilde: A}\n"
     "- {aar: 2024, beloeb: 100000, kilde: A}\n- {aar: 2025, beloeb: 100000, kilde: A}\n",
     "tilsagn[1].beloeb", "står for i alt 300000 kr."),
    # Round 1 as 150.000, but 2023 alone as 200.000.
    ("- {runde: 1, beloeb: 150000, kilde: R}\n- {aar: 2023, beloeb: 200000, kilde: A}\n",
     "tilsagn[1].beloeb", "mindre end de 200000 kr."),
])
def test_bad_letters_are_reported(tmp_path, index, tilsagn, field, message):
    with pytest.raises(PlanError) as e:
        load_plan(_plan(tmp_path, tilsagn), index, config=PLAN_CONFIG)
    hits = [p for p in e.value.problems if p.field == field]
    assert hits, str(e.value)
    assert message in hits[0].message
    assert hits[0].where and hits[0].where.startswith("linje")


def test_workbook_carries_letters_text_and_header(index, vejle_plan, tmp_path):
    for f in ("logo.png", "vejle-2025.yaml"):
        shutil.copy(VEJLE.parent / f, tmp_path / f)
    xlsx = write_workbook(tmp_path / "vejle.xlsx", vejle_plan.kommune, vejle_plan,
                          config=PLAN_CONFIG)
    back = load_plan(xlsx, index, config=PLAN_CONFIG)
    assert back.tilsagn == vejle_plan.tilsagn
    assert back.notat == vejle_plan.notat
    assert back.forrige_ref == "vejle-2025.yaml"


def test_workbook_letter_problem_names_sheet_and_cell(index, vejle_plan, tmp_path):
    from openpyxl import load_workbook

    shutil.copy(VEJLE.parent / "logo.png", tmp_path / "logo.png")
    shutil.copy(VEJLE.parent / "vejle-2025.yaml", tmp_path / "vejle-2025.yaml")
    xlsx = write_workbook(tmp_path / "vejle.xlsx", vejle_plan.kommune, vejle_plan,
                          config=PLAN_CONFIG)
    wb = load_workbook(xlsx)
    wb["Tilsagn"]["A2"] = 2019
    wb.save(xlsx)
    with pytest.raises(PlanError) as e:
        load_plan(xlsx, index, config=PLAN_CONFIG)
    assert "ark 'Tilsagn', celle A2, tilsagn[1].aar: året skal ligge i puljens år" \
        in str(e.value)


def test_overview_shows_the_notes_own_round_amounts(vejle_ctx):
    from opkval.assembly.national import note_summary

    rounds = {r["id"]: r for r in note_summary(vejle_ctx)["runder"]}
    # 1.250.000 + 2 × 2.288.551 (carried forward) and the round-2 letter.
    assert rounds[1]["beloeb_kr"] == 5_827_102
    assert rounds[2]["beloeb_kr"] == 20_900_000 and rounds[2]["grundlag"] == ["tilsagn"]


def test_plan_export_keeps_letters_text_and_previous(index, vejle_plan):
    from opkval.inputs.plan import to_raw, validate

    back, problems = validate(to_raw(vejle_plan), lambda p: None, index,
                              base_dir=VEJLE.parent, config=PLAN_CONFIG)
    assert problems == []
    assert back.tilsagn == vejle_plan.tilsagn
    assert back.notat == vejle_plan.notat
    assert back.forrige_ref == "vejle-2025.yaml"
