"""Executes the real notebook with papermill and renders HTML + PDF (slow: kernel start)."""

import json
import os
import re
import signal
import time

import pytest
from pypdf import PdfReader

from opkval.assembly.context import build_context
from opkval.base.errors import ReportError
from opkval.publish.render import render_report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ishoej(data, index, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    files = render_report(build_context(data, index.resolve("Ishøj"), 2026), out)
    return files


def _pdf_text(path):
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def _figure_alts(path) -> list[str]:
    """The /Alt of every Figure in the PDF's structure tree."""
    out = []

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if not isinstance(node, dict):
            return
        if node.get("/S") == "/Figure" and "/Alt" in node:
            out.append(str(node["/Alt"]))
        k = node.get("/K")
        for kid in (k if isinstance(k, list) else [] if k is None else [k]):
            walk(kid)

    walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return out


def test_ishoej_gets_a_bilag_and_an_analysis(ishoej):
    assert ishoej.html.name == "ishoej.html" and ishoej.pdf.name == "ishoej.pdf"
    assert ishoej.analyse_html.name == "ishoej-analyse.html"
    assert ishoej.analyse_pdf.name == "ishoej-analyse.pdf"
    assert ishoej.analyse_docx.name == "ishoej-analyse.docx" and ishoej.docx.exists()
    bilag = _pdf_text(ishoej.pdf).replace("\n", " ")
    assert "Orientering om opkvalificeringspuljen – Ishøj Kommune" in bilag
    assert "Det får kommunen" in bilag and "Ikke planlagt og i risiko" in bilag
    # Each file is listed in the note's commit record with its hash.
    listed = json.loads(ishoej.json.read_text(encoding="utf-8"))["filer_sha256"]
    assert set(listed) == {f.name for f in ishoej.written() if f != ishoej.json} | {
        "ishoej.ipynb"}


def test_each_document_cell_has_one_output_holding_its_blocks(ishoej):
    """The kept notebook: the bilag's cell and the analysis's cell each show one output (one
    message from the kernel), which holds the document's blocks and their HTML."""
    import nbformat

    from opkval.base import doc

    nb = nbformat.read(ishoej.ipynb, as_version=4)
    for tag in ("bilag", "analyse"):
        (cell,) = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
        (out,) = cell.outputs
        assert out.data[doc.MIMETYPE]["type"] == "Blocks"
        assert len(out.data[doc.MIMETYPE]["blocks"]) > 3 and "<h2" in out.data["text/html"]


def test_ishoej_pdf_has_the_figures_and_the_chart(ishoej):
    text = _pdf_text(ishoej.analyse_pdf)
    # The analysis carries the name the bilag and the agenda item give it.
    assert "Analyse af opkvalificeringspuljen – Ishøj Kommune" in " ".join(text.split())
    assert "Kort fortalt" in text
    # Round 2 on the 0-5 key: 5 x 927.592 = 4.637.960 kr. (195,9 mio. x 1.750 / 369.586 a year)
    for figure in ("280.000", "512.000", "1.304.000", "4.637.960"):
        assert figure in text, figure
    assert "Datagrundlag og forbehold" in text
    alts = _figure_alts(ishoej.analyse_pdf)
    # The grant chart, with its values in the text alternative (Ishøj's 2023 tilsagn).
    assert any(a.startswith("Søjlediagram over tilskuddet til Ishøj Kommune") and
               "2023: 280.000" in a for a in alts), alts
    assert "Side 1 af" in text


def test_ishoej_html_is_offline_danish_and_without_code(ishoej):
    for path in (ishoej.html, ishoej.analyse_html):
        html = path.read_text(encoding="utf-8")
        assert '<html lang="da">' in html
        assert not re.search(r'(src|href)="(https?:)?//', html), "external URL in HTML"
        assert "<script" not in html
        assert "load_context" not in html and "kommunekode: int" not in html  # no code cells
        assert "In&nbsp;[" not in html and "Out[" not in html  # no prompts
    # The charts as SVG, inline.
    assert "data:image/svg+xml;base64," in ishoej.analyse_html.read_text(encoding="utf-8")


def test_ishoej_json_has_every_figure_unformatted(ishoej):
    ctx = json.loads(ishoej.json.read_text(encoding="utf-8"))
    grants = {g["aar"]: g for g in ctx["grants"]}
    assert grants[2023]["beloeb_kr"] == 280_000 and grants[2023]["label"] == "tilsagn"
    assert grants[2030]["beloeb_kr"] == 927_592 and grants[2030]["label"] == "skøn"
    assert grants[2030]["alternativ_kr"] == 512_000  # round 1's share carried forward
    assert [r["beloeb_kr"] for r in ctx["runder"]] == [1_304_000, 4_637_960]
    assert ctx["runder"][1]["alternativ_kr"] == 2_560_000 and ctx["runder"][1]["frist_antaget"]
    assert len(ctx["backtest"]["reference"]) == 16  # issue 19: 8 + 8 East-Jutland
    assert ctx["manifest"]["inputs"]["data/raw/known_allocations.csv"]


def test_other_kommune_renders_with_estimates(data, index, tmp_path):
    files = render_report(build_context(data, index.resolve("Læsø"), 2026), tmp_path)
    text = _pdf_text(files.analyse_pdf)
    assert "Læsø Kommune" in text and "Skøn" in text
    assert "tilsagn om i alt" not in text  # no published grant for Læsø


def test_a_note_renders_when_the_loader_thread_cannot_start(data, index, tmp_path,
                                                             monkeypatch):
    """No thread to be had for loading nbconvert and Typst ahead: the note is still
    written, each step loading what it needs (no wait on a loader that never ran)."""
    import threading

    real_start = threading.Thread.start

    def start(self):
        if getattr(getattr(self, "_target", None), "__name__", "") == "_load_renderers":
            raise RuntimeError("can't start new thread")
        return real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    files = render_report(build_context(data, index.resolve("Læsø"), 2026), tmp_path,
                          formats=("html", "pdf"))
    assert "Læsø" in files.html.read_text(encoding="utf-8")
    assert len(PdfReader(files.analyse_pdf).pages) > 1 and PdfReader(files.pdf).pages


def test_failed_render_leaves_earlier_report_untouched(data, index, tmp_path, monkeypatch):
    ctx = build_context(data, index.resolve("Ishøj"), 2026)
    files = render_report(ctx, tmp_path, formats=("html",))
    before = files.html.read_bytes()

    def boom(_document):
        raise ReportError("PDF fejlede")

    monkeypatch.setattr("opkval.publish.render._pdf_bytes", boom)
    with pytest.raises(ReportError):
        render_report(ctx, tmp_path)
    assert files.html.read_bytes() == before
    assert not (tmp_path / "ishoej.pdf").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp leftovers


def test_exploration_notebook_runs(tmp_path):
    from opkval import PROJECT_ROOT
    from opkval.publish.render import Renderer, ensure_notebook

    nb = ensure_notebook(PROJECT_ROOT / "notebooks" / "udforskning.py", tmp_path)
    with Renderer() as renderer:
        renderer.execute(tmp_path / "out.ipynb", {"kommuner": ["Aarhus", "Odense"],
                                                  "pulje_kr": 1000}, nb)
    assert "Aarhus" in (tmp_path / "out.ipynb").read_text(encoding="utf-8")


def test_kernel_has_imported_the_display_modules_before_the_first_cell():
    """start() asks the kernel to import opkval's display modules while the caller works; the
    request must reach the kernel (a client closed at once drops it, and the first cell pays)."""
    from opkval.publish.render import Renderer

    seen = []
    with Renderer().start() as renderer:
        kc = renderer._client()
        kc.execute_interactive(
            "import sys; print(sorted(m for m in ('opkval.sections.charts', "
            "'opkval.sections.present_gaps', 'matplotlib') if m in sys.modules))", timeout=30,
            output_hook=lambda msg: seen.append(msg["content"].get("text", "")))
    assert "".join(seen).strip() == ("['matplotlib', 'opkval.sections.charts', "
                                     "'opkval.sections.present_gaps']")


def test_single_use_renderer_stops_its_kernel_after_the_run(data, index, tmp_path):
    from opkval.publish.render import Renderer

    ctx = build_context(data, index.resolve("Læsø"), 2026)
    with Renderer(single_use=True) as renderer:
        files = renderer.render(ctx, tmp_path, formats=("html",))
        renderer._closer.join(timeout=30)
        assert renderer._km is None  # shut down while the HTML was written
        # A second note on the same renderer starts a fresh kernel rather than failing.
        again = renderer.render(ctx, tmp_path / "igen", formats=("html",))
    assert files.html.exists() and again.html.exists()


def test_single_use_kernel_is_stopped_after_a_failing_cell_too(tmp_path):
    """A failed run must not leave a kernel (with that notebook's variables) for the next."""
    import nbformat

    from opkval.publish.render import Renderer

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("leak = 42\n1 / 0")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "boom.ipynb")
    with Renderer(single_use=True) as renderer:
        with pytest.raises(ReportError, match="ZeroDivisionError"):
            renderer.execute(tmp_path / "out.ipynb", {}, tmp_path / "boom.ipynb")
        renderer._closer.join(timeout=30)
        assert renderer._km is None


