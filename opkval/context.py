"""Everything one kommune's note shows, computed once in Python as plain JSON-able data.

The notebook only loads this (``load_context``) and hands it to ``opkval.present`` and
``opkval.charts``; ``reports/<slug>.json`` is this same dict, so tools and tests read numbers,
not PDF text.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from opkval import PROJECT_ROOT, __version__
from opkval.errors import OpkvalError

if TYPE_CHECKING:
    from opkval.config import PuljeConfig
    from opkval.data import RawData
    from opkval.kommune import Kommune
    from opkval.plan import Plan

# The notebook imports this module only to read a context (``load_context``): pandas, pydantic
# and the engines are imported where a context is built, so a kernel starts lean.

SCHEMA_VERSION = 1
PINNED = ("babel", "matplotlib", "nbconvert", "pandas", "pandera", "papermill", "pydantic",
          "weasyprint")


@lru_cache(maxsize=1)
def git_revision(root: str = str(PROJECT_ROOT)) -> dict:
    """Current commit and whether the work tree differs from it ('ukendt' outside git)."""
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return {"commit": "ukendt", "dirty": None}
    if head.returncode != 0:
        return {"commit": "ukendt", "dirty": None}
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def manifest(data: RawData) -> dict:
    """Run manifest: code version, git commit, input file hashes, package versions."""
    packages = {}
    for name in PINNED:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "ukendt"
    return {
        "opkval": __version__,
        "git": git_revision(),
        "inputs": {f"data/raw/{n}": h for n, h in sorted(data.hashes.items())},
        "packages": packages,
    }


def round_summaries(cfg: PuljeConfig, grants: list) -> list[dict]:
    """Per tildelingsrunde: its dates and rules, and the kommune's amount and its labels."""
    out = []
    for r in cfg.runder:
        rows = [g for g in grants if g.runde == r.id]
        out.append({
            "id": r.id,
            "navn": r.navn,
            "aar": list(r.aar),
            "udbetaling": r.udbetaling,
            "udbetalingsaar": r.payment_year(r.aar[0]),
            "pulje_kr": sum(g.pulje_kr for g in rows),
            "beloeb_kr": sum(g.beloeb_kr for g in rows),
            "labels": sorted({g.label for g in rows}),
            "betingelse": r.betingelse,
            "aktivitet_start_fra": r.aktivitet_start_fra.isoformat() if r.aktivitet_start_fra
            else None,
            "aktivitet_start_til": r.aktivitet_start_til.isoformat() if r.aktivitet_start_til
            else None,
            "afsluttet_senest": r.afsluttet_senest.isoformat(),
            "kilde": r.kilde,
            # issue 11: what each figure rests on (payment timing, deadline, key, range).
            "udbetalingsaar_pr_aar": {str(g.aar): g.udbetalingsaar for g in rows},
            "udbetaling_tekst": r.udbetaling_tekst,
            "udbetaling_kilde": " ".join(str(r.udbetaling_kilde or "").split()) or None,
            "udbetaling_antaget": list(r.udbetaling_antaget),
            "frist_antaget": r.frist_antaget,
            "frist_kilde": r.frist_kilde,
            "noegle_tekst": getattr(r, "noegle_tekst", None),
            "noegle_kilde": " ".join(str(getattr(r, "noegle_kilde", "") or "").split()) or None,
            "planlaegges_fra": r.planlaegges_fra.isoformat() if r.planlaegges_fra else None,
            "alternativ_kr": (sum(g.beloeb_kr if g.alternativ_kr is None else g.alternativ_kr
                                  for g in rows)
                              if any(g.alternativ_kr is not None for g in rows) else None),
        })
    return out


