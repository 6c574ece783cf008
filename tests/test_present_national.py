"""The landsoversigt's wording: grammatical number, no file names in prose, its own h1."""

import re

from opkval import present_national
from opkval.site import index_html


def _nctx(notater: int, planer: int, rows: list[dict] | None = None) -> dict:
    return {"report_year": 2026, "generated_at": "2026-11-23T09:00:00", "notater": notater,
            "planer": planer, "kommuner": rows or []}


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_counts_take_the_grammatical_number():
    one = _text(present_national.title(_nctx(1, 1)))
    assert "1 kommunenotat ·" in one and "1 lokal plan registreret" in one
    many = _text(present_national.title(_nctx(98, 2)))
    assert "98 kommunenotater" in many and "2 lokale planer" in many
    assert "1 lokale planer" not in one


def test_the_landsoversigt_has_its_own_h1(tmp_path):
    h1 = re.search(r"<h1>(.*?)</h1>", present_national.title(_nctx(1, 1))).group(1)
    index = index_html(_nctx(0, 0), tmp_path, ("html",))
    assert h1 != re.search(r"<h1>(.*?)</h1>", index).group(1)
    assert h1.startswith("Landsoversigt")


def test_no_file_names_in_the_prose():
    row = {"navn": "Ishøj", "kommunegruppe": "Hovedstadskommuner", "pct_paedagoger": 40.0,
           "personale": 300.0, "gap_pp_to_tredjedele": 26.7, "gap_personer_to_tredjedele": 80,
           "gap_personer_bupl_80": 120, "skoen_2026_kr": {"age_0_5": 100, "population": 110,
                                                         "enrolled": 90}}
    nctx = {**_nctx(1, 0, [row]), "pool_2026_kr": 195_900_000,
            "noegler": {"age_0_5": "andel af 0-5-årige", "population": "andel af befolkningen",
                        "enrolled": "andel af indskrevne"}}
    prose = _text(present_national.grants_by_key(nctx) + present_national.gaps(nctx)
                  + present_national.plans(nctx))
    assert not re.search(r"\w+\.(html|json|pdf|yaml)\b|data/plans", prose), prose


def test_the_plan_sentence_takes_the_number_of_plans():
    assert present_national._breaches(1, 1) == "; den bryder mindst én af puljens regler."
    assert present_national._breaches(1, 0) == "; den bryder ingen af puljens regler."
    assert present_national._breaches(3, 1) == "; 1 af dem bryder mindst én af puljens regler."
    assert present_national._breaches(0, 0) == "."
