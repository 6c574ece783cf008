"""Hostile inputs, interrupts and faults (issue 15): each refused within seconds and a memory
bound, with one message naming the file, field or limit and the value, the right exit code, no
traceback, and ``reports/`` and ``data/raw`` unchanged.

Inputs are generated here, small. The commands run as the user runs them (``opkval`` in a
subprocess, ``make`` for the parameter tests); interrupt and orphan tests start a real
``opkval reports --kommuner ...`` and signal it. The .xlsx/.ods limits are tested with
``opkval/inputs/excel.py`` (issue 13).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from opkval import PROJECT_ROOT

BIN = Path(sys.executable).parent
OPKVAL = str(BIN / "opkval")
RAW = PROJECT_ROOT / "data" / "raw"
REPORTS = PROJECT_ROOT / "reports"
GOOD = (PROJECT_ROOT / "tests" / "fixtures" / "plans" / "good_minimal.yaml").read_text("utf-8")
MB = 1024 * 1024


@dataclass
class Result:
    code: int
    out: str
    err: str
    seconds: float
    max_rss: int  # bytes, the command's own process


def run(args: list[str], *, env: dict | None = None, timeout: float = 60,
        cwd: Path = PROJECT_ROOT) -> Result:
    """Run a command; its exit code, output, wall time and peak memory (from wait4)."""
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.monotonic()
        p = subprocess.Popen(args, stdout=fo, stderr=fe, cwd=cwd,
                             env={**os.environ, **(env or {})})
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - t0
        fo.seek(0)
        fe.seek(0)
        return Result(p.returncode, fo.read().decode(), fe.read().decode(), seconds,
                      usage.ru_maxrss * 1024)


def refused(r: Result, *needles: str, code: int = 2, seconds: float = 20,
            memory: int = 500 * MB) -> None:
    """One clear refusal: exit code, every needle in the message, no traceback, in time."""
    assert r.code == code, (r.code, r.err[-2000:])
    assert "Traceback" not in r.err and "Traceback" not in r.out, r.err[-3000:]
    for n in needles:
        assert n in r.err, (n, r.err[-2000:])
    assert r.seconds < seconds, r.seconds
    assert r.max_rss < memory, r.max_rss


def _tree(root: Path) -> dict[str, tuple]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(root))] = (p.stat().st_size, p.stat().st_mtime_ns,
                                             hashlib.sha256(p.read_bytes()).hexdigest()
                                             if p.stat().st_size < 4 * MB else None)
        elif p.is_dir():
            out[str(p.relative_to(root)) + "/"] = ()
    return out


@pytest.fixture(autouse=True)
def untouched():
    """Nothing here may change data/raw or the project's reports/."""
    before = (_tree(RAW), _tree(REPORTS))
    yield
    assert (_tree(RAW), _tree(REPORTS)) == before, "data/raw or reports/ changed"


def plan_check(path: Path, **kw) -> Result:
    return run([OPKVAL, "plan", "check", str(path)], **kw)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ----------------------------------------------------------------------- YAML plans

def test_alias_bomb_is_refused_at_once(tmp_path):
    # 9 levels of 9 aliases: ~387 million nodes when expanded (the duplicate-key walk of
    # the issue); 2 KB on disk.
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    r = plan_check(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))
    refused(r, "bomb.yaml", "aliaser", "grænsen er 20.000", seconds=10)


def test_deep_nesting_is_refused_without_recursion_error(tmp_path):
    r = plan_check(write(tmp_path, "deep.yaml", "kommune: Ishøj\nx: " + "[" * 5000
                         + "]" * 5000 + "\n"))
    refused(r, "deep.yaml", "indlejret i mere end 20 niveauer", seconds=10)
    assert "RecursionError" not in r.err


def test_huge_file_is_refused_before_it_is_read(tmp_path):
    p = tmp_path / "huge.yaml"
    with open(p, "wb") as f:
        f.truncate(20 * 1024 * MB)  # 20 GiB, sparse: reading it would exhaust memory
    r = plan_check(p)
    refused(r, "huge.yaml", "20.480,0 MB", "grænsen for en .yaml-plan er 512 KB", seconds=10)


