"""Two wording defects found by the independent verification of this session (docs/verification.md).

1. Issue 19 §2: wages/substitutes (loen_vikar), administration, audit and study costs are
   neither formal nor informal upskilling. The analysis's "Klassifikation og antagelser" called
   a vikar line "uformel opkvalificering" a paragraph before saying such lines are "hverken
   formel eller uformel opkvalificering" — exactly the contradiction the issue names.
2. Issue 22 §3: the scenario list under "Hvad de ikke planlagte midler kan købe" read
   "Meritpædagog til som kommunens egen plan (15 pladser)": the label must be Danish.

Expected figures by hand from seed 001 (Ishøj): the plan pays 4 × 462.000 kr. for 8 merit
students, 231.000 kr. per participant; round 2 not planned is 3.663.960 kr. (the key's estimate
4.637.960 kr. less the 974.000 kr. the plan spends in round 2), 3.663.960 // 231.000 = 15.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from opkval.assembly.context import build_context, plan_context, pool_facts
from opkval.inputs.config import load_config, load_rules
from opkval.inputs.plan_model import Indsats
from opkval.sections import present_plan
from opkval.sections.present_options import unplanned_money
from tests.conftest import CFG, RULES
from tests.textof import text_of

WHEN = dt.datetime(2026, 12, 7, 12, 0)


def _with_vikar(plan):
    vikar = Indsats(navn="Vikardækning under meritforløbet", kategori="loen_vikar",
                    maalgruppe="paedagogmedhjaelpere", start=dt.date(2024, 8, 1),
                    slut=dt.date(2027, 7, 31), budget={2025: 100_000}, deltagere=6)
    return replace(plan, indsatser=(*plan.indsatser, vikar))


def _classification_items(ctx) -> dict[str, str]:
    section = present_plan.classification(ctx)
    text = text_of(section)
    return {i.navn: text.split(i.navn, 1)[1].split(".", 1)[0] for i in ctx["_plan"].indsatser}


def test_a_vikar_line_counts_as_neither_formal_nor_informal(ishoej_plan, ishoej_grants):
    plan = _with_vikar(ishoej_plan)
    ctx = {**pool_facts(load_config(), load_rules()),
           "plan": plan_context(plan, ishoej_grants, CFG, RULES), "_plan": plan}
    items = _classification_items(ctx)
    vikar = items["Vikardækning under meritforløbet"]
    assert "tæller hverken som formel uddannelse eller som uformel opkvalificering" in vikar
    assert "tæller som uformel" not in vikar
    # The other lines keep their reading: merit is formal, the ICDP course informal.
    assert "tæller som formel uddannelse" in items["Meritpædagoguddannelse"]
    icdp = next(i.navn for i in plan.indsatser if "ICDP" in i.navn)
    assert "tæller som uformel opkvalificering" in items[icdp]
    # The uncertain course still names its other reading (diplommodul, formal).
    text = text_of(present_plan.classification(ctx))
    assert "kan også være Diplommodul (formel uddannelse)" in text


def test_scenario_labels_read_as_danish(data, index, ishoej_plan):
    ctx = build_context(data, index.resolve("Ishøj"), 2026, generated_at=WHEN,
                        plan=ishoej_plan)
    text = text_of(unplanned_money(ctx))
    assert " til som " not in text
    amount = 4_637_960 - 974_000
    assert amount // 231_000 == 15
    assert ("Meritpædagog til prisen pr. deltager i kommunens egen plan (15 pladser): "
            "make report KOMMUNE=ishoej EXTRA=meritpaedagog:15:2027") in text
    # A kommune without a plan: the price of a published plan (Ishøj's, 231.000 kr.).
    aarhus = build_context(data, index.resolve("Aarhus"), 2026, generated_at=WHEN)
    r2 = next(r for r in aarhus["muligheder"]["runder"] if r["id"] == 2)
    places = r2["ikke_planlagt_kr"] // 231_000
    assert (f"Meritpædagog til prisen pr. deltager i en offentliggjort plan ({places:,} "
            "pladser)".replace(",", ".")) in text_of(unplanned_money(aarhus))
