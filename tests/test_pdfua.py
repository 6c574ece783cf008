"""Every PDF opkval writes is tagged PDF/UA-1: a validator passes it, and its structure tree has
one element per HTML table, header cells, figures with their alternative, and page furniture as
artifacts (slow: builds notes, both documents of each, and the landsoversigt). The PDFs are
Typst's (opkval.publish.typst_writer), written from the same blocks as the HTML."""

import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from tests.conftest import PLANS, SITE_SLUGS
from tests.pdftree import struct_tree

pytestmark = pytest.mark.slow
PDFS = (*SITE_SLUGS, *(f"{s}-analyse" for s in SITE_SLUGS), "landsoversigt")
#: A plan with header fields (udvalg, møde, sagsnr., …) AND a logo: the Vejle fixture, built as
#: `make report PLAN=…` builds it (bilag and analysis).
VEJLE_PDFS = ("vejle", "vejle-analyse")


@pytest.fixture(scope="module")
def built_vejle(tmp_path_factory):
    from opkval.app.cli import main

    out = tmp_path_factory.mktemp("vejle")
    assert main(["report", "--kommune", "Vejle", "--plan", str(PLANS / "vejle" / "vejle.yaml"),
                 "--out", str(out), "--format", "html,pdf"]) == 0
    return out


@pytest.mark.parametrize("slug", VEJLE_PDFS)
def test_a_plan_with_header_fields_and_a_logo_passes_pdf_ua_1(built_vejle, slug):
    page = pytest.importorskip("page", reason="page-validation (PDF/UA-1 validator) not installed")
    reader = PdfReader(built_vejle / f"{slug}.pdf")
    tree = _tree(reader)
    alts = [str(node["/Alt"]) for node, _ in tree if str(node["/S"]) == "/Figure"]
    if slug == "vejle":  # the logo is there, with its alternative, and so are the fields
        assert "Logo: Vejle Kommune" in alts
        assert "Sagsnr.: 17.01.00-P20-3-26" in " ".join(reader.pages[0].extract_text().split())
    report = page.validate_pdf(str(built_vejle / f"{slug}.pdf"), profile="ua1")
    assert report.is_compliant and not report.failures, [(f.rule_id, f.message)
                                                         for f in report.failures]


class _HtmlCounts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, int] = {}
        self.alts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "img":
            self.alts.append(dict(attrs).get("alt", ""))


def _html(path):
    p = _HtmlCounts()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _tree(reader):
    """(structure element, pages its content is on) for every element, in reading order."""
    return [(node, pages) for _, node, pages in struct_tree(reader)]


@pytest.mark.parametrize("slug", PDFS)
def test_pdf_passes_a_pdf_ua_1_validator(built_site, slug):
    page = pytest.importorskip("page", reason="page-validation (PDF/UA-1 validator) not installed")
    report = page.validate_pdf(str(built_site / f"{slug}.pdf"), profile="ua1")
    assert report.is_compliant and not report.failures, [(f.rule_id, f.message)
                                                         for f in report.failures]


@pytest.mark.parametrize("slug", PDFS)
def test_pdf_identifies_itself_and_its_language(built_site, slug):
    reader = PdfReader(built_site / f"{slug}.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "da"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert root["/MarkInfo"]["/Marked"].value is True
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfuaid:part(="1"|>1<)', xmp)
    title = re.search(r"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>", xmp, re.S).group(1)
    html = (built_site / f"{slug}.html").read_text(encoding="utf-8")
    assert title == re.search(r"<title>(.*?)</title>", html).group(1)


@pytest.mark.parametrize("slug", PDFS)
def test_structure_has_one_table_per_html_table_and_every_header_cell(built_site, slug):
    html = _html(built_site / f"{slug}.html")
    reader = PdfReader(built_site / f"{slug}.pdf")
    tree = _tree(reader)
    kinds = [str(node["/S"]) for node, _ in tree]
    assert kinds.count("/Table") == html.tags.get("table", 0)
    assert kinds.count("/TH") == html.tags.get("th", 0)  # a repeated header row is no new row
    assert kinds.count("/Document") == 1  # one tree for the document, not one per page
    assert kinds.count("/H1") == 1 and kinds.count("/H2") == html.tags.get("h2", 0)
    ids = {str(node["/ID"]) for node, _ in tree if str(node["/S"]) == "/TH"}
    for node, _ in tree:
        if str(node["/S"]) == "/TD":
            # /A is one attribute dictionary or an array of them (both are allowed).
            attrs = node.get("/A")
            attrs = attrs if isinstance(attrs, list) else [attrs] if attrs else []
            headers = [h for a in attrs for h in a.get_object().get("/Headers", [])]
            assert {str(h) for h in headers} <= ids


def test_a_table_that_crosses_a_page_is_one_table(built_site):
    """Ishøj's analysis has a table that continues on the next page (checked here, not
    assumed)."""
    tree = _tree(PdfReader(built_site / "ishoej-analyse.pdf"))
    spans = [sorted(p) for node, p in tree if str(node["/S"]) == "/Table"]
    assert any(len(p) > 1 for p in spans), spans


@pytest.mark.parametrize("slug", PDFS)
def test_figures_carry_the_html_alternative(built_site, slug):
    html = _html(built_site / f"{slug}.html")
    tree = _tree(PdfReader(built_site / f"{slug}.pdf"))
    alts = [str(node["/Alt"]) for node, _ in tree if str(node["/S"]) == "/Figure"]
    assert alts == html.alts and all(alts)
    captions = [node for node, _ in tree if str(node["/S"]) == "/Caption"]
    assert len(captions) >= html.tags.get("figcaption", 0) + html.tags.get("caption", 0)


@pytest.mark.parametrize("slug", PDFS)
def test_page_numbers_and_running_title_are_artifacts(built_site, slug):
    reader = PdfReader(built_site / f"{slug}.pdf")
    # The running header and the footer (running title and "Side n af m") are pagination
    # artifacts on every page, outside the structure tree.
    for page in reader.pages:
        content = page.get_contents().get_data()
        assert re.search(rb"/Artifact\s*<<[^>]*/Subtype\s*/Footer[^>]*>>\s*BDC", content)
        if slug != "landsoversigt":  # a kommune's documents carry the kommune on every page
            assert re.search(rb"/Artifact\s*<<[^>]*/Subtype\s*/Header[^>]*>>\s*BDC", content)
