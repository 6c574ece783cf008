"""The national overview's figures: all 98 kommuner in one JSON-able context.

Grants come from the grant engine (every key, computed once for all 98), staff mix and gaps
from ``opkval.engine.gaps.gap_table``, and plan and rule status from the notes' own JSON files in
the reports folder (written by the same run), so no figure is computed twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from opkval.assembly.context import manifest, round_summaries
from opkval.assembly.national_types import (
    Afstand,
    Fordeling,
    Gebyr,
    Gruppe,
    GruppeMaal,
    Grupper,
    Gruppetal,
    KommuneRaekke,
    NationalContext,
    NationalPicture,
    NoteSummary,
    PlanDaekning,
    PrDeltager,
    Pris,
    Raekkevidde,
    RoundFacts,
    RundeRaekke,
    SkoenInterval,
    StatusAntal,
)
from opkval.base import fmt
from opkval.base.domain import KEYS, OK, PASNING, ROLE_LOKAL_PLAN, STATUS_RANK
from opkval.engine.allocation import (
    BacktestRow,
    backtest,
    error_summary,
    grants_for_kommune,
    key_estimates,
    key_factor_range,
    key_record,
)
from opkval.engine.gaps import exact_stats, gap_table
from opkval.engine.rules import rule_name
from opkval.inputs.config import (
    RULE_IDS,
    MaalConfig,
    PuljeConfig,
    RulesConfig,
    load_config,
    load_maal,
    load_rules,
)
from opkval.inputs.data import RawData
from opkval.inputs.kommune import KommuneIndex

if TYPE_CHECKING:
    from opkval.assembly.context_types import BacktestErrors, Context, Manifest, Runde
    from opkval.assembly.context_types import BacktestRow as BacktestRowDict


def _read_note_summary(path: Path) -> NoteSummary:
    """note_summary() of a note's JSON on disk; {} when the note has not been built."""
    try:
        return note_summary(json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def note_summary(ctx: Context) -> NoteSummary:
    """What the overview and index show of one note: plan present, rule status, risk."""
    plan = ctx.get("plan")
    out: NoteSummary = {"notat": True, "har_plan": bool(plan)}
    if ctx.get("runder"):
        # The note's own round amounts: with the kommune's tilsagn letters (from its plan)
        # the overview shows the same figures as the note.
        out["runder"] = [_round_row(r) for r in ctx["runder"]]
    if plan:
        # Counted from the rules themselves, so every status (afhaenger too) is counted apart.
        counts = {s: sum(r["status"] == s for r in plan.get("regler", [])) for s in STATUS_RANK}
        worst = max((s for s, n in counts.items() if n), key=lambda s: STATUS_RANK[s], default=OK)
        risk = plan.get("ledger", {}).get("risiko_tilbagebetaling_kr", 0)
        out.update({
            "regelstatus": worst,
            "regler_antal": counts,
            "plan_fil": plan.get("fil"),
            "indsatser": len(plan.get("indsatser", [])),
            "deltagere": plan.get("deltagere_i_alt"),
            "tilbagebetalingsrisiko_kr": risk,
            "brud": [r["navn"] for r in plan.get("regler", []) if r["status"] == "brud"],
            # A brud that rests on an uncertain classification (another status otherwise).
            "brud_usikre": [r["navn"] for r in plan.get("regler", []) if r["status"] == "brud"
                            and r.get("status_ellers") not in (None, "brud")],
            # issue 19: verdicts that flip on one classification, counted apart from brud
            "afhaenger": [r["navn"] for r in plan.get("regler", [])
                          if r["status"] == "afhaenger"],
            "risiko_interval_kr": plan.get("ledger", {}).get("risiko_interval_kr",
                                                             [risk, risk]),
            "regler_status": {r["id"]: r["status"] for r in plan.get("regler", [])},
            # The rounds the plan was written for (a plan dated before a round's terms does not
            # plan that round: ledger runder[].ikke_planlagt).
            "plan_runder": [r["id"] for r in plan.get("ledger", {}).get("runder", [])
                            if not r.get("ikke_planlagt")],
        })
    return out


def _round_row(r: Runde) -> RundeRaekke:
    """A round of a note's ``runder`` as the overview keeps it: amount, basis, estimate range
    (``skoen_interval_kr``, where the note gives one) and the second estimate."""
    interval, alt = r.get("skoen_interval_kr"), r.get("alternativ_kr")
    out: RundeRaekke = {"id": r["id"], "beloeb_kr": r["beloeb_kr"], "grundlag": r["labels"],
                        "skoen_interval_kr": [int(x) for x in interval] if interval else None}
    if alt is not None:
        out["alternativ_kr"] = int(alt)
    return out


def national_context(data: RawData, out_dir: Path, report_year: int,
                     generated_at: dt.datetime | None = None,
                     summaries: Mapping[str, NoteSummary] | None = None,
                     run_manifest: Manifest | None = None, cfg: PuljeConfig | None = None,
                     rules: RulesConfig | None = None,
                     maal: MaalConfig | None = None) -> NationalContext:
    """``summaries``: note_summary() by slug for notes being built now (from their contexts);
    the other kommuner are read from their JSON in `out_dir`. ``cfg``, ``rules``, ``maal``:
    the pool, its rules and the targets (None: the project's files, read here once)."""
    summaries = summaries or {}
    cfg = cfg or load_config()
    rules = rules or load_rules()
    maal = maal or load_maal()
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    index = KommuneIndex(data.municipalities)
    # The keys compared for the first year of the round that requires a local plan (the
    # round the ministry allocates on the expected 0-5-year-olds of that year).
    plan_round = cfg.round_with_role(ROLE_LOKAL_PLAN)
    key_year = min(plan_round.aar)
    key_pool = cfg.pool_kr(key_year)
    by_key = {key: key_estimates(data, key, key_year, key_pool, cfg) for key in KEYS}
    gaps = gap_table(data, maal)
    targets = [t.id for t in maal.maal if t.andel_paedagoger_pct is not None]
    age = dict(zip(data["population_0_5_2021.csv"]["kommunekode"].astype(int),
                   data["population_0_5_2021.csv"]["age_0_5"].astype(int), strict=True))
    rows: list[KommuneRaekke] = []
    runs: list[BacktestRow] = backtest(data, cfg, cfg.default_key)
    factor = key_factor_range(key_record(data, cfg, cfg.default_key))
    for k in index:
        summary = (summaries[k.slug] if k.slug in summaries
                   else _read_note_summary(out_dir / f"{k.slug}.json"))
        # A note's own round amounts (note_summary) stand; without a note, the grants' own.
        rounds = summary.get("runder") or [
            _round_row(r) for r in round_summaries(cfg, grants_for_kommune(data, k.kode, cfg=cfg),
                                                   factor)]
        g = gaps.loc[k.kode]
        enrolled = float(sum(g[f"boern_{t}"] for t in PASNING))
        # cast: the gap_pr_1000_boern_<target> keys are named by maal.yaml's targets
        rows.append(cast(KommuneRaekke, {
            "kode": k.kode, "navn": k.navn, "slug": k.slug, "region": k.region,
            "kommunegruppe": k.kommunegruppe,
            "runder": rounds,
            "skoen_kr": {key: int(by_key[key][k.kode]) for key in KEYS},
            "pct_paedagoger": float(g["pct_paedagoger_2024"]),
            "pct_paedagoguddannede": float(g["pct_paedagoguddannede_2024"]),
            "personale": float(g["personale"]),
            "gap_pp_bupl_80": float(g["gap_pp_bupl_80"]),
            "gap_personer_bupl_80": float(g["gap_personer_bupl_80"]),
            "gap_pp_to_tredjedele": float(g["gap_pp_to_tredjedele"]),
            "gap_personer_to_tredjedele": float(g["gap_personer_to_tredjedele"]),
            "pct_paedagogmedhjaelpere": float(g["pct_paedagogmedhjaelpere_2024"]),
            "boern_0_5": int(age.get(k.kode, 0)),
            "boern_indskrevet": int(enrolled),
            **{f"gap_pr_1000_boern_{t}": (float(g[f"gap_personer_{t}"]) / enrolled * 1000
                                          if enrolled else None) for t in targets},
            **summary,
        }))
    pct = gaps["pct_paedagoger_2024"]
    return {
        "schema_version": 1,
        "kind": "landsoversigt",
        "report_year": report_year,
        "generated_at": generated_at.isoformat(),
        "manifest": run_manifest or manifest(data),
        "pulje": {"first_year": cfg.first_year, "last_year": cfg.last_year,
                  "beloeb_kr": {str(y): cfg.pool_kr(y) for y in cfg.years},
                  "engangsloeft": {"aar": cfg.pulje.engangsloeft.aar,
                                   "beloeb_kr": cfg.pulje.engangsloeft.beloeb_kr}},
        "runder": [{"id": r.id, "navn": r.navn, "kort": r.kort, "aar": list(r.aar),
                    "roller": list(r.roller)} for r in cfg.rounds_in_order],
        "maal": {t.id: {"navn": t.navn, "andel_paedagoger_pct": t.andel_paedagoger_pct}
                 for t in maal.maal if t.andel_paedagoger_pct is not None},
        "normering_aar": maal.personale.normering_aar,
        "skoen_aar": key_year,
        "skoen_pulje_kr": key_pool,
        "noegler": {key: cfg.noegler[key].navn for key in KEYS},
        "kommuner": rows,
        # Exact decimals (gaps.exact_stats), so 41,85 is shown 41,9, not 41,8.
        "fordeling_pct_paedagoger": _spread(pct),
        "backtest": [cast("BacktestRowDict", b.as_dict()) for b in runs],
        # What the backtest measured per pool: error spread and the largest errors.
        "backtest_fejl": {p: cast("BacktestErrors",
                                  error_summary([b for b in runs if b.pulje == p],
                                                cfg.backtest.afrunding_kr))
                          for p in dict.fromkeys(b.pulje for b in runs)},
        "planer": sum(1 for r in rows if r.get("har_plan")),
        "notater": sum(1 for r in rows if r.get("notat")),
        "regler": [{"id": rid, "navn": rule_name(rules, rid, cfg)} for rid in RULE_IDS],
        **national_picture(rows, cfg_rounds(cfg), maal, rules),
    }


def _spread(pct) -> Fordeling:
    """The pædagog share over the kommuner: median and quartiles exact, lowest, highest."""
    stats = exact_stats(pct)
    return {"median": stats["median"], "q1": stats["q1"], "q3": stats["q3"], "n": stats["n"],
            "min": float(pct.min()), "max": float(pct.max())}


def cfg_rounds(cfg: PuljeConfig) -> list[RoundFacts]:
    """The rounds as :func:`national_picture` needs them: id, short name, years, roles, pool."""
    return [{"id": r.id, "kort": r.kort, "aar": list(r.aar), "roller": list(r.roller),
             "pulje_kr": sum(cfg.pool_kr(y) for y in r.aar)} for r in cfg.rounds_in_order]


def _sum(rows: list[KommuneRaekke], key: str) -> float:
    return float(sum(r[key] for r in rows))  # type: ignore[literal-required]


def group_figures(rows: list[KommuneRaekke], targets: dict[str, float]) -> Gruppetal:
    """Totals of a set of kommuner: children, staff, pædagoger (estimate), the share employed
    as pædagog weighted by staff, the median share over the kommuner, and per target the gap
    in persons (kommuner above a target count 0, they do not offset the others), per 1.000
    enrolled children, and in percentage points from the weighted share."""
    staff = _sum(rows, "personale")
    paed = float(sum(r["personale"] * r["pct_paedagoger"] / 100 for r in rows))
    medhj = float(sum(r["personale"] * r["pct_paedagogmedhjaelpere"] / 100 for r in rows))
    enrolled = _sum(rows, "boern_indskrevet")
    share = 100 * paed / staff if staff else None
    out: Gruppetal = {"n": len(rows), "boern_0_5": int(_sum(rows, "boern_0_5")),
           "boern_indskrevet": int(enrolled), "personale": staff, "paedagoger": paed,
           "medhjaelpere": medhj, "andel_pct": share,
           "median_pct": exact_stats([r["pct_paedagoger"] for r in rows])["median"],
           "maal": {}}
    for tid, pct in targets.items():
        persons = float(sum(max(0.0, r["personale"] * (pct - r["pct_paedagoger"]) / 100)
                            for r in rows))
        out["maal"][tid] = {
            "maal_pct": pct,
            "gap_personer": persons,
            "gap_pr_1000_boern": persons / enrolled * 1000 if enrolled else None,
            "gap_pp": pct - share if share is not None else None,
            "kommuner_under": sum(r["pct_paedagoger"] < pct for r in rows),
        }
    return out


def distance_counts(rows: list[KommuneRaekke], pct: float,
                    bounds: list[float]) -> list[Afstand]:
    """How many kommuner are how far below a target, in percentage points: reached (0 or
    less), then each interval of ``bounds`` (``[5, 10]``: under 5, 5 to under 10, 10 or
    more). Exact decimals: 66,7 − 46,7 is 20 points, not 19,999…"""
    gaps = [fmt.exact(pct) - fmt.exact(r["pct_paedagoger"]) for r in rows]
    out: list[Afstand] = [{"fra_pp": None, "til_pp": 0.0, "antal": sum(g <= 0 for g in gaps)}]
    for lo, hi in zip([0.0, *bounds], [*bounds, None], strict=True):
        out.append({"fra_pp": lo, "til_pp": hi,
                    "antal": sum(g > 0 and g >= fmt.exact(lo) and (hi is None or g < fmt.exact(hi))
                                 for g in gaps)})
    return out


def pool_reach(rounds: list[RoundFacts], fees: Mapping[str, Gebyr],
               per_plan: Mapping[str, PrDeltager], gap: Mapping[str, GruppeMaal],
               medhjaelpere: float) -> Raekkevidde:
    """What the pool could buy against the national gap if all of it went to one kind of
    education: merit places at the typical fee (its range) and at the amount a published plan
    pays per participant, for the round that requires a local plan and for the whole pool."""
    plan_round = next(r for r in rounds if ROLE_LOKAL_PLAN in r["roller"])
    pools = {"runde": plan_round["pulje_kr"], "hele": sum(r["pulje_kr"] for r in rounds)}
    prices: list[dict[str, Any]] = []
    merit = fees.get("meritpaedagog")
    if merit:
        prices.append({"grundlag": "gebyr", "pris_kr": merit["max_kr"], "kilde": merit["kilde"],
                       "enhed": merit["enhed"]})
        prices.append({"grundlag": "gebyr", "pris_kr": merit["min_kr"], "kilde": merit["kilde"],
                       "enhed": merit["enhed"]})
    if per_plan.get("meritpaedagog"):
        pp = per_plan["meritpaedagog"]
        prices.append({"grundlag": "plan", "pris_kr": pp["beloeb_kr"], "kilde": pp["kilde"],
                       "enhed": "pr. deltager i en offentliggjort plan"})
    rows: list[Pris] = []
    for p in prices:
        if not p["pris_kr"]:
            continue
        places = {k: v // p["pris_kr"] for k, v in pools.items()}
        rows.append({**p, "pladser": places,  # type: ignore[typeddict-item]
                     "andel_af_gap": {k: {t: (n / g["gap_personer"] if g["gap_personer"]
                                              else None) for t, g in gap.items()}
                                      for k, n in places.items()}})
    return {"runde_id": plan_round["id"], "runde_kort": plan_round["kort"],
            "runde_aar": plan_round["aar"], "pulje_kr": pools, "priser": rows,
            "medhjaelpere": medhjaelpere}


def estimate_ranges(rows: list[KommuneRaekke],
                    rounds: list[RoundFacts]) -> list[SkoenInterval]:
    """Per round: how many kommuner's amounts are estimates, and of those how many carry a
    range (``skoen_interval_kr``), the range's sum and its ends relative to the amounts."""
    out: list[SkoenInterval] = []
    for rnd in rounds:
        own = [g for r in rows for g in r["runder"] if g["id"] == rnd["id"]]
        est = [g for g in own if g["grundlag"] != ["tilsagn"]]
        # (amount, [lo, hi]) of each estimate that carries a range
        ranged = [(g["beloeb_kr"], iv) for g in est if (iv := g.get("skoen_interval_kr"))]
        lo = [iv[0] / kr for kr, iv in ranged if kr]
        hi = [iv[1] / kr for kr, iv in ranged if kr]
        out.append({"id": rnd["id"], "kort": rnd["kort"], "aar": rnd["aar"],
                    "skoen": len(est), "tilsagn": len(own) - len(est),
                    "med_interval": len(ranged),
                    "beloeb_kr": sum(g["beloeb_kr"] for g in own),
                    "interval_kr": ([sum(iv[0] for _, iv in ranged),
                                     sum(iv[1] for _, iv in ranged)] if ranged else None),
                    "andel_lav_median": exact_stats(lo)["median"] if lo else None,
                    "andel_hoej_median": exact_stats(hi)["median"] if hi else None})
    return out


def plan_coverage(rows: list[KommuneRaekke], rounds: list[RoundFacts]) -> PlanDaekning:
    """How many kommuner have a registered plan, and how many a plan for the round that
    requires one (the condition for its payment)."""
    rid = next(r["id"] for r in rounds if ROLE_LOKAL_PLAN in r["roller"])
    with_plan = [r for r in rows if r.get("har_plan")]
    covers = [r for r in with_plan if rid in r.get("plan_runder", [])]
    return {"runde_id": rid, "kommuner": len(rows), "med_plan": len(with_plan),
            "daekker_runde": len(covers), "uden_plan_for_runde": len(rows) - len(covers),
            "kun_tidligere": len(with_plan) - len(covers),
            "navne_daekker": [r["navn"] for r in covers],
            "navne_kun_tidligere": [r["navn"] for r in with_plan if r not in covers]}


def status_counts(rows: list[KommuneRaekke]) -> StatusAntal:
    """Kommuner by their plan's worst status, and rule verdicts by status, every status apart
    (afhaenger too)."""
    with_plan = [r for r in rows if r.get("har_plan")]
    return {"kommuner": {s: sum(r.get("regelstatus") == s for r in with_plan)
                         for s in STATUS_RANK},
            "regler": {s: sum((r.get("regler_antal") or {}).get(s, 0) for r in with_plan)
                       for s in STATUS_RANK}}


def national_picture(rows: list[KommuneRaekke], rounds: list[RoundFacts], maal: MaalConfig,
                     rules: RulesConfig) -> NationalPicture:
    """The landsoversigt's national figures from its rows: totals, region and kommunegruppe
    aggregates, distance to each target, what the pool could buy, estimate ranges, plan
    coverage and status counts (JSON-able)."""
    targets = {t.id: float(t.andel_paedagoger_pct) for t in maal.maal
               if t.andel_paedagoger_pct is not None}
    total = group_figures(rows, targets)

    def by(level: Literal["region", "kommunegruppe"]) -> list[Gruppe]:
        names = sorted({r[level] for r in rows})
        return [{"navn": n, **group_figures([r for r in rows if r[level] == n], targets)}
                for n in names]

    groups: Grupper = {"region": by("region"), "kommunegruppe": by("kommunegruppe")}
    fees: dict[str, Gebyr] = {
        k: {"min_kr": g.min_kr, "max_kr": g.max_kr, "enhed": g.enhed, "kilde": g.kilde}
        for k, g in rules.typiske_gebyrer.kategorier.items() if k in maal.muligheder.kategorier}
    per_plan: dict[str, PrDeltager] = {k: {"beloeb_kr": v.beloeb_kr, "kilde": v.kilde}
                                       for k, v in maal.muligheder.pr_deltager_i_plan.items()}
    bounds = list(maal.muligheder.afstand_intervaller_pp)
    return {
        "landstal": total,
        "grupper": groups,
        "afstand": {tid: distance_counts(rows, pct, bounds) for tid, pct in targets.items()},
        "afstand_intervaller_pp": bounds,
        "gebyrer": fees,
        "pr_deltager_i_plan": per_plan,
        "puljens_raekkevidde": pool_reach(rounds, fees, per_plan, total["maal"],
                                          total["medhjaelpere"]),
        "skoen_interval": estimate_ranges(rows, rounds),
        "plan_daekning": plan_coverage(rows, rounds),
        "status_antal": status_counts(rows),
    }
