"""The index page's sort and filter script, run in Node against a minimal DOM stub (the real
page in Chromium: tests/test_browser.py)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from opkval import PROJECT_ROOT
from opkval.base import fmt
from opkval.publish.site import _spellings, note_sort_key

NODE = shutil.which("node")
#: name, kommunekode, amount (kr.)
KOMMUNER = [("Tårnby", 185, 900), ("Aarhus", 751, 12000), ("Ishøj", 183, 512),
            ("Tønder", 550, 700), ("Ærø", 492, 300), ("Høje-Taastrup", 169, 1000)]
QUERIES = ["Ishoej", "Ishoj", "ISHØJ", "Århus", "Hoeje-Taastrup", "hoje taastrup", "0183",
           "Tarnby", "Aero", "kr.", "Ishoi"]


@pytest.fixture(scope="module")
def out():
    spellings = _spellings()
    rows = [{"name": n, "key": fmt.sort_key(n), "amount": a, "search": " ".join(spellings[k]),
             "note": note_sort_key({"navn": n}, ["HTML"])}
            for n, k, a in sorted(KOMMUNER, key=lambda t: fmt.sort_key(t[0]))]
    script = PROJECT_ROOT / "opkval" / "templates" / "opkval" / "index.js"
    text = subprocess.run([NODE, str(Path(__file__).parent / "js" / "index_sort.js"),
                           str(script), json.dumps(rows), *QUERIES],
                          capture_output=True, text=True, check=True).stdout
    return dict(line.split(": ", 1) for line in text.strip().splitlines())


def test_danish_order_is_the_order_the_page_is_written_in():
    names = [n for n, _, _ in KOMMUNER]
    # By hand: a–z, then Æ, Ø, Å; "Aa" is Å; ø before å (Tønder before Tårnby).
    assert sorted(names, key=fmt.sort_key) == ["Høje-Taastrup", "Ishøj", "Tønder", "Tårnby",
                                               "Ærø", "Aarhus"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_index_sorts_numbers_and_danish_names(out):
    assert out["by amount asc"].startswith("Ærø, Ishøj, Tønder, Tårnby, Høje-Taastrup, Aarhus")
    assert "sorteret efter Tilskud, stigende" in out["by amount asc"]
    assert out["by amount desc"] == "Aarhus, Høje-Taastrup, Tårnby, Tønder, Ishøj, Ærø"
    assert out["by name asc"] == "Høje-Taastrup, Ishøj, Tønder, Tårnby, Ærø, Aarhus"
    assert out["by name desc"].startswith("Aarhus, Ærø, Tårnby, Tønder, Ishøj, Høje-Taastrup")
    assert out["by name desc"].endswith("6 af 6 kommuner vises, sorteret efter Kommune, faldende.")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_notat_column_sorts_in_danish_order_not_by_its_links(out):
    # Its text is "HTML (Aarhus) · PDF (Aarhus)": by code point Aarhus's links came first.
    assert out["by notat asc"] == "Høje-Taastrup, Ishøj, Tønder, Tårnby, Ærø, Aarhus"


def test_the_notat_sort_key_puts_failed_then_built_then_missing_notes():
    keys = sorted([note_sort_key({"navn": "Aarhus"}, ["HTML"]),
                   note_sort_key({"navn": "Ærø"}, []),
                   note_sort_key({"navn": "Ishøj", "fejl": "notebook"}, ["HTML"]),
                   note_sort_key({"navn": "Tønder"}, ["HTML"])])
    assert keys == [note_sort_key({"navn": "Ishøj", "fejl": "x"}, []),
                    note_sort_key({"navn": "Tønder"}, ["x"]),
                    note_sort_key({"navn": "Aarhus"}, ["x"]),
                    note_sort_key({"navn": "Ærø"}, [])]


def test_the_index_writes_the_notat_sort_key_and_links_the_data(data, tmp_path):
    from opkval.assembly.national import national_context
    from opkval.publish.site import index_html

    nctx = national_context(data, tmp_path, 2026)
    page = index_html(nctx, tmp_path, ("html",))
    assert f'data-sort="2 {fmt.sort_key("Aabenraa")}"' in page  # no note built in tmp_path
    assert "landsoversigt.xlsx" not in page  # not linked before it exists
    (tmp_path / "landsoversigt.xlsx").write_bytes(b"x")
    (tmp_path / "landsoversigt.csv").write_bytes(b"x")
    page = index_html(nctx, tmp_path, ("html",))
    assert 'href="landsoversigt.xlsx"' in page and 'href="landsoversigt.csv"' in page
    assert "CSV-filen er til programmer" in page


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize("query, expected", [
    ("Ishoej", "Ishøj"), ("Ishoj", "Ishøj"), ("ISHØJ", "Ishøj"), ("Århus", "Aarhus"),
    ("Hoeje-Taastrup", "Høje-Taastrup"), ("hoje taastrup", "Høje-Taastrup"), ("0183", "Ishøj"),
    ("Tarnby", "Tårnby"), ("Aero", "Ærø"), ("Ishoi", ""),
])
def test_search_finds_every_spelling_the_command_line_accepts(out, index, query, expected):
    if expected:
        assert index.resolve(query).navn == expected  # the CLI accepts it
    shown = out[f"filter {query}"].split(" | ")[0]
    assert shown == expected
    assert out[f"filter {query}"].split(" | ")[1].startswith(f"{1 if expected else 0} af 6")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_search_also_matches_the_visible_text(out):
    assert "6 af 6 kommuner vises" in out["filter kr."]  # every row shows an amount in kr.
