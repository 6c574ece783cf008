"""`make bench`: the speed of opkval as ratios to a floor, measured in one run.

F   = papermill executing an empty notebook with one parameter (the papermill command: Python
      start, papermill import, one kernel start). The floor every note pays at least once.
R1  = one warm `make report KOMMUNE=Ishøj`: the bilag and the analysis, each as HTML, PDF
      (Typst) and Word, the agenda item (Word and text), the JSON and the kept notebook.
R98 = `make reports` into an empty folder (98 such notes + index + landsoversigt).
R0  = the same `make reports` again with nothing changed.
RSS = peak resident memory of the whole process tree during R98 (sampled every 0.1 s).
P   = the peer: what a user would write from the papermill and nbconvert documentation, run in
      the same session on a fixed sample of 10 kommuner, two at a time: per kommune the
      `papermill` command on the same notebook (which then builds its context from data/raw
      itself), `jupyter nbconvert --to html --no-input`, and the `weasyprint` command
      (WeasyPrint is the `bench` extra: opkval never imports it). Per note: P / 10, against
      opkval's R98 / 98. The two do not make the same files: the peer makes one HTML and one
      PDF per kommune (both documents' content in one, untagged, with the notebook's
      introduction), opkval two of each, two Word files, the agenda item and the JSON. The
      table gives both sides' PDF pages per note for the sample.

This VM's speed drifts by tens of percent within minutes, so each ratio is taken between
measurements made side by side: F and R1 alternate, in turn first (R1 / F is the median of
the five pairs' ratios), and the peer, after a warm-up note, runs just before and after R98
(P is the mean of the two, which cancels a drift that is steady over the three). Targets on
the 2-core reference machine (issue 23): opkval ≥ 10× faster per note than the peer,
R1 ≤ 2 F, R0 ≤ 2 s, RSS ≤ 2 GiB (R98 in F is printed for comparison with older runs).
Prints a table and appends it to docs/benchmarks.md with the date and the machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil

from opkval.app import cli
from opkval.assembly.context import git_revision

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "build" / "bench-reports"
NOTEBOOK = ROOT / "build" / "kommune_rapport.ipynb"
#: The peer's fixed sample: large and small kommuner, with and without a plan, every region.
PEER_SAMPLE = {"København": 101, "Ishøj": 183, "Helsingør": 217, "Læsø": 825, "Samsø": 741,
               "Odense": 461, "Vejle": 630, "Esbjerg": 561, "Aarhus": 751, "Aalborg": 851}
PEER_JOBS = 2
#: Issue 23's targets.
SPEEDUP_TARGET = 10
R1_TARGET_F = 2


def timed(cmd: list[str], env: dict | None = None, sample_rss: bool = False) -> tuple[float,
                                                                                      int]:
    """Wall time of a command (s) and, optionally, peak RSS of its process tree (bytes)."""
    peak = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_rss:
        sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    stop.set()
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return elapsed, peak


def floor_command(tmp: Path) -> list[str]:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp / "empty.ipynb")
    return [str(BIN / "papermill"), str(tmp / "empty.ipynb"), str(tmp / "out.ipynb"),
            "-p", "x", "2", "-k", "python3", "--no-progress-bar"]


def peer_note(kode: int, tmp: Path) -> None:
    """One note the way the papermill and nbconvert documentation shows: three commands."""
    out = tmp / f"{kode}.ipynb"
    for cmd in ([str(BIN / "papermill"), str(NOTEBOOK), str(out), "-p", "kommunekode",
                 str(kode), "-k", "python3", "--no-progress-bar"],
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
                [str(BIN / "weasyprint"), str(out.with_suffix(".html")),
                 str(out.with_suffix(".pdf"))]):
        timed(cmd)


def peer(tmp: Path) -> float:
    """Wall time of the peer for the sample, PEER_JOBS kommuner at a time."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(PEER_JOBS) as pool:
        list(pool.map(lambda kode: peer_note(kode, tmp), PEER_SAMPLE.values()))
    return time.perf_counter() - t0


def sample_slugs() -> list[str]:
    """The file names (slugs) of the peer's sample as opkval writes them."""
    from opkval.inputs.data import load_all
    from opkval.inputs.kommune import KommuneIndex

    index = KommuneIndex(load_all().municipalities)
    return [index.resolve(navn).slug for navn in PEER_SAMPLE]


def pdf_pages(paths: list[Path]) -> int | None:
    """The pages of these PDFs (poppler's pdfinfo), or None without pdfinfo or a PDF."""
    pdfinfo = shutil.which("pdfinfo")
    if not pdfinfo or not paths:
        return None
    total = 0
    for path in paths:
        out = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True).stdout
        pages = [ln.split()[-1] for ln in out.splitlines() if ln.startswith("Pages:")]
        if not pages:
            return None
        total += int(pages[0])
    return total


#: The warm-up note of the breakdown: not in the sample (Typst and the chart pictures keep what
#: they made for a note, so a note must not be timed twice in one process).
WARM_UP = "Roskilde"


