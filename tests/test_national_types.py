"""The typed overview context (opkval/assembly/national_types.py) and its JSON Schema hold for
real overviews.

Each overview below is validated strictly: a key the types do not name, a key they require that
is missing, a value of another type, or a note summary only partly present in a kommune's row
fails. So a change to ``national_context`` that is not also made in the types (and, through
tests/test_context_types.py's schema test, in ``docs/landsoversigt.schema.json``) cannot pass.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from pydantic import ValidationError

from opkval.assembly.context import build_context
from opkval.assembly.national import national_context, note_summary
from opkval.assembly.national_types import NOTE_KEYS, PLAN_KEYS, validate
from opkval.inputs.plan import load_plan
from tests.conftest import FIXTURES, PLAN_CONFIG

WHEN = dt.datetime(2026, 12, 7, 12, 0)


@pytest.fixture(scope="module")
def overviews(data, index, ishoej_plan, tmp_path_factory):
    """No note built; and three notes built this run: Ishøj with its plan (tilsagn, a second
    estimate for round 2), Vejle with a plan that names its previous one, Læsø without a plan."""
    vejle = load_plan(FIXTURES / "plans" / "vejle" / "vejle.yaml", index, config=PLAN_CONFIG)
    notes = {"ishoej": build_context(data, ishoej_plan.kommune, 2026, generated_at=WHEN,
                                     plan=ishoej_plan),
             "vejle": build_context(data, vejle.kommune, 2026, generated_at=WHEN, plan=vejle),
             "laesoe": build_context(data, index.resolve("Læsø"), 2026, generated_at=WHEN)}
    return {
        "no_notes": national_context(data, tmp_path_factory.mktemp("empty"), 2026,
                                     generated_at=WHEN),
        "three_notes": national_context(data, tmp_path_factory.mktemp("n"), 2026,
                                        generated_at=WHEN,
                                        summaries={s: note_summary(c) for s, c in notes.items()}),
    }


@pytest.mark.parametrize("case", ["no_notes", "three_notes"])
def test_overview_validates_strictly(overviews, case):
    nctx = overviews[case]
    validate(nctx)
    # ... and as reports/landsoversigt.json stores it: JSON, with the files' hashes added last
    stored = json.loads(json.dumps({**nctx, "filer_sha256": {"landsoversigt.pdf": "0" * 64}},
                                   ensure_ascii=False))
    validate(stored)


def test_the_cases_cover_what_the_types_make_optional(overviews):
    rows = {r["slug"]: r for r in overviews["three_notes"]["kommuner"]}
    assert not NOTE_KEYS & set(rows["koebenhavn"])  # no note built
    assert NOTE_KEYS <= set(rows["laesoe"]) and not PLAN_KEYS & set(rows["laesoe"])
    assert PLAN_KEYS <= set(rows["ishoej"]) and PLAN_KEYS <= set(rows["vejle"])
    assert any("alternativ_kr" in g for g in rows["ishoej"]["runder"])
    assert any("alternativ_kr" not in g for g in rows["ishoej"]["runder"])
    assert any(g["skoen_interval_kr"] is None for g in rows["ishoej"]["runder"])  # tilsagn
    assert all(not NOTE_KEYS & set(r) for r in overviews["no_notes"]["kommuner"])


def _row(nctx: dict, slug: str) -> dict:
    return next(r for r in nctx["kommuner"] if r["slug"] == slug)


@pytest.mark.parametrize("change, where", [
    (lambda n: n.update(ny_noegle=1), "ny_noegle"),  # unknown key
    (lambda n: n.pop("skoen_aar"), "skoen_aar"),  # missing key
    (lambda n: n.update(planer="3"), "planer"),  # str for int
    (lambda n: _row(n, "ishoej").update(kode="183"), "kommuner.{i}.kode"),
    (lambda n: _row(n, "ishoej").update(har_plan=1), "kommuner.{i}.har_plan"),  # int for bool
    (lambda n: _row(n, "ishoej").pop("boern_0_5"), "kommuner.{i}.boern_0_5"),
    (lambda n: _row(n, "ishoej")["runder"][1].pop("alternativ_kr") and
     _row(n, "ishoej")["runder"][1].update(alternativ="x"), "kommuner.{i}.runder.1.alternativ"),
    (lambda n: n["landstal"]["maal"]["bupl_80"].update(gap_pp="37"),
     "landstal.maal.bupl_80.gap_pp"),
    (lambda n: n["grupper"]["region"][0].pop("median_pct"), "grupper.region.0.median_pct"),
    (lambda n: n["puljens_raekkevidde"]["priser"][0].update(pris_kr=61200.0),
     "puljens_raekkevidde.priser.0.pris_kr"),  # float for int
    (lambda n: n["backtest_fejl"]["Opkvalificeringspuljen"].pop("n"),
     "backtest_fejl.Opkvalificeringspuljen.n"),
    (lambda n: n["plan_daekning"].update(ekstra=0), "plan_daekning.ekstra"),
])
def test_a_drift_is_caught(overviews, change, where):
    nctx = copy.deepcopy(overviews["three_notes"])
    i = nctx["kommuner"].index(_row(nctx, "ishoej"))
    change(nctx)
    with pytest.raises(ValidationError) as e:
        validate(nctx)
    assert where.format(i=i) in {".".join(str(x) for x in err["loc"])
                                 for err in e.value.errors()}


@pytest.mark.parametrize("change", [
    lambda r: r.pop("brud"),  # a plan's summary without one of its keys
    lambda r: r.pop("notat"),  # a note's summary without one of its keys
    lambda r: r.update(har_plan=False),  # the plan's keys without har_plan
])
def test_a_partial_note_summary_is_caught(overviews, change):
    nctx = copy.deepcopy(overviews["three_notes"])
    row = _row(nctx, "ishoej")
    change(row)
    with pytest.raises(ValidationError) as e:
        validate(nctx)
    assert [err["loc"][:2] for err in e.value.errors()] == [
        ("kommuner", nctx["kommuner"].index(row))]


@pytest.mark.slow
def test_the_written_overview_validates(built_site):
    """reports/landsoversigt.json as `make reports` writes it (three notes built, the other 95
    rows from the grants alone) holds to the types and the schema's rules."""
    nctx = validate(json.loads((built_site / "landsoversigt.json").read_text(encoding="utf-8")))
    assert "landsoversigt.pdf" in nctx["filer_sha256"]
    assert sum("notat" in r for r in nctx["kommuner"]) == 3