def test_75000_indsatser_are_refused_by_size_and_101_by_count(tmp_path):
    head, item = GOOD.split("indsatser:\n")
    many = head + "indsatser:\n" + "".join(
        item.replace("Meritpædagoguddannelse", f"Indsats {i}") for i in range(75_000))
    refused(plan_check(write(tmp_path, "many.yaml", many)), "many.yaml", "512 KB",
            seconds=10)
    some = head + "indsatser:\n" + "".join(
        item.replace("Meritpædagoguddannelse", f"Indsats {i}") for i in range(101))
    refused(plan_check(write(tmp_path, "some.yaml", some)), "indsatser: har 101 punkter; "
            "grænsen er 100", seconds=15)


@pytest.mark.parametrize("old,new,needles", [
    ("start: 2024-08-01", "start: 2024-02-30", ["indsatser[1].start", "'2024-02-30'",
                                                "er ikke en dato"]),
    ("start: 2024-08-01", "start: 2024-13-01", ["'2024-13-01'", "er ikke en dato"]),
    ("start: 2024-08-01", "start: 1899-08-01", ["indsatser[1].start", "2020–2035"]),
    ("2024: 462000,", "2024: 1" + "0" * 400 + ",", ["budget.2024", "et tal med 401 cifre",
                                                    "over grænsen på 100.000.000 kr."]),
    ("2024: 462000,", "2024: 1.0e+300,", ["budget.2024", "over grænsen"]),
    ("2024: 462000,", "2024: 1.0e300,", ["budget.2024", "hele kroner", "1.0e300"]),
    ("2024: 462000,", "2024: .inf,", ["budget.2024", "hele kroner"]),
    ("deltagere: 8", "deltagere: 1000000", ["deltagere", "1000000",
                                            "over grænsen på 1.000 deltagere"]),
    ("deltagere: 8", "deltagere: " + "9" * 400, ["deltagere", "et tal med 400 cifre"]),
    ("navn: Meritpædagoguddannelse", "navn: " + "M" * 5000,
     ["indsatser[1].navn", "teksten har 5.000 tegn", "grænsen er 120"]),
    ("navn: Meritpædagoguddannelse", "navn: Kursus " + "M" * 60,
     ["indsatser[1].navn", "et ord på 60 tegn", "grænsen er 30"]),
    ("navn: Meritpædagoguddannelse", "navn: " + "Meritpædagog " * 400,
     ["indsatser[1].navn", "grænsen er 120"]),
])
def test_impossible_values_are_named_not_crashed_on(tmp_path, old, new, needles):
    assert old in GOOD
    r = plan_check(write(tmp_path, "plan.yaml", GOOD.replace(old, new, 1)))
    refused(r, "plan.yaml", *needles, seconds=15)
    assert len(r.err) < 1500  # the value is shown as a short excerpt


def test_directory_and_symlink_to_system_file(tmp_path):
    (tmp_path / "mappe.yaml").mkdir()
    refused(plan_check(tmp_path / "mappe.yaml"), "mappe.yaml", "er en mappe")
    target = Path("/etc/passwd")
    if not target.exists() or len(target.read_text().splitlines()) < 3:
        pytest.skip("no multi-line system file to link to")
    second = target.read_text().splitlines()[1]
    (tmp_path / "link.yaml").symlink_to(target)
    r = plan_check(tmp_path / "link.yaml")
    refused(r, "link.yaml")
    assert second not in r.err and len(r.err) < 1000  # never more than a short excerpt


def test_extra_participants_and_years_are_bounded(tmp_path):
    out = tmp_path / "reports"
    for extra, needles in [("meritpaedagog:100000:2026", ["100000", "1–1000"]),
                           ("meritpaedagog:4:9999", ["9999", "2023–2030"]),
                           # Ishøj's plan has 8 merit students (seed 001); 1.008 are more
                           # pædagogmedhjælpere than the kommune has: the share would pass 100 %.
                           ("meritpaedagog:1000:2026", ["1.008 pædagogmedhjælpere",
                                                        "har skønsmæssigt"]),
                           ("meritpaedagog:" + "4" * 400 + ":2026", ["Ugyldigt scenarie"])]:
        r = run([OPKVAL, "report", "--kommune", "Ishøj", "--out", str(out), "--extra", extra])
        refused(r, *needles, seconds=30)
    assert not out.exists()


