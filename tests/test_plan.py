"""The plan loader: Ishøj's transcription of seed 001, and every bad-input case at once."""

from __future__ import annotations

import datetime as dt

import pytest

from opkval.inputs.plan import PlanError, find_plan, load_plan
from tests.conftest import PLAN_CONFIG, PLANS


def test_ishoej_plan_reproduces_seed_001_amounts_and_counts(ishoej_plan):
    by_name = {i.navn: i for i in ishoej_plan.indsatser}
    merit = by_name["Meritpædagoguddannelse"]
    # Seed 001: 462.000 kr. per year in 2024, 2025, 2026 and 2027, 8 pædagogmedhjælpere.
    assert merit.budget == {2024: 462000, 2025: 462000, 2026: 462000, 2027: 462000}
    assert merit.total_kr == 4 * 462000 == 1848000
    assert (merit.kategori, merit.maalgruppe, merit.deltagere) == (
        "meritpaedagog", "paedagogmedhjaelpere", 8)
    # The seed's distribution table: 1+1+1+2+1+2 = 8.
    assert merit.fordeling == {"Dagplejen": 1, "Femkanten": 1, "Firkløveren": 1,
                               "Piletræet": 2, "Regnbuen": 1, "Trækronerne": 2}
    aof = by_name["Ansvar og følgeskab i pædagogikken"]
    # 280.000 kr. in 2024; five course days (not ECTS) for 2 x 20 pædagoger -> uformel.
    assert aof.budget == {2024: 280000}
    assert (aof.kategori, aof.maalgruppe, aof.deltagere) == ("uformel", "paedagoger", 40)
    icdp = by_name["Relations- og ressourceorienteret pædagogik ved hjælp af ICDP"]
    assert icdp.budget == {2024: 50000, 2025: 50000, 2026: 50000}
    assert icdp.kategori == "uformel"
    # Every assumption is written down for the note.
    assert all(i.antagelser and i.kategori_begrundelse for i in ishoej_plan.indsatser)
    assert ishoej_plan.dato == dt.date(2024, 4, 21)
    assert not ishoej_plan.godkendt  # the bilag says nothing about approval


def test_ishoej_spending_per_year_from_the_seed(ishoej_plan):
    per_year = {y: sum(i.spending(y) for i in ishoej_plan.indsatser) for y in range(2023, 2031)}
    # 2024: 462+280+50; 2025: 462+50; 2026: 462+50; 2027: 462 (thousand kr.)
    assert per_year == {2023: 0, 2024: 792000, 2025: 512000, 2026: 512000, 2027: 462000,
                        2028: 0, 2029: 0, 2030: 0}
    # The seed's round 1 grants, 280.000 + 2 x 512.000, equal 2024-2025 spending.
    assert per_year[2024] + per_year[2025] == 280000 + 2 * 512000 == 1304000


def test_forbrug_replaces_budget_for_that_year(tmp_path, index):
    p = tmp_path / "p.yaml"
    p.write_text((PLANS / "good_minimal.yaml").read_text(encoding="utf-8")
                 + "    forbrug: {2024: 455000}\n", encoding="utf-8")
    ind = load_plan(p, index, config=PLAN_CONFIG).indsatser[0]
    assert (ind.spending(2024), ind.spending(2025)) == (455000, 462000)


BAD = [
    # file, expected pieces of the message (field, YAML line, value)
    ("bad_unknown_key.yaml", ["linje 10", "indsatser[1].buget", "ukendt felt 'buget'",
                              "mente du 'budget'"]),
    ("bad_kategori.yaml", ["linje 5", "indsatser[1].kategori", "ukendt kategori", "'merit'"]),
    ("bad_maalgruppe.yaml", ["linje 6", "indsatser[1].maalgruppe", "ukendt målgruppe",
                             "'laerere'"]),
    ("bad_negative.yaml", ["linje 10", "indsatser[1].budget.2025", "negativt", "-462000"]),
    ("bad_non_numeric.yaml", ["linje 10", "indsatser[1].budget.2025", "hele kroner",
                              "'462 tusind'"]),
    ("bad_year.yaml", ["linje 10", "indsatser[1].budget.2031", "2023–2030", "2031"]),
    ("bad_slut_before_start.yaml", ["linje 8", "indsatser[1].slut", "før start", "2024-07-31"]),
    ("bad_duplicate_names.yaml", ["linje 11", "indsatser[2].navn", "samme navn",
                                  "'Meritpædagoguddannelse'"]),
    ("bad_unknown_kommune.yaml", ["linje 1", "kommune", "Ukendt kommune", "'Atlantis'"]),
    ("bad_overvejelser.yaml", ["linje 12", "overvejelser.ledre", "ukendt punkt 'ledre'",
                               "(mente du 'ledere'?)", "tilladte punkter: pau_merit",
                               "'ledre'"]),
    ("bad_malformed.yaml", ["ugyldig YAML", "linje 1"]),
    ("bad_empty.yaml", ["filen er tom"]),
]


@pytest.mark.parametrize(("name", "pieces"), BAD, ids=[b[0] for b in BAD])
def test_bad_plan_names_file_field_line_and_value(name, pieces, index):
    with pytest.raises(PlanError) as exc:
        load_plan(PLANS / name, index, config=PLAN_CONFIG)
    msg = str(exc.value)
    assert f"tests/fixtures/plans/{name}" in msg
    for piece in pieces:
        assert piece in msg, (piece, msg)
    assert exc.value.exit_code != 0


