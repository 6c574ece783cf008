"""The built pages in a real browser: Debian's Chromium driven by Playwright (slow).

axe-core (vendored in tests/vendor/axe-core) checks WCAG 2.0/2.1 A and AA on the bilag and the
analysis, the index and the landsoversigt, at a desktop width and at 320 px; the index sorts from
the keyboard and its search finds the spellings the command line accepts. Skipped, with the
reason, where Chromium or Playwright is missing (`.ci/run` installs Chromium for CI).
"""

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SITE_SLUGS

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
CHROMIUM = os.environ.get("OPKVAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Both documents of a kommune with a plan and of one without, the index and the landsoversigt.
PAGES = ("ishoej", "ishoej-analyse", "helsingoer", "helsingoer-analyse", "index", "landsoversigt")


@pytest.fixture(scope="module")
def browser():
    missing = pytest.fail if os.environ.get("OPKVAL_REQUIRE_BROWSER") else pytest.skip
    if not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM} (Debian: apt-get install -y chromium; "
                ".ci/run does this in CI)")
    try:
        from playwright import sync_api
    except ImportError:
        missing("playwright is not installed (make venv installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _open(browser, built_site, name, width=1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((built_site / f"{name}.html").as_uri())
    return page


def _axe(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    assert len(result["passes"]) > 10, "axe-core ran almost no rule"  # it really checked
    return [{"id": v["id"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:5]]} for v in result["violations"]]


def test_vendored_axe_is_the_one_documented():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert SITE_SLUGS[0] == "ishoej"


@pytest.mark.parametrize("width", (1280, 320))
@pytest.mark.parametrize("name", PAGES)
def test_no_wcag_21_a_or_aa_violation(browser, built_site, name, width):
    page = _open(browser, built_site, name, width)
    try:
        assert _axe(page) == []
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_the_page_does_not_scroll_sideways_at_320_px(browser, built_site, name):
    page = _open(browser, built_site, name, width=320)
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        # ... while a wide table scrolls inside its own box.
        widest = page.evaluate("Math.max(...[...document.querySelectorAll('.table-scroll')]"
                               ".map(d => d.scrollWidth - d.clientWidth))")
        assert widest > 0
    finally:
        page.close()


def _names(page) -> list[str]:
    return page.eval_on_selector_all(
        "#kommuner tbody tr:not([hidden])", "rs => rs.map(r => r.cells[0].textContent.trim())")


def test_index_is_in_danish_order_and_sorts_from_the_keyboard(browser, built_site):
    page = _open(browser, built_site, "index")
    try:
        names = _names(page)
        assert len(names) == 98
        # By hand: Tønder before Tårnby; Aabenraa, Aalborg, Aarhus (Aa = Å) last, after Ærø.
        assert names.index("Tønder") < names.index("Tårnby")
        assert names[-4:] == ["Ærø", "Aabenraa", "Aalborg", "Aarhus"]
        kommune = page.locator("#kommuner thead th").nth(0)
        assert kommune.get_attribute("aria-sort") == "ascending"
        # Tab from the search box reaches the sort buttons; Enter sorts, Space reverses.
        page.focus("#filter")
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Tilskud 2026–2030":
                break
        assert page.evaluate("document.activeElement.tagName") == "BUTTON"
        page.keyboard.press("Enter")
        th = page.locator("#kommuner thead th").nth(4)
        assert th.get_attribute("aria-sort") == "ascending"
        assert kommune.get_attribute("aria-sort") is None
        amounts = page.eval_on_selector_all(
            "#kommuner tbody tr", "rs => rs.map(r => Number(r.cells[4].dataset.sort))")
        assert amounts == sorted(amounts) and amounts[0] < amounts[-1]
        assert "sorteret efter Tilskud 2026–2030, stigende" in page.text_content("#count")
        page.keyboard.press("Space")
        assert th.get_attribute("aria-sort") == "descending"
        amounts = page.eval_on_selector_all(
            "#kommuner tbody tr", "rs => rs.map(r => Number(r.cells[4].dataset.sort))")
        assert amounts == sorted(amounts, reverse=True)
        # Back to names by mouse: the same Danish order as written.
        page.click("#kommuner thead th:nth-child(1) button")
        assert kommune.get_attribute("aria-sort") == "ascending"
        assert _names(page) == names
        # The header row stays in view while the table scrolls; numbers and headers align.
        page.evaluate("document.querySelector('.table-scroll').scrollTop = 1500")
        top = page.evaluate("document.querySelector('#kommuner thead th').getBoundingClientRect()"
                            ".top - document.querySelector('.table-scroll')"
                            ".getBoundingClientRect().top")
        assert abs(top) < 2
        align = page.evaluate("getComputedStyle(document.querySelectorAll('#kommuner thead th')"
                              "[4]).textAlign")
        assert align == "right"
    finally:
        page.close()


@pytest.mark.parametrize("query, expected", [
    ("Ishoej", ["Ishøj"]), ("Ishoj", ["Ishøj"]), ("Århus", ["Aarhus"]),
    ("Hoeje-Taastrup", ["Høje-Taastrup"]), ("ISHØJ KOMMUNE", ["Ishøj"]), ("0183", ["Ishøj"]),
])
def test_index_search_finds_the_spellings_the_command_line_accepts(browser, built_site, index,
                                                                   query, expected):
    assert [index.resolve(query).navn] == expected
    page = _open(browser, built_site, "index")
    try:
        page.fill("#filter", query)
        assert _names(page) == expected
        assert page.text_content("#count").startswith("1 af 98 kommuner vises")
        assert page.get_attribute("#count", "role") == "status"
    finally:
        page.close()
