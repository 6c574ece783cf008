"""One orchestration per note: the CLI, the batch and the notebook all go through note_context."""

from __future__ import annotations

import pytest

from opkval.assembly import context
from opkval.assembly.context import load_context, note_context
from opkval.base.errors import OpkvalError, PlanError
from opkval.engine.plan_effect import parse_extra
from tests.conftest import PLANS, RULES


def test_the_notebook_gets_the_same_context_as_the_cli(data, index, monkeypatch):
    """load_context (the notebook without a precomputed context) is note_context: same plan
    (Ishøj's registered plan), same figures, same time under SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    ishoej = index.resolve("Ishøj")
    direct = note_context(data, ishoej, year=2026, index=index)
    assert direct["plan"] is not None and direct["plan"]["fil"] == "ishoej.yaml"
    assert direct["generated_at"] == "2026-01-01T01:00:00"  # Danish time
    assert load_context(183, 2026) == direct


def test_the_plan_is_validated_and_announced_before_the_context_is_built(data, index,
                                                                        monkeypatch):
    built = []
    real = context.build_context
    monkeypatch.setattr(context, "build_context",
                        lambda *a, **k: built.append(1) or real(*a, **k))
    seen = []
    ctx = note_context(data, index.resolve("Vejle"), year=2026, index=index,
                       plan_path=PLANS / "vejle" / "vejle.yaml",
                       on_plan=lambda plan: seen.append((plan.kommune.navn, len(built))))
    assert seen == [("Vejle", 0)]  # called once, before anything was built
    assert ctx["plan"]["siden_sidst"] is not None  # the previous plan was read and compared

    seen.clear()
    with pytest.raises(PlanError):
        note_context(data, index.resolve("Læsø"), year=2026, index=index,
                     plan_path=PLANS / "bad_negative.yaml", on_plan=seen.append)
    assert seen == [] and len(built) == 1  # a broken plan: nothing announced, nothing built


def test_an_implausible_scenario_is_refused_for_every_caller(data, index):
    """check_plausible runs inside note_context, so the notebook refuses it as the CLI does:
    Læsø has far fewer than 500 pædagogmedhjælpere to upskill."""
    with pytest.raises(OpkvalError, match="pædagogmedhjælpere"):
        note_context(data, index.resolve("Læsø"), year=2026, index=index,
                     extras=parse_extra("meritpaedagog:500:2026", RULES))
