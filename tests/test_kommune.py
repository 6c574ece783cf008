import unicodedata

import pytest

from opkval.base.errors import KommuneNotFound
from opkval.inputs.kommune import slugify


def test_all_98_round_trip_through_name_slug_and_code(index):
    assert len(index) == 98
    slugs = set()
    for k in index:
        assert index.resolve(k.navn) == k
        assert index.resolve(k.navn.upper()) == k
        assert index.resolve(k.slug) == k
        assert index.resolve(str(k.kode)) == k
        assert index.resolve(f"{k.kode:04d}") == k
        assert index.resolve(unicodedata.normalize("NFD", k.navn)) == k
        slugs.add(k.slug)
    assert len(slugs) == 98


@pytest.mark.parametrize("text", ["Ishøj", "ISHØJ", "ishøj", "Ishoej", "Ishoj", "ishoej", "183",
                                  "0183", " Ishøj ", "Ishøj Kommune",
                                  unicodedata.normalize("NFD", "Ishøj")])
def test_ishoej_spellings(index, text):
    assert index.resolve(text).kode == 183


@pytest.mark.parametrize("text,navn", [
    ("Høje-Taastrup", "Høje-Taastrup"), ("hoeje-taastrup", "Høje-Taastrup"),
    ("Hoje Taastrup", "Høje-Taastrup"), ("Lyngby-Taarbæk", "Lyngby-Taarbæk"),
    ("lyngby-taarbaek", "Lyngby-Taarbæk"), ("Århus", "Aarhus"), ("aarhus", "Aarhus"),
    ("Tårnby", "Tårnby"), ("Taarnby", "Tårnby"), ("Tarnby", "Tårnby"),
    ("Faaborg-Midtfyn", "Faaborg-Midtfyn"), ("Fåborg-Midtfyn", "Faaborg-Midtfyn"),
    ("Nordfyn", "Nordfyns"), ("Ærø", "Ærø"), ("Aeroe", "Ærø"), ("Læsø", "Læsø"),
])
def test_variants(index, text, navn):
    assert index.resolve(text).navn == navn


def test_slug_transliteration():
    assert slugify("Ishøj") == "ishoej"
    assert slugify("Høje-Taastrup") == "hoeje-taastrup"
    assert slugify("Lyngby-Taarbæk") == "lyngby-taarbaek"
    assert slugify("Ærø") == "aeroe"
    assert slugify("Tårnby") == "taarnby"


def test_unknown_with_suggestion(index):
    with pytest.raises(KommuneNotFound) as e:
        index.resolve("Ishoi")
    assert str(e.value) == "Ukendt kommune 'Ishoi'. Mente du: Ishøj?"


def test_unknown_without_suggestion(index):
    with pytest.raises(KommuneNotFound) as e:
        index.resolve("Atlantis")
    assert str(e.value).startswith("Ukendt kommune 'Atlantis'.")


@pytest.mark.parametrize("text", ["", "   ", "999", "0", "'; rm -rf /", "Ishøj\"); import os"])
def test_rejects_other_input(index, text):
    with pytest.raises(KommuneNotFound):
        index.resolve(text)


def test_light_index_from_csv_resolves_like_the_validated_one(index):
    """`make reports` builds its kommune list from the CSV without pandas; it must agree."""
    import subprocess
    import sys

    from opkval import default_raw_dir
    from opkval.inputs.kommune import KommuneIndex

    light = KommuneIndex.from_csv(default_raw_dir() / "municipalities.csv")
    assert list(light) == list(index)
    for text in ("Ishoej", "aarhus", "Århus", "0183", "høje-taastrup"):
        assert light.resolve(text) == index.resolve(text)
    code = ("import sys; from opkval import default_raw_dir; from opkval.inputs.kommune import "
            "KommuneIndex; KommuneIndex.from_csv(default_raw_dir() / 'municipalities.csv')"
            ".resolve('Ishøj'); sys.exit('pandas' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_light_index_names_file_column_and_value_of_a_broken_csv(tmp_path):
    from opkval import default_raw_dir
    from opkval.base.errors import DataError
    from opkval.inputs.kommune import KommuneIndex

    lines = (default_raw_dir() / "municipalities.csv").read_text(encoding="utf-8").splitlines()
    f = tmp_path / "municipalities.csv"
    f.write_text("\n".join([lines[0].rsplit(",", 1)[0] + ",gruppe", *lines[1:]]),
                 encoding="utf-8")
    with pytest.raises(DataError, match=r"municipalities\.csv: kolonnen 'kommunegruppe' mangler"):
        KommuneIndex.from_csv(f)
    f.write_text("\n".join([lines[0], "x1" + lines[1][3:], *lines[2:]]), encoding="utf-8")
    with pytest.raises(DataError, match=r"linje 2, kolonne kommunekode: værdien 'x1'"):
        KommuneIndex.from_csv(f)
