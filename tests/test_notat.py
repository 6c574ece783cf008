"""Issue 12, points 2, 3, 6, 7, 8: the kommune's words and header, corrections, changes since
the last orientation, scenario file names."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from opkval.assembly.context import build_context, file_stem
from opkval.base import doc
from opkval.base.html_writer import block_html
from opkval.inputs.plan import PlanError, load_plan
from opkval.sections import present, present_notat, present_plan
from tests.conftest import PLAN_CONFIG, PLANS, RULES
from tests.docquery import cell_texts, table_with
from tests.textof import text_of

VEJLE_DIR = PLANS / "vejle"
MINIMAL = (PLANS / "good_minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def vejle_plan(index):
    return load_plan(VEJLE_DIR / "vejle.yaml", index, config=PLAN_CONFIG)


@pytest.fixture(scope="module")
def vejle_ctx(data, vejle_plan):
    return build_context(data, vejle_plan.kommune, 2026, plan=vejle_plan)


@pytest.fixture(scope="module")
def ishoej_ctx(data, ishoej_plan):
    return build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan)


# ------------------------------------------------------------------ Markdown: only what passes

def html_of(x) -> str:
    """The HTML the document model's writer gives a block or a list of blocks."""
    return "".join(str(block_html(b)) for b in doc.sequence(x))


def _md_html(text: str) -> str:
    return "".join(str(block_html(b)) for b in present_notat.md_doc(text))


def test_markdown_keeps_paragraphs_lists_emphasis_and_links():
    blocks = present_notat.md_doc("Et **fed** og *kursiv* ord.\n\n- a\n- b\n\n1. en\n2. to\n\n"
                                  "[uvm](https://www.uvm.dk/)")
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "BulletList", "BulletList",
                                                 "Paragraph"]
    p, ul, ol, link = blocks
    assert doc.Run("fed", bold=True) in p.runs and doc.Run("kursiv", italic=True) in p.runs
    assert not ul.ordered and [doc.plain(i) for i in ul.items] == ["a", "b"]
    assert ol.ordered and [doc.plain(i) for i in ol.items] == ["en", "to"]
    assert link.runs == (doc.Run("uvm", href="https://www.uvm.dk/"),)
    html = _md_html("Et **fed** ord.\n\n- a\n\n[uvm](https://www.uvm.dk/)")
    assert "<b>fed</b>" in html and "<ul><li>a</li>" in html
    assert '<a href="https://www.uvm.dk/">uvm</a>' in html


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "<b>fed</b>",
    "[x](javascript:alert(1))", "![billede](https://example.org/x.png)", "# Overskrift",
    "> citat", "    kode", "| a | b |\n|---|---|\n| 1 | 2 |", "[x](file:///etc/passwd)",
    "<a href='https://x'>y</a>"])
def test_nothing_else_passes_through(text):
    html = _md_html(text)
    tags = set(re.findall(r"<\s*([a-zA-Z0-9]+)", html))
    assert tags <= {"p", "a", "br"}, html
    assert "<script" not in html and "<img" not in html and "<h1" not in html
    for m in re.finditer(r'href="([^"]*)"', html):
        assert m.group(1).startswith(("http://", "https://", "mailto:"))


def test_markdown_blocks_for_word_and_text():
    blocks = present_notat.md_blocks("Holdet:\n\n- 12 **studerende**\n- *ingen* frafald")
    assert [b["kind"] for b in blocks] == ["p", "ul"]
    first = blocks[1]["items"][0]
    assert [(r["text"], r["bold"]) for r in first] == [("12 ", False), ("studerende", True)]
    assert present_notat.md_plain("Se [uvm](https://uvm.dk/).") == "Se uvm (https://uvm.dk/)."


# ------------------------------------------------------------------ the kommune's own text

def test_own_text_and_beskrivelse_are_in_the_note(vejle_ctx):
    intro = str(block_html(present_notat.indledning(vejle_ctx)))
    assert "<b>status</b>" in intro and "&lt;script&gt;" in intro
    own = "".join(str(block_html(s)) for s in present_notat.own_sections(vejle_ctx))
    assert "<h2>Status på meritholdet</h2>" in own and "<i>ingen</i> frafald" in own
    assert "godkender den reviderede plan" in text_of(present_notat.indstilling(vejle_ctx))
    section = present_plan.indsats_table(vejle_ctx)
    (described,) = [b for b in section.children
                    if isinstance(b, doc.BulletList) and b.role == "beskrivelser"]
    merit = described.items[0]
    assert merit[0] == doc.b("Meritpædagoguddannelse")
    assert doc.plain(merit[1:]).strip().startswith("Tolv pædagogmedhjælpere tager")
    assert "Fem kursusdage om sprogarbejde" in text_of(section)


