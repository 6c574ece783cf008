"""Render one kommune's note: papermill executes, nbconvert makes HTML, WeasyPrint makes PDF.

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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from opkval import PROJECT_ROOT, TEMPLATE_DIR
from opkval.context import write_json
from opkval.errors import ReportError
from opkval.fileio import atomic_write_bytes, die_with_parent, file_sha256, move, named, pid_alive
from opkval.kommune import official_name

NOTEBOOK_SRC = PROJECT_ROOT / "notebooks" / "kommune_rapport.py"
BUILD_DIR = PROJECT_ROOT / "build"
KERNEL = "python3"
EXECUTION_TIMEOUT_S = 300
FORMATS = ("html", "pdf", "docx")
#: The agenda item's files: <stem>-dagsordenspunkt.docx and .txt (made with the docx format).
AGENDA_SUFFIX = "-dagsordenspunkt"


@dataclass(frozen=True)
class ReportFiles:
    ipynb: Path
    html: Path | None
    pdf: Path | None
    json: Path
    docx: Path | None = None
    agenda_docx: Path | None = None
    agenda_txt: Path | None = None

    def written(self) -> list[Path]:
        return [f for f in (self.html, self.pdf, self.docx, self.agenda_docx, self.agenda_txt,
                            self.json) if f]


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
PREWARM = ("import opkval.charts, opkval.context, opkval.present, opkval.present_gaps, "
           "opkval.present_notat, opkval.present_plan")
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
            # preexec_fn: the kernel ends when this process ends, even by SIGKILL.
            self._km.start_kernel(extra_arguments=["--IPKernelApp.log_level=ERROR"],
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
            self._kc.wait_for_ready(timeout=60)
            self._ready = True
        return self._kc

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

    def execute(self, output: Path, parameters: dict, notebook: Path | None = None):
        """Run a notebook with papermill in the warm kernel (written to `output` and returned);
        ReportError names the cell."""
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        _register_engine()
        self.start()
        notebook = notebook or ensure_notebook()
        if self._exporter is None and self._preload is None:
            # While the kernel runs the cells this process only waits on a socket: use that
            # time to import nbconvert and WeasyPrint and build the exporter.
            preload = threading.Thread(target=self._load_renderers, daemon=True)
            try:
                preload.start()
            except RuntimeError:
                pass  # no thread to be had: to_html and to_pdf load what they need themselves
            else:
                self._preload = preload
        try:
            return pm.execute_notebook(
                str(notebook), str(output), parameters=parameters, kernel_name=KERNEL,
                engine_name=ENGINE, km=self._km, ready=self._client,
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
        `to_html` may go on while this thread continues), the Word writer, and WeasyPrint
        (its import alone is half a second: cffi parses Pango's declarations)."""
        try:
            import nbformat

            exporter = _html_exporter()
            # Compile the Jinja templates now (the first conversion pays for it).
            exporter.from_notebook_node(nbformat.v4.new_notebook(),
                                        resources={"metadata": {"name": ""}, "opkval_css": ""})
            self._exporter = exporter
        finally:
            self._html_ready.set()
        if self._word:
            # The Word writer's imports and template, made while the kernel runs (as above).
            from opkval.present_notat import _parser
            from opkval.word import _template

            _template()
            _parser()
        from opkval import pdf

        pdf.prepare(stylesheet())  # a note's to_pdf waits for this (opkval.pdf's lock)

    def to_html(self, executed, title: str) -> str:
        if self._preload is not None:
            self._html_ready.wait()
        if self._exporter is None:
            self._exporter = _html_exporter()
        return to_html(executed, title, self._exporter)

    def render(self, ctx: dict, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> ReportFiles:
        """One kommune's note from its context."""
        k = ctx["kommune"]
        return self.render_notebook(
            ctx, out_dir, formats, slug=ctx.get("filnavn") or k["slug"],
            title=f"Orientering om opkvalificeringspuljen – {official_name(k['navn'])}",
            parameters={"kommunekode": int(k["kode"]), "report_year": int(ctx["report_year"])},
            word=True)

    def render_notebook(self, ctx: dict, out_dir: Path, formats: tuple[str, ...], *, slug: str,
                        title: str, parameters: dict,
                        notebook: Path | None = None, word: bool = False) -> ReportFiles:
        """Execute and render any opkval notebook from its context (``context_path`` and
        ``formats`` are added to `parameters`); swap all files in at the end.

        ``word``: a kommune's note, which with the ``docx`` format also gets its Word version
        and the draft agenda item (Word and plain text), from the same context."""
        out_dir = Path(out_dir).resolve()  # the kernel runs in another directory
        out_dir.mkdir(parents=True, exist_ok=True)
        docx = word and "docx" in formats
        self._word = self._word or docx
        final = ReportFiles(
            ipynb=out_dir / f"{slug}.ipynb",
            html=out_dir / f"{slug}.html" if {"html", "pdf", "docx"} & set(formats) else None,
            pdf=out_dir / f"{slug}.pdf" if "pdf" in formats else None,
            json=out_dir / f"{slug}.json",
            docx=out_dir / f"{slug}.docx" if docx else None,
            agenda_docx=out_dir / f"{slug}{AGENDA_SUFFIX}.docx" if docx else None,
            agenda_txt=out_dir / f"{slug}{AGENDA_SUFFIX}.txt" if docx else None,
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
            try:
                params = {**parameters, "context_path": str(ctx_path),
                          "formats": ",".join(formats)}
                executed_nb = self.execute(executed, params, notebook)
            except ReportError as e:
                if executed.exists():
                    keep = BUILD_DIR / "failed"
                    with contextlib.suppress(OSError):  # keeping it is a courtesy only
                        keep.mkdir(parents=True, exist_ok=True)
                        move(executed, keep / f"{slug}.ipynb")
                        raise ReportError(f"{e} Den kørte notebook er gemt i "
                                          f"{keep / f'{slug}.ipynb'}.") from None
                raise
            staged: list[tuple[Path, Path]] = [(executed, final.ipynb)]
            try:
                if final.html:
                    html = self.to_html(executed_nb, title)
                    (tmp / f"{slug}.html").write_text(html, encoding="utf-8")
                    staged.append((tmp / f"{slug}.html", final.html))
                    if final.pdf:
                        (tmp / f"{slug}.pdf").write_bytes(to_pdf(html))
                        staged.append((tmp / f"{slug}.pdf", final.pdf))
                if docx:
                    staged.extend(_word_files(ctx, executed_nb, tmp, final))
                # The JSON last, listing the others: the note's commit record.
                write_json({**ctx, "filer_sha256": {dst.name: file_sha256(src)
                                                    for src, dst in staged}}, ctx_path)
            except OSError as e:
                raise named(e, out_dir) from None
            staged.append((ctx_path, final.json))
            with contextlib.suppress(FileNotFoundError):
                final.json.unlink()  # from here until the last rename the note is incomplete
            with _signals_held():  # the renames are not split by Ctrl-C or SIGTERM
                for src, dst in staged:
                    os.replace(src, dst)
            for stale in (out_dir / f"{slug}.html", out_dir / f"{slug}.pdf",
                          out_dir / f"{slug}.docx", out_dir / f"{slug}{AGENDA_SUFFIX}.docx",
                          out_dir / f"{slug}{AGENDA_SUFFIX}.txt"):
                if stale not in final.written() and stale.exists():
                    stale.unlink()  # from an earlier run with other formats: not this note's
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        return final


def _word_files(ctx: dict, executed_nb, tmp: Path,
                final: ReportFiles) -> list[tuple[Path, Path]]:
    """The Word note (from what the notebook displayed) and the agenda item, in `tmp`."""
    from opkval import agenda
    from opkval.word import note_docx

    out = []
    note = tmp / final.docx.name
    note.write_bytes(note_docx(ctx, executed_nb))
    out.append((note, final.docx))
    item = agenda.agenda(ctx)
    a_docx, a_txt = tmp / final.agenda_docx.name, tmp / final.agenda_txt.name
    a_docx.write_bytes(agenda.to_docx(item, ctx))
    a_txt.write_text(agenda.to_text(item), encoding="utf-8")
    out.extend([(a_docx, final.agenda_docx), (a_txt, final.agenda_txt)])
    return out


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
        nb, resources={"metadata": {"name": title}, "opkval_css": stylesheet()})
    return body


def to_pdf(html: str) -> bytes:
    """Tagged PDF/UA-1 (opkval.pdfua) of a note's HTML, the way :mod:`opkval.pdf` writes it."""
    from opkval import pdf

    return pdf.write(html, stylesheet())


def render_report(ctx: dict, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> ReportFiles:
    """Execute and render one note (a kernel of its own); see :class:`Renderer` for many."""
    with Renderer(single_use=True) as renderer:
        return renderer.render(ctx, out_dir, formats)
