"""Everything one kommune's note shows, computed once in Python as plain JSON-able data.

The notebook only loads this (``load_context``) and hands it to ``opkval.sections.present``
and ``opkval.sections.charts``; ``reports/<slug>.json`` is this same dict, so tools and tests
read numbers, not PDF text.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from opkval import PROJECT_ROOT, __version__
from opkval.base import fmt
from opkval.base.errors import OpkvalError

if TYPE_CHECKING:
    from opkval.assembly.context_types import (
        Context,
        Gaps,
        GitRevision,
        Manifest,
        PlanContext,
        PoolFacts,
        Runde,
    )
    from opkval.inputs.config import MaalConfig, Point, PointsConfig, PuljeConfig, RulesConfig
    from opkval.inputs.data import RawData
    from opkval.inputs.kommune import Kommune, KommuneIndex
    from opkval.inputs.plan_model import Plan

# The notebook imports this module only to read a context (``load_context``): pandas, pydantic
# and the engines are imported where a context is built, so a kernel starts lean.

SCHEMA_VERSION = 2  # 2: pool facts (pulje, regler, runder[].roller), engangsloeft
PINNED = ("babel", "matplotlib", "nbconvert", "pandas", "pandera", "papermill", "pydantic",
          "python-docx", "typst")


#: The time zone a note's "Dannet" time is told in when SOURCE_DATE_EPOCH fixes it.
NOTE_TZ = "Europe/Copenhagen"


def build_time() -> dt.datetime:
    """When a note is made, to the second: SOURCE_DATE_EPOCH when it is set (reproducible
    builds: two builds with one value print the same time and write the same bytes), told in
    Danish time whatever the machine's zone; else the machine's clock."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        from zoneinfo import ZoneInfo

        try:
            when = dt.datetime.fromtimestamp(int(epoch), ZoneInfo(NOTE_TZ))
        except (ValueError, OverflowError, OSError):
            raise OpkvalError(f"SOURCE_DATE_EPOCH: '{epoch[:40]}' er ikke et antal sekunder "
                              "siden 1. januar 1970.") from None
        return when.replace(tzinfo=None)
    return dt.datetime.now().replace(microsecond=0)


