"""Issue 12 end to end: the real notebook renders the Word note and agenda item beside the PDF
with the same figures; LibreOffice opens the Word note (skipped where it is not installed);
`make report` passes FORMAT and OUT on; a scenario never replaces the real note."""

from __future__ import annotations

import dataclasses
import html as html_lib
import os
import re
import shutil
import subprocess

import docx
import nbformat
import pytest
from pypdf import PdfReader

from opkval import PROJECT_ROOT
from opkval.assembly.context import build_context
from opkval.base import doc
from opkval.inputs.plan import load_plan
from opkval.publish.render import render_report
from tests.conftest import PLAN_CONFIG, PLANS, RULES

pytestmark = pytest.mark.slow
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def vejle_files(data, index, tmp_path_factory):
    plan = load_plan(PLANS / "vejle" / "vejle.yaml", index, config=PLAN_CONFIG)
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
    assert files.analyse_docx.name == "vejle-analyse.docx"
    # The analysis holds the charts and the figures (the bilag is the short note).
    d = docx.Document(str(files.analyse_docx))
    # One picture per chart the HTML shows, each with the HTML's alt text and its caption.
    html = files.analyse_html.read_text(encoding="utf-8")
    alts = [s._inline.docPr.get("descr") for s in d.inline_shapes]
    assert len(alts) == html.count('<figure class="chart">') == 4
    shown = html_lib.unescape(html)
    for alt in alts:
        assert f'alt="{alt}"' in shown
    captions = [p.text for p in d.paragraphs if p.style.name == "Caption"]
    # Every chart's caption is a Word caption (tables have their captions too).
    figcaptions = re.findall(r"<figcaption>(.*?)</figcaption>", shown)
    assert len(figcaptions) == 4 and all(c in captions for c in figcaptions)
    word = _docx_text(d)
    # The header fields once, in the title block; the page header names the document.
    assert "Sagsnr.: 17.01.00-P20-3-26" in word
    assert [p.text for p in d.sections[0].header.paragraphs if p.text] == [
        "Vejle Kommune · Analyse"]
    assert "/tmp" not in word and "tests/fixtures" not in word
    if not doc.blocks_from_outputs(nbformat.read(files.ipynb, as_version=4)):
        pytest.xfail("the notebook does not display document blocks yet: the Word note has "
                     "the charts and the page header, its text comes with the sections as "
                     "blocks (issue 23)")
    pdf = _pdf_text(files.analyse_pdf)
    for figure in ("14.427.102", "20.900.000", "26.727.102", "12.300.000", "2.288.551"):
        assert figure in pdf and figure in word, figure
    heads = {p.style.name for p in d.paragraphs if p.style.name.startswith("Heading")}
    assert heads == {"Heading 1", "Heading 2", "Heading 3"}


def _soffice_pdf(paths, out_dir) -> None:
    profile = out_dir / "lo-profil"
    r = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, paths)],
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) er ikke installeret")
def test_libreoffice_opens_the_word_files(vejle_files, tmp_path):
    _, files = vejle_files
    _soffice_pdf([files.docx, files.agenda_docx], tmp_path)
    note = _pdf_text(tmp_path / "vejle.pdf")
    assert "Vejle Kommune · Bilag 2" in note and "Side 1 af" in note
    item = _pdf_text(tmp_path / "vejle-dagsordenspunkt.pdf")
    assert "Resumé" in item and "Vejle Kommune · Dagsordenspunkt" in item
    assert "Bilag 2" not in item.split("Resumé")[0]  # its own header, not the note's
    if shutil.which("pdftotext"):  # its header (logo and three lines) clear of the body
        header = [p.text for p in docx.Document(str(files.agenda_docx)).sections[0]
                  .header.paragraphs if p.text]
        _assert_header_clear(tmp_path / "vejle-dagsordenspunkt.pdf", header)


D = doc
#: What a narrow column holds in the notes: a kommune's long name, the rounds' column heads,
#: a dagtilbud's name among many indsats columns.
LONG_TABLES = [
    D.Table(["År", "Puljen i alt", "Frederikshavn Kommune", "Andel", "Udbetales", "Grundlag"],
            [["2023", "100.000.000\u00a0kr.", "1.250.000\u00a0kr.", "1,25\u00a0%", "2023",
              [D.Run("tilsagn", label="tilsagn")]],
             ["2024", "125.000.000\u00a0kr.", "1.562.500\u00a0kr.", "1,25\u00a0%", "2024",
              [D.Run("skøn", label="skøn")]]],
            foot=[["I alt", "225.000.000\u00a0kr.", "2.812.500\u00a0kr.", "", "", ""]],
            numeric=(1, 2, 3), caption="Tilskud pr. år"),
    D.Table(["Indsats", "Første tildelingsrunde i alt", "Anden tildelingsrunde i alt",
             "Tredje tildelingsrunde i alt", "Ikke finansieret af puljen", "I alt"],
            [["Meritpædagoguddannelse", "600.000\u00a0kr.", "634.000\u00a0kr.", "0\u00a0kr.",
              "0\u00a0kr.", "1.234.000\u00a0kr."],
             ["Kompetenceudviklingsforløbet", "0\u00a0kr.", "300.000\u00a0kr.",
              "312.000\u00a0kr.", "50.000\u00a0kr.", "662.000\u00a0kr."]],
            numeric=(1, 2, 3, 4, 5), caption="Indsatserne pr. tildelingsrunde"),
    D.Table(["Dagtilbud", "Meritpædagoguddannelse (pædagogmedhjælpere)",
             "Kursus i sprogarbejde (pædagoger)", "Pædagogisk assistentuddannelse (dagplejere)",
             "Diplommodul (pædagoger)", "Lederuddannelse (ledere)"],
            [["Frederikshavn Kommunale Dagpleje", "4", "12", "6", "2", "1"],
             ["Børnehuset Søstjernen, Sæby", "2", "8", "0", "1", "1"]],
            numeric=(1, 2, 3, 4, 5), caption="Deltagere pr. dagtilbud"),
]


