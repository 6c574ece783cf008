"""Render one kommune's note: papermill executes, nbconvert makes HTML, WeasyPrint makes PDF.

All outputs are written under temporary names and swapped in only when every step succeeded,
so a failed run never leaves a half-written or mixed report behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from opkval import PROJECT_ROOT
from opkval.context import write_json
from opkval.errors import ReportError

NOTEBOOK_SRC = PROJECT_ROOT / "notebooks" / "kommune_rapport.py"
BUILD_DIR = PROJECT_ROOT / "build"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
KERNEL = "python3"
EXECUTION_TIMEOUT_S = 300
FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class ReportFiles:
    ipynb: Path
    html: Path | None
    pdf: Path | None
    json: Path


def ensure_notebook(src: Path = NOTEBOOK_SRC, build_dir: Path = BUILD_DIR) -> Path:
    """The executable ``.ipynb`` for a jupytext ``.py`` notebook (rebuilt when older)."""
    import jupytext

    out = build_dir / (src.stem + ".ipynb")
    if not out.exists() or out.stat().st_mtime < src.stat().st_mtime:
        build_dir.mkdir(parents=True, exist_ok=True)
        nb = jupytext.read(src)
        nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3",
                                     "language": "python"}
        _atomic_write_bytes(out, jupytext.writes(nb, fmt="ipynb").encode("utf-8"))
    return out


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def execute(notebook: Path, output: Path, parameters: dict) -> None:
    """Run the notebook with papermill; raise ReportError naming the failing cell."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(notebook), str(output), parameters=parameters, kernel_name=KERNEL,
            execution_timeout=EXECUTION_TIMEOUT_S, progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, cwd=str(notebook.parent),
            # ipykernel warns on every start that local TCP is unencrypted; keep its errors.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except PapermillExecutionError as e:
        raise ReportError(
            f"Notebooken fejlede i celle {e.exec_count} ({e.ename}: {e.evalue}). "
            f"Den kørte notebook er gemt i {output}."
        ) from None


def to_html(executed: Path, title: str) -> str:
    """Outputs only, no code or prompts, CSS inline, no external URLs."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    c.HTMLExporter.template_name = "opkval"
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = ("remove-cell", "parameters",
                                                "injected-parameters")
    exporter = HTMLExporter(config=c)
    nb = nbformat.read(executed, as_version=4)
    css = (TEMPLATE_DIR / "opkval" / "style.css").read_text(encoding="utf-8")
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": title}, "opkval_css": css})
    return body


def to_pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf()


def render_report(ctx: dict, out_dir: Path, formats: tuple[str, ...] = FORMATS,
                  notebook: Path | None = None) -> ReportFiles:
    """Execute and render one note from its context; swap all files in at the end."""
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = ctx["kommune"]["slug"]
    final = ReportFiles(
        ipynb=out_dir / f"{slug}.ipynb",
        html=out_dir / f"{slug}.html" if "html" in formats or "pdf" in formats else None,
        pdf=out_dir / f"{slug}.pdf" if "pdf" in formats else None,
        json=out_dir / f"{slug}.json",
    )
    nb_src = notebook or ensure_notebook()
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=f".{slug}.") as tmpdir:
        tmp = Path(tmpdir)
        ctx_path = tmp / f"{slug}.json"
        write_json(ctx, ctx_path)
        executed = tmp / f"{slug}.ipynb"
        try:
            execute(nb_src, executed, {"kommunekode": int(ctx["kommune"]["kode"]),
                                       "report_year": int(ctx["report_year"]),
                                       "context_path": str(ctx_path),
                                       "formats": ",".join(formats)})
        except ReportError:
            keep = BUILD_DIR / "failed"
            keep.mkdir(parents=True, exist_ok=True)
            if executed.exists():
                os.replace(executed, keep / f"{slug}.ipynb")
            raise
        staged: list[tuple[Path, Path]] = [(executed, final.ipynb), (ctx_path, final.json)]
        if final.html:
            title = f"Orientering om opkvalificeringspuljen – {ctx['kommune']['navn']} Kommune"
            html = to_html(executed, title)
            (tmp / f"{slug}.html").write_text(html, encoding="utf-8")
            staged.append((tmp / f"{slug}.html", final.html))
            if final.pdf:
                (tmp / f"{slug}.pdf").write_bytes(to_pdf(html))
                staged.append((tmp / f"{slug}.pdf", final.pdf))
        for src, dst in staged:
            os.replace(src, dst)
    return final