def made_at(generated_at: str | None) -> dt.datetime | None:
    """The instant a note (or the overview) was made, with its zone, for files' metadata:
    the moment SOURCE_DATE_EPOCH gives when it is set (then two builds write the same bytes,
    whatever the machine's zone), else ``generated_at`` (the time the note prints, naive, on
    this machine's clock) in this machine's zone; None without either."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.fromisoformat(generated_at).astimezone() if generated_at else None


@lru_cache(maxsize=1)
def git_revision(root: str = str(PROJECT_ROOT)) -> GitRevision:
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


def manifest(data: RawData) -> Manifest:
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


#: A round known from the kommune's own tilsagn: its payment years are an assumption only.
UDBETALING_EGNE_TILSAGN = ("antaget; kommunens tilsagn angiver ikke, hvornår beløbene "
                           "udbetales")


def round_summaries(cfg: PuljeConfig, grants: list,
                    factor: tuple[float, float] | None = None) -> list[Runde]:
    """Per tildelingsrunde: its dates and rules, and the kommune's amount and its labels.

    ``factor``: the lowest and highest published/estimate ratio in the key's record
    (:func:`opkval.engine.allocation.key_factor_range`); it gives each estimated round its range,
    ``skoen_interval_kr`` ([lo, hi] kr., None for a round known from tilsagn).
    """
    from opkval.engine.allocation import estimate_interval

    out: list[Runde] = []
    for r in cfg.rounds_in_order:
        rows = [g for g in grants if g.runde == r.id]
        out.append({
            "id": r.id,
            "navn": r.navn,
            "kort": r.kort,
            "roller": list(r.roller),
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
            # issue 19: where the kommune's own tilsagn gives the round's figures, another
            # kommune's payment (Dragør) is no evidence for when this kommune is paid.
            "udbetaling_kilde": (UDBETALING_EGNE_TILSAGN if rows and r.udbetaling != "samlet"
                                 and all(g.label == "tilsagn" for g in rows)
                                 else r.udbetaling_kilde),
            "udbetaling_antaget": list(r.udbetaling_antaget),
            "frist_antaget": r.frist_antaget,
            "frist_kilde": r.frist_kilde,
            "noegle_tekst": r.noegle_tekst,
            "noegle_kilde": r.noegle_kilde,
            "planlaegges_fra": r.planlaegges_fra.isoformat() if r.planlaegges_fra else None,
            "alternativ_kr": (sum(g.beloeb_kr if g.alternativ_kr is None else g.alternativ_kr
                                  for g in rows)
                              if any(g.alternativ_kr is not None for g in rows) else None),
            # issue 19: the key's record beside every estimate (None: no estimate in the round)
            "skoen_interval_kr": estimate_interval(rows, factor),
        })
    return out


def pool_facts(cfg: PuljeConfig, rules: RulesConfig) -> PoolFacts:
    """The pool's facts every note's prose uses: ``pulje``, ``regler`` (limits), ``runder``.

    ``runder`` here has no kommune amounts; :func:`build_context` replaces it with
    :func:`round_summaries` of the kommune's grants.
    """
    e = cfg.pulje.engangsloeft
    return {
        "pulje": {
            "navn": cfg.navn,
            "first_year": cfg.first_year,
            "last_year": cfg.last_year,
            "beloeb_kr": {str(y): cfg.pool_kr(y) for y in cfg.years},
            "forbehold": cfg.pulje.forbehold,
            "forbehold_kilde": cfg.pulje.forbehold_kilde,
            "engangsloeft": {"aar": e.aar, "beloeb_kr": e.beloeb_kr, "tekst": e.tekst,
                             "kilde": e.kilde},
        },
        "regler": {"min_formel_andel": rules.min_formel_andel,
                   "max_uformel_andel": rules.max_uformel_andel,
                   # the two readings of the 90/10 rule, named with the configured shares
                   "laesninger": [{"navn": x.navn.format(
                       min_formel_andel=fmt.pct(rules.min_formel_andel, 0),
                       max_uformel_andel=fmt.pct(rules.max_uformel_andel, 0)),
                       "kilde": x.kilde} for x in rules.rule("formel_andel").laesninger]},
        "runder": round_summaries(cfg, []),
    }


def build_context(data: RawData, kommune: Kommune, report_year: int | None = None,
                  key: str | None = None, cfg: PuljeConfig | None = None,
                  generated_at: dt.datetime | None = None,
                  run_manifest: Manifest | None = None, plan: Plan | None = None,
                  extras: list[dict] | None = None, rules: RulesConfig | None = None,
                  maal: MaalConfig | None = None, points: PointsConfig | None = None) -> Context:
    """All figures for one kommune's note.

    ``plan``: a validated local plan, or None; ``extras``: scenario lines for "what the plan
    moves" (``opkval.engine.plan_effect.parse_extra``), which only affect ``ctx["gaps"]``.
    ``cfg``, ``rules``, ``maal``, ``points``: the pool, its rules, the targets and the Bilag 2
    points (None: the project's files, read here once); every engine below gets them as
    arguments.
    """
    from opkval.engine.allocation import (
        GRUNDLAG_OFFENTLIGGJORT,
        backtest,
        error_summary,
        grants_for_kommune,
        key_factor_range,
        key_record,
        key_weights,
    )
    from opkval.inputs.config import load_config, load_maal, load_points, load_rules

    cfg = cfg or load_config()
    rules = rules or load_rules()
    maal = maal or load_maal()
    points = points or load_points()
    key = key or cfg.default_key
    generated_at = generated_at or build_time()
    report_year = report_year or generated_at.year
    grants = grants_for_kommune(data, kommune.kode, key, cfg=cfg,
                                tilsagn=plan.tilsagn if plan else ())
    grant_dicts = [g.as_dict() for g in grants]
    kw = key_weights(data, key, None, cfg)
    bt_all = backtest(data, cfg, key)
    record = key_record(data, cfg, key)
    factor = key_factor_range(record)
    reference = [b for b in bt_all if b.pulje != "Opkvalificeringspuljen"]
    own = [b for b in bt_all if b.kommunekode == kommune.kode]
    published = [g for g in grants if g.grundlag == GRUNDLAG_OFFENTLIGGJORT]
    facts = pool_facts(cfg, rules)
    facts["pulje"]["forbehold_kilde"] = _forbehold_kilde(cfg, kommune.kode, plan)
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
    ctx: Context = {
        "schema_version": SCHEMA_VERSION,
        "kommune": {"kode": kommune.kode, "navn": kommune.navn, "slug": kommune.slug,
                    "officielt_navn": kommune.officielt_navn,
                    "region": kommune.region, "kommunegruppe": kommune.kommunegruppe},
        "report_year": report_year,
        "generated_at": generated_at.isoformat(),
        "manifest": run_manifest or manifest(data),
        **facts,
        "noegle": {"key": kw.key, "navn": kw.navn, "vintage": kw.vintage, "kilde": kw.kilde,
                   "forbehold": kw.forbehold},
        "grants": grant_dicts,
        "runder": round_summaries(cfg, grants, factor),
        # issue 19: the only published amounts of this pool against the key; every estimate's
        # range (runder[].skoen_interval_kr) is founded on the lowest and highest ratio.
        "noegle_rekord": {"laesninger": [r.as_dict() for r in record],
                          "faktor": list(factor) if factor else None},
        "grants_total_kr": sum(g.beloeb_kr for g in grants),
        "key_check": key_check,
        "backtest": {
            "kommune": [b.as_dict() for b in own],
            "reference": [b.as_dict() for b in reference],
            "reference_pulje": cfg.backtest.pulje_prefix,
            "reference_beloeb_kr": cfg.backtest.beloeb_kr,
            "reference_kilde": cfg.backtest.kilde,
            "reference_noegle_navn": cfg.noegler[cfg.backtest.noegle].navn,
            "tolerance_abs_kr": cfg.backtest.tolerance_abs_kr,
            "tolerance_rel": cfg.backtest.tolerance_rel,
            "fejl": error_summary(reference, cfg.backtest.afrunding_kr),
            # Published amounts of this pool for several years at once (Dragør's 817.000 kr.):
            # evidence for the key and for round 1's payment timing, shown in every note.
            "evidens": [b.as_dict() for b in bt_all if b.pulje == "Opkvalificeringspuljen"
                        and "-" in b.periode],
        },
        "plan": _plan_context(plan, grant_dicts, cfg, data, rules, points, factor),
        "gaps": gaps_context(data, kommune.kode, plan=plan.as_dict() if plan else None,
                             extras=extras, cfg=maal, rules=rules, points=points.punkter),
        "notat": (plan.notat if plan else _empty_notat()).as_dict(),
        "scenarie": [scenario_text(e) for e in extras] if extras else None,
        "filnavn": file_stem(kommune.slug, extras),
    }
    from opkval.engine.options import unplanned_options  # issue 22: what unplanned money could buy

    ctx["muligheder"] = unplanned_options(ctx, maal=maal, rules=rules)
    return ctx


def note_context(data: RawData, kommune: Kommune, *, year: int | None = None,
                 plan_path: Path | str | None = None, extras: list[dict] | None = None,
                 key: str | None = None, cfg: PuljeConfig | None = None,
                 rules: RulesConfig | None = None, maal: MaalConfig | None = None,
                 points: PointsConfig | None = None,
                 generated_at: dt.datetime | None = None, run_manifest: Manifest | None = None,
                 index: KommuneIndex | None = None,
                 on_plan: Callable[[Plan | None], None] | None = None) -> Context:
    """One kommune's note, assembled: the one way ``opkval report``, ``opkval reports`` and
    the notebook make a context, so they cannot drift apart.

    Finds and validates the plan (``plan_path``, else the kommune's registered plan in
    ``data/plans``, else none; a broken plan raises PlanError listing every problem before
    anything is built), calls ``on_plan`` with it (the command line names the plan there),
    builds the context (which reads and compares the plan's previous version when the plan
    names one) and checks that it is plausible (:func:`check_plausible`, OpkvalError).
    ``year``: the year the note reports on (None: the year of ``generated_at``). ``cfg``,
    ``rules``, ``maal``, ``points``: the pool, its rules, the targets and the Bilag 2 points
    (None: the project's files, read here once); the plan's readers and the engines get them.
    """
    from opkval.inputs.config import PlanConfig, load_config, load_points, load_rules
    from opkval.inputs.kommune import KommuneIndex
    from opkval.inputs.plan import find_plan

    cfg, rules, points = cfg or load_config(), rules or load_rules(), points or load_points()
    index = index or KommuneIndex(data.municipalities)
    plan = find_plan(kommune, index, str(plan_path) if plan_path else None,
                     config=PlanConfig(cfg, rules, points))
    if on_plan is not None:
        on_plan(plan)
    ctx = build_context(data, kommune, year, key=key, cfg=cfg, generated_at=generated_at,
                        run_manifest=run_manifest, plan=plan, extras=extras, rules=rules,
                        maal=maal, points=points)
    check_plausible(ctx)
    return ctx


def check_plausible(ctx: Context) -> None:
    """A plan (with EXTRA) cannot upskill more pædagogmedhjælpere than the kommune has: the
    note would say the pædagog share rises past 100 %. Raises OpkvalError naming the counts."""
    effekt = ctx["gaps"]["plan_effekt"]
    if effekt is None:
        return  # no plan and no scenario: nothing to compare
    try:
        n = int(effekt["merit"]["i_alt"]) + int(effekt["pau"]["i_alt"])
        staff = float(effekt["personale"])
        medhj = staff * float(effekt["medhjaelper_nu_pct"]) / 100
    except (KeyError, TypeError, ValueError):
        return  # no staff figures: nothing to compare
    if n > medhj:
        from opkval.inputs.kommune import official_name

        navn = official_name(ctx["kommune"]["navn"])
        raise OpkvalError(
            f"Planen{' med EXTRA' if effekt.get('scenarie') else ''} uddanner {fmt.number(n)} "
            f"pædagogmedhjælpere (meritpædagog og PAU), men {navn} har skønsmæssigt "
            f"{fmt.number(round(medhj))} ({fmt.pct_value(float(effekt['medhjaelper_nu_pct']))} af "
            f"{fmt.number(round(staff))} ansatte); så mange kan kommunen ikke uddanne. Ret "
            "deltagere eller EXTRA.")


def _empty_notat():
    from opkval.inputs.plan_model import Notat

    return Notat()


def scenario_text(e: dict) -> str:
    """One scenario line in Danish: '+4 meritpaedagog fra 2026'."""
    year = f" fra {e['start_aar']}" if e.get("start_aar") else ""
    return f"+{e['deltagere']} {e['kategori']}{year}"


def file_stem(slug: str, extras: list[dict] | None = None) -> str:
    """The note's file name without extension: the slug, or for a scenario its own name
    (``ishoej-scenarie-meritpaedagog-4-2026``), so it never replaces the real note."""
    if not extras:
        return slug
    parts = [f"{e['kategori']}-{e['deltagere']}" + (f"-{e['start_aar']}" if e.get("start_aar")
                                                     else "") for e in extras]
    return f"{slug}-scenarie-" + "-".join(parts)


def _forbehold_kilde(cfg: PuljeConfig, kode: int, plan: Plan | None) -> str:
    """The caveat's source in this kommune's note: each note cites its own kommune's source.

    Ishøj's bilag (which quotes its tilsagn letter) is cited only in Ishøj's note; another
    kommune's note cites its own tilsagn letter when its plan gives one, else the general
    condition of the pool's tilsagn.
    """
    if kode == cfg.pulje.forbehold_kilde_kommunekode:
        return cfg.pulje.forbehold_kilde
    letters = [t.kilde for t in plan.tilsagn] if plan else []
    if letters:
        return f"kommunens tilsagnsbrev ({'; '.join(dict.fromkeys(letters))})"
    return cfg.pulje.forbehold_kilde_generel


def _plan_context(plan: Plan | None, grants: list[dict], cfg: PuljeConfig,
                  data: RawData, rules: RulesConfig, points: PointsConfig,
                  factor: tuple[float, float] | None = None) -> PlanContext | None:
    """``ctx["plan"]``: the ledger and rule results, and what changed since the previous plan
    when the plan names one (None without a plan)."""
    if plan is None:
        return None
    out = plan_context(plan, grants, cfg, rules, factor)
    out["siden_sidst"] = None
    if plan.forrige_ref:
        from opkval.engine.plan_diff import compare_plans
        from opkval.inputs.config import PlanConfig
        from opkval.inputs.kommune import KommuneIndex
        from opkval.inputs.plan import load_previous

        previous = load_previous(plan, KommuneIndex(data.municipalities),
                                 config=PlanConfig(cfg, rules, points))
        if previous:
            out["siden_sidst"] = compare_plans(previous[0], plan, previous[1])
    return out


def gaps_context(data: RawData, kode: int, plan: dict | None, extras: list[dict] | None, *,
                 cfg: MaalConfig, rules: RulesConfig, points: list[Point]) -> Gaps:
    """``ctx["gaps"]``: the gap and peer section, plus the plan parts when a plan is given.

    ``plan`` is a plain dict (``maal``, ``indsatser``, ``behov``, ``overvejelser``,
    ``godkendt`` ...; see :mod:`opkval.engine.checklist`); ``extras`` are scenario lines from
    :func:`opkval.engine.plan_effect.parse_extra`. Without a plan the plan parts are None (scenario
    lines alone still give a ``plan_effekt``). ``cfg`` (the targets), ``rules`` and ``points``
    (Bilag 2) are passed to the engines.
    """
    from opkval.engine import checklist, gaps, plan_effect

    maal = (plan or {}).get("maal")
    g = gaps.kommune_gaps(data, kode, maal=maal, cfg=cfg)
    indsatser = list((plan or {}).get("indsatser") or [])
    g["har_plan"] = plan is not None
    g["plan_effekt"] = (plan_effect.plan_effect(g, indsatser, maal=maal, extras=extras, cfg=cfg)
                        if indsatser or extras else None)
    g["tjekliste"] = checklist.checklist(plan, points, rules) if plan is not None else None
    g["kaede"] = (checklist.chain(plan.get("behov") or [], indsatser) if plan is not None
                  else None)
    return g


def plan_context(plan: Plan, grants: list[dict], cfg: PuljeConfig, rules: RulesConfig,
                 factor: tuple[float, float] | None = None) -> PlanContext:
    """The plan part of the note's context: plan, ledger, rules and headline figures, for the
    pool ``cfg`` and its ``rules``.

    ``factor``: the key's record (lowest and highest published/estimate ratio); the same plan
    on the estimated grants scaled to each end gives the risk range that the grant's own range
    (``runder[].skoen_interval_kr``) implies, so page 1 never states a point risk beside a
    ranged grant."""
    from opkval.base.domain import ADVARSEL, AFHAENGER, BRUD, OK, UAFKLARET
    from opkval.engine.allocation import scaled_estimates
    from opkval.engine.ledger import build_ledger
    from opkval.engine.rules import check_all, predates, risk_range

    ledger = build_ledger(plan, grants, cfg)
    # Where a grant has a second estimate (round 2: round 1's share carried forward beside
    # the key), the same plan on those grants gives the other end of the risk range.
    alt_grants = [dict(g, beloeb_kr=g["alternativ_kr"]) if g.get("alternativ_kr") is not None
                  else g for g in grants]
    alt_ledger = build_ledger(plan, alt_grants, cfg) if alt_grants != grants else None
    ends = [build_ledger(plan, g, cfg) for g in scaled_estimates(grants, factor)]
    results = check_all(plan, ledger, cfg, rules, alt_ledger, ends)
    kat, mg = rules.kategorier, rules.maalgrupper
    indsatser = []
    for i in plan.indsatser:
        d = i.as_dict()
        d["kategori_navn"] = kat[i.kategori].navn
        d["kategori_kort"] = kat[i.kategori].kort
        d["formel"] = kat[i.kategori].formel
        d["del"] = kat[i.kategori].part
        if i.kategori_alternativ:
            d["kategori_alternativ_navn"] = kat[i.kategori_alternativ].navn
            d["alternativ_formel"] = kat[i.kategori_alternativ].formel
        d["maalgruppe_navn"] = mg[i.maalgruppe].navn
        d["total_kr"] = i.total_kr
        d["pr_aar_kr"] = {str(y): i.spending(y) for y in i.years}
        indsatser.append(d)
    # Students in formal education and course participants are different people counts:
    # they are shown apart, never added (issue 12). Heads are counted once, in the right
    # place (issue 19): students from formal lines, course participants from informal lines
    # the pool pays; wages/substitutes, administration, audit, study costs and lines financed
    # outside the pool are not courses, so their counts are in neither.
    deltagere: dict[str, int] = {}
    studerende: dict[str, int] = {}
    kursister: dict[str, int] = {}
    for i in plan.indsatser:
        part = kat[i.kategori].part
        if not i.deltagere or part == "oevrig" or (part == "uformel"
                                                   and i.finansiering != "pulje"):
            continue
        name = mg[i.maalgruppe].navn
        deltagere[name] = deltagere.get(name, 0) + i.deltagere
        into = studerende if part == "formel" else kursister
        into[name] = into.get(name, 0) + i.deltagere
    dagtilbud: dict[str, int] = {}
    for i in plan.indsatser:
        for place, n in i.fordeling.items():
            dagtilbud[place] = dagtilbud.get(place, 0) + n
    pool_years = [y.aar for y in ledger.aar if y.forbrug_kr]
    led = ledger.as_dict()
    for row, d in zip(ledger.runder, led["runder"], strict=True):
        d["risiko_interval_kr"] = list(risk_range(row, alt_ledger, *ends))
        d["modtaget_alternativ_kr"] = (alt_ledger.round(row.id).modtaget_kr
                                       if alt_ledger is not None else row.modtaget_kr)
        d["ikke_planlagt"] = predates(plan, cfg.round_by_id(row.id))
    led["risiko_interval_kr"] = [sum(d["risiko_interval_kr"][0] for d in led["runder"]),
                                 sum(d["risiko_interval_kr"][1] for d in led["runder"])]
    # The plan's own keys come untyped from Plan.as_dict (the inputs layer does not know the
    # context's types): tests/test_context_types.py validates the whole against PlanContext.
    return cast("PlanContext", {
        **plan.as_dict(),
        "indsatser": indsatser,
        "ledger": led,
        "regler": [r.as_dict() for r in results],
        "status_antal": {s: sum(r.status == s for r in results)
                         for s in (OK, UAFKLARET, AFHAENGER, ADVARSEL, BRUD)},
        "usikre_regler": [r.id for r in results
                          if r.status_ellers is not None and r.status_ellers != r.status],
        "deltagere_pr_maalgruppe": deltagere,
        "deltagere_i_alt": sum(deltagere.values()),
        "studerende_pr_maalgruppe": studerende,
        "studerende_i_alt": sum(studerende.values()),
        "kursister_pr_maalgruppe": kursister,
        "kursister_i_alt": sum(kursister.values()),
        "pulje_i_alt_kr": sum(i.total_kr for i in plan.indsatser if i.finansiering == "pulje"),
        "anden_i_alt_kr": sum(i.total_kr for i in plan.indsatser if i.finansiering != "pulje"),
        "indsatser_uden_deltagere": [i.navn for i in plan.indsatser if i.deltagere is None],
        "fordeling_pr_dagtilbud": dict(sorted(dagtilbud.items())),
        "forbrug_foerste_aar": pool_years[0] if pool_years else None,
        "forbrug_sidste_aar": pool_years[-1] if pool_years else None,
        "kategorier": {k: {"navn": v.navn, "formel": v.formel, "del": v.part}
                       for k, v in kat.items()},
        "min_formel_andel": rules.min_formel_andel,
    })


def write_json(obj: Mapping[str, Any], path: Path) -> None:
    """Sorted, indented UTF-8 JSON (byte-stable for the same input), written atomically."""
    from opkval.base.fileio import atomic_write_bytes

    atomic_write_bytes(path, (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True)
                              + "\n").encode("utf-8"))


def load_context(kommunekode: int, report_year: int | None = None,
                 context_path: str = "") -> Context:
    """The notebook's one entry point: read a precomputed context, or build it here.

    ``opkval report`` precomputes the context and passes its path; in JupyterLab the notebook
    builds it from ``data/raw`` with the default parameters.
    """
    if context_path:
        path = Path(context_path)
        if not path.is_file():
            # A kept notebook (reports/<slug>.ipynb) names the context beside it by its name.
            raise OpkvalError(
                f"{context_path}: konteksten findes ikke i {Path.cwd()}. En gemt notebook "
                "læser konteksten ved siden af sig: kør den fra dens mappe (papermill --cwd "
                "<mappe>).")
        ctx = json.loads(path.read_text(encoding="utf-8"))
        if ctx["kommune"]["kode"] != kommunekode:
            raise OpkvalError(
                f"{context_path}: kontekst for kommunekode {ctx['kommune']['kode']}, "
                f"ikke {kommunekode}."
            )
        return ctx
    from opkval.inputs.data import load_all
    from opkval.inputs.kommune import KommuneIndex

    data = load_all()
    index = KommuneIndex(data.municipalities)
    return note_context(data, index.resolve(str(kommunekode)), year=report_year, index=index)
