"""All 98 notes at once: compute once, render in parallel, rebuild only what changed.

1. Fingerprint each kommune's inputs (code, data, its plan file, parameters) with hashlib and
   the csv module only, so a run with nothing to do never imports pandas (R0 ≤ 2 s).
2. For the stale kommuner: load and validate the data once, resolve each plan, and build every
   context in this process (the national work is cached on the data object).
3. Render in a pool of worker processes (spawn; one warm kernel and exporter per worker).
   One kommune failing never stops the rest; failures are summarised and the run exits 1.
4. Rebuild ``index.html`` and the national overview when any note changed, and write
   ``manifest.json`` (run manifest plus each output's fingerprint, status and the size and
   modification time of each of its files: a note whose files differ from the record, such
   as one cut between two renames, is rebuilt).

Ctrl-C or SIGTERM stops the run at once: the workers are killed (their kernels die with
them, :func:`opkval.base.fileio.die_with_parent`), their temp folders removed, the notes already
built are recorded, and one line says how many were built.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import re
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opkval import PROJECT_ROOT
from opkval.base.errors import OpkvalError, ReportError

if TYPE_CHECKING:
    from opkval.assembly.context_types import Manifest
    from opkval.assembly.national_types import NationalContext

MANIFEST = "manifest.json"
CODE_PATTERNS = ("opkval/**/*.py", "opkval/config/*.yaml", "opkval/templates/**/*",
                 "notebooks/*.py")


@dataclass(frozen=True)
class Target:
    kode: int
    navn: str
    slug: str
    plan_file: Path | None


@dataclass
class Outcome:
    slug: str
    navn: str
    ok: bool
    seconds: float = 0.0
    step: str = ""
    error: str = ""
    files: dict = field(default_factory=dict)
    #: SHA-256 of each file the worker wrote, computed by the worker right after writing:
    #: what this run made, not what another command may have put there since.
    hashes: dict = field(default_factory=dict)


def _sha256_files(paths: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(root)).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def code_hash(root: Path = PROJECT_ROOT) -> str:
    files = {p for pat in CODE_PATTERNS for p in root.glob(pat)
             if p.is_file() and "__pycache__" not in p.parts}
    return _sha256_files(list(files), root)


#: Suffixes of the files a plan may name next to it (notat.logo, forrige).
_SIBLING_SUFFIXES = (".png", ".svg", ".yaml", ".yml", ".xlsx", ".ods")
_NAMED = re.compile(r"(?:^|[\s{,])(logo|forrige)[ \t]*:[ \t]*(['\"]?)([^'\",}\n]*?)\2[ \t]*"
                    r"(?=$|[,}])")
_COMMENT = re.compile(r"(?:^|[ \t])#.*$")


def _named_siblings(plan_file: Path, content: bytes) -> tuple[list[str], bool]:
    """The file names a plan gives for ``notat.logo`` and ``forrige`` (and whether forrige is
    ``git``), without importing the plan module: for YAML the block-style keys as written
    (a name in a comment or another field is not one); a workbook's cells are zipped, so for
    it every sibling of a type a plan may name counts (by its stat, never read)."""
    if plan_file.suffix.lower() in (".yaml", ".yml"):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return [], False
        names = [m.group(3).strip() for line in text.splitlines()
                 for m in _NAMED.finditer(_COMMENT.sub("", line))]
        uses_git = "git" in names
        return [nm for nm in names if nm and nm != "git"], uses_git
    try:
        siblings = [p.name for p in plan_file.parent.iterdir()
                    if p != plan_file and p.suffix.lower() in _SIBLING_SUFFIXES]
    except OSError:
        siblings = []
    return sorted(siblings), True


def _plan_inputs(plan_file: Path, content: bytes) -> bytes:
    """What else a plan's note depends on: the files next to it that it names (its logo, its
    previous plan) and, for ``forrige: git``, the file's last commit. Found without parsing
    the plan (a run with nothing to do stays quick). Each file is checked with ``stat`` first
    (a FIFO, a device or a file over 20 MB is recorded by its stat, never read) and hashed in
    blocks; a workbook plan's siblings by their stat only."""
    import stat as st_

    from opkval.base.fileio import file_sha256

    names, uses_git = _named_siblings(plan_file, content)
    extra = []
    hash_them = plan_file.suffix.lower() in (".yaml", ".yml")
    for name in names:
        if "/" in name or name in (".", ".."):
            continue  # validation refuses it; nothing to read
        p = plan_file.parent / name
        try:
            s = p.stat()
        except OSError as e:
            extra.append(f"{name}:{e.errno}".encode())
            continue
        sig = f"{name}:{s.st_mode}:{s.st_size}:{s.st_mtime_ns}:{s.st_ino}".encode()
        if hash_them and st_.S_ISREG(s.st_mode) and s.st_size <= 20 * 1024 * 1024:
            try:
                sig += b":" + file_sha256(p).encode()
            except OSError:
                pass
        extra.append(sig)
    if uses_git:
        import subprocess

        from opkval.base.fileio import git_safely

        try:
            r = git_safely(plan_file.parent, "rev-list", "-1", "HEAD", "--", plan_file.name)
            extra.append(r.stdout)
        except (OSError, subprocess.TimeoutExpired):
            pass
    return b"\0".join(extra)


