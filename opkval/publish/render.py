"""Render one kommune's note: papermill executes the notebook once, and each document it shows
is written as HTML (nbconvert), PDF and Word (from the document blocks, :mod:`opkval.base.doc`).

A kommune's notebook shows two documents: the cell tagged ``bilag`` the council's bilag
(``<slug>.html``, ``.pdf``, ``.docx``) and the cell tagged ``analyse`` the analysis
(``<slug>-analyse.html``, ``.pdf``, ``.docx``). :func:`render_document` writes any document
(blocks or a notebook) the same way.

All outputs are written under temporary names and swapped in only when every step succeeded,
so a failed run never leaves a half-written report behind. The swap is one rename per file;
``<slug>.json`` goes last and lists the SHA-256 of the note's other files, so a reader that
finds files which do not match it (a kill between two renames) knows the note is incomplete:
:func:`note_complete`. ``opkval reports`` rebuilds such a note.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from opkval import PROJECT_ROOT, TEMPLATE_DIR
from opkval.assembly.context import write_json
from opkval.base import doc
from opkval.base.errors import ReportError
from opkval.base.fileio import (
    atomic_write_bytes,
    die_with_parent,
    file_sha256,
    move,
    named,
    pid_alive,
)

NOTEBOOK_SRC = PROJECT_ROOT / "notebooks" / "kommune_rapport.py"
BUILD_DIR = PROJECT_ROOT / "build"
KERNEL = "python3"
EXECUTION_TIMEOUT_S = 300
FORMATS = ("html", "pdf", "docx")
#: The agenda item's files: <stem>-dagsordenspunkt.docx and .txt (made with the docx format).
AGENDA_SUFFIX = "-dagsordenspunkt"


#: The analysis's files: <stem>-analyse.html, .pdf, .docx.
ANALYSE_SUFFIX = "-analyse"


@dataclass(frozen=True)
class Part:
    """One document an executed notebook shows: the outputs of the cells tagged ``tag`` (of
    every cell when ``tag`` is ""), written to ``<slug><suffix>.html/.pdf/.docx``."""

    tag: str
    suffix: str
    title: str
    kind: str
    #: The running header's lines (kommune, bilag number, header fields).
    header: tuple[str, ...] = ()
    #: The files' author (the plan's afsender, or the kommune).
    author: str = ""


@dataclass(frozen=True)
class ReportFiles:
    """A note's files: ``html``, ``pdf`` and ``docx`` are the bilag's (or the one document's),
    ``analyse_*`` the analysis's; None where the format was not asked for."""

    ipynb: Path
    html: Path | None
    pdf: Path | None
    json: Path
    docx: Path | None = None
    agenda_docx: Path | None = None
    agenda_txt: Path | None = None
    analyse_html: Path | None = None
    analyse_pdf: Path | None = None
    analyse_docx: Path | None = None
    #: Each written file's SHA-256 by file name (the JSON lists the others; the batch's
    #: manifest records all of them): hashed once, when the note is made.
    sha256: dict[str, str] = field(default_factory=dict, compare=False)

    def written(self) -> list[Path]:
        return [f for f in (self.html, self.pdf, self.docx, self.analyse_html, self.analyse_pdf,
                            self.analyse_docx, self.agenda_docx, self.agenda_txt, self.json)
                if f]


def ensure_notebook(src: Path = NOTEBOOK_SRC, build_dir: Path = BUILD_DIR) -> Path:
    """The executable ``.ipynb`` for a jupytext ``.py`` notebook.

    Verified, not trusted: the built notebook records the SHA-256 of the source it was made
    from, and is rebuilt when it does not parse, lacks that record or records another source
    (stale, truncated, or edited by hand), whatever the modification times say."""
    out = build_dir / (src.stem + ".ipynb")
    source = src.read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    if _built_from(out) != digest:
        import jupytext

        build_dir.mkdir(parents=True, exist_ok=True)
        nb = jupytext.read(src)
        nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3",
                                     "language": "python"}
        nb.metadata["opkval"] = {"source_sha256": digest}
        atomic_write_bytes(out, jupytext.writes(nb, fmt="ipynb").encode("utf-8"))
    return out


