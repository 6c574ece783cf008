"""Issue 23, points 3 and 6: two builds with one SOURCE_DATE_EPOCH write the same PDF and Word
bytes and print that time; the kept notebook runs again with papermill (slow: notebook runs)."""

from __future__ import annotations

import io
import json

import docx
import pytest

from opkval.assembly.context import build_context
from opkval.base import doc
from opkval.publish.render import render_report

pytestmark = pytest.mark.slow

#: 1 January 2026 00:00 UTC: 01:00 in Copenhagen (winter time).
EPOCH = "1767225600"


def test_two_builds_with_one_source_date_epoch_are_byte_identical(data, index, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    built = []
    for run in ("a", "b"):
        # Each build computes its own context, as `make report` does.
        ctx = build_context(data, index.resolve("Læsø"), 2026)
        assert ctx["generated_at"] == "2026-01-01T01:00:00"
        built.append(render_report(ctx, tmp_path / run, formats=("html", "pdf", "docx")))
    a, b = built
    for name in ("pdf", "docx", "analyse_pdf", "analyse_docx", "agenda_docx"):
        fa, fb = getattr(a, name), getattr(b, name)
        assert fa.read_bytes() == fb.read_bytes(), f"{fa.name} differs between two builds"
    # The time printed in the note is the epoch's, in Danish time.
    assert "Dannet 1. januar 2026 kl. 01:00" in a.analyse_html.read_text(encoding="utf-8")
    assert "1. januar 2026" in a.html.read_text(encoding="utf-8")  # the bilag: its date
    props = docx.Document(io.BytesIO(a.docx.read_bytes())).core_properties
    assert props.created.isoformat().startswith("2026-01-01T00:00:00")


def test_a_time_that_is_not_a_number_is_one_clear_message(monkeypatch):
    from opkval.assembly.context import build_time
    from opkval.base.errors import OpkvalError

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "i går")
    with pytest.raises(OpkvalError, match="SOURCE_DATE_EPOCH"):
        build_time()


def _blocks(nb_path) -> list:
    import nbformat

    return doc.blocks_from_outputs(nbformat.read(nb_path, as_version=4))


def test_the_kept_notebook_runs_again_with_papermill(data, index, ishoej_plan, tmp_path):
    """As the README says: papermill, run in the notebook's folder (--cwd), reads the context
    kept beside it (<slug>.json) and shows the same document (the temp copy the first run read
    is gone)."""
    import papermill as pm

    ctx = build_context(data, index.resolve("Ishøj"), 2026, plan=ishoej_plan)
    files = render_report(ctx, tmp_path, formats=("html",))
    kept = json.loads(files.ipynb.read_text(encoding="utf-8"))
    assert kept["metadata"]["papermill"]["parameters"]["context_path"] == "ishoej.json"
    assert str(tmp_path) not in files.ipynb.read_text(encoding="utf-8")  # no temp path
    again = tmp_path / "igen.ipynb"
    pm.execute_notebook(str(files.ipynb), str(again), cwd=str(tmp_path), kernel_name="python3",
                        progress_bar=False)
    first, second = _blocks(files.ipynb), _blocks(again)
    assert len(first) > 10 and second == first
