"""Issue 12 end to end: the real notebook renders the Word note and agenda item beside the PDF
with the same figures; LibreOffice opens the Word note (skipped where it is not installed);
`make report` passes FORMAT and OUT on; a scenario never replaces the real note."""

from __future__ import annotations

import html as html_lib
import os
import shutil
import subprocess

import docx
import pytest
from pypdf import PdfReader

from opkval import PROJECT_ROOT
from opkval.context import build_context
from opkval.plan import load_plan
from opkval.render import render_report
from tests.conftest import PLANS

pytestmark = pytest.mark.slow
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def vejle_files(data, index, tmp_path_factory):
    plan = load_plan(PLANS / "vejle" / "vejle.yaml", index)
    ctx = build_context(data, plan.kommune, 2026, plan=plan)
    out = tmp_path_factory.mktemp("vejle")
    return ctx, render_report(ctx, out, formats=("html", "pdf", "docx"))


def _pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\u00a0", " ")


def _docx_text(d) -> str:
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join(parts).replace("\u00a0", " ")


def test_word_note_agrees_with_the_pdf(vejle_files):
    ctx, files = vejle_files
    assert files.docx.name == "vejle.docx"
    assert files.agenda_docx.name == "vejle-dagsordenspunkt.docx"
    assert files.agenda_txt.read_text(encoding="utf-8").startswith(
        "Orientering om opkvalificeringspuljen – Vejle Kommune\n")
    d = docx.Document(str(files.docx))
    pdf, word = _pdf_text(files.pdf), _docx_text(d)
    for figure in ("14.427.102", "20.900.000", "26.727.102", "12.300.000", "2.288.551"):
        assert figure in pdf and figure in word, figure
    heads = {p.style.name for p in d.paragraphs if p.style.name.startswith("Heading")}
    assert heads == {"Heading 1", "Heading 2", "Heading 3"}
    # One picture per chart the HTML shows, each with the HTML's alt text.
    html = files.html.read_text(encoding="utf-8")
    alts = [s._inline.docPr.get("descr") for s in d.inline_shapes]
    assert len(alts) == html.count('<figure class="chart">') == 4
    shown = html_lib.unescape(html)
    for alt in alts:
        assert f'alt="{alt}"' in shown
    assert "Sagsnr.: 17.01.00-P20-3-26" in "\n".join(
        p.text for p in d.sections[0].header.paragraphs)
    assert "/tmp" not in word and "tests/fixtures" not in word


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) er ikke installeret")
def test_libreoffice_opens_the_word_files(vejle_files, tmp_path):
    _, files = vejle_files
    profile = tmp_path / "lo-profil"
    r = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(files.docx),
                        str(files.agenda_docx)], capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    note = _pdf_text(tmp_path / "vejle.pdf")
    assert "14.427.102" in note and "Side 1 af" in note
    assert "Resumé" in _pdf_text(tmp_path / "vejle-dagsordenspunkt.pdf")


def test_make_report_passes_format_and_out(tmp_path):
    env = {**os.environ, "KOMMUNE": "Ishøj", "FORMAT": "html", "OUT": str(tmp_path)}
    r = subprocess.run(["make", "-s", "report"], cwd=PROJECT_ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "ishoej.html", "ishoej.ipynb", "ishoej.json"]


def test_scenario_note_never_replaces_the_real_one(data, ishoej_plan, tmp_path):
    from opkval.plan_effect import parse_extra

    real = render_report(build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan),
                         tmp_path, formats=("html",))
    before = real.html.read_bytes()
    ctx = build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan,
                        extras=parse_extra("meritpaedagog:4:2026"))
    files = render_report(ctx, tmp_path, formats=("html",))
    assert files.html.name == "ishoej-scenarie-meritpaedagog-4-2026.html"
    assert real.html.read_bytes() == before
    assert "Scenarie – ikke kommunens plan" in files.html.read_text(encoding="utf-8")


def test_batch_builds_word_and_agenda_and_follows_the_files_a_plan_names(tmp_path, capsys):
    from opkval.batch import run

    plans = tmp_path / "plans"
    shutil.copytree(PLANS / "vejle", plans)
    out = tmp_path / "reports"
    assert run(out, jobs=1, formats=("html", "docx"), year=2026, only=["vejle"],
               plans_dir=plans) == 0
    for name in ("vejle.html", "vejle.docx", "vejle-dagsordenspunkt.docx",
                 "vejle-dagsordenspunkt.txt"):
        assert (out / name).exists(), name
    index_html = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="vejle.docx">Word<span' in index_html
    assert '<a href="vejle-dagsordenspunkt.docx">Dagsordenspunkt<span' in index_html
    stamp = (out / "vejle.docx").stat().st_mtime_ns
    capsys.readouterr()
    assert run(out, jobs=1, formats=("html", "docx"), year=2026, only=["vejle"],
               plans_dir=plans) == 0
    assert "er opdaterede" in capsys.readouterr().err
    # A new logo next to the plan (named in it) rebuilds the note.
    with open(plans / "logo.png", "ab") as f:
        f.write(b"\0")
    assert run(out, jobs=1, formats=("html", "docx"), year=2026, only=["vejle"],
               plans_dir=plans) == 0
    assert (out / "vejle.docx").stat().st_mtime_ns != stamp
