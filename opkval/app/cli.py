"""Command line: ``opkval report``, ``plan``, ``allocate``, ``kommuner``, ``backtest``.

User errors print one Danish message to stderr and exit 2 (1 for a failed report); never a
traceback. Ctrl-C (SIGINT) and SIGTERM stop a run with one line and exit 130 and 143; the
kernel, the workers and their temp folders go with it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import os
import re
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from opkval import PROJECT_ROOT
from opkval.base.domain import KEYS
from opkval.base.errors import Interrupted, KommuneNotFound, OpkvalError

#: Longest kommune name or code typed (the longest real name has 14 characters).
MAX_KOMMUNE_CHARS = 100
MAX_EXTRA_CHARS = 500


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _positive_int(text: str) -> int:
    """Whole kroner: 500000000, 500.000.000 or 500_000_000 (dots only as thousands marks)."""
    cleaned = text.strip().replace("_", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        value = int(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' er ikke et helt antal kroner") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' er negativt")
    return value


def _year(text: str) -> int:
    """A report year in :func:`opkval.inputs.config.report_years`, or 0 (this year)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:20]}' er ikke et årstal") from None
    if value == 0:
        return 0  # the common case reads no config (`make reports` with nothing to do)
    from opkval.base.fmt import number
    from opkval.inputs.config import REPORT_YEARS_AFTER, load_config, report_years

    cfg = load_config()
    years = report_years(cfg)
    if value not in years:
        raise argparse.ArgumentTypeError(
            f"rapportåret {value} ligger uden for {years[0]}–{years[-1]} (puljens år "
            f"{cfg.first_year}–{cfg.last_year} og {number(REPORT_YEARS_AFTER)} år efter); "
            "0 = i år")
    return value


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _jobs(text: str) -> int:
    """Worker processes: 1 up to the cores of the machine (each holds a kernel, ~250 MB);
    empty: 2, or fewer on a machine with fewer cores."""
    if not text.strip():
        return min(2, cores())
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:20]}' er ikke et antal processer") from None
    if not 1 <= value <= cores():
        raise argparse.ArgumentTypeError(
            f"JOBS={value}: antallet af processer skal være mellem 1 og {cores()} (maskinens "
            "kerner)")
    return value


def _kommune_arg(text: str) -> str:
    if len(text) > MAX_KOMMUNE_CHARS:
        raise KommuneNotFound(f"Ukendt kommune '{text[:40]}...' ({len(text)} tegn; et navn "
                              f"eller en kode har højst {MAX_KOMMUNE_CHARS}).")
    return text


def check_extra(text: str) -> list[dict]:
    """EXTRA parsed and bounded: 1..MAX_DELTAGERE participants per line, start in the plan
    years."""
    from opkval.engine.plan_effect import parse_extra
    from opkval.inputs.config import load_plan_config
    from opkval.inputs.plan import MAX_DELTAGERE

    if len(text or "") > MAX_EXTRA_CHARS:
        raise OpkvalError(f"EXTRA er {len(text)} tegn langt; grænsen er {MAX_EXTRA_CHARS}.")
    config = load_plan_config()
    try:
        extras = parse_extra(text, config.rules)
    except ValueError:  # a count of thousands of digits
        raise OpkvalError(f"Ugyldigt scenarie '{text[:40]}...': antallet er ikke et tal, "
                          "opkval kan regne med.") from None
    years = config.years
    for e in extras:
        if not 1 <= e["deltagere"] <= MAX_DELTAGERE:
            raise OpkvalError(f"Ugyldigt scenarie: {e['deltagere']} ekstra deltagere i "
                              f"{e['kategori']}; antallet skal være 1–{MAX_DELTAGERE} pr. linje.")
        if e["start_aar"] is not None and e["start_aar"] not in years:
            raise OpkvalError(f"Ugyldigt scenarie: startåret {e['start_aar']} for "
                              f"{e['kategori']} ligger uden for puljens år "
                              f"{years[0]}–{years[-1]}.")
    return extras


def _formats(text: str) -> tuple[str, ...]:
    parts = tuple(p.strip().lower() for p in text.split(",") if p.strip())
    bad = [p for p in parts if p not in ("html", "pdf", "docx")]
    if bad or not parts:
        raise argparse.ArgumentTypeError(f"ukendt format {bad or text!r}; brug fx html,pdf,docx")
    return parts


