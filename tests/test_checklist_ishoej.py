"""The checklist and the behov → indsats chain on Ishøj's real plan (data/plans/ishoej.yaml).

Expected statuses are read by hand from seed 001 (Ishøj, Bilag 1, 21 April 2024), not from
the code: the bilag names merit but never PAU; it says leadership must work with the
pædagogers' role but has no effort for leaders; it continues ICDP, in which the kommune "har
løbende uddannet medarbejdere"; it is an orientation and says nothing about approval.
"""

from __future__ import annotations

from dataclasses import replace

from opkval.base import doc
from opkval.engine import checklist
from opkval.engine.checklist import DAEKKET, DELVIST, MANGLER
from opkval.inputs.config import load_points, load_rules
from opkval.sections import present_gaps
from tests.textof import text_of

# The engine takes the Bilag 2 points and the rules as arguments.
POINTS, RULES = load_points().punkter, load_rules()

ICDP = "Relations- og ressourceorienteret pædagogik ved hjælp af ICDP"
AOF = "Ansvar og følgeskab i pædagogikken"


def _statuses(plan) -> dict[str, str]:
    return {c["id"]: c["status"] for c in checklist.checklist(plan.as_dict(), POINTS, RULES)}


def test_ishoej_checklist_statuses_read_from_seed_001(ishoej_plan):
    s = _statuses(ishoej_plan)
    # Merit for 8 medhjælpere, no PAU line and no word on priority between them: delvist.
    assert s["pau_merit"] == DELVIST
    # "Der skal ledelsesmæssigt arbejdes med ..." but no indsats for ledere: delvist.
    assert s["ledere"] == DELVIST
    # ICDP is an existing effort the kommune continues: dækket.
    assert s["eksisterende_indsatser"] == DAEKKET
    # An orientation, not approved by a committee; no introkursus, no revision: mangler.
    assert s["politisk_godkendelse"] == MANGLER
    assert s["introkursus"] == MANGLER
    assert s["revision"] == MANGLER


def test_ishoej_checklist_evidence_quotes_the_plan(ishoej_plan):
    by_id = {c["id"]: c for c in checklist.checklist(ishoej_plan.as_dict(), POINTS, RULES)}
    assert any("ICDP-programmet" in e for e in by_id["eksisterende_indsatser"]["evidens"])
    assert by_id["ledere"]["note"] == ("Planen omtaler punktet, men ingen indsats har den "
                                       "forventede målgruppe.")
    assert by_id["pau_merit"]["evidens"] == [
        "Meritpædagoguddannelse (Meritpædagog, målgruppe: pædagogmedhjælpere)"]
    assert by_id["politisk_godkendelse"]["evidens"] == []


def test_ishoej_chain_links_every_behov(ishoej_plan):
    d = ishoej_plan.as_dict()
    c = checklist.chain(d["behov"], d["indsatser"])
    links = {b["id"]: b["indsatser"] for b in c["behov"]}
    # Seed 001: eight udviklingsområder of Ansvar og følgeskab, the shortage behind it, and the
    # relations need behind ICDP = 10 behov.
    assert len(links) == 10
    assert links["relationer"] == [ICDP]
    assert links["faerre_paedagoger"] == ["Meritpædagoguddannelse", AOF]
    assert all(v == [AOF] for k, v in links.items()
               if k not in ("relationer", "faerre_paedagoger"))
    assert c["behov_uden_indsats"] == [] and c["indsatser_uden_behov"] == []


def test_chain_names_an_unanswered_behov(ishoej_plan):
    # Without the ICDP line, nothing answers the relations need; the note names it by its text.
    plan = replace(ishoej_plan, indsatser=tuple(i for i in ishoej_plan.indsatser
                                                 if i.navn != ICDP))
    d = plan.as_dict()
    c = checklist.chain(d["behov"], d["indsatser"])
    assert c["behov_uden_indsats"] == ["relationer"]
    section = present_gaps.chain({"gaps": {"kaede": c}})
    assert doc.Paragraph(doc.b("Behov uden indsats:"), " Kvaliteten af den kontakt, omsorg og "
                         "opmærksomhed, børnene får fra deres nære omsorgsgivere.") \
        in section.children
    assert "Alle behov har mindst én indsats" not in text_of(section)