def test_a_plan_without_notat_shows_none_of_it(ishoej_ctx):
    assert present_notat.indledning(ishoej_ctx) is None
    assert present_notat.own_sections(ishoej_ctx) is None
    assert present_notat.indstilling(ishoej_ctx) is None
    assert present_notat.indstilling_text(ishoej_ctx) == (
        "Forvaltningen indstiller, at udvalget tager orienteringen til efterretning.")


# ------------------------------------------------------------------ header fields and logo

def test_header_fields_logo_and_bilag_number(vejle_ctx):
    title = html_of(present.title(vejle_ctx))
    assert "Bilag 2 · Orientering · rapportår 2026" in title
    assert "<dt>Møde</dt><dd>14. april 2026</dd>" in title
    assert "<dt>Sagsnr.</dt><dd>17.01.00-P20-3-26</dd>" in title
    assert '<img src="data:image/png;base64,iVBOR' in title and 'class="logo"' in title
    assert 'alt="Logo: Vejle Kommune"' in title


def test_absent_header_fields_leave_no_gap(vejle_ctx, ishoej_ctx):
    title = html_of(present.title(ishoej_ctx))
    assert "notat-meta" not in title and "<img" not in title
    assert '<p class="kicker">Orientering · rapportår 2026</p>' in title
    ctx = {**vejle_ctx, "notat": {**vejle_ctx["notat"], "udvalg": None, "sagsnr": None,
                                  "bilag_nr": None}}
    fields = present_notat.header_fields(ctx)
    assert [label for label, _ in fields] == ["Møde", "Afsender", "Kontakt"]
    kicker = re.search(r'<p class="kicker">(.*?)</p>', html_of(present.title(ctx))).group(1)
    assert kicker == "Orientering · rapportår 2026"
    title = html_of(present.title(ctx))
    assert "· ·" not in title and "<dd></dd>" not in title


@pytest.mark.parametrize(("logo", "message"), [
    ("mangler.png", "findes ikke"), ("../logo.png", "uden mappe"), ("logo.gif", "filtypen"),
    ("falsk.png", "ikke en PNG")])
def test_bad_logo_is_reported(tmp_path, index, logo, message):
    (tmp_path / "falsk.png").write_text("ikke et billede", encoding="utf-8")
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    p = tmp_path / "plan.yaml"
    p.write_text(MINIMAL + f"notat:\n  logo: {logo}\n", encoding="utf-8")
    with pytest.raises(PlanError) as e:
        load_plan(p, index, config=PLAN_CONFIG)
    assert any(x.field == "notat.logo" and message in x.message for x in e.value.problems)


def test_svg_logo_next_to_the_plan(tmp_path, index):
    shutil.copy(VEJLE_DIR / "logo.svg", tmp_path / "logo.svg")
    p = tmp_path / "plan.yaml"
    p.write_text(MINIMAL + "notat:\n  logo: logo.svg\n  moede: 2026-13-01\n", encoding="utf-8")
    with pytest.raises(PlanError) as e:
        load_plan(p, index, config=PLAN_CONFIG)
    assert [x.field for x in e.value.problems] == ["notat.moede"]  # the SVG itself is fine
    p.write_text(MINIMAL + "notat:\n  logo: logo.svg\n", encoding="utf-8")
    # Drawn once, at validation, to a checked PNG (issue 20): no writer sees the SVG.
    assert load_plan(p, index, config=PLAN_CONFIG).notat.as_dict()["logo"]["mime"] == "image/png"


# ------------------------------------------------------------------ corrections (point 6)

def test_no_local_paths_and_plan_named_by_title_date_and_file(vejle_ctx):
    import json

    text = json.dumps(vejle_ctx, ensure_ascii=False)
    assert "tests/fixtures" not in text and "/work" not in text and "/tmp" not in text
    html = text_of(present_plan.classification(vejle_ctx))
    assert ("Planen: Lokal plan for opkvalificering 2026, 20. marts 2026 (filen vejle.yaml)"
            in html)
    assert "regler.yaml" not in html