def build_context(data: RawData, kommune: Kommune, report_year: int | None = None,
                  key: str | None = None, cfg: PuljeConfig | None = None,
                  generated_at: dt.datetime | None = None,
                  run_manifest: dict | None = None, plan: Plan | None = None,
                  extras: list[dict] | None = None) -> dict:
    """All figures for one kommune's note.

    ``plan``: a validated local plan, or None; ``extras``: scenario lines for "what the plan
    moves" (``opkval.plan_effect.parse_extra``), which only affect ``ctx["gaps"]``.
    """
    from opkval.allocation import (
        LABEL_TILSAGN,
        backtest,
        error_summary,
        grants_for_kommune,
        key_weights,
    )
    from opkval.config import load_config
    from opkval.gaps import gaps_context

    cfg = cfg or load_config()
    key = key or cfg.default_key
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    report_year = report_year or generated_at.year
    grants = grants_for_kommune(data, kommune.kode, key, cfg)
    grant_dicts = [g.as_dict() for g in grants]
    kw = key_weights(data, key, None, cfg)
    bt_all = backtest(data, cfg, key)
    reference = [b for b in bt_all if b.pulje != "Opkvalificeringspuljen"]
    own = [b for b in bt_all if b.kommunekode == kommune.kode]
    published = [g for g in grants if g.label == LABEL_TILSAGN]
    key_check = None
    if published:
        pub_sum = sum(g.beloeb_kr for g in published)
        est_sum = sum(g.skoen_kr for g in published)
        key_check = {
            "aar": [g.aar for g in published],
            "offentliggjort_kr": pub_sum,
            "skoen_kr": est_sum,
            "forhold": pub_sum / est_sum,
            "forklarer": all(b.inden_for_tolerance for b in own
                             if b.pulje == "Opkvalificeringspuljen"),
        }
    engang = cfg.pulje["engangsloeft_2026"]
    return {
        "schema_version": SCHEMA_VERSION,
        "kommune": {"kode": kommune.kode, "navn": kommune.navn, "slug": kommune.slug,
                    "region": kommune.region, "kommunegruppe": kommune.kommunegruppe},
        "report_year": report_year,
        "generated_at": generated_at.isoformat(),
        "manifest": run_manifest or manifest(data),
        "pulje": {
            "navn": cfg.navn,
            "beloeb_kr": {str(y): cfg.pool_kr(y) for y in cfg.years},
            "forbehold": " ".join(str(cfg.pulje["forbehold"]).split()),
            "forbehold_kilde": cfg.pulje["forbehold_kilde"],
            "engangsloeft_2026": {"beloeb_kr": engang["beloeb_kr"],
                                  "tekst": " ".join(str(engang["tekst"]).split()),
                                  "kilde": engang["kilde"]},
        },
        "noegle": {"key": kw.key, "navn": kw.navn, "vintage": kw.vintage, "kilde": kw.kilde,
                   "forbehold": kw.forbehold},
        "grants": grant_dicts,
        "runder": round_summaries(cfg, grants),
        "grants_total_kr": sum(g.beloeb_kr for g in grants),
        "key_check": key_check,
        "backtest": {
            "kommune": [b.as_dict() for b in own],
            "reference": [b.as_dict() for b in reference],
            "reference_pulje": cfg.backtest["pulje_prefix"],
            "reference_beloeb_kr": int(cfg.backtest["beloeb_kr"]),
            "reference_kilde": cfg.backtest["kilde"],
            "tolerance_abs_kr": float(cfg.backtest["tolerance_abs_kr"]),
            "tolerance_rel": float(cfg.backtest["tolerance_rel"]),
            "fejl": error_summary(reference, int(cfg.backtest.get("afrunding_kr", 50000))),
            # Published amounts of this pool for several years at once (Dragør's 817.000 kr.):
            # evidence for the key and for round 1's payment timing, shown in every note.
            "evidens": [b.as_dict() for b in bt_all if b.pulje == "Opkvalificeringspuljen"
                        and "-" in b.periode],
        },
        "plan": _plan_context(plan, grant_dicts, cfg),
        "gaps": gaps_context(data, kommune.kode, plan=plan.as_dict() if plan else None,
                             extras=extras),
    }


def _plan_context(plan: Plan | None, grants: list[dict], cfg: PuljeConfig) -> dict | None:
    """``ctx["plan"]``: the ledger and rule results (None without a plan)."""
    if plan is None:
        return None
    from opkval.rules import plan_context

    return plan_context(plan, grants, cfg)


def write_json(obj: dict, path: Path) -> None:
    """Sorted, indented UTF-8 JSON (byte-stable for the same input), written atomically."""
    from opkval.fileio import atomic_write_bytes

    atomic_write_bytes(path, (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True)
                              + "\n").encode("utf-8"))


def load_context(kommunekode: int, report_year: int | None = None,
                 context_path: str = "") -> dict:
    """The notebook's one entry point: read a precomputed context, or build it here.

    ``opkval report`` precomputes the context and passes its path; in JupyterLab the notebook
    builds it from ``data/raw`` with the default parameters.
    """
    if context_path:
        ctx = json.loads(Path(context_path).read_text(encoding="utf-8"))
        if ctx["kommune"]["kode"] != kommunekode:
            raise OpkvalError(
                f"{context_path}: kontekst for kommunekode {ctx['kommune']['kode']}, "
                f"ikke {kommunekode}."
            )
        return ctx
    from opkval.data import load_all
    from opkval.kommune import KommuneIndex
    from opkval.plan import find_plan

    data = load_all()
    index = KommuneIndex(data.municipalities)
    kommune = index.resolve(str(kommunekode))
    return build_context(data, kommune, report_year, plan=find_plan(kommune, index))