def cmd_report(args: argparse.Namespace) -> int:
    written: list = []
    try:
        return _report(args, written)
    except Interrupted as e:
        if not getattr(e, "summary", None):
            e.summary = (f"opkval: afbrudt af {e.name}; notatet er skrevet færdigt." if written
                         else f"opkval: afbrudt af {e.name}; intet notat er skrevet, og "
                         "tidligere rapportfiler er uændrede.")
        raise


def _report(args: argparse.Namespace, written: list) -> int:
    from opkval.base.fileio import check_output_dir
    from opkval.publish.render import Renderer

    t0 = time.perf_counter()
    _kommune_arg(args.kommune)
    check_output_dir(Path(args.out))  # before anything is started: one message, at once
    # Start the kernel before anything else is imported: it boots and imports on the other
    # core while this process loads pandas, validates data and builds the context.
    with Renderer(single_use=True).start() as renderer:
        from opkval.assembly.context import file_stem, note_context
        from opkval.inputs.data import load_all
        from opkval.inputs.kommune import KommuneIndex
        from opkval.inputs.plan import PlanError

        extras = check_extra(args.extra)
        data = load_all()
        index = KommuneIndex(data.municipalities)
        kommune = index.resolve(args.kommune)
        announced = []

        def announce(plan) -> None:
            announced.append(plan)
            _log(f"opkval: {kommune.officielt_navn} (kode {kommune.kode}) → "
                 f"{args.out}/{file_stem(kommune.slug, extras)}.*"
                 + (" (scenarie)" if extras else ""))
            _log(f"  lokal plan: {plan.fil}" if plan else "  lokal plan: ingen registreret")
            if args.plan:
                _log(_plan_note(kommune.slug, Path(args.plan)))

        # The plan is validated before anything is rendered: a broken plan writes no report.
        try:
            ctx = note_context(data, kommune, year=args.year or None, plan_path=args.plan or None,
                               extras=extras, key=args.key, index=index, on_plan=announce)
        except PlanError as e:
            if announced:  # the plan named as its previous version: as any other error
                raise
            _log(str(e))
            _log("Ingen rapport er skrevet; eventuelle tidligere rapportfiler er uændrede.")
            return e.exit_code
        if announced and announced[0] is not None:
            # What `plan check` warns about, said here too: the note is written, but the
            # analyst should know what it rests on (a letter not entered, a blank count).
            for warning in plan_warnings(announced[0], ctx["grants"], ctx.get("report_year")):
                _log("  advarsel: " + warning.replace("\u00a0", " "))
        from opkval.base.fileio import output_lock

        try:
            with output_lock(Path(args.out)):  # not while make reports writes there
                files = renderer.render(ctx, Path(args.out), formats=args.format)
            written.append(files)
        except Interrupted as e:
            e.summary = (f"opkval: afbrudt af {e.name}; notatet for {kommune.officielt_navn} er "
                         "ikke skrevet, og tidligere rapportfiler er uændrede.")
            raise
    for f in files.written():
        _log(f"  skrev {f}")
    _log(f"opkval: færdig på {time.perf_counter() - t0:.1f} s")
    return 0


def _plan_note(slug: str, given: Path) -> str:
    """PLAN= is for this note only: say what `make reports` uses and how to change that."""
    from opkval.inputs.plan import PLANS_DIR, PlanError, display_path, plan_file_for

    try:
        registered = plan_file_for(slug)
    except PlanError as e:
        return f"  bemærk: {e}"
    if registered and registered.resolve() == given.resolve():
        return f"  (planen er kommunens registrerede plan, {display_path(registered)})"
    now = (f"bruger {display_path(registered)}" if registered else
           "bygger notatet uden lokal plan (der er ingen plan i data/plans/)")
    target = PLANS_DIR / f"{slug}{given.suffix.lower()}"
    move = (f"erstat {display_path(registered)} med den (slet den gamle, så der kun er én)"
            if registered else f"kopiér den til {display_path(target)}")
    return (f"  bemærk: PLAN= gælder kun dette notat. `make reports` {now} og erstatter "
            f"notatet ved næste kørsel. Gør planen til kommunens egen: {move}, fx "
            f"cp {given} {display_path(target)}")


def _plan_kommune(args: argparse.Namespace, index):
    return index.resolve(args.kommune) if getattr(args, "kommune", None) else None