def _bbox_pages(pdf) -> list[list[tuple[float, float, str]]]:
    """Each page's words as (yMin, yMax, word), in pdftotext's reading order."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([(float(a), float(b), html_lib.unescape(w)) for a, b, w in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            page)])
    return pages


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) eller pdftotext er ikke installeret")
def test_libreoffice_keeps_words_whole_and_the_header_clear(data, index, tmp_path):
    """Issue 21: laid out by LibreOffice, no word of a table is broken in the middle (before:
    "Frederikshav n Kommune", "tildelingsrun de i alt"), and on every page the running header
    (two lines and a logo) ends above the body text."""
    from opkval.publish.word import document_docx, note_document
    from opkval.sections import charts

    ctx = build_context(data, index.resolve("Frederikshavn"), 2026)
    ctx["notat"] = {"bilag_nr": 3, "udvalg": "Børne- og Ungdomsudvalget",
                    "sagsnr": "17.01.00-A00-12-26", "afsender": "Center for Dagtilbud og Skole",
                    "kontakt": "Mette Frederiksen Sørensen, mfs@frederikshavn.dk"}
    chart = charts.grants_by_year(ctx)
    blocks = [D.Heading(1, "Orientering om opkvalificeringspuljen – Frederikshavn Kommune"),
              D.Box([D.Paragraph("Kommunen får ", D.b("2.812.500\u00a0kr."), "."),
                     D.BulletList(["Planen har ", [D.Run("Brud", status="brud")]])])]
    for t in LONG_TABLES:
        blocks += [D.Heading(2, t.caption), t,
                   D.Figure(alt=chart.alt, svg=chart.svg, caption=chart.caption)]
    # A running header of two lines (the writer's widest case; the notes' own have one).
    document = dataclasses.replace(note_document(ctx, blocks), header=(
        "Frederikshavn Kommune · Bilag 3", "Udvalg: Børne- og Ungdomsudvalget · Sagsnr.: "
        "17.01.00-A00-12-26 · Kontakt: Mette Frederiksen Sørensen, mfs@frederikshavn.dk"))
    path = tmp_path / "frederikshavn.docx"
    path.write_bytes(document_docx(document))
    _soffice_pdf([path], tmp_path)
    pdf = tmp_path / "frederikshavn.pdf"
    tokens = set(re.split(r"[\s\u00a0]+", subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout))
    for t in LONG_TABLES:
        for row in (t.head, *t.rows, *t.foot):
            for cell in row:
                for word in re.split(r"[\s\u00a0]+", doc.plain(cell).strip()):
                    assert not word or word in tokens, word
    assert len(_bbox_pages(pdf)) >= 2
    _assert_header_clear(pdf, document.header)


def _assert_header_clear(pdf, header_lines) -> None:
    """On every page the running header's words come first and end at least 0,4 cm (11 pt)
    above the body's first line (the footer's "Side n af m" aside)."""
    header_words = [w for line in header_lines for w in line.split()]
    for n, words in enumerate(_bbox_pages(pdf), start=1):
        head = words[:len(header_words)]
        assert [w for _, _, w in head] == header_words, n
        body = words[len(header_words):]
        texts = [w for _, _, w in body]
        at = next(i for i in range(len(texts)) if texts[i:i + 3] == ["Side", str(n), "af"])
        del body[at:at + 4]  # the footer (written where the page's content stream has it)
        assert min(y0 for y0, _, _ in body) - max(y1 for _, y1, _ in head) >= 11, n


def test_make_report_passes_format_and_out(tmp_path):
    env = {**os.environ, "KOMMUNE": "Ishøj", "FORMAT": "html", "OUT": str(tmp_path)}
    r = subprocess.run(["make", "-s", "report"], cwd=PROJECT_ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "ishoej-analyse.html", "ishoej.html", "ishoej.ipynb", "ishoej.json"]


def test_scenario_note_never_replaces_the_real_one(data, ishoej_plan, tmp_path):
    from opkval.engine.plan_effect import parse_extra

    real = render_report(build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan),
                         tmp_path, formats=("html",))
    before = real.html.read_bytes()
    ctx = build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan,
                        extras=parse_extra("meritpaedagog:4:2026", RULES))
    files = render_report(ctx, tmp_path, formats=("html",))
    assert files.html.name == "ishoej-scenarie-meritpaedagog-4-2026.html"
    assert real.html.read_bytes() == before
    assert "Scenarie – ikke kommunens plan" in files.html.read_text(encoding="utf-8")


def test_batch_builds_word_and_agenda_and_follows_the_files_a_plan_names(tmp_path, capsys):
    from opkval.app.batch import run

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