def test_dead_kernel_is_replaced_and_closed(tmp_path):
    from opkval.publish.render import Renderer

    with Renderer() as renderer:
        renderer.start()._client()
        old_km, old_kc = renderer._km, renderer._kc
        os.kill(old_km.provisioner.pid, signal.SIGKILL)
        for _ in range(100):  # until the manager sees it (at most 10 s)
            if not old_km.is_alive():
                break
            time.sleep(0.1)
        renderer.start()  # notices the dead kernel: closes its client, starts a new one
        assert renderer._km is not old_km and not old_kc.channels_running
        seen = []
        renderer._client().execute_interactive(
            "print(6 * 7)", timeout=30,
            output_hook=lambda m: seen.append(m["content"].get("text", "")))
    assert "".join(seen).strip() == "42"


def test_a_kernel_that_never_gets_ready_says_so_in_its_own_words(tmp_path, monkeypatch):
    """The readiness wait's message reaches the user as it is, not wrapped as a failure
    during the run (the kernel never ran a cell)."""
    from opkval.publish.render import Renderer

    def never(self, timeout):
        raise ReportError("Jupyter-kernen svarede ikke inden for 60 s.")

    monkeypatch.setattr(Renderer, "_wait_for_ready", never)
    with Renderer() as renderer, pytest.raises(ReportError) as e:
        renderer.execute(tmp_path / "out.ipynb", {"kommunekode": 825})
    assert str(e.value) == "Jupyter-kernen svarede ikke inden for 60 s."