def _built_from(nb_path: Path) -> str | None:
    """The source hash a built notebook records, or None if it is missing or unreadable."""
    try:
        nb = json.loads(nb_path.read_bytes())
        if not isinstance(nb.get("cells"), list) or not nb["cells"]:
            return None
        return nb["metadata"]["opkval"]["source_sha256"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def note_complete(out_dir: Path, slug: str) -> bool:
    """True when ``<slug>.json`` lists the note's files and each file has the hash listed
    (the files of one run, all swapped in)."""
    try:
        listed = json.loads((Path(out_dir) / f"{slug}.json").read_bytes())["filer_sha256"]
        return bool(listed) and all(file_sha256(Path(out_dir) / name) == digest
                                    for name, digest in listed.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


ENGINE = "opkval-warm"
PREWARM = ("import opkval.sections.charts, opkval.assembly.context, opkval.sections.present, "
           "opkval.sections.present_gaps, opkval.sections.present_notat, "
           "opkval.sections.present_plan, opkval.sections.present_bilag; "
           # matplotlib is imported on the first chart (the parent never draws): here.
           "opkval.sections.charts._mpl()")
#: Between notes: drop the notebook's variables (like %reset, without its full gc.collect).
CLEAR_NAMESPACE = (
    "_ip, _k = get_ipython(), None\n"
    "for _k in [k for k in _ip.user_ns if not k.startswith('_') and k not in _ip.user_ns_hidden]:\n"
    "    del _ip.user_ns[_k]\n"
    "del _ip, _k\n")


@lru_cache(maxsize=1)
def _register_engine() -> None:
    """A papermill engine that runs notebooks in a kernel and client it is given.

    The Renderer owns both and keeps them across notes; after each notebook the engine clears
    the kernel's namespace, so no state leaks from one kommune to the next (imported modules
    stay loaded, which is the point). `ready` returns the client once the kernel answers: it is
    called after papermill has prepared the notebook, so that work overlaps the kernel's start.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, km=None, ready=None,
                                     clear_namespace=True, **kwargs):
            for unused in ("cwd", "input_path", "timeout", "startup_timeout"):
                kwargs.pop(unused, None)  # cwd: the warm kernel already runs in its own dir
            client = PapermillNotebookClient(
                nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
            client.kc = kc = ready()  # the renderer's client, reused across notebooks
            try:
                return client.execute()
            finally:
                if clear_namespace:
                    with contextlib.suppress(Exception):
                        kc.execute_interactive(CLEAR_NAMESPACE, timeout=30)

    papermill_engines.register(ENGINE, WarmKernelEngine)
    # nbclient logs a dead kernel through papermill's logger before raising; the raise
    # becomes opkval's one message, so the log line would only say it twice.
    import logging

    logger.setLevel(logging.CRITICAL)


class Renderer:
    """Executes and renders notes with one warm kernel and one HTML exporter.

    ``start()`` launches the kernel and asks it to import opkval's display modules without
    waiting, so the kernel warms up while the caller loads data. Use as a context manager.
    """

    def __init__(self, *, single_use: bool = False):
        #: One note only: the kernel is shut down (in the background) as soon as the notebook
        #: has run, so its shutdown overlaps the HTML and PDF instead of following them.
        self.single_use = single_use
        self._closer: threading.Thread | None = None
        self._km = None
        self._kc = None
        self._ready = False
        self._exporter = None
        self._preload: threading.Thread | None = None
        self._html_ready = threading.Event()
        #: Preload the Word writer too (set when a note with the docx format is rendered).
        self._word = False

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> Renderer:
        if self._closer is not None or (self._km is not None and not self._km.is_alive()):
            self.close()  # a single-use kernel on its way out, or a dead one: then anew
        if self._km is not None:
            return self
        from jupyter_client.manager import KernelManager

        self._km = KernelManager(kernel_name=KERNEL)
        try:
            # preexec_fn: the kernel ends when this process ends, even by SIGKILL. No SQLite
            # history and no capture of the process's file descriptors (a thread and a pipe
            # for output that C code would write; the notes' cells print nothing): a twentieth
            # of the kernel's CPU a note.
            self._km.start_kernel(extra_arguments=["--IPKernelApp.log_level=ERROR",
                                                   "--HistoryManager.enabled=False",
                                                   "--IPKernelApp.capture_fd_output=False"],
                                  cwd=str(BUILD_DIR if BUILD_DIR.exists() else PROJECT_ROOT),
                                  preexec_fn=die_with_parent)
        except Exception as e:
            self._km = None
            raise ReportError(f"Jupyter-kernen '{KERNEL}' kunne ikke startes ({e}). Kør "
                              "'make venv' (eller slet .venv og kør igen).") from None
        # The client papermill will use, connected now: the prewarm request waits in its
        # socket until the kernel is up. (A client closed at once would drop it: its sockets
        # close with linger 0, and the kernel would import everything in the first cell.)
        self._kc = self._km.client()
        # No heartbeat channel: its thread opens its socket late and can race a quick close
        # (a plan error right after start); liveness comes from the KernelManager instead.
        self._kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=True)
        # Without the heartbeat the client would call the kernel alive forever. And with a
        # blocking client nbclient waits for output with no timeout, in the one thread that
        # would notice a dead kernel: so every wait is cut into 1 s slices that each check
        # that the kernel process lives. A kernel that dies is an error within seconds.
        self._kc.is_alive = self._kernel_alive
        for channel in (self._kc.iopub_channel, self._kc.shell_channel):
            channel.get_msg = self._watched(channel.get_msg)
        self._kc.execute(PREWARM, silent=True, store_history=False)
        self._ready = False
        return self

    def _watched(self, get_msg):
        import queue

        def get_msg_while_alive(timeout: float | None = None):
            end = None if timeout is None else time.monotonic() + timeout
            while True:
                step = 1.0 if end is None else max(0.0, min(1.0, end - time.monotonic()))
                try:
                    return get_msg(timeout=step)
                except queue.Empty:
                    if not self._kernel_alive():
                        from nbclient.exceptions import DeadKernelError

                        raise DeadKernelError("Kernel died") from None
                    if end is not None and time.monotonic() >= end:
                        raise

        return get_msg_while_alive

    def _kernel_alive(self) -> bool:
        process = getattr(getattr(self._km, "provisioner", None), "process", None)
        return process is not None and process.poll() is None

    def _client(self):
        """The kernel client papermill uses: made ready once per kernel."""
        if not self._ready:
            self._wait_for_ready(timeout=60)
            self._ready = True
            # The kernel has read its connection file (ports and key): remove it now, so a
            # worker that is killed later (make reports stops its pool so) leaves none in /tmp.
            if self._km is not None:
                with contextlib.suppress(Exception):
                    self._km.cleanup_connection_file()
        return self._kc

    def _wait_for_ready(self, timeout: float) -> None:
        """Wait until the kernel answers on both channels: a ``kernel_info`` reply on shell,
        and the status messages of that same request on IOPub (which proves the subscription
        is connected, so no output of the first cell is lost).

        jupyter_client's ``wait_for_ready`` does the same and then waits for 0,2 s of silence
        on IOPub, which the prewarm's messages make the rule: a fifth of a second of every
        ``make report`` spent waiting. Messages left on IOPub belong to earlier requests, and
        nbclient reads only those of the cell it runs."""
        import queue

        kc = self._kc
        assert kc is not None, "start() first"
        end = time.monotonic() + timeout
        while True:
            msg_id = kc.kernel_info()
            try:
                while True:  # the reply, after the prewarm (the kernel answers in order)
                    reply = kc.get_shell_msg(timeout=max(0.0, end - time.monotonic()))
                    if reply["parent_header"].get("msg_id") == msg_id:
                        break
            except queue.Empty:
                raise ReportError(f"Jupyter-kernen svarede ikke inden for {timeout:.0f} s. "
                                  "Kør 'make venv' (eller slet .venv og kør igen).") from None
            try:
                while True:  # its busy/idle status on IOPub: the subscription is live
                    msg = kc.get_iopub_msg(timeout=0.5)
                    if msg["parent_header"].get("msg_id") == msg_id:
                        kc._handle_kernel_info_reply(reply)
                        return
                    if time.monotonic() >= end:
                        raise queue.Empty  # other messages only, until the deadline
            except queue.Empty:
                if time.monotonic() >= end:  # IOPub never connected
                    raise ReportError("Jupyter-kernen svarede ikke på sin output-kanal. Kør "
                                      "'make venv' (eller slet .venv og kør igen).") from None
                continue  # published before IOPub connected: ask again

    def close(self) -> None:
        if self._closer is not None and self._closer is not threading.current_thread():
            self._closer.join()
            self._closer = None
        if self._kc is not None:
            with contextlib.suppress(Exception):
                self._kc.stop_channels()
            self._kc = None
        if self._km is not None:
            with contextlib.suppress(Exception):
                self._km.shutdown_kernel(now=True)
            self._km = None

    def _close_in_background(self) -> None:
        self.close()
        # jupyter_client's sync API made an event loop for this thread; close it here rather
        # than leave it to the garbage collector.
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_event_loop_policy().get_event_loop()
            asyncio.set_event_loop(None)
            loop.close()

    def execute(self, output: Path, parameters: dict, notebook: Path | None = None,
                during: _Background | None = None):
        """Run a notebook with papermill in the warm kernel (written to `output` and returned);
        ReportError names the cell. `during`: work started once the kernel is known to be
        live, to run while the kernel runs the cells."""
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        _register_engine()
        self.start()
        notebook = notebook or ensure_notebook()

        def ready():
            """The client, once the kernel is ready. papermill calls this when it has
            prepared the notebook, just before the first cell: only from here on does this
            process mostly wait (for the kernel, then on its sockets), so only now does the
            background work start (nbconvert's exporter, Typst and its fonts, `during`).
            Started earlier, those threads would share the GIL with papermill's import and
            preparation, which are on the path to the first cell."""
            if self._exporter is None and self._preload is None:
                preload = threading.Thread(target=self._load_renderers, daemon=True)
                try:
                    preload.start()
                except RuntimeError:
                    pass  # no thread to be had: each writer loads what it needs itself
                else:
                    self._preload = preload
            if during is not None:
                during.start()
            return self._client()

        try:
            return pm.execute_notebook(
                str(notebook), str(output), parameters=parameters, kernel_name=KERNEL,
                engine_name=ENGINE, km=self._km, ready=ready,
                clear_namespace=not self.single_use,
                execution_timeout=EXECUTION_TIMEOUT_S,
                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            )
        except PapermillExecutionError as e:
            # cell_index counts the notebook's own cells (a warm kernel's exec_count keeps
            # growing across notes).
            raise ReportError(
                f"Notebooken fejlede i celle {e.cell_index} ({e.ename}: {e.evalue})."
            ) from None
        except ReportError:  # the kernel never became ready: its own message, not wrapped
            self.close()
            raise
        except Exception as e:  # kernel died or timed out: start a fresh one for the next note
            self.close()
            raise ReportError(f"Kernen fejlede under kørslen ({type(e).__name__}: {e}).") from None
        finally:
            # Run or failed, a single-use kernel is done (and keeps no notebook's variables).
            if self.single_use and self._km is not None and self._closer is None:
                self._closer = threading.Thread(target=self._close_in_background, daemon=True)
                self._closer.start()

    def _load_renderers(self) -> None:
        """In the order they are needed when the kernel is done: the HTML exporter (then
        `to_html` may go on while this thread continues), the Typst compiler with its fonts,
        and the Word writer's template."""
        try:
            import nbformat

            exporter = _html_exporter()
            # Compile the Jinja templates now (the first conversion pays for it).
            exporter.from_notebook_node(nbformat.v4.new_notebook(),
                                        resources={"metadata": {"name": ""}, "opkval_css": ""})
            self._exporter = exporter
        finally:
            self._html_ready.set()
        from opkval.publish.typst_writer import warm_up

        warm_up()  # the compiler, its fonts and a first compile (about 0,05 s less per PDF)
        if self._word:
            # The Word writer's imports and template, made while the kernel runs (as above).
            from opkval.publish.word import _template
            from opkval.sections.present_notat import _parser

            _template()
            _parser()

    def to_html(self, executed, title: str) -> str:
        if self._preload is not None:
            self._html_ready.wait()
        if self._exporter is None:
            self._exporter = _html_exporter()
        return to_html(executed, title, self._exporter)

    def render(self, ctx: dict, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> ReportFiles:
        """One kommune's note from its context: the bilag and the analysis, from one run."""
        k = ctx["kommune"]
        return self.render_notebook(
            ctx, out_dir, formats, slug=ctx.get("filnavn") or k["slug"],
            title=note_title(ctx, "bilag"),
            parameters={"kommunekode": int(k["kode"]), "report_year": int(ctx["report_year"])},
            word=True, parts=note_parts(ctx))

    def render_notebook(self, ctx: dict, out_dir: Path, formats: tuple[str, ...], *, slug: str,
                        title: str, parameters: dict, notebook: Path | None = None,
                        word: bool = False, parts: tuple[Part, ...] | None = None,
                        kind: str = "landsoversigt") -> ReportFiles:
        """Execute any opkval notebook from its context (``context_path`` and ``formats`` are
        added to `parameters`), write each of its documents (`parts`; by default one document
        of every output, titled `title`), and swap all files in at the end.

        ``word``: a kommune's note, which with the ``docx`` format also gets the draft agenda
        item (Word and plain text), from the same context."""
        out_dir = Path(out_dir).resolve()  # the kernel runs in another directory
        out_dir.mkdir(parents=True, exist_ok=True)
        parts = parts or (Part("", "", title, kind),)
        docx = word and "docx" in formats
        self._word = self._word or docx
        analyse = next((p for p in parts if p.suffix == ANALYSE_SUFFIX), None)

        def name(part: Part | None, ext: str, wanted: bool) -> Path | None:
            return out_dir / f"{slug}{part.suffix}.{ext}" if part and wanted else None

        # HTML whatever the formats: the index links to it, and it is the page a reader opens.
        html_wanted = bool({"html", "pdf", "docx"} & set(formats))
        final = ReportFiles(
            ipynb=out_dir / f"{slug}.ipynb",
            html=name(parts[0], "html", html_wanted),
            pdf=name(parts[0], "pdf", "pdf" in formats),
            json=out_dir / f"{slug}.json",
            docx=name(parts[0], "docx", docx),
            agenda_docx=out_dir / f"{slug}{AGENDA_SUFFIX}.docx" if word and docx else None,
            agenda_txt=out_dir / f"{slug}{AGENDA_SUFFIX}.txt" if word and docx else None,
            analyse_html=name(analyse, "html", html_wanted),
            analyse_pdf=name(analyse, "pdf", "pdf" in formats),
            analyse_docx=name(analyse, "docx", docx),
        )
        remove_stale_temp_dirs(out_dir, slug)
        try:
            tmpdir = tempfile.mkdtemp(dir=out_dir, prefix=temp_prefix(slug))
        except OSError as e:
            raise named(e, out_dir) from None
        try:
            tmp = Path(tmpdir)
            ctx_path = tmp / f"{slug}.json"
            write_json(ctx, ctx_path)
            executed = tmp / f"{slug}.ipynb"
            # The agenda item needs only the context: it is written while the kernel runs the
            # cells (this process only waits then), not after them.
            agenda_job = (_Background(_agenda_bytes, ctx, start=False) if final.agenda_docx
                          else None)
            try:
                params = {**parameters, "context_path": str(ctx_path),
                          "formats": ",".join(formats)}
                executed_nb = self.execute(executed, params, notebook, during=agenda_job)
            except ReportError as e:
                if executed.exists():
                    keep = BUILD_DIR / "failed"
                    with contextlib.suppress(OSError):  # keeping it is a courtesy only
                        keep.mkdir(parents=True, exist_ok=True)
                        move(executed, keep / f"{slug}.ipynb")
                        raise ReportError(f"{e} Den kørte notebook er gemt i "
                                          f"{keep / f'{slug}.ipynb'}.") from None
                raise
            agenda_made = agenda_job.result() if agenda_job is not None else None
            created = created_at(ctx)
            part_nbs = [part_notebook(executed_nb, part.tag) for part in parts]
            # Every document's PDF starts now, each in a thread of its own (Typst lays them
            # out at the same time, without the GIL), the analysis's first (the longest step),
            # and then Word's pictures of the charts (drawn by Typst too), while this thread
            # writes the kept notebook, the HTML and the Word files. (A document
            # render_document refuses never has its PDF asked for; a picture not drawn ahead
            # is drawn by the Word writer itself.)
            # Each document's blocks are read from the notebook once, here, for its PDF, its
            # Word file and Word's pictures alike.
            documents = [notebook_document(sub, title=part.title, kind=part.kind,
                                           header=part.header, created=created,
                                           author=part.author)
                         for part, sub in zip(parts, part_nbs, strict=True)]
            pdfs: list[_Background | None] = [None] * len(parts)
            for i in reversed(range(len(parts))):  # the analysis's first
                if getattr(final, _field(parts[i], "pdf")) is not None:
                    pdfs[i] = _Background(_pdf_bytes, documents[i])
            if docx:
                _Background(_rasterise_charts, documents)
            staged: list[tuple[Path, Path]] = []
            try:
                # The kept notebook reads the context kept beside it, so it runs again.
                keep_context_beside(executed_nb, executed, ctx_path.name)
                staged.append((executed, final.ipynb))
                for part, sub, document, pdf in zip(parts, part_nbs, documents, pdfs,
                                                    strict=True):
                    wanted = [f for f in ("html", "pdf", "docx")
                              if getattr(final, _field(part, f)) is not None]
                    written = render_document(
                        sub, tmp, f"{slug}{part.suffix}",
                        tuple(wanted), title=part.title, kind=part.kind, header=part.header,
                        created=created, author=part.author, renderer=self, pdf=pdf,
                        document=document)
                    staged.extend((path, out_dir / path.name) for path in written)
                if final.agenda_docx:
                    staged.extend(_agenda_files(ctx, tmp, final, agenda_made))
                # The JSON last, listing the others: the note's commit record.
                listed = {dst.name: file_sha256(src) for src, dst in staged}
                write_json({**ctx, "filer_sha256": listed}, ctx_path)
                final.sha256.update(listed)
                final.sha256[final.json.name] = file_sha256(ctx_path)
            except OSError as e:
                raise named(e, out_dir) from None
            staged.append((ctx_path, final.json))
            with contextlib.suppress(FileNotFoundError):
                final.json.unlink()  # from here until the last rename the note is incomplete
            with _signals_held():  # the renames are not split by Ctrl-C or SIGTERM
                for src, dst in staged:
                    os.replace(src, dst)
            stale = [out_dir / f"{slug}{s}.{ext}" for s in ("", ANALYSE_SUFFIX)
                     for ext in ("html", "pdf", "docx")]
            stale += [out_dir / f"{slug}{AGENDA_SUFFIX}.{ext}" for ext in ("docx", "txt")]
            for f in stale:
                if f not in final.written() and f.exists():
                    f.unlink()  # from an earlier run with other formats: not this note's
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        return final


def _field(part: Part, ext: str) -> str:
    """The ReportFiles field of a part's file: 'html' or 'analyse_html', ..."""
    return ("analyse_" if part.suffix == ANALYSE_SUFFIX else "") + ext


def note_title(ctx: dict, kind: str) -> str:
    """A kommune's document title: the bilag's, or the analysis's."""
    from opkval.sections.present import document_title

    return document_title(ctx, kind)


def note_parts(ctx: dict) -> tuple[Part, ...]:
    """A kommune's two documents: the bilag (cell tag ``bilag``) and the analysis."""
    from opkval.sections.present import document_header

    author = (ctx.get("notat") or {}).get("afsender") or f"{ctx['kommune']['navn']} Kommune"
    return (Part("bilag", "", note_title(ctx, "bilag"), "bilag", document_header(ctx, "bilag"),
                 author),
            Part("analyse", ANALYSE_SUFFIX, note_title(ctx, "analyse"), "analyse",
                 document_header(ctx, "analyse"), author))


def created_at(ctx: dict) -> str:
    """The documents' creation time for their metadata (ISO 8601 with its offset):
    :func:`opkval.assembly.context.made_at` of the context's ``generated_at``."""
    from opkval.assembly.context import made_at

    when = made_at(ctx.get("generated_at"))
    return when.isoformat() if when else ""


def keep_context_beside(nb, path: Path, context_name: str) -> None:
    """Point the kept notebook's ``context_path`` at the note's JSON beside it (a relative
    name: run it again with papermill from that folder, ``--cwd``), and write it to `path`.

    The run itself read a temp copy that is gone afterwards; the JSON kept beside the
    notebook is that context plus the list of the note's files."""
    import nbformat

    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = "\n".join(
                f"context_path = {context_name!r}" if line.startswith("context_path = ")
                else line for line in cell.source.splitlines())
    pm = nb.metadata.get("papermill") or {}
    if "context_path" in (pm.get("parameters") or {}):
        pm["parameters"]["context_path"] = context_name
    for key in ("input_path", "output_path"):
        pm.pop(key, None)  # temp paths of this run, gone after it
    # nbformat's v4 writer itself: nbformat.writes would first validate the notebook against
    # its schema once more (only to log), which papermill did when it wrote it.
    atomic_write_bytes(path, nbformat.v4.writes(nb).encode("utf-8"))


def part_notebook(nb, tag: str):
    """The notebook with only the cells of one document (tagged `tag`; all when "")."""
    import copy

    if not tag:
        return nb
    out = copy.copy(nb)
    out.cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    return out


def blocks_notebook(blocks):
    """A notebook whose one cell displays `blocks` (for writing blocks through nbconvert)."""
    import nbformat

    # A block shows itself as HTML once the HTML writer is registered (importing it does):
    # without it the page would be empty in a process that has not imported it yet.
    import opkval.base.html_writer  # noqa: F401

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    for blk in doc.sequence(blocks):
        data, metadata = blk._repr_mimebundle_()
        cell.outputs.append(nbformat.v4.new_output("display_data", data=data,
                                                   metadata=metadata))
    nb.cells.append(cell)
    return nb


def render_document(nb_or_blocks, out_dir: Path, stem: str, formats: tuple[str, ...], *,
                    title: str, kind: str, header: tuple[str, ...] = (), created: str = "",
                    author: str = "", renderer: Renderer | None = None,
                    pdf: _Background | None = None,
                    document: doc.Document | None = None) -> list[Path]:
    """Write one document as ``<stem>.html``, ``.pdf``, ``.docx`` in `out_dir` (the formats
    asked for); returns the paths written.

    `nb_or_blocks`: an executed notebook (its outputs are the document) or document blocks.
    The HTML goes through nbconvert (lang="da", offline, self-contained); PDF and Word are
    written from the blocks (:func:`opkval.base.doc.blocks_from_outputs`), never from the HTML.
    Files are written as they are; a caller that needs all-or-nothing writes into a temp
    folder and swaps them in (as :meth:`Renderer.render_notebook` does). `pdf`: the PDF's
    bytes already being made (by :meth:`Renderer.render_notebook`), else made here;
    `document`: the blocks already read from `nb_or_blocks` (:func:`notebook_document`)."""
    nb = (nb_or_blocks if hasattr(nb_or_blocks, "cells")
          else blocks_notebook(nb_or_blocks))
    out_dir = Path(out_dir)
    written = []
    if "pdf" not in formats:
        pdf = None
    if "pdf" in formats or "docx" in formats:
        document = document or notebook_document(nb, title=title, kind=kind, header=header,
                                                 created=created, author=author)
        loose = _outputs_without_blocks(nb)
        if loose or not document.blocks:
            # Output shown only as HTML or an image (not a document block) would be missing
            # from the PDF and Word: no half-written document.
            raise ReportError(
                f"{title}: {loose} af notebookens visninger er ikke dokumentblokke "
                f"({doc.MIMETYPE}); PDF og Word ville mangle dem." if loose else
                f"{title}: notebooken viste ingen dokumentblokke ({doc.MIMETYPE}).")
        if "pdf" in formats and pdf is None:
            # Typst compiles without Python's GIL: the PDF is laid out on the other core while
            # this thread writes the HTML and the Word file (both Python).
            pdf = _Background(_pdf_bytes, document)
    try:
        if "html" in formats:
            html = (renderer.to_html(nb, title) if renderer is not None
                    else to_html(nb, title, _html_exporter()))
            (out_dir / f"{stem}.html").write_text(html, encoding="utf-8")
            written.append(out_dir / f"{stem}.html")
        docx = _docx_bytes(document) if "docx" in formats and document else None
    finally:
        # Waited for whatever happened here; an error in the PDF is raised from here.
        pdf_bytes = pdf.result() if pdf is not None else None
    if pdf_bytes is not None:
        (out_dir / f"{stem}.pdf").write_bytes(pdf_bytes)
        written.append(out_dir / f"{stem}.pdf")
    if docx is not None:
        (out_dir / f"{stem}.docx").write_bytes(docx)
        written.append(out_dir / f"{stem}.docx")
    return written


class _Background:
    """``fn(*args)`` in a thread of its own (from :meth:`start`, at once unless
    ``start=False``); :meth:`result` waits and returns its value or raises its exception.
    Without a thread to be had, or never started, it runs in the caller's thread."""

    def __init__(self, fn, *args, start: bool = True):
        self._fn, self._args = fn, args
        self._value: object = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._done = False
        if start:
            self.start()

    def start(self) -> None:
        if self._thread is not None or self._done:
            return
        self._thread = threading.Thread(target=self._run, daemon=True)
        try:
            self._thread.start()
        except RuntimeError:
            self._thread = None
            self._run()

    def _run(self) -> None:
        try:
            self._value = self._fn(*self._args)
        except BaseException as e:  # handed to the caller by result()
            self._error = e
        self._done = True

    def result(self):
        if self._thread is not None:
            self._thread.join()
        elif not self._done:
            self._run()
        if self._error is not None:
            raise self._error
        return self._value


def _outputs_without_blocks(nb) -> int:
    """How many displayed outputs (HTML, images) carry no document block."""
    shown = ("text/html", "image/png", "image/svg+xml")
    return sum(1 for cell in nb.cells for o in cell.get("outputs", [])
               if o.get("output_type") in ("display_data", "execute_result")
               and doc.MIMETYPE not in (o.get("data") or {})
               and any(m in (o.get("data") or {}) for m in shown))


def notebook_document(nb, *, title: str, kind: str, header: tuple[str, ...] = (),
                      created: str = "", author: str = "") -> doc.Document:
    """The document a notebook (or one part of it, :func:`part_notebook`) displayed."""
    return doc.Document(title=title, blocks=doc.blocks_from_outputs(nb), kind=kind,
                        header=tuple(header), created=created, author=author)


def _pdf_bytes(document: doc.Document) -> bytes:
    """The PDF/UA-1 of a document, written by Typst from its blocks."""
    from opkval.publish.typst_writer import document_pdf

    return document_pdf(document)


def _docx_bytes(document: doc.Document) -> bytes:
    """The Word file of a document, written with python-docx from its blocks."""
    from opkval.publish.word import document_docx

    return document_docx(document)


def _agenda_bytes(ctx: dict) -> tuple[bytes, str]:
    """The draft agenda item: its Word file and its plain text."""
    from opkval.publish import agenda

    item = agenda.agenda(ctx)
    return agenda.to_docx(item, ctx), agenda.to_text(item)


def _agenda_files(ctx: dict, tmp: Path, final: ReportFiles,
                  made: tuple[bytes, str] | None = None) -> list[tuple[Path, Path]]:
    """The draft agenda item (Word and plain text) in `tmp`: `made` by :func:`_agenda_bytes`,
    or made here."""
    docx_bytes, text = made or _agenda_bytes(ctx)
    a_docx, a_txt = tmp / final.agenda_docx.name, tmp / final.agenda_txt.name
    a_docx.write_bytes(docx_bytes)
    a_txt.write_text(text, encoding="utf-8")
    return [(a_docx, final.agenda_docx), (a_txt, final.agenda_txt)]


def _rasterise_charts(documents: list[doc.Document]) -> None:
    """Draw Word's PNG of every chart the documents show ahead of the Word writer, which then
    finds it in :func:`opkval.publish.typst_writer.svg_png`'s cache."""
    from opkval.publish.typst_writer import svg_png
    from opkval.publish.word import CHART_DPI

    for blk in doc.walk([b for d in documents for b in d.blocks]):
        if isinstance(blk, doc.Figure) and blk.svg and not blk.png:
            svg_png(blk.svg, blk.width_cm, CHART_DPI)


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM (delivered right after) while a note's files are swapped in."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def temp_prefix(slug: str, pid: int | None = None) -> str:
    """Temp folders in the output folder are ``.<slug>.<pid>.<random>``: the pid says whose."""
    return f".{slug}.{pid or os.getpid()}."


def remove_stale_temp_dirs(out_dir: Path, slug: str | None = None,
                           pids: set[int] | None = None) -> None:
    """Remove temp folders of processes that ended without cleaning up (SIGKILL), or of the
    processes in `pids` (workers the batch has just stopped)."""
    pattern = f".{slug}.*" if slug else ".*.*.*"
    for d in Path(out_dir).glob(pattern):
        parts = d.name.split(".")
        if len(parts) < 4 or not parts[-2].isdigit() or not d.is_dir():
            continue
        pid = int(parts[-2])
        if (pids is not None and pid in pids) or (pids is None and not pid_alive(pid)):
            shutil.rmtree(d, ignore_errors=True)


def _html_exporter():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    class NoteExporter(HTMLExporter):
        """nbconvert's HTMLExporter without its last step, which parses the finished page with
        BeautifulSoup to give images without ``alt`` a placeholder and JupyterLab's cell
        wrappers a ``tabindex``, and writes it out again. The opkval template has neither
        (every chart carries its own text alternative; there are no ``jp-`` wrappers), so the
        round trip changed nothing but cost time: BeautifulSoup builds its entity table on the
        first page (0.1 s on every `make report`) and parses every page (0.02 s each).
        The filters are set up as HTMLExporter does (nbconvert is pinned in pyproject.toml).
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    c = Config()
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    c.HTMLExporter.template_name = "opkval"
    # The notebook is validated once, after the preprocessors, not after each of them (ten
    # schema validations of a notebook papermill has just validated: a tenth of the HTML).
    c.HTMLExporter.optimistic_validation = True
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = ("remove-cell", "parameters",
                                                "injected-parameters")
    return NoteExporter(config=c)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The notes' one stylesheet (screen and A4 print), inlined in every page."""
    return (TEMPLATE_DIR / "opkval" / "style.css").read_text(encoding="utf-8")


def to_html(nb, title: str, exporter) -> str:
    """Outputs only, no code or prompts, CSS inline, no external URLs.

    `nb`: the executed notebook, as papermill returns it."""
    body, _ = exporter.from_notebook_node(
        _without_block_data(nb),
        resources={"metadata": {"name": title}, "opkval_css": stylesheet()})
    return body


def _without_block_data(nb):
    """The notebook as the page needs it: every output without the blocks' JSON
    (:data:`opkval.base.doc.MIMETYPE`), which the template never shows and nbconvert would
    copy and validate (two thirds of the HTML step's time). `nb` itself is not changed."""
    import copy

    from nbformat import NotebookNode

    def output(o):
        data = o.get("data")
        if not data or doc.MIMETYPE not in data:
            return o
        return NotebookNode({**o, "data": NotebookNode(
            {k: v for k, v in data.items() if k != doc.MIMETYPE})})

    out = copy.copy(nb)
    out.cells = []
    for cell in nb.cells:
        if cell.get("outputs"):
            cell = copy.copy(cell)
            cell.outputs = [output(o) for o in cell.outputs]
        out.cells.append(cell)
    return out


def render_report(ctx: dict, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> ReportFiles:
    """Execute and render one note (a kernel of its own); see :class:`Renderer` for many."""
    with Renderer(single_use=True) as renderer:
        return renderer.render(ctx, out_dir, formats)
