"""The landsoversigt's wording: grammatical number, no file names in prose, its own h1."""

import re

import pytest

from opkval import PROJECT_ROOT, present_national
from opkval.national import national_context
from opkval.site import index_html


@pytest.fixture(scope="module")
def nctx(data):
    return national_context(data, PROJECT_ROOT / "reports", 2026)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_counts_take_the_grammatical_number(nctx):
    one = _text(present_national.title({**nctx, "notater": 1, "planer": 1}))
    assert "1 kommunenotat ·" in one and "1 lokal plan registreret" in one
    assert "1 lokale planer" not in one
    many = _text(present_national.title({**nctx, "notater": 98, "planer": 2}))
    assert "98 kommunenotater" in many and "2 lokale planer" in many


def test_the_landsoversigt_has_its_own_h1(nctx, tmp_path):
    h1 = re.search(r"<h1>(.*?)</h1>", present_national.title(nctx)).group(1)
    index = index_html(nctx, tmp_path, ("html",))
    assert h1 != re.search(r"<h1>(.*?)</h1>", index).group(1)
    assert h1.startswith("Landsoversigt")


def test_no_file_names_in_the_prose(nctx):
    prose = _text(present_national.summary(nctx) + present_national.grants_by_key(nctx)
                  + present_national.gaps(nctx) + present_national.plans(nctx)
                  + present_national.backtest(nctx))
    assert not re.search(r"\w+\.(html|json|pdf|yaml|csv)\b|data/plans", prose), prose
    empty = {**nctx, "kommuner": [{**r, "har_plan": False} for r in nctx["kommuner"]]}
    assert "data/plans" not in present_national.plans(empty)


def test_the_plan_sentence_takes_the_number_of_plans():
    assert present_national._breaches(1, 1) == "; den bryder mindst én af puljens regler."
    assert present_national._breaches(1, 0) == "; den bryder ingen af puljens regler."
    assert present_national._breaches(3, 1) == "; 1 af dem bryder mindst én af puljens regler."
    assert present_national._breaches(0, 0) == "."
    # Ishøj's only brud rests on an uncertain classification (issue 11): not "ingen".
    assert present_national._breaches(1, 0, 1) == (
        "; den bryder en af puljens regler, men kun under en usikker klassifikation (under "
        "den alternative overholder planen reglen).")
    assert present_national._breaches(3, 1, 1).endswith(
        ", og 1 gør det kun under en usikker klassifikation (under den alternative overholder "
        "planen reglen).")
