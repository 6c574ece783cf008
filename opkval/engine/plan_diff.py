"""'Siden sidste orientering': what changed between the previous plan and this one.

Indsatser are matched by name (as the plan format requires names to be unique); amounts are
each year's spending (``forbrug`` where given, else ``budget``), as in the ledger. Pool money
and other financing are totalled apart.
"""

from __future__ import annotations

from opkval.inputs.plan_model import Indsats, Plan


def _by_year(i: Indsats) -> dict[int, int]:
    return {y: i.spending(y) for y in i.years if i.spending(y)}


def _totals(plan: Plan) -> dict:
    pulje = sum(i.total_kr for i in plan.indsatser if i.finansiering == "pulje")
    anden = sum(i.total_kr for i in plan.indsatser if i.finansiering != "pulje")
    return {"pulje_kr": pulje, "anden_kr": anden, "indsatser": len(plan.indsatser)}


def compare_plans(previous: Plan, current: Plan, ref: dict) -> dict:
    """The changes from ``previous`` to ``current``; ``ref`` says where previous came from."""
    key = lambda i: " ".join(i.navn.split()).casefold()  # noqa: E731
    before = {key(i): i for i in previous.indsatser}
    after = {key(i): i for i in current.indsatser}
    added = [after[k].navn for k in after if k not in before]
    removed = [before[k].navn for k in before if k not in after]
    changed = []
    for k in after:
        if k not in before:
            continue
        b, a = _by_year(before[k]), _by_year(after[k])
        years = sorted(set(b) | set(a))
        diffs = [{"aar": y, "foer_kr": b.get(y, 0), "nu_kr": a.get(y, 0),
                  "forskel_kr": a.get(y, 0) - b.get(y, 0)}
                 for y in years if b.get(y, 0) != a.get(y, 0)]
        if diffs:
            changed.append({"navn": after[k].navn, "finansiering": after[k].finansiering,
                            "aar": diffs, "foer_kr": before[k].total_kr,
                            "nu_kr": after[k].total_kr})
    years = sorted({y for p in (previous, current) for i in p.indsatser for y in i.years})
    per_year = []
    for y in years:
        b = sum(i.spending(y) for i in previous.indsatser if i.finansiering == "pulje")
        a = sum(i.spending(y) for i in current.indsatser if i.finansiering == "pulje")
        per_year.append({"aar": y, "foer_kr": b, "nu_kr": a, "forskel_kr": a - b})
    return {
        **ref,
        "titel": previous.titel,
        "dato": previous.dato.isoformat(),
        "tilfoejet": added,
        "fjernet": removed,
        "aendret": changed,
        "pulje_pr_aar": per_year,
        "foer": _totals(previous),
        "nu": _totals(current),
        "uaendret": not (added or removed or changed),
    }