def fingerprints(targets: list[Target], base: str) -> dict[str, str]:
    out = {}
    for t in targets:
        h = hashlib.sha256(base.encode())
        if t.plan_file:
            content = t.plan_file.read_bytes()
            h.update(content)
            h.update(_plan_inputs(t.plan_file, content))
        else:
            h.update(b"no plan")
        out[t.slug] = h.hexdigest()
    return out


def _read_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _stats(out_dir: Path, names: list[str]) -> dict[str, list[int]]:
    out = {}
    for n in names:
        try:
            st = (out_dir / n).stat()
        except OSError:
            continue
        out[n] = [st.st_size, st.st_mtime_ns]
    return out


def note_names(slug: str, formats: tuple[str, ...]) -> list[str]:
    """A note's files in these formats: its JSON, the bilag's and the analysis's files
    (``<slug>.pdf``, ``<slug>-analyse.pdf``, ...) and, with docx, the agenda item's."""
    names = [f"{slug}.json"]
    for suffix in ("", "-analyse"):
        names += [f"{slug}{suffix}.{ext}" for ext in formats if ext in ("html", "pdf", "docx")]
    if "docx" in formats:
        names += [f"{slug}-dagsordenspunkt.{ext}" for ext in ("docx", "txt")]
    return names


def _current(entry: dict | None, fp: str, out_dir: Path, names: list[str]) -> bool:
    """The recorded build of these inputs, with each file as that build left it."""
    if not (entry and entry.get("fingerprint") == fp and entry.get("status") == "ok"):
        return False
    recorded = entry.get("stat")
    if recorded is None:  # a manifest from before file stats were recorded
        return all((out_dir / n).exists() for n in names)
    now = _stats(out_dir, names)
    if not (len(now) == len(names) and all(recorded.get(n) == v for n, v in now.items())):
        return False
    # The note's own JSON (small) must be the one this batch's worker wrote: a `make report`
    # that wrote the folder in between leaves other bytes, and the note is built again.
    hashes = entry.get("sha256") or {}
    json_name = next((n for n in names if n.endswith(".json")), None)
    if json_name and json_name in hashes:
        from opkval.base.fileio import file_sha256

        try:
            return file_sha256(out_dir / json_name) == hashes[json_name]
        except OSError:
            return False
    return True


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Progress:
    """A progress bar in a terminal, plain log lines otherwise (CI)."""

    def __init__(self, total: int, stream=None):
        # sys.stderr as it is now, not as it was when the module loaded (a test may swap it).
        stream = sys.stderr if stream is None else stream
        self.total, self.done, self.stream = total, 0, stream
        self.bar = None
        if stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=stream, unit="notat", dynamic_ncols=True)

    def update(self, o: Outcome) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(f"{o.navn}: {'ok' if o.ok else 'FEJL'}")
            self.bar.update(1)
        else:
            status = f"ok ({o.seconds:.1f} s)" if o.ok else f"FEJL i {o.step}"
            print(f"[{self.done:>3}/{self.total}] {o.navn}: {status}", file=self.stream,
                  flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ------------------------------------------------------------------------------------ workers

_WORKER: dict = {}


_STARTED = None  # the queue a worker names each task on as it starts it


def _worker_init(parent: int | None = None, started=None) -> None:
    from multiprocessing.util import Finalize

    from opkval.base.fileio import die_with_parent
    from opkval.publish.render import Renderer

    # Ctrl-C reaches the whole process group: the parent alone decides what stops. If the
    # parent ends in any way, this worker is killed, and its kernel with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked while spawned
    die_with_parent()
    global _STARTED
    _STARTED = started
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    try:
        _WORKER["renderer"] = renderer = Renderer().start()
    except Exception as e:  # e.g. the kernel cannot start: each task reports it
        _WORKER["error"] = f"{type(e).__name__}: {e}"
        return
    # Pool workers exit without atexit; a Finalize shuts the warm kernel down cleanly.
    Finalize(renderer, renderer.close, exitpriority=10)


def _worker_render(task: tuple[str, dict, str, tuple[str, ...]]) -> Outcome:
    from opkval.publish.site import render_overview

    kind, ctx, out_dir, formats = task
    overview = kind == "landsoversigt"
    slug, navn = _task_name(task)
    if _STARTED is not None:
        _STARTED.put((os.getpid(), slug))  # if this worker dies, the parent knows the note
    if "error" in _WORKER:
        return Outcome(slug, navn, False, step="kerne", error=_WORKER["error"])
    renderer = _WORKER["renderer"]
    t0 = time.perf_counter()
    try:
        files = (render_overview(ctx, Path(out_dir), formats, renderer) if overview
                 else renderer.render(ctx, Path(out_dir), formats))
    except ReportError as e:
        return Outcome(slug, navn, False, time.perf_counter() - t0, "notebook", str(e))
    except OSError as e:  # the output folder: named, with the cause
        from opkval.base.fileio import reason

        return Outcome(slug, navn, False, time.perf_counter() - t0, "skrivning",
                       f"{e.filename or out_dir}: {reason(e)}")
    except Exception as e:  # rendering (HTML/PDF) failed: report it, keep going
        return Outcome(slug, navn, False, time.perf_counter() - t0, "rendering",
                       f"{type(e).__name__}: {str(e)[:300]}")
    from opkval.base.fileio import file_sha256

    written = list(files.written())
    return Outcome(slug, navn, True, time.perf_counter() - t0,
                   files={_file_key(f): f.name for f in written},
                   hashes={f.name: files.sha256.get(f.name) or file_sha256(f)
                           for f in written if f.exists()})


def _file_key(f: Path) -> str:
    """A note's file in the manifest: 'html', 'analyse.pdf', 'dagsordenspunkt.docx', ..."""
    for part in ("dagsordenspunkt", "analyse"):
        if f.stem.endswith(f"-{part}"):
            return f"{part}.{f.suffix[1:]}"
    return f.suffix[1:]


# ---------------------------------------------------------------------------------- the run

def run(out_dir: Path, *, jobs: int = 2, formats: tuple[str, ...] = ("html", "pdf", "docx"),
        year: int = 0, only: list[str] | None = None, force: bool = False,
        plans_dir: Path | None = None) -> int:
    """Build the notes (and index and overview) that are not current. Returns the exit code."""
    from opkval import default_raw_dir
    from opkval.inputs.plan import PLANS_DIR

    t0 = time.perf_counter()
    raw_dir = default_raw_dir().resolve()
    plans_dir = Path(plans_dir or PLANS_DIR).resolve()
    from opkval.base.fileio import check_output_dir

    out_dir = Path(out_dir).resolve()
    check_output_dir(out_dir)  # creatable, writable, room for notes: else one message now
    from opkval.base.fileio import output_lock

    with output_lock(out_dir):  # one command writes a folder at a time (make report is refused)
        return _run_locked(out_dir, t0, raw_dir, plans_dir, jobs=jobs, formats=formats,
                           year=year, only=only, force=force)


def _run_locked(out_dir: Path, t0: float, raw_dir: Path, plans_dir: Path, *, jobs: int,
                formats: tuple[str, ...], year: int, only: list[str] | None,
                force: bool) -> int:
    from opkval.inputs.kommune import KommuneIndex
    from opkval.inputs.plan import plan_file_for
    from opkval.publish.render import remove_stale_temp_dirs

    remove_stale_temp_dirs(out_dir)  # left by a run that was killed (SIGKILL)
    year = year or dt.date.today().year

    all_targets = [Target(k.kode, k.navn, k.slug, plan_file_for(k.slug, plans_dir))
                   for k in KommuneIndex.from_csv(raw_dir / "municipalities.csv")]
    targets = all_targets
    if only:
        wanted = set(only)
        targets = [t for t in all_targets if t.slug in wanted]
    data_hash = _sha256_files(sorted(raw_dir.glob("*.csv")), raw_dir)
    base = json.dumps({"code": code_hash(), "data": data_hash, "year": year,
                       "formats": list(formats)}, sort_keys=True)
    fps = fingerprints(targets, base)
    old = _read_manifest(out_dir)
    old_k = old.get("kommuner", {})
    stale = [t for t in targets if force or not _current(
        old_k.get(t.slug), fps[t.slug], out_dir, note_names(t.slug, formats))]
    site_fp = _site_fingerprint(base, old_k)
    site_names = ["index.html", "landsoversigt.json",
                  *(f"landsoversigt.{f}" for f in formats if f in ("html", "pdf")),
                  "landsoversigt.xlsx", "landsoversigt.csv"]  # opkval.publish.export
    site_stale = force or bool(stale) or not _current(old.get("landsoversigt"), site_fp,
                                                      out_dir, site_names)
    if not stale and not site_stale:
        log(f"opkval: alle {len(targets)} notater, index og landsoversigt er opdaterede "
            f"({time.perf_counter() - t0:.2f} s).")
        return 0

    from opkval.publish.site import write_index

    outcomes: list[Outcome] = []
    try:
        overview, nctx = _build(stale, out_dir, formats, year, jobs, raw_dir, outcomes)
    except KeyboardInterrupt as e:  # Interrupted too: record what was built, say so, stop
        done = [o for o in outcomes if o.ok]
        if outcomes:
            _write_manifest(out_dir, _merge_manifest(old, outcomes, fps, old.get("run", {}),
                                                     out_dir, formats))
        name = getattr(e, "name", "Ctrl-C")
        e.summary = (f"opkval: afbrudt af {name} efter {time.perf_counter() - t0:.0f} s: "
                     f"{len(done)} af {len(stale)} notater bygget, {len(stale) - len(done)} "
                     "ikke; index og landsoversigt er ikke opdateret. Ingen halve filer er "
                     "efterladt; make reports bygger resten.")
        raise
    manifest = _merge_manifest(old, outcomes, fps, nctx["manifest"], out_dir, formats)
    failures = [o for o in (*outcomes, overview) if not o.ok]
    site_fp = _site_fingerprint(base, manifest["kommuner"])
    write_index(nctx, out_dir, formats)  # last: it links the notes that now exist
    manifest["landsoversigt"] = {"fingerprint": site_fp,
                                 "status": "ok" if overview.ok else "fejl",
                                 "stat": _stats(out_dir, site_names) if overview.ok else {}}
    _write_manifest(out_dir, manifest)

    ok = sum(o.ok for o in outcomes)
    log(f"opkval: {ok} af {len(stale)} notater bygget, {len(targets) - len(stale)} var "
        f"opdaterede; {time.perf_counter() - t0:.1f} s i alt.")
    if failures:
        log(f"opkval: {len(failures)} fejl:")
        for o in failures:
            log(f"  - {o.navn} ({o.step}): {o.error}")
        return 1
    return 0


def _build(stale: list[Target], out_dir: Path, formats: tuple[str, ...], year: int,
           jobs: int, raw_dir: Path, outcomes: list[Outcome]) -> tuple[Outcome, NationalContext]:
    """Contexts for the stale notes and the overview, then render all of them in the pool.

    Each note's outcome is appended to `outcomes` as it comes (an interrupted run still knows
    which notes it built)."""
    # The workers start first (each imports opkval and starts a warm kernel: a second or two
    # of CPU), so that they boot while this process reads the data and computes the contexts
    # (:func:`_build_with`), instead of after. A no-op task per worker makes the pool spawn
    # them now.
    ctx_mp = mp.get_context("spawn")
    started = ctx_mp.SimpleQueue()
    executor = _pool(min(jobs, len(stale) + 1), ctx_mp, started)
    try:
        try:
            with _spawning():
                for _ in range(min(jobs, len(stale) + 1)):
                    executor.submit(_worker_ready)
        except _POOL_BROKEN:
            pass  # a worker died at once: _build_with's submit sees it and starts a new pool
        return _build_with(executor, ctx_mp, started, stale, out_dir, formats, year, jobs,
                           raw_dir, outcomes)
    except BaseException:
        _stop_workers(executor, out_dir)  # a no-op when the pool has ended normally
        raise


#: What ``submit`` raises when the pool broke: a worker died (BrokenProcessPool), or died
#: while the next was being spawned (CPython's spawn then fails with ValueError or OSError).
_POOL_BROKEN = (BrokenProcessPool, ValueError, OSError)


@contextlib.contextmanager
def _spawning():
    """SIGINT blocked while workers are spawned (a submit may spawn one): they inherit the
    mask, so a Ctrl-C before :func:`_worker_init` ignores it cannot end one with a traceback;
    this process gets its own Ctrl-C as soon as the mask is restored."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _pool(workers: int, ctx_mp, started) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max(1, workers), mp_context=ctx_mp, initializer=_worker_init,
                               initargs=(os.getpid(), started))


def _worker_ready() -> None:
    """Nothing: submitted once per worker to make the pool start them ahead of the notes."""


def _build_with(executor: ProcessPoolExecutor | None, ctx_mp, started,
                stale: list[Target], out_dir: Path, formats: tuple[str, ...], year: int,
                jobs: int, raw_dir: Path,
                outcomes: list[Outcome]) -> tuple[Outcome, NationalContext]:
    from opkval.assembly.context import manifest, note_context
    from opkval.assembly.national import national_context, note_summary
    from opkval.inputs.config import load_config, load_maal, load_rules
    from opkval.inputs.data import load_all
    from opkval.inputs.kommune import KommuneIndex
    from opkval.inputs.plan import PlanError

    # The configuration is read once, here, and every note and the overview get it.
    cfg, rules, maal = load_config(), load_rules(), load_maal()
    data = load_all(raw_dir)
    index = KommuneIndex(data.municipalities)
    run_manifest = manifest(data)
    from opkval.assembly.context import build_time

    generated_at = build_time()
    tasks: list[tuple[str, Any, str, tuple[str, ...]]] = []  # a note's or the overview's
    summaries = {}
    t_ctx = time.perf_counter()
    for t in stale:
        kommune = index.by_code[t.kode]
        try:
            ctx = note_context(data, kommune, year=year, plan_path=t.plan_file,
                               generated_at=generated_at, run_manifest=run_manifest, index=index,
                               cfg=cfg, rules=rules, maal=maal)
        except PlanError as e:
            outcomes.append(Outcome(t.slug, t.navn, False, step="lokal plan", error=str(e)))
            summaries[t.slug] = {}
            continue
        except OpkvalError as e:
            outcomes.append(Outcome(t.slug, t.navn, False, step="beregning", error=str(e)))
            summaries[t.slug] = {}
            continue
        except Exception as e:  # any other error in one kommune stops that kommune only
            outcomes.append(Outcome(t.slug, t.navn, False, step="beregning",
                                    error=f"uventet fejl ({type(e).__name__}: {str(e)[:300]})"))
            summaries[t.slug] = {}
            continue
        summaries[t.slug] = note_summary(ctx)
        tasks.append(("note", ctx, str(out_dir), formats))
    nctx = national_context(data, out_dir, year, generated_at, summaries, run_manifest,
                            cfg=cfg, rules=rules, maal=maal)
    # The overview goes first: it is the longest single task, so it never runs alone at the end.
    tasks.insert(0, ("landsoversigt", nctx, str(out_dir), formats))
    log(f"opkval: {len(tasks) - 1} kontekster og landsoversigten beregnet på "
        f"{time.perf_counter() - t_ctx:.1f} s; renderer med {jobs} processer ...")
    progress = Progress(len(stale))
    for o in outcomes:
        progress.update(o)
    overview = Outcome("landsoversigt", "Landsoversigt", False, step="landsoversigt",
                       error="ikke kørt")
    # ProcessPoolExecutor, not multiprocessing.Pool: a worker that dies (out of memory, a crash
    # in a C library, a kill) breaks the pool with an error instead of leaving the run waiting
    # forever. Each worker says which task it starts; when the pool breaks, the notes that
    # were running fail ("arbejdsproces") and a new pool builds the rest.
    pending = list(tasks)
    breaks = 0
    try:
        while pending:
            if executor is None:  # after a broken pool: a new one for the rest
                executor = _pool(min(jobs, len(pending)), ctx_mp, started)
            try:
                broken = False
                try:
                    with _spawning():
                        futures = {executor.submit(_worker_render, task): task
                                   for task in pending}
                except _POOL_BROKEN:  # a worker died while the pool started
                    futures, broken = {}, True
                procs = dict(getattr(executor, "_processes", None) or {})
                finished: set[str] = set()
                for future in as_completed(futures):
                    task = futures[future]
                    try:
                        o = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except Exception as e:  # anything the worker could not send back
                        slug, navn = _task_name(task)
                        o = Outcome(slug, navn, False, step="arbejdsproces",
                                    error=f"processen stoppede uventet ({type(e).__name__})")
                    finished.add(o.slug)
                    if o.slug == "landsoversigt":
                        overview = o
                        continue
                    outcomes.append(o)
                    progress.update(o)
                if not broken:
                    executor.shutdown(wait=True)  # normal exit: finalizers stop the kernels
                    break
            except BaseException:
                _stop_workers(executor, out_dir)
                raise
            # Which worker died on its own (killed, out of memory, a crash: not the SIGTERM the
            # pool then sends the others), and the note it had started last.
            # The pool ends the other workers and reaps them in its own thread: wait (≤ 5 s)
            # until every exit code is known, so the dead one is told from the ended ones.
            deadline = time.monotonic() + 5
            while any(proc.exitcode is None for proc in procs.values()) \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            died = {pid for pid, proc in procs.items()
                    if proc.exitcode not in (None, 0, -signal.SIGTERM)}
            _stop_workers(executor, out_dir)
            executor = None
            breaks += 1
            last: dict[int, str] = {}
            while not started.empty():
                pid, slug = started.get()
                last[pid] = slug
            unfinished = [t for t in pending if _task_name(t)[0] not in finished]
            running = {last[pid] for pid in died if pid in last} or (
                set(last.values()) if breaks >= 2 else set())
            # The note that was running in the dead worker fails; the rest go to a new pool.
            # If none is known (it died before saying), all unfinished fail after three breaks.
            dead = [t for t in unfinished if _task_name(t)[0] in running] or (
                unfinished if breaks >= 3 else [])
            for task in dead:
                slug, navn = _task_name(task)
                o = Outcome(slug, navn, False, step="arbejdsproces",
                            error="arbejdsprocessen stoppede uventet under dette notat (fx "
                                  "slået ned eller løbet tør for hukommelse); de andre notater "
                                  "er bygget af en ny proces")
                if slug == "landsoversigt":
                    overview = o
                else:
                    outcomes.append(o)
                    progress.update(o)
            pending = [t for t in unfinished if t not in dead]
            if pending:
                log(f"opkval: en arbejdsproces stoppede uventet; starter en ny til de "
                    f"{len(pending)} resterende opgaver ...")
    finally:
        progress.close()
    failed = {o.slug: o.step for o in outcomes if not o.ok}
    for row in nctx["kommuner"]:  # the index marks them; any earlier note is shown as older
        if row["slug"] in failed:
            row["fejl"] = failed[row["slug"]]
    return overview, nctx


def _stop_workers(executor: ProcessPoolExecutor, out_dir: Path) -> None:
    """Stop at once: cancel what has not started, kill the workers (their kernels die with
    them) and remove the temp folders they leave in `out_dir`."""
    from opkval.publish.render import remove_stale_temp_dirs

    procs = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.kill()
        except (OSError, ValueError, AttributeError):
            pass
    for p in procs:
        try:
            p.join(timeout=5)
        except (OSError, ValueError, AssertionError, AttributeError):
            pass
    remove_stale_temp_dirs(out_dir, pids={p.pid for p in procs if p.pid})


def _task_name(task: tuple) -> tuple[str, str]:
    kind, ctx = task[0], task[1]
    if kind == "landsoversigt":
        return "landsoversigt", "Landsoversigt"
    return ctx["kommune"]["slug"], ctx["kommune"]["navn"]


def _site_fingerprint(base: str, kommuner: dict) -> str:
    """The index and overview depend on every note: on the fingerprints of all of them."""
    return hashlib.sha256((base + "".join(sorted(
        e.get("fingerprint", "") for e in kommuner.values()))).encode()).hexdigest()


def _merge_manifest(old: dict, outcomes: list[Outcome], fps: dict[str, str],
                    run_manifest: Manifest, out_dir: Path, formats: tuple[str, ...]) -> dict:
    kommuner = dict(old.get("kommuner", {}))
    for o in outcomes:
        names = [f"{o.slug}.ipynb", *note_names(o.slug, formats)]
        kommuner[o.slug] = {"navn": o.navn, "fingerprint": fps.get(o.slug, ""),
                            "status": "ok" if o.ok else "fejl", "trin": o.step,
                            "fejl": o.error, "filer": o.files, "sekunder": round(o.seconds, 2),
                            "stat": _stats(out_dir, names) if o.ok else {},
                            "sha256": o.hashes if o.ok else {}}
    return {"run": run_manifest,
            "kommuner": dict(sorted(kommuner.items())),
            "landsoversigt": old.get("landsoversigt", {})}


def _write_manifest(out_dir: Path, manifest: dict) -> None:
    from opkval.assembly.context import write_json

    write_json(manifest, out_dir / MANIFEST)