def breakdown(mode: str) -> dict[str, float]:
    """Mean seconds per note, one warm renderer, the peer's sample in sequence.

    ``steps``: context (parent), kernel (papermill in the warm kernel), HTML (nbconvert, the
    bilag and the analysis), PDF (Typst, both documents), the rest (both Word files with their
    chart pictures, the agenda item and the context JSON), each timed by itself. ``total``: the
    whole note in one `render` (steps overlapping in threads; files swapped in). Each mode runs
    in a process of its own (:func:`breakdown_in_process`): a second render of a note in one
    process would find its PDF layout and pictures cached."""
    from opkval.assembly.context import build_context, write_json
    from opkval.inputs.config import load_plan_config
    from opkval.inputs.data import load_all
    from opkval.inputs.kommune import KommuneIndex
    from opkval.inputs.plan import find_plan
    from opkval.publish.render import (
        AGENDA_SUFFIX,
        Renderer,
        ReportFiles,
        _agenda_files,
        _docx_bytes,
        _pdf_bytes,
        created_at,
        note_parts,
        notebook_document,
        part_notebook,
    )

    data = load_all()
    index = KommuneIndex(data.municipalities)
    config = load_plan_config()
    steps = dict.fromkeys(("context", "kernel", "html", "pdf", "rest", "total"), 0.0)
    with Renderer() as renderer, tempfile.TemporaryDirectory() as tmp:
        ctxs = []
        for navn in PEER_SAMPLE:
            k = index.resolve(navn)
            t0 = time.perf_counter()
            ctxs.append(build_context(data, k, plan=find_plan(k, index, config=config)))
            steps["context"] += time.perf_counter() - t0
        warm = index.resolve(WARM_UP)
        renderer.render(build_context(data, warm, plan=find_plan(warm, index, config=config)),
                        Path(tmp) / "warm")  # warm-up: imports, templates, fonts
        for ctx in ctxs:
            k = ctx["kommune"]
            if mode == "total":
                t_all = time.perf_counter()
                renderer.render(ctx, Path(tmp) / "all")
                steps["total"] += time.perf_counter() - t_all
                continue
            ctx_path = Path(tmp) / f"{k['slug']}-context.json"
            write_json(ctx, ctx_path)
            params = {"kommunekode": k["kode"], "report_year": ctx["report_year"],
                      "context_path": str(ctx_path), "formats": "html,pdf,docx"}
            out = Path(tmp) / "steps"
            out.mkdir(exist_ok=True)
            files = ReportFiles(ipynb=out / "n.ipynb", html=None, pdf=None, json=out / "n.json",
                                docx=out / "n.docx", agenda_docx=out / f"n{AGENDA_SUFFIX}.docx",
                                agenda_txt=out / f"n{AGENDA_SUFFIX}.txt")
            t0 = time.perf_counter()
            nb = renderer.execute(Path(tmp) / f"{k['slug']}.ipynb", params)
            t1 = time.perf_counter()
            parts = [(p, part_notebook(nb, p.tag)) for p in note_parts(ctx)]
            for p, sub in parts:
                renderer.to_html(sub, p.title)
            t2 = time.perf_counter()
            documents = [notebook_document(sub, title=p.title, kind=p.kind, header=p.header,
                                           created=created_at(ctx), author=p.author)
                         for p, sub in parts]
            for d in documents:
                _pdf_bytes(d)
            t3 = time.perf_counter()
            for d in documents:
                _docx_bytes(d)
            _agenda_files(ctx, out, files)
            write_json(ctx, files.json)
            write_json(ctx, files.json)  # twice, as render does (the second lists the files)
            t4 = time.perf_counter()
            steps["kernel"] += t1 - t0
            steps["html"] += t2 - t1
            steps["pdf"] += t3 - t2
            steps["rest"] += t4 - t3
    means = {k: v / len(PEER_SAMPLE) for k, v in steps.items()}
    return {"total": means["total"]} if mode == "total" else {
        k: v for k, v in means.items() if k != "total"}


def breakdown_in_process(mode: str) -> dict[str, float]:
    """:func:`breakdown` in a fresh Python process (its JSON on the last line of stdout)."""
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--breakdown", mode],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench: breakdown {mode} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(n: int, cmd: list[str], env: dict | None = None) -> float:
    return statistics.median(timed(cmd, env)[0] for _ in range(n))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return f"{cli.cores()} cores, {cpu}, {mem:.0f} GiB RAM, Python {platform.python_version()}"


