"""`make bench`: the speed of opkval as ratios to a floor, measured in one run.

F   = papermill executing an empty notebook with one parameter (the papermill command: Python
      start, papermill import, one kernel start). The floor every note pays at least once.
R1  = one warm `make report KOMMUNE=Ishøj` (HTML + PDF), median of 3 after a warm-up run.
R98 = `make reports` into an empty folder (98 notes + index + landsoversigt).
R0  = the same `make reports` again with nothing changed.
RSS = peak resident memory of the whole process tree during R98 (sampled every 0.1 s).

Targets on the 2-core reference machine: R1 ≤ 3 F, R98 ≤ 50 F, R0 ≤ 2 s, RSS ≤ 2 GiB.
Prints a table and appends it to docs/benchmarks.md with the date and the machine.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

from opkval.context import git_revision

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "build" / "bench-reports"


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
    return f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB RAM, Python {platform.python_version()}"


def main() -> int:
    env = {**os.environ, "KOMMUNE": "Ishøj"}
    with tempfile.TemporaryDirectory() as tmp:
        floor = floor_command(Path(tmp))
        timed(floor)  # warm the page cache
        f = median_of(5, floor)
    make_report = ["make", "--no-print-directory", "report"]
    timed(make_report, env)  # warm-up: notebook build, caches
    r1 = median_of(3, make_report, env)
    shutil.rmtree(OUT, ignore_errors=True)
    make_reports = ["make", "--no-print-directory", "reports", f"OUT={OUT}"]
    r98, rss = timed(make_reports, sample_rss=True)
    r0 = median_of(3, make_reports)
    rows = [
        ("F (papermill, empty notebook)", f"{f:.2f} s", "1 F", ""),
        ("R1 (make report, warm)", f"{r1:.2f} s", f"{r1 / f:.1f} F", "≤ 3 F"),
        ("R98 (make reports, empty)", f"{r98:.1f} s", f"{r98 / f:.1f} F", "≤ 50 F"),
        ("R0 (make reports, unchanged)", f"{r0:.2f} s", "", "≤ 2 s"),
        ("Peak RSS during R98", f"{rss / 2**30:.2f} GiB", "", "≤ 2 GiB"),
    ]
    ok = r1 <= 3 * f and r98 <= 50 * f and r0 <= 2 and rss <= 2 * 2**30
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
    raise SystemExit(main())
