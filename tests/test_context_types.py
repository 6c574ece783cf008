"""The typed context (opkval/assembly/context_types.py) and its JSON Schema hold for real notes.

Every context below is validated strictly: a key the types do not name, a key they require that
is missing, or a value of another type (a str where an int belongs, an int where a bool belongs)
fails. So a change to ``build_context`` that is not also made in the types (and, through the
first test, in ``docs/context.schema.json``) cannot pass.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from pydantic import ValidationError

from opkval import PROJECT_ROOT
from opkval.assembly.context import build_context
from opkval.assembly.context_types import validate
from opkval.engine.plan_effect import parse_extra
from opkval.inputs.plan import load_plan
from tests.conftest import FIXTURES, PLAN_CONFIG, RULES

WHEN = dt.datetime(2026, 12, 7, 12, 0)


@pytest.mark.parametrize("module, name", [("context_types", "context.schema.json"),
                                          ("national_types", "landsoversigt.schema.json")])
def test_committed_schema_is_the_generated_one(module, name):
    """The note's and the overview's committed JSON Schema is the one their types give."""
    import importlib

    generated = importlib.import_module(f"opkval.assembly.{module}").json_schema()
    committed = json.loads((PROJECT_ROOT / "docs" / name).read_text(encoding="utf-8"))
    assert committed == generated, (
        f"docs/{name} is stale: python -m opkval.assembly.{module} > docs/{name}")


CASES = {
    # kommune, plan file (None: no plan), scenario
    "ishoej_plan": ("Ishøj", PROJECT_ROOT / "data" / "plans" / "ishoej.yaml", None),
    "no_plan": ("Læsø", None, None),
    "vejle_previous_plan_logo": ("Vejle", FIXTURES / "plans" / "vejle" / "vejle.yaml", None),
    "otte_indsatser": (None, FIXTURES / "plans" / "otte_indsatser.yaml", None),
    "scenario_with_plan": ("Ishøj", PROJECT_ROOT / "data" / "plans" / "ishoej.yaml",
                           "meritpaedagog:4:2026,pau:2:2025"),
    "scenario_without_plan": ("Gentofte", None, "meritpaedagog:4:2026"),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def context(request, data, index):
    name, path, extra = CASES[request.param]
    plan = load_plan(path, index, config=PLAN_CONFIG) if path else None
    kommune = plan.kommune if plan else index.resolve(name)
    return build_context(data, kommune, 2026, generated_at=WHEN, plan=plan,
                         extras=parse_extra(extra, RULES) if extra else None)


def test_context_validates_strictly(context):
    validate(context)
    # ... and as reports/<slug>.json stores it (JSON has no tuples, only str keys)
    validate(json.loads(json.dumps(context, ensure_ascii=False)))


def test_the_cases_cover_what_the_types_make_optional(data, index):
    """The cases reach the types' optional parts, so their validation means something."""
    ctxs = {}
    for case, (name, path, extra) in CASES.items():
        plan = load_plan(path, index, config=PLAN_CONFIG) if path else None
        kommune = plan.kommune if plan else index.resolve(name)
        ctxs[case] = build_context(data, kommune, 2026, generated_at=WHEN, plan=plan,
                                   extras=parse_extra(extra, RULES) if extra else None)
    assert ctxs["no_plan"]["plan"] is None and ctxs["no_plan"]["scenarie"] is None
    assert ctxs["vejle_previous_plan_logo"]["plan"]["siden_sidst"] is not None
    assert ctxs["vejle_previous_plan_logo"]["notat"]["logo"] is not None
    assert len(ctxs["otte_indsatser"]["plan"]["indsatser"]) == 8
    assert ctxs["scenario_with_plan"]["scenarie"] == ["+4 meritpaedagog fra 2026",
                                                      "+2 pau fra 2025"]
    assert ctxs["scenario_without_plan"]["gaps"]["plan_effekt"]["scenarie"]
    assert ctxs["scenario_without_plan"]["plan"] is None


@pytest.mark.parametrize("change, where", [
    (lambda c: c["kommune"].update(kode="101"), "kommune.kode"),  # str for int
    (lambda c: c["gaps"].update(har_plan=1), "gaps.har_plan"),  # int for bool
    (lambda c: c["noegle"].update(ny_noegle="x"), "noegle.ny_noegle"),  # unknown key
    (lambda c: c["plan"]["indsatser"][0].pop("del"), "plan.indsatser.0.del"),  # missing key
    (lambda c: c["plan"]["ledger"]["runder"][0].update(tilbage_kr="1"),
     "plan.ledger.runder.0.tilbage_kr"),
])
def test_a_drift_is_caught(data, index, ishoej_plan, change, where):
    ctx = copy.deepcopy(build_context(data, ishoej_plan.kommune, 2026, generated_at=WHEN,
                                      plan=ishoej_plan))
    change(ctx)
    with pytest.raises(ValidationError) as e:
        validate(ctx)
    assert where in {".".join(str(x) for x in err["loc"]) for err in e.value.errors()}