def main() -> int:
    env = {**os.environ, "KOMMUNE": "Ishøj"}
    make_report = ["make", "--no-print-directory", "report"]
    with tempfile.TemporaryDirectory() as tmp:
        floor = floor_command(Path(tmp))
        timed(floor)  # warm the page cache
        timed(make_report, env)  # warm-up: notebook build, caches
        pairs = []  # (F, R1), five times; F goes first in pairs 1, 3 and 5, R1 in 2 and 4
        for i in range(5):
            if i % 2 == 0:
                f_i = timed(floor)[0]
                r1_i = timed(make_report, env)[0]
            else:
                r1_i = timed(make_report, env)[0]
                f_i = timed(floor)[0]
            pairs.append((f_i, r1_i))
    f = statistics.median(a for a, _ in pairs)
    r1 = statistics.median(b for _, b in pairs)
    r1_in_f = statistics.median(b / a for a, b in pairs)
    shutil.rmtree(OUT, ignore_errors=True)
    make_reports = ["make", "--no-print-directory", "reports", f"OUT={OUT}"]
    with tempfile.TemporaryDirectory() as tmp:
        peer_note(PEER_SAMPLE["Ishøj"], Path(tmp))  # warm-up, as opkval had: templates, caches
        p_before = peer(Path(tmp))
        r98, rss = timed(make_reports, sample_rss=True)
        p_after = peer(Path(tmp))
        peer_pages = pdf_pages([Path(tmp) / f"{kode}.pdf" for kode in PEER_SAMPLE.values()])
    own_pages = pdf_pages([OUT / f"{slug}{suffix}.pdf" for slug in sample_slugs()
                           for suffix in ("", "-analyse")])
    p = (p_before + p_after) / 2
    r0 = median_of(3, make_reports)
    per_note, peer_per_note = r98 / 98, p / len(PEER_SAMPLE)
    speedup = peer_per_note / per_note
    parts = {**breakdown_in_process("steps"), **breakdown_in_process("total")}
    cores = min(cli.cores(), 2)  # make reports runs JOBS=2 workers
    bound = (parts["context"] + parts["total"]) / cores
    rows = [
        ("F (papermill, empty notebook)", f"{f:.2f} s", "1 F", ""),
        ("R1 (make report, warm; ratio: median of 5 F/R1 pairs)", f"{r1:.2f} s",
         f"{r1_in_f:.1f} F", f"≤ {R1_TARGET_F} F"),
        ("R98 (make reports, empty)", f"{r98:.1f} s", f"{r98 / f:.1f} F", ""),
        ("R0 (make reports, unchanged)", f"{r0:.2f} s", "", "≤ 2 s"),
        ("Peak RSS during R98", f"{rss / 2**30:.2f} GiB", "", "≤ 2 GiB"),
        (f"P (peer: papermill → nbconvert → weasyprint, {len(PEER_SAMPLE)} notes, "
         f"{PEER_JOBS} at a time; before and after R98)",
         f"{p:.1f} s ({p_before:.1f} / {p_after:.1f})", f"{p / f:.1f} F", ""),
        (f"Per note: opkval (R98 / 98) against the peer (P / {len(PEER_SAMPLE)})",
         f"{per_note:.2f} s vs {peer_per_note:.2f} s", f"{speedup:.1f}×",
         f"≥ {SPEEDUP_TARGET}×"),
        ("What a note is: opkval / the peer",
         "bilag + analysis, each HTML, PDF/UA-1 and Word; agenda item (Word, text); JSON; "
         "kept notebook / one HTML and one untagged PDF of the whole notebook", "", ""),
        ("PDF pages per note, the sample: opkval (bilag + analysis) / the peer",
         " / ".join("–" if n is None else f"{n / len(PEER_SAMPLE):.1f}"
                    for n in (own_pages, peer_pages)), "", ""),
        ("One note, each step by itself: kernel / HTML / PDF / rest (mean of the sample); "
         "the whole note in one render", " / ".join(
             f"{parts[k]:.2f}" for k in ("kernel", "html", "pdf", "rest"))
         + f" s; {parts['total']:.2f} s", "", ""),
        (f"Sum of the parts / {cores} cores, against R98 / 98",
         f"{bound:.2f} s vs {per_note:.2f} s", f"{per_note / bound:.2f}", ""),
    ]
    ok = (r1_in_f <= R1_TARGET_F and r0 <= 2 and rss <= 2 * 2**30
          and speedup >= SPEEDUP_TARGET)
    table = ["| measure | value | ratio | target |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    head = (f"## {dt.datetime.now():%Y-%m-%d %H:%M} · {machine()}\n\n"
            f"Commit `{git_revision()['commit'][:7]}`; targets {'met' if ok else 'NOT met'}.\n")
    text = head + "\n" + "\n".join(table) + "\n"
    print(text)
    doc = ROOT / "docs" / "benchmarks.md"
    if not doc.exists():
        doc.write_text("# Benchmarks\n\nWritten by `make bench` (benchmarks/bench.py), newest "
                       "last. F is the floor: one papermill run of an empty notebook.\n\n",
                       encoding="utf-8")
    with doc.open("a", encoding="utf-8") as fh:
        fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--breakdown"]:
        print(json.dumps(breakdown(sys.argv[2])))
        raise SystemExit(0)
    raise SystemExit(main())