def test_each_note_cites_its_own_source_for_the_caveat(data, index, vejle_ctx, ishoej_ctx):
    assert "Ishøj" in ishoej_ctx["pulje"]["forbehold_kilde"]
    # The caveat's source; Ishøj's tilsagn is still named as the key's record (issue 19).
    def caveat(ctx):
        return text_of(present.assumptions(ctx)).split("Finanslovsforbehold")[1]

    assert "Ishøj" not in caveat(vejle_ctx)
    assert "Tilsagnsbrev fra STUK af 14. juni 2023" in vejle_ctx["pulje"]["forbehold_kilde"]
    odense = build_context(data, index.resolve("Odense"), 2026)
    assert "Ishøj" not in caveat(odense)


def test_pool_money_and_other_financing_are_totalled_apart(vejle_ctx):
    section = present_plan.indsats_table(vejle_ctx)
    # Pool lines 5,6 + 6,4 + 0,3 mio. = 12.300.000; other financing 2 × 150.000 = 300.000.
    table = table_with(section, "Planens indsatser")
    assert [cell_texts(r) for r in table.foot] == [
        ["I alt, betalt af puljen", "", "", "", "", "12.300.000"],
        ["I alt, anden finansiering *", "", "", "", "", "300.000"]]
    assert "12.600.000" not in text_of(section)


def test_students_and_course_participants_are_counted_apart(vejle_ctx, ishoej_ctx):
    kp = text_of(present_plan.key_points(vejle_ctx))
    # Vejle: merit 12 + PAU 16 = 28 students; the 40 on the course are not added to them.
    assert ("28 studerende i formel uddannelse (12 pædagogmedhjælpere og 16 dagplejere) og 40 "
            "deltagere i kurser") in kp
    assert "68" not in kp
    # Ishøj (seed 001): 8 merit students, 2 × 20 pædagoger on the course.
    kp = text_of(present_plan.key_points(ishoej_ctx))
    assert "8 studerende i formel uddannelse (8 pædagogmedhjælpere) og 40 deltagere" in kp
    assert "48 deltagere" not in kp


# ------------------------------------------------------------------ since the last orientation

