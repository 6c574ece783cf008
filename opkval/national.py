"""The national overview's figures: all 98 kommuner in one JSON-able context.

Grants come from the grant engine (every key, computed once for all 98), staff mix and gaps
from ``opkval.gaps.gap_table``, and plan and rule status from the notes' own JSON files in
the reports folder (written by the same run), so no figure is computed twice.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from opkval.allocation import (
    backtest,
    error_summary,
    grants_for_kommune,
    key_estimates,
    key_factor_range,
    key_record,
)
from opkval.config import load_config, load_maal
from opkval.context import manifest, round_summaries
from opkval.data import RawData
from opkval.domain import KEYS, ROLE_LOKAL_PLAN, STATUS_RANK
from opkval.gaps import exact_stats, gap_table
from opkval.kommune import KommuneIndex


def _read_note_summary(path: Path) -> dict:
    """note_summary() of a note's JSON on disk; {} when the note has not been built."""
    try:
        return note_summary(json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def note_summary(ctx: dict) -> dict:
    """What the overview and index show of one note: plan present, rule status, risk."""
    plan = ctx.get("plan")
    out = {"notat": True, "har_plan": bool(plan)}
    if ctx.get("runder"):
        # The note's own round amounts: with the kommune's tilsagn letters (from its plan)
        # the overview shows the same figures as the note.
        out["runder"] = [{"id": r["id"], "beloeb_kr": r["beloeb_kr"], "grundlag": r["labels"],
                          "skoen_interval_kr": r.get("skoen_interval_kr")}
                         for r in ctx["runder"]]
    if plan:
        counts = plan.get("status_antal", {})
        worst = max((s for s, n in counts.items() if n), key=STATUS_RANK.get, default="ok")
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
        })
    return out


def national_context(data: RawData, out_dir: Path, report_year: int,
                     generated_at: dt.datetime | None = None,
                     summaries: dict[str, dict] | None = None,
                     run_manifest: dict | None = None) -> dict:
    """``summaries``: note_summary() by slug for notes being built now (from their contexts);
    the other kommuner are read from their JSON in `out_dir`."""
    summaries = summaries or {}
    cfg = load_config()
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    index = KommuneIndex(data.municipalities)
    # The keys compared for the first year of the round that requires a local plan (the
    # round the ministry allocates on the expected 0-5-year-olds of that year).
    plan_round = cfg.round_with_role(ROLE_LOKAL_PLAN)
    key_year = min(plan_round.aar)
    key_pool = cfg.pool_kr(key_year)
    by_key = {key: key_estimates(data, key, key_year, key_pool) for key in KEYS}
    gaps = gap_table(data)
    rows = []
    runs = backtest(data, cfg, cfg.default_key)
    factor = key_factor_range(key_record(data, cfg, cfg.default_key))
    for k in index:
        summary = (summaries[k.slug] if k.slug in summaries
                   else _read_note_summary(out_dir / f"{k.slug}.json"))
        # A note's own round amounts (note_summary) stand; without a note, the grants' own.
        rounds = summary.get("runder") or [
            {"id": r["id"], "beloeb_kr": r["beloeb_kr"], "grundlag": r["labels"],
             "skoen_interval_kr": r["skoen_interval_kr"]}
            for r in round_summaries(cfg, grants_for_kommune(data, k.kode, cfg=cfg), factor)]
        g = gaps.loc[k.kode]
        rows.append({
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
            **summary,
        })
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
                 for t in load_maal().maal if t.andel_paedagoger_pct is not None},
        "normering_aar": load_maal().personale.normering_aar,
        "skoen_aar": key_year,
        "skoen_pulje_kr": key_pool,
        "noegler": {key: cfg.noegler[key].navn for key in KEYS},
        "kommuner": rows,
        # Exact decimals (gaps.exact_stats), so 41,85 is shown 41,9, not 41,8.
        "fordeling_pct_paedagoger": {
            **{k: v for k, v in exact_stats(pct).items() if k != "middel"},
            "min": float(pct.min()), "max": float(pct.max()),
        },
        "backtest": [b.as_dict() for b in runs],
        # What the backtest measured per pool: error spread and the largest errors.
        "backtest_fejl": {p: error_summary([b for b in runs if b.pulje == p],
                                           cfg.backtest.afrunding_kr)
                          for p in dict.fromkeys(b.pulje for b in runs)},
        "planer": sum(1 for r in rows if r.get("har_plan")),
        "notater": sum(1 for r in rows if r.get("notat")),
    }
