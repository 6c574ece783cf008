"""Command line: ``opkval report``, ``opkval allocate``, ``opkval kommuner``, ``opkval backtest``.

User errors print one Danish message to stderr and exit 2 (1 for a failed report); never a
traceback.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from opkval import PROJECT_ROOT
from opkval.errors import OpkvalError


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace(".", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' er ikke et helt antal kroner") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' er negativt")
    return value


def _formats(text: str) -> tuple[str, ...]:
    parts = tuple(p.strip().lower() for p in text.split(",") if p.strip())
    bad = [p for p in parts if p not in ("html", "pdf")]
    if bad or not parts:
        raise argparse.ArgumentTypeError(f"ukendt format {bad or text!r}; brug html,pdf")
    return parts


def cmd_report(args: argparse.Namespace) -> int:
    from opkval.plan_effect import parse_extra
    from opkval.render import Renderer

    t0 = time.perf_counter()
    extras = parse_extra(args.extra)
    # Start the kernel first: it warms up (imports) on the other core while data are validated.
    with Renderer().start() as renderer:
        from opkval.context import build_context
        from opkval.data import load_all
        from opkval.kommune import KommuneIndex

        data = load_all()
        kommune = KommuneIndex(data.municipalities).resolve(args.kommune)
        _log(f"opkval: {kommune.navn} Kommune (kode {kommune.kode}) → "
             f"{args.out}/{kommune.slug}.*")
        ctx = build_context(data, kommune, args.year or None, key=args.key, extras=extras)
        files = renderer.render(ctx, Path(args.out), formats=args.format)
    for f in (files.html, files.pdf, files.json):
        if f:
            _log(f"  skrev {f}")
    _log(f"opkval: færdig på {time.perf_counter() - t0:.1f} s")
    return 0


def cmd_allocate(args: argparse.Namespace) -> int:
    from opkval.allocation import allocate
    from opkval.data import load_all

    df = allocate(load_all(), args.amount, args.key, args.year)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["kommunekode", "kommune", "amount"])
    for r in df.itertuples(index=False):
        w.writerow([r.kommunekode, r.kommune, r.amount])
    return 0


def cmd_kommuner(args: argparse.Namespace) -> int:
    from opkval.data import load_all
    from opkval.kommune import KommuneIndex

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["kommunekode", "kommune", "slug", "region", "kommunegruppe"])
    for k in KommuneIndex(load_all().municipalities):
        w.writerow([k.kode, k.navn, k.slug, k.region, k.kommunegruppe])
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from opkval.allocation import backtest
    from opkval.data import load_all

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["pulje", "aar", "kommunekode", "kommune", "skoen_kr", "offentliggjort_kr",
                "forskel_kr", "forskel_pct", "inden_for_tolerance"])
    for b in backtest(load_all()):
        w.writerow([b.pulje, b.aar, b.kommunekode, b.kommune, b.skoen_kr, b.offentliggjort_kr,
                    b.forskel_kr, f"{b.forskel_pct:.2f}", b.inden_for_tolerance])
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="opkval", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("report", help="byg notatet (HTML + PDF + JSON) for én kommune")
    r.add_argument("--kommune", required=True,
                   help="navn, slug eller kode, fx Ishøj, ishoej, Ishoej eller 183")
    r.add_argument("--year", type=int, default=0, help="rapportår (standard: i år)")
    r.add_argument("--out", default=str(PROJECT_ROOT / "reports"), help="outputmappe")
    r.add_argument("--format", type=_formats, default=("html", "pdf"),
                   help="html,pdf (standard) eller html")
    r.add_argument("--key", default=None, choices=("age_0_5", "population", "enrolled"),
                   help="fordelingsnøgle for skøn (standard: age_0_5)")
    r.add_argument("--extra", default="",
                   help="scenarie: ekstra deltagere, kategori:antal:startår, fx "
                        "meritpaedagog:4:2026 (flere adskilt med komma)")
    r.set_defaults(func=cmd_report)

    a = sub.add_parser("allocate", help="fordel et beløb på de 98 kommuner (CSV på stdout)")
    a.add_argument("--amount", type=_positive_int, required=True, help="beløb i hele kroner")
    a.add_argument("--key", default="age_0_5", choices=("age_0_5", "population", "enrolled"))
    a.add_argument("--year", type=int, default=None,
                   help="vælger dataårgang for nøgler med flere år (population)")
    a.set_defaults(func=cmd_allocate)

    k = sub.add_parser("kommuner", help="list de 98 kommuner (kode, navn, slug)")
    k.set_defaults(func=cmd_kommuner)

    b = sub.add_parser("backtest", help="nøglens skøn mod offentliggjorte beløb (CSV)")
    b.set_defaults(func=cmd_backtest)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except OpkvalError as e:
        _log(str(e))
        return e.exit_code
    except KeyboardInterrupt:
        _log("opkval: afbrudt.")
        return 130
    except BrokenPipeError:
        return 0