@pytest.mark.parametrize("args,needles", [
    (["report", "--kommune", "Ishøj", "--year", "-1"], ["rapportåret -1", "2023–2035"]),
    (["report", "--kommune", "Ishøj", "--year", "99999"], ["rapportåret 99999"]),
    # One more than the cores (24 on the 2 cores of the machine).
    (["reports", "--jobs", str(len(os.sched_getaffinity(0)) + 1)], ["mellem 1 og"]),
    (["reports", "--jobs", "0"], ["JOBS=0", "mellem 1 og"]),
    (["reports", "--jobs", "-1"], ["JOBS=-1"]),
    (["report", "--kommune", "x" * 5000], ["Ukendt kommune", "5000 tegn"]),
])
def test_parameters_have_bounds(tmp_path, args, needles):
    r = run([OPKVAL, *args, "--out", str(tmp_path / "reports")])
    refused(r, *needles, seconds=30)
    assert len(r.err.strip().splitlines()) == 1
    assert not (tmp_path / "reports").exists()


# ------------------------------------------------------------------ make: data, not code

@pytest.mark.parametrize("assignment", [
    "KOMMUNE=$(shell touch {x})", "KOMMUNE=$(touch {x})", "KOMMUNE=`touch {x}`",
    "KOMMUNE=x'; touch {x}; echo '", "YEAR=$(shell touch {x})", "EXTRA=$(shell touch {x})",
    "PLAN=$(shell touch {x})", "OUT=$(shell touch {x})", "FORMAT=$(shell touch {x})html",
])
def test_make_never_expands_or_runs_a_parameter(tmp_path, assignment):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    x = tmp_path / "ran"
    arg = assignment.format(x=x)
    extra = [] if arg.startswith("KOMMUNE=") else ["KOMMUNE=Ishoi"]
    r = run(["make", "--no-print-directory", "report", arg, *extra], timeout=120)
    assert not x.exists(), "make or the shell ran a command from a parameter"
    assert r.code != 0 and "Traceback" not in r.err
    if arg.startswith("KOMMUNE=$(") or arg.startswith("KOMMUNE=`"):
        value = arg.split("=", 1)[1]
        assert f"Ukendt kommune '{value[:20]}" in r.err, r.err  # passed on as typed, not empty