def test_malformed_yaml_names_the_line_of_the_error(index):
    with pytest.raises(PlanError) as exc:
        load_plan(PLANS / "bad_malformed.yaml", index, config=PLAN_CONFIG)
    # The unclosed flow mapping on line 10 is detected where the file ends (line 11).
    assert exc.value.problems[0].where.startswith("linje 11")


def test_wrong_kommune_for_the_report(index):
    gentofte_plan = PLANS / "bad_wrong_kommune.yaml"
    assert load_plan(gentofte_plan, index, config=PLAN_CONFIG).kommune.navn == "Gentofte"
    with pytest.raises(PlanError) as exc:
        load_plan(gentofte_plan, index, expected=index.resolve("Ishøj"), config=PLAN_CONFIG)
    assert "linje 1, kommune: planen gælder Gentofte Kommune, men rapporten er for Ishøj" \
        in str(exc.value)


def test_every_problem_is_reported_at_once(index):
    with pytest.raises(PlanError) as exc:
        load_plan(PLANS / "bad_three_problems.yaml", index, config=PLAN_CONFIG)
    fields = sorted(p.field for p in exc.value.problems)
    assert fields == ["indsatser[1].buget", "indsatser[1].kategori", "indsatser[1].slut"]
    assert "(3 fejl)" in str(exc.value)


def test_duplicate_yaml_key_is_a_problem(tmp_path, index):
    p = tmp_path / "dup.yaml"
    p.write_text((PLANS / "good_minimal.yaml").read_text(encoding="utf-8")
                 + "dato: 2024-05-01\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"linje 11, dato: feltet står to gange"):
        load_plan(p, index, config=PLAN_CONFIG)


def test_yaml_is_read_with_the_safe_loader(tmp_path, index):
    p = tmp_path / "evil.yaml"
    p.write_text("kommune: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(PlanError, match="ugyldig YAML"):
        load_plan(p, index, config=PLAN_CONFIG)


def test_find_plan_uses_default_file_only_when_it_exists(tmp_path, index):
    ishoej, gentofte = index.resolve("Ishøj"), index.resolve("Gentofte")
    assert find_plan(gentofte, index, plans_dir=tmp_path, config=PLAN_CONFIG) is None
    assert find_plan(ishoej, index, config=PLAN_CONFIG).kommune == ishoej
    with pytest.raises(PlanError, match="filen findes ikke"):
        find_plan(ishoej, index, path=tmp_path / "nope.yaml", config=PLAN_CONFIG)


def test_overvejelser_are_read_and_blank_means_not_answered(tmp_path, index):
    p = tmp_path / "p.yaml"
    p.write_text((PLANS / "good_minimal.yaml").read_text(encoding="utf-8")
                 + "overvejelser:\n  revision:   Planen  revideres\n    hvert år.\n"
                 "  introkursus:\n", encoding="utf-8")
    plan = load_plan(p, index, config=PLAN_CONFIG)
    # Folded onto one line with single spaces; the blank introkursus is left out.
    assert plan.overvejelser == {"revision": "Planen revideres hvert år."}
    assert plan.as_dict()["overvejelser"] == {"revision": "Planen revideres hvert år."}


def test_uncertain_kategori_is_read_and_checked(tmp_path, index):
    base = (PLANS / "good_minimal.yaml").read_text(encoding="utf-8")
    p = tmp_path / "p.yaml"
    p.write_text(base + "    kategori_alternativ: diplommodul\n"
                 "    kategori_usikkerhed: Kaldes kompetencegivende.\n", encoding="utf-8")
    ind = load_plan(p, index, config=PLAN_CONFIG).indsatser[0]
    assert (ind.kategori_alternativ, ind.kategori_usikkerhed) == ("diplommodul",
                                                                  "Kaldes kompetencegivende.")
    # An alternative needs its reason, must be a known kategori, and a reason needs one.
    for extra, pieces in (
            ("    kategori_alternativ: diplommodul\n",
             ["indsatser[1].kategori_usikkerhed", "feltet mangler"]),
            ("    kategori_alternativ: diplom\n    kategori_usikkerhed: x\n",
             ["indsatser[1].kategori_alternativ", "ukendt kategori", "'diplom'"]),
            ("    kategori_usikkerhed: x\n",
             ["indsatser[1].kategori_alternativ", "kræver den alternative kategori"])):
        p.write_text(base + extra, encoding="utf-8")
        with pytest.raises(PlanError) as e:
            load_plan(p, index, config=PLAN_CONFIG)
        for piece in pieces:
            assert piece in str(e.value), (extra, str(e.value))


def test_ishoej_course_is_marked_uncertain_quoting_the_seed(ishoej_plan):
    course = next(i for i in ishoej_plan.indsatser if i.navn.startswith("Ansvar"))
    assert course.kategori == "uformel" and course.kategori_alternativ == "diplommodul"
    # seed 001: "Der er aftalt en kursusrække på fem kompetencegivende dage i 2024"
    assert "fem kompetencegivende dage" in course.kategori_usikkerhed