def cmd_plan_check(args: argparse.Namespace) -> int:
    """Validate a plan and print its money and rule results (no report is built)."""
    from opkval.assembly.context import plan_context, round_summaries
    from opkval.base import fmt
    from opkval.base.domain import STATUS_DA
    from opkval.engine.allocation import grants_for_kommune, key_factor_range, key_record
    from opkval.inputs.config import load_plan_config
    from opkval.inputs.data import load_all
    from opkval.inputs.kommune import KommuneIndex
    from opkval.inputs.plan import load_plan
    from opkval.sections.present_plan import risk_facts

    config = load_plan_config()
    data = load_all()
    index = KommuneIndex(data.municipalities)
    plan = load_plan(args.file, index, expected=_plan_kommune(args, index), config=config)
    rows = grants_for_kommune(data, plan.kommune.kode, cfg=config.cfg, tilsagn=plan.tilsagn)
    grants = [g.as_dict() for g in rows]
    # The key's record, as the note has it: the same risk range as the bilag says.
    factor = key_factor_range(key_record(data, config.cfg, config.cfg.default_key))
    pc = plan_context(plan, grants, config.cfg, config.rules, factor)
    runder = {"runder": round_summaries(config.cfg, rows, factor)}
    led = pc["ledger"]
    out = [f"Plan {plan.fil}: {plan.kommune.officielt_navn}, {len(plan.indsatser)} indsatser, "
           f"dateret {plan.dato.isoformat()} – gyldig.", ""]
    out.append(f"{'År':<6}{'Udbetalt':>14}{'Forbrug':>14}{'Ikke finansieret':>18}"
               f"{'Saldo':>14}")
    for y in led["aar"]:
        out.append(f"{y['aar']:<6}{fmt.number(y['udbetalt_kr']):>14}"
                   f"{fmt.number(y['forbrug_kr']):>14}{fmt.number(y['ikke_finansieret_kr']):>18}"
                   f"{fmt.number(y['saldo_kr']):>14}")
    out.append("")
    for r in led["runder"]:
        # Worded as the bilag and the agenda item word it (risk_facts): a round whose grant
        # is an estimate says so, its risk as the estimate's range, an assumed deadline too.
        f = risk_facts(runder, r)
        est = " (skøn)" if f["estimate"] else ""
        out.append(f"{r['navn']}: modtaget {fmt.kr(r['modtaget_kr'])}{est}, brugt "
                   f"{fmt.kr(r['brugt_kr'])}, tilbage {fmt.kr(r['tilbage_kr'])}{est}; "
                   f"risiko for tilbagebetaling: {f['amount']}{est}, frist {f['frist']}")
    out.append("")
    width = max(len(r["navn"]) for r in pc["regler"]) + 2
    status_width = max(len(s) for s in STATUS_DA.values()) + 2  # "Kan ikke afgøres" is 16
    out.append(f"{'Regel':<{width}}{'Status':<{status_width}}Vurdering")
    for r in pc["regler"]:
        out.append(f"{r['navn']:<{width}}{STATUS_DA[r['status']]:<{status_width}}{r['tekst']}")
    warnings = plan_warnings(plan, grants)
    if warnings:
        out.extend(["", "Advarsler:", *(f"  - {x}" for x in warnings)])
    print("\n".join(out).replace("\u00a0", " "))
    if args.strict and pc["status_antal"]["brud"]:
        return 1
    return 0


def plan_warnings(plan, grants: Sequence[Mapping[str, Any]],
                  year: int | None = None) -> list[str]:
    """What ``plan check`` and ``report`` warn about without refusing the plan (issue 19):
    blank participant counts (where, which field), implausible tilsagn letters, and the years
    paid by `year` (this year by default) that have no letter and are therefore estimated."""
    from opkval.engine.wording import estimated_years_text

    lines = [*plan.advarsler,
             *dict.fromkeys(g["advarsel"] for g in grants if g.get("advarsel"))]
    est = estimated_years_text(grants, year or dt.date.today().year)
    if est:
        lines.append(est)
    return lines