def test_make_reports_jobs_is_data(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    x = tmp_path / "ran"
    r = run(["make", "--no-print-directory", "reports", f"JOBS=$(shell touch {x})",
             f"OUT={tmp_path / 'out'}"], timeout=120)
    assert not x.exists() and r.code != 0 and "JOBS" not in r.err or "--jobs" in r.err
    assert "er ikke et antal processer" in r.err and "Traceback" not in r.err


# ------------------------------------------------------------------------- data/raw

def _raw_with(tmp_path: Path, name: str, edit) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    p = raw / name
    p.chmod(0o644)
    p.write_text(edit(p.read_text(encoding="utf-8")), encoding="utf-8")
    return raw


@pytest.mark.parametrize("edit,needles", [
    (lambda t: t.splitlines()[0] + "\n", ["known_allocations.csv", "ingen rækker"]),
    (lambda t: t.replace(",2023,280000,", ',2023,"280.000",', 1),
     ["known_allocations.csv", "linje 2", "beloeb_kr", "'280.000'", "280000"]),
    (lambda t: t.replace(",2023,280000,", ",2023,280000000,", 1),
     ["known_allocations.csv", "linje 2", "261,7 % af hele puljen for 2023"]),
])
def test_known_allocations_are_validated_strictly(tmp_path, edit, needles):
    raw = _raw_with(tmp_path, "known_allocations.csv", edit)
    r = run([OPKVAL, "report", "--kommune", "Ishøj", "--out", str(tmp_path / "reports")],
            env={"OPKVAL_DATA_DIR": str(raw)})
    refused(r, *needles, seconds=30)
    assert not (tmp_path / "reports").exists()


def test_a_byte_order_mark_reads_the_same_everywhere(tmp_path):
    from opkval.inputs.data import load_all
    from opkval.inputs.kommune import KommuneIndex

    raw = _raw_with(tmp_path, "municipalities.csv", lambda t: "\ufeff" + t)
    light = KommuneIndex.from_csv(raw / "municipalities.csv")
    full = KommuneIndex(load_all(raw).municipalities)
    assert [k.slug for k in light] == [k.slug for k in full] and len(full.by_code) == 98
    assert light.resolve("Ishøj").kode == 183


# -------------------------------------------------------------------------- caches

def test_a_validated_cache_entry_that_does_not_match_its_key_is_rebuilt(tmp_path,
                                                                        monkeypatch):
    from opkval.inputs import data as d

    monkeypatch.setattr(d, "VALIDATED_CACHE", tmp_path / "cache")
    d._load_all.cache_clear()
    good = d.load_all(RAW)
    share = good["dagtilbud_kommune_stats.csv"]["pct_paedagoger_2024"].copy()
    entry = next((tmp_path / "cache").glob("*.pickle"))
    blob = entry.read_bytes()
    head = len(d._CACHE_MAGIC) + 128
    tables = pickle.loads(blob[head:])
    tables["dagtilbud_kommune_stats.csv"]["pct_paedagoger_2024"] = 93.9  # loadable, wrong
    entry.write_bytes(blob[:head] + pickle.dumps(tables))
    d._load_all.cache_clear()
    again = d.load_all(RAW)
    assert (again["dagtilbud_kommune_stats.csv"]["pct_paedagoger_2024"] == share).all()
    assert d._read_validated(entry.stem) is not None  # rewritten, and now verifies
    d._load_all.cache_clear()


def test_a_truncated_or_stale_build_notebook_is_rebuilt(tmp_path):
    from opkval.publish.render import NOTEBOOK_SRC, ensure_notebook

    src = tmp_path / NOTEBOOK_SRC.name
    shutil.copy(NOTEBOOK_SRC, src)
    out = ensure_notebook(src, tmp_path / "build")
    cells = len(json.loads(out.read_text("utf-8"))["cells"])
    out.write_bytes(out.read_bytes()[:200])  # truncated, and newer than its source
    os.utime(out, (time.time() + 60, time.time() + 60))
    ensure_notebook(src, tmp_path / "build")
    assert len(json.loads(out.read_text("utf-8"))["cells"]) == cells
    src.write_text(src.read_text("utf-8") + "\n# %%\n1\n", encoding="utf-8")
    os.utime(src, (time.time() - 3600, time.time() - 3600))  # edited, but older on disk
    ensure_notebook(src, tmp_path / "build")
    assert len(json.loads(out.read_text("utf-8"))["cells"]) == cells + 1


# -------------------------------------------------------------------- output folder

def test_an_output_folder_that_is_a_file_or_full_is_named_at_once(tmp_path):
    (tmp_path / "fil").write_text("x")
    for out in (tmp_path / "fil", tmp_path / "fil" / "under"):
        r = run([OPKVAL, "report", "--kommune", "Ishøj", "--out", str(out)])
        refused(r, str(tmp_path / "fil"), "ikke en mappe", seconds=10)
        assert len(r.err.strip().splitlines()) == 1 and ".tmp" not in r.err
        r = run([OPKVAL, "reports", "--kommuner", "Ishøj", "--out", str(out)])
        refused(r, str(tmp_path / "fil"), "ikke en mappe", seconds=10)


def test_full_disk_and_other_file_systems_name_the_folder(tmp_path, monkeypatch):
    import errno

    from opkval.base import fileio

    with pytest.raises(OSError) as e:
        fileio.check_output_dir(tmp_path, need_bytes=1 << 62)
    assert e.value.filename == str(tmp_path) and "MB fri" in e.value.strerror
    # A temp file that cannot be renamed: the error names the file meant, not the temp name.
    target = tmp_path / "note.json"

    def refuse(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device", src)

    monkeypatch.setattr(fileio.os, "replace", refuse)
    with pytest.raises(OSError) as e:
        fileio.atomic_write_bytes(target, b"{}")
    assert e.value.filename == str(target) and e.value.strerror == "disken er fuld"
    assert list(tmp_path.iterdir()) == []  # no temp file left

    def cross(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link", src)

    monkeypatch.setattr(fileio.os, "replace", cross)
    (tmp_path / "a").write_text("a")
    fileio.move(tmp_path / "a", tmp_path / "b")  # falls back to copy and delete
    assert (tmp_path / "b").read_text() == "a" and not (tmp_path / "a").exists()


# ------------------------------------------------- processes: interrupts, orphans, kernels

def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            kids.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(d))
    return kids


def descendants(pid: int) -> set[int]:
    kids, out, todo = _children(), set(), [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def living(pids: set[int]) -> set[int]:
    out = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(p)
    return out


def kernels_of(pids: set[int]) -> set[int]:
    out = set()
    for p in pids:
        try:
            if b"ipykernel" in Path(f"/proc/{p}/cmdline").read_bytes():
                out.add(p)
        except OSError:
            pass
    return out


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([OPKVAL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=PROJECT_ROOT, start_new_session=True)


def wait_for(cond, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def temp_dirs(out: Path) -> list[str]:
    return [p.name for p in out.glob(".*") if p.is_dir()] if out.exists() else []


BATCH = ["reports", "--kommuner", "Ishøj,Fanø,Læsø,Ærø,Samsø", "--year", "2026",
         "--format", "html,pdf", "--jobs", "2"]


def _batch_with_kernels(out: Path) -> tuple[subprocess.Popen, set[int]]:
    p = start([*BATCH, "--out", str(out)])
    # Wait until both workers run a kernel: the moment the orphans were made.
    wait_for(lambda: len(kernels_of(descendants(p.pid))) >= 2, 90, "two kernels")
    return p, descendants(p.pid)


@pytest.mark.slow
@pytest.mark.parametrize("signum,code,name", [(signal.SIGTERM, 143, "SIGTERM"),
                                              (signal.SIGINT, 130, "Ctrl-C (SIGINT)")])
def test_interrupting_a_batch_stops_it_promptly_and_cleanly(tmp_path, signum, code, name):
    out = tmp_path / "reports"
    p, tree = _batch_with_kernels(out)
    t0 = time.monotonic()
    if signum == signal.SIGINT:
        os.killpg(p.pid, signum)  # as a terminal does: the whole process group
    else:
        os.kill(p.pid, signum)
    _, err = p.communicate(timeout=30)
    assert time.monotonic() - t0 < 15
    assert p.returncode == code, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"opkval: afbrudt af {name}") and "af 5 notater bygget" in last
    wait_for(lambda: not living(tree), 10, "workers and kernels to end")
    assert temp_dirs(out) == []  # no partial folder left


@pytest.mark.slow
def test_sigkill_of_a_batch_leaves_no_worker_or_kernel(tmp_path):
    out = tmp_path / "reports"
    p, tree = _batch_with_kernels(out)
    assert len(tree) >= 4  # 2 workers, 2 kernels (and the resource tracker)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate(timeout=30)
    wait_for(lambda: not living(tree), 10, "workers and kernels to end after SIGKILL")
    # The killed workers' temp folders are removed by the next run, which builds all five.
    r = run([OPKVAL, *BATCH, "--out", str(out)], timeout=300)
    assert r.code == 0, r.err[-2000:]
    assert temp_dirs(out) == []
    assert all((out / f"{s}.pdf").exists() for s in ("ishoej", "fanoe", "laesoe", "aeroe",
                                                        "samsoe"))


@pytest.mark.slow
def test_sigterm_of_one_report_cleans_up_and_keeps_the_old_note(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "ishoej.pdf").write_bytes(b"the earlier note")
    p = start(["report", "--kommune", "Ishøj", "--out", str(out)])
    kernel = wait_for(lambda: kernels_of(descendants(p.pid)), 60, "the kernel")
    wait_for(lambda: temp_dirs(out), 60, "the note's temp folder")  # rendering has begun
    os.kill(p.pid, signal.SIGTERM)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 143 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("opkval: afbrudt af SIGTERM")
    wait_for(lambda: not living(kernel), 10, "the kernel to end")
    assert temp_dirs(out) == []
    assert (out / "ishoej.pdf").read_bytes() == b"the earlier note"


@pytest.mark.slow
def test_a_kernel_that_dies_mid_run_is_an_error_within_seconds(tmp_path):
    out = tmp_path / "reports"
    p = start(["report", "--kommune", "Ishøj", "--out", str(out)])
    # The temp folder is made just before the notebook is handed to the kernel.
    wait_for(lambda: temp_dirs(out), 60, "the note's temp folder")
    kernel = wait_for(lambda: kernels_of(descendants(p.pid)), 30, "the kernel")
    time.sleep(0.5)
    t0 = time.monotonic()
    for k in kernel:
        os.kill(k, signal.SIGKILL)
    _, err = p.communicate(timeout=60)
    assert time.monotonic() - t0 < 15
    assert p.returncode == 1 and "Kernen fejlede" in err and "Traceback" not in err, err
    assert not (out / "ishoej.pdf").exists() and temp_dirs(out) == []


@pytest.mark.slow
def test_an_impossible_date_in_one_plan_fails_that_kommune_only(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    bad = GOOD.replace("kommune: Ishøj", "kommune: Læsø").replace("2024-08-01", "2024-02-30")
    (plans / "laesoe.yaml").write_text(bad, encoding="utf-8")
    out = tmp_path / "reports"
    from opkval.app.batch import run as batch

    code = batch(out, jobs=2, formats=("html",), year=2026, only=["laesoe", "fanoe"],
                 plans_dir=plans)
    assert code == 1
    assert (out / "fanoe.html").exists() and not (out / "laesoe.html").exists()
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["kommuner"]["laesoe"]["status"] == "fejl"
    assert "2024-02-30" in manifest["kommuner"]["laesoe"]["fejl"]


@pytest.mark.slow
def test_a_note_cut_between_two_renames_is_known_incomplete_and_rebuilt(tmp_path,
                                                                         monkeypatch, data,
                                                                         index):
    from opkval.app.batch import run as batch
    from opkval.assembly.context import build_context
    from opkval.publish import render

    out = tmp_path / "reports"
    assert batch(out, jobs=1, formats=("html",), year=2026, only=["fanoe"]) == 0
    assert render.note_complete(out, "fanoe")
    before = (out / "fanoe.html").read_bytes()
    real, calls = os.replace, []

    def cut(src, dst):  # the process dies after the first rename of the swap
        if Path(dst).parent == out and not Path(dst).name.startswith("."):
            calls.append(dst)
            if len(calls) == 2:
                raise KeyboardInterrupt
        return real(src, dst)

    ctx = build_context(data, index.resolve("Fanø"), 2027)
    monkeypatch.setattr(render.os, "replace", cut)
    with render.Renderer() as r, pytest.raises(KeyboardInterrupt):
        r.render(ctx, out, formats=("html",))
    monkeypatch.setattr(render.os, "replace", real)
    assert (out / "fanoe.html").read_bytes() == before  # old HTML beside the new notebook
    assert not render.note_complete(out, "fanoe")  # ... and a reader can tell
    assert temp_dirs(out) == []
    r = run([OPKVAL, "reports", "--kommuner", "Fanø", "--year", "2026", "--format", "html",
             "--out", str(out), "--jobs", "1"], timeout=300)
    assert r.code == 0 and "1 af 1 notater bygget" in r.err, r.err[-1500:]
    assert render.note_complete(out, "fanoe")


@pytest.mark.slow
def test_sigkill_of_one_report_takes_its_kernel_along(tmp_path):
    out = tmp_path / "reports"
    p = start(["report", "--kommune", "Ishøj", "--out", str(out)])
    kernel = wait_for(lambda: kernels_of(descendants(p.pid)), 60, "the kernel")
    os.kill(p.pid, signal.SIGKILL)
    p.communicate(timeout=30)
    wait_for(lambda: not living(kernel), 10, "the kernel to end after SIGKILL")


def test_a_zombie_counts_as_ended_for_temp_folder_cleanup():
    """A killed worker whose parent died too may stay a zombie where nothing reaps it; its
    temp folders must still be cleaned up by the next run."""
    from opkval.base.fileio import pid_alive

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child did not end"
        time.sleep(0.05)
    assert not pid_alive(child.pid)  # ended but not reaped: a zombie
    child.wait()
    assert not pid_alive(child.pid)
    assert pid_alive(os.getpid())