def test_changes_since_the_previous_plan(vejle_ctx):
    d = vejle_ctx["plan"]["siden_sidst"]
    assert d["fil"] == "vejle-2025.yaml" and d["dato"] == "2025-03-18"
    assert d["tilfoejet"] == ["PAU for dagplejere", "Kursus i sprogarbejde"]
    assert d["fjernet"] == ["Lederuddannelse (diplommodul)"]
    (merit,) = d["aendret"]
    assert merit["navn"] == "Meritpædagoguddannelse"
    assert [(a["aar"], a["foer_kr"], a["nu_kr"]) for a in merit["aar"]] == [
        (2026, 700_000, 2_100_000), (2027, 400_000, 2_100_000)]
    # Pool totals by hand: before 0,7+0,7+0,7+0,4 + 0,12 = 2,62 mio.; now 5,6+6,4+0,3 = 12,3.
    assert d["foer"] == {"pulje_kr": 2_620_000, "anden_kr": 300_000, "indsatser": 3}
    assert d["nu"] == {"pulje_kr": 12_300_000, "anden_kr": 300_000, "indsatser": 4}
    section = present_plan.changes(vejle_ctx)
    assert section.children[0] == doc.Heading(2, "Siden sidste orientering")
    assert "2026: 700.000\u00a0kr. → 2.100.000\u00a0kr." in doc.plain_text(section)


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _committed_plan(tmp_path, text: str):
    """plan.yaml with `text`, committed in a new git repository (the plan's path)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "a@b.dk")
    _git(repo, "config", "user.name", "A")
    plan = repo / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    _git(repo, "add", "plan.yaml")
    _git(repo, "commit", "-qm", "første")
    return plan


def test_previous_committed_version_of_the_same_file(tmp_path, data, index):
    plan = _committed_plan(tmp_path, MINIMAL)
    repo = plan.parent
    plan.write_text(MINIMAL.replace("2025: 462000}", "2025: 500000}")
                    + "forrige: git\n", encoding="utf-8")
    p = load_plan(plan, index, config=PLAN_CONFIG)
    ctx = build_context(data, p.kommune, 2026, plan=p)
    d = ctx["plan"]["siden_sidst"]
    assert d["git"] and d["fil"] == "plan.yaml"
    assert d["aendret"][0]["aar"] == [{"aar": 2025, "foer_kr": 462_000, "nu_kr": 500_000,
                                       "forskel_kr": 38_000}]
    # Committed as it is now: the previous version is the commit before.
    _git(repo, "commit", "-qam", "anden")
    built = build_context(data, p.kommune, 2026, plan=load_plan(plan, index, config=PLAN_CONFIG))
    d = built["plan"]["siden_sidst"]
    assert d["aendret"][0]["aar"][0]["nu_kr"] == 500_000


def test_git_without_history_is_one_clear_message(tmp_path, data, index):
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL + "forrige: git\n", encoding="utf-8")
    p = load_plan(plan, index, config=PLAN_CONFIG)
    with pytest.raises(PlanError) as e:
        build_context(data, p.kommune, 2026, plan=p)
    assert "forrige" in str(e.value) and "git" in str(e.value)


def test_previous_file_must_exist(tmp_path, index):
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL + "forrige: gammel.yaml\n", encoding="utf-8")
    with pytest.raises(PlanError) as e:
        load_plan(plan, index, config=PLAN_CONFIG)
    assert "forrige: filen findes ikke ved siden af planen" in str(e.value)


# ------------------------------------------------------------------ scenario (point 8)

def test_scenario_has_its_own_file_name_and_says_so_on_page_1(data, ishoej_plan):
    from opkval.engine.plan_effect import parse_extra

    extras = parse_extra("meritpaedagog:4:2026", RULES)
    assert file_stem("ishoej", extras) == "ishoej-scenarie-meritpaedagog-4-2026"
    assert file_stem("ishoej", []) == "ishoej"
    ctx = build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan, extras=extras)
    assert ctx["filnavn"] == "ishoej-scenarie-meritpaedagog-4-2026"
    title = html_of(present.title(ctx))
    assert "Scenarie · Orientering" in title
    assert "Scenarie – ikke kommunens plan, som den står: +4 meritpaedagog fra 2026." in title
    assert "Scenarie" not in html_of(present.title(
        build_context(data, ishoej_plan.kommune, 2026, plan=ishoej_plan)))




def test_svg_logo_reaches_the_word_header_as_a_picture(tmp_path, index, data):
    """python-docx embeds raster images only: the SVG is drawn as a PNG with the logo's
    alt text, in the page header of the Word note."""
    import io

    import docx
    from PIL import Image

    from opkval.assembly.context import build_context
    from opkval.publish.word import document_docx, logo_png, note_document
    from opkval.sections.present import SVG_LOGO_PX

    shutil.copy(VEJLE_DIR / "logo.svg", tmp_path / "logo.svg")
    p = tmp_path / "plan.yaml"
    p.write_text(MINIMAL + "notat:\n  logo: logo.svg\n", encoding="utf-8")
    plan = load_plan(p, index, config=PLAN_CONFIG)
    png = logo_png(plan.notat.as_dict()["logo"])
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size[0] == SVG_LOGO_PX
    ctx = build_context(data, plan.kommune, 2026, plan=plan)
    doc = docx.Document(io.BytesIO(document_docx(note_document(ctx, []))))
    header = doc.sections[0].header._element
    pics = header.xpath(".//wp:docPr")
    assert len(pics) == 1 and pics[0].get("descr").startswith("Logo: ")
    assert logo_png({"mime": "image/svg+xml", "data": "bm90IHN2Zw=="}) is None  # "not svg"


def test_a_previous_git_version_over_the_size_limit_is_refused_unread(tmp_path, index,
                                                                       monkeypatch):
    """forrige: git reads the old version from git; one over the 512 KB a YAML plan may have
    is refused by its size (asked of git first), as load_plan refuses such a file."""
    from opkval.inputs import plan as plan_mod

    plan = _committed_plan(tmp_path, MINIMAL + "# " + "x" * (600 * 1024) + "\n")
    plan.write_text(MINIMAL + "forrige: git\n", encoding="utf-8")
    p = load_plan(plan, index, config=PLAN_CONFIG)
    import subprocess

    shown, real_run = [], subprocess.run

    def run(cmd, *a, **k):
        shown.append(cmd[3])
        return real_run(cmd, *a, **k)

    monkeypatch.setattr(subprocess, "run", run)
    with pytest.raises(PlanError) as e:
        plan_mod.load_previous(p, index, config=PLAN_CONFIG)
    text = str(e.value)
    assert "den tidligere version fylder 600 KB" in text and "512 KB" in text and "git" in text
    assert "show" not in shown  # the blob itself was never read