def cmd_plan_template(args: argparse.Namespace) -> int:
    """Write an Excel workbook for a plan, filled in with the kommune's plan if it has one."""
    from opkval.inputs.config import load_plan_config
    from opkval.inputs.data import load_all
    from opkval.inputs.excel import write_workbook
    from opkval.inputs.kommune import KommuneIndex
    from opkval.inputs.plan import find_plan

    config = load_plan_config()
    index = KommuneIndex(load_all().municipalities)
    kommune = index.resolve(args.kommune)
    plan = find_plan(kommune, index, args.source or None, config=config)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise OpkvalError(f"{out}: skabelonen skal have endelsen .xlsx (LibreOffice kan gemme "
                          "den som .ods, som opkval også læser).")
    if out.exists() and not args.force:
        raise OpkvalError(f"{out} findes allerede; brug --force for at overskrive.")
    write_workbook(out, kommune, plan, config=config)
    what = f"udfyldt med {plan.fil}" if plan else "uden indsatser (kommunen har ingen plan)"
    _log(f"opkval: skrev {out} for {kommune.officielt_navn}, {what}.")
    return 0


def cmd_plan_export(args: argparse.Namespace) -> int:
    """A plan (.yaml, .xlsx or .ods) → YAML or an Excel workbook, every field kept."""
    from opkval.base.fileio import atomic_write_bytes
    from opkval.inputs.config import load_plan_config
    from opkval.inputs.data import load_all
    from opkval.inputs.excel import write_workbook
    from opkval.inputs.kommune import KommuneIndex
    from opkval.inputs.plan import load_plan, to_yaml

    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".yaml", ".yml", ".xlsx"):
        raise OpkvalError(f"{out}: --out skal ende på .yaml (eller .yml) eller .xlsx "
                          "(gem en .xlsx som .ods i LibreOffice).")
    if out.exists() and not args.force:
        raise OpkvalError(f"{out} findes allerede; brug --force for at overskrive.")
    if Path(args.file).resolve() == out.resolve():
        raise OpkvalError(f"{out}: --out må ikke være planen selv.")
    config = load_plan_config()
    index = KommuneIndex(load_all().municipalities)
    plan = load_plan(args.file, index, expected=_plan_kommune(args, index), config=config)
    if kind == ".xlsx":
        write_workbook(out, plan.kommune, plan, config=config)
    else:
        atomic_write_bytes(out, to_yaml(plan).encode("utf-8"))
    _log(f"opkval: skrev {out} fra {plan.fil} ({plan.kommune.officielt_navn}, "
         f"{len(plan.indsatser)} indsatser).")
    return 0


def cmd_reports(args: argparse.Namespace) -> int:
    from opkval.app.batch import run

    only = None
    if args.kommuner:
        from opkval import default_raw_dir
        from opkval.inputs.kommune import KommuneIndex

        # The light index (no pandas): a run with nothing to do stays quick.
        index = KommuneIndex.from_csv(default_raw_dir() / "municipalities.csv")
        only = [index.resolve(_kommune_arg(k)).slug for k in args.kommuner.split(",")
                if k.strip()]
    return run(Path(args.out), jobs=args.jobs, formats=args.format, year=args.year, only=only,
               force=args.force)


def cmd_allocate(args: argparse.Namespace) -> int:
    from opkval.engine.allocation import allocate
    from opkval.inputs.config import load_config
    from opkval.inputs.data import load_all

    df = allocate(load_all(), args.amount, args.key, args.year, cfg=load_config())
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["kommunekode", "kommune", "amount"])
    for r in df.itertuples(index=False):
        w.writerow([r.kommunekode, r.kommune, r.amount])
    return 0


def cmd_kommuner(args: argparse.Namespace) -> int:
    from opkval.inputs.data import load_all
    from opkval.inputs.kommune import KommuneIndex

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["kommunekode", "kommune", "slug", "region", "kommunegruppe"])
    for k in KommuneIndex(load_all().municipalities):
        w.writerow([k.kode, k.navn, k.slug, k.region, k.kommunegruppe])
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from opkval.base import fmt
    from opkval.engine.allocation import backtest, error_summary
    from opkval.inputs.config import load_config
    from opkval.inputs.data import load_all

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["pulje", "aar", "kommunekode", "kommune", "skoen_kr", "offentliggjort_kr",
                "forskel_kr", "forskel_pct", "inden_for_tolerance", "periode", "kilde"])
    rows = backtest(load_all(), load_config())
    for b in rows:
        w.writerow([b.pulje, b.aar, b.kommunekode, b.kommune, b.skoen_kr, b.offentliggjort_kr,
                    b.forskel_kr, fmt.rounded(b.forskel_pct, 2), b.inden_for_tolerance,
                    b.periode, b.kilde])
    # What was measured, per pool, on stderr (the CSV on stdout stays machine-readable).
    for pulje in dict.fromkeys(b.pulje for b in rows):
        s = error_summary([b for b in rows if b.pulje == pulje])
        big = s["stoerste"][0]
        _log(f"{pulje}: {s['n']} beløb; median absolut fejl {fmt.kr(s['median_abs_kr'])} "
             f"({fmt.pct_value(s['median_abs_pct'])}); største {big['kommune']} "
             f"{big['periode']} {fmt.signed_kr(big['forskel_kr'])} "
             f"({fmt.pct_value(big['forskel_pct'])}); {s['inden_for_afrunding']} inden for "
             f"±{fmt.kr(s['afrunding_kr'])}, {s['inden_for_tolerance']} inden for tolerancen.")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line (no usage block), exit 2."""

    def error(self, message: str):
        _log(f"{self.prog}: {message}")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="opkval", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("report", help="byg notatet (HTML + PDF + JSON) for én kommune")
    r.add_argument("--kommune", required=True,
                   help="navn, slug eller kode, fx Ishøj, ishoej, Ishoej eller 183")
    r.add_argument("--year", type=_year, default=0, help="rapportår (standard: i år)")
    r.add_argument("--out", default=str(PROJECT_ROOT / "reports"), help="outputmappe")
    r.add_argument("--format", type=_formats, default=("html", "pdf", "docx"),
                   help="html,pdf,docx (standard; docx giver også dagsordenspunktet), fx html")
    r.add_argument("--key", default=None, choices=KEYS,
                   help="fordelingsnøgle for skøn (standard: age_0_5)")
    r.add_argument("--extra", default="",
                   help="scenarie: ekstra deltagere, kategori:antal:startår, fx "
                        "meritpaedagog:4:2026 (flere adskilt med komma)")
    r.add_argument("--plan", default="",
                   help="lokal plan (.yaml, .xlsx eller .ods); standard: "
                        "data/plans/<slug>.yaml, .xlsx eller .ods, hvis den findes")
    r.set_defaults(func=cmd_report)

    pl = sub.add_parser("plan", help="lokale planer: kontrollér en plan eller lav en skabelon")
    plsub = pl.add_subparsers(dest="plan_command", required=True)
    pc = plsub.add_parser("check", help="validér en plan og vis reglerne (ingen rapport)")
    pc.add_argument("file", help="planfil (.yaml, .xlsx eller .ods)")
    pc.add_argument("--kommune", default=None, help="kræv at planen gælder denne kommune")
    pc.add_argument("--strict", action="store_true", help="exit 1, hvis en regel er brudt")
    pc.set_defaults(func=cmd_plan_check)
    pt = plsub.add_parser("template", help="skriv en Excel-skabelon til en plan")
    pt.add_argument("--kommune", required=True, help="navn, slug eller kode")
    pt.add_argument("--out", required=True, help="Excel-fil, fx plan.xlsx")
    pt.add_argument("--from", dest="source", default="",
                    help="udfyld med denne plan (standard: data/plans/<slug>.yaml)")
    pt.add_argument("--force", action="store_true", help="overskriv en eksisterende fil")
    pt.set_defaults(func=cmd_plan_template)
    pe = plsub.add_parser("export", help="skriv en plan som YAML (fra .xlsx/.ods) eller som "
                                         "Excel (fra .yaml); alle felter bevares")
    pe.add_argument("file", help="planfil (.yaml, .xlsx eller .ods)")
    pe.add_argument("--out", required=True, help="plan.yaml eller plan.xlsx")
    pe.add_argument("--kommune", default=None, help="kræv at planen gælder denne kommune")
    pe.add_argument("--force", action="store_true", help="overskriv en eksisterende fil")
    pe.set_defaults(func=cmd_plan_export)

    rs = sub.add_parser("reports", help="byg notater for alle 98 kommuner, index og "
                                        "landsoversigt (kun det, der er ændret)")
    rs.add_argument("--jobs", type=_jobs, default=min(2, cores()),
                    help="antal processer, 1 til antal kerner (standard: 2)")
    rs.add_argument("--out", default=str(PROJECT_ROOT / "reports"), help="outputmappe")
    rs.add_argument("--year", type=_year, default=0, help="rapportår (standard: i år)")
    rs.add_argument("--format", type=_formats, default=("html", "pdf", "docx"))
    rs.add_argument("--kommuner", default="",
                    help="kun disse (kommasepareret navn/slug/kode); standard: alle 98")
    rs.add_argument("--force", action="store_true", help="byg alt igen")
    rs.set_defaults(func=cmd_reports)

    a = sub.add_parser("allocate", help="fordel et beløb på de 98 kommuner (CSV på stdout)")
    a.add_argument("--amount", type=_positive_int, required=True, help="beløb i hele kroner")
    a.add_argument("--key", default=KEYS[0], choices=KEYS)
    a.add_argument("--year", type=int, default=None,
                   help="vælger dataårgang for nøgler med flere år (population)")
    a.set_defaults(func=cmd_allocate)

    k = sub.add_parser("kommuner", help="list de 98 kommuner (kode, navn, slug)")
    k.set_defaults(func=cmd_kommuner)

    b = sub.add_parser("backtest", help="nøglens skøn mod offentliggjorte beløb (CSV)")
    b.set_defaults(func=cmd_backtest)
    return p


def entry() -> int:
    """The ``opkval`` program: :func:`main`, then a quick exit.

    ``gc.freeze()`` moves every object into the permanent generation, so the interpreter's
    shutdown does not walk the ~1.800 modules a report loads (0,3–0,4 s of every ``make
    report``). Files are closed and atexit handlers still run; only the final garbage
    collection is skipped, which the operating system makes moot a moment later.
    """
    _quiet_library_warnings()
    rc = main()
    gc.freeze()
    return rc


#: Signals that stop a run cleanly: Ctrl-C, SIGTERM, and SIGHUP (the terminal was closed).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _on_signal(signum, frame) -> None:
    # Once: a second Ctrl-C while the run cleans up would cut the cleanup short.
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    """SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread: ``finally``
    blocks and context managers clean up (kernel, workers, temp folders) on the way out."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _on_signal)


def _end_with_make() -> None:
    """Under make (MAKELEVEL is set in a recipe), end with make: a SIGKILL of make sends this
    process SIGTERM, which stops it cleanly (its workers and kernels end with it)."""
    if os.environ.get("MAKELEVEL"):
        from opkval.base.fileio import die_with_parent

        die_with_parent(signal.SIGTERM)


def _quiet_library_warnings() -> None:
    """Library warnings are English and for developers (Pillow, openpyxl, multiprocessing's
    resource_tracker): a user reads opkval's own Danish messages only. Child processes (the
    workers, the resource tracker, the kernels) inherit it through PYTHONWARNINGS.
    ``OPKVAL_DEBUG=1`` shows them."""
    if os.environ.get("OPKVAL_DEBUG"):
        return
    import warnings

    warnings.simplefilter("ignore")
    os.environ["PYTHONWARNINGS"] = "ignore"


def main(argv: list[str] | None = None) -> int:
    try:
        before = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
        install_signal_handlers()
        _end_with_make()
    except ValueError:  # not the main thread (an embedding program): its handlers stay
        before = {}
    try:
        return _main(argv)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _main(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except OpkvalError as e:
        _log(str(e))
        return e.exit_code
    except BrokenPipeError:
        return 0
    except OSError as e:  # a folder that cannot be written, a path that is a file, a full disk
        from opkval.base.fileio import reason

        where = f"{e.filename}: " if e.filename else ""
        _log(f"Filfejl: {where}{reason(e)}.")
        return 2
    except Interrupted as e:
        _log(getattr(e, "summary", None) or f"opkval: afbrudt af {e.name}.")
        return e.exit_code
    except KeyboardInterrupt as e:
        _log(getattr(e, "summary", None) or "opkval: afbrudt.")
        return 130
    except MemoryError:
        _log("opkval: hukommelsen slap op; kørslen er stoppet (færdige notater er hele, intet "
             "er halvt skrevet).")
        return 1
    except Exception as e:  # a bug: one line, not a traceback (OPKVAL_DEBUG=1 shows it)
        if os.environ.get("OPKVAL_DEBUG"):
            raise
        _log(f"opkval: uventet fejl ({type(e).__name__}: {str(e)[:300]}); intet notat er halvt "
             "skrevet. Kør med OPKVAL_DEBUG=1 for detaljer.")
        return 1
