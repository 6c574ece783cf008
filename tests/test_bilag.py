"""Issue 21 §1–2: the council's bilag as document blocks, within its plain-language and page
limits, for Ishøj (its real plan), a kommune without a plan, and a plan of eight indsatser;
and the plan's ``notat: i_bilag / udelad`` choices.

Figures are derived by hand from seed 001 (Ishøj's own bilag) where the test names them.
"""

from __future__ import annotations

import re

import pytest

from opkval.assembly.context import build_context
from opkval.base import doc, domain, klarsprog
from opkval.inputs.plan import PlanError, load_plan, to_yaml
from opkval.sections import present, present_bilag
from tests.conftest import COUNCIL_WHEN, PLAN_CONFIG, PLANS, council_ctx
from tests.textof import text_of

WHEN = COUNCIL_WHEN
OTTE = PLANS / "otte_indsatser.yaml"
VEJLE = PLANS / "vejle" / "vejle.yaml"
MINIMAL = (PLANS / "good_minimal.yaml").read_text(encoding="utf-8")

#: The issue's limits.
MAX_LIX_PAGE1 = 40
MAX_SENTENCE_WORDS = 30
MAX_PAGES_PLAN, MAX_PAGES_NO_PLAN = 4, 2


_ctx = council_ctx  # tests/conftest.py; the fixture `ctxs` is there too


def _with_notat(ctx: dict, **fields) -> dict:
    return {**ctx, "notat": {**(ctx.get("notat") or {}), **fields}}


def _headings(blocks) -> list[str]:
    return [b.text for b in doc.walk(blocks) if isinstance(b, doc.Heading) and b.level == 2]


# ------------------------------------------------------------------ the limits, measured


@pytest.mark.parametrize("name", ["ishoej", "uden_plan", "otte", "vejle"])
def test_bilag_is_plain_danish_within_the_limits(ctxs, name):
    blocks = present_bilag.bilag(ctxs[name])
    assert all(type(b).__name__ in doc.BLOCK_TYPES for b in blocks)
    page1 = klarsprog.running_text(klarsprog.first_page(blocks))
    assert klarsprog.lix(page1) <= MAX_LIX_PAGE1, page1
    text = klarsprog.all_text(blocks)
    longest = klarsprog.sentence_lengths(text)[0]
    assert longest[0] <= MAX_SENTENCE_WORDS, longest
    assert klarsprog.paren_depth(text) <= 1
    assert klarsprog.unexplained_abbreviations(text) == []
    assert klarsprog.forbidden(text) == []
    assert klarsprog.date_forms(klarsprog.running_text(blocks)) == []
    assert klarsprog.hyphen_ranges(text) == []
    limit = MAX_PAGES_NO_PLAN if ctxs[name]["plan"] is None else MAX_PAGES_PLAN
    assert klarsprog.estimate_pages(blocks) <= limit


def test_the_limits_catch_todays_note(ctxs):
    """The measures are not toothless: today's summary section (page 1 of the old note) fails
    them, as the issue measured (sentences of 44–52 words)."""
    from opkval.sections import present_plan

    old = text_of(present_plan.key_points(ctxs["ishoej"]))
    assert klarsprog.sentence_lengths(old)[0][0] > MAX_SENTENCE_WORDS


def _pdf_bytes(document: doc.Document) -> bytes:
    """The document as the notes' PDF writer writes it (Typst, PDF/UA-1)."""
    from opkval.publish.typst_writer import document_pdf

    return document_pdf(document)


def _pages(data: bytes) -> int:
    """A4 pages counted in the PDF itself (pypdf, a dev dependency: no skip)."""
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ishoej", "uden_plan", "otte", "vejle"])
def test_bilag_pages_measured_in_a_pdf(ctxs, name):
    """Real A4 pages: the bilag written to PDF and its pages counted."""
    pages = _pages(_pdf_bytes(present_bilag.bilag_document(ctxs[name])))
    limit = MAX_PAGES_NO_PLAN if ctxs[name]["plan"] is None else MAX_PAGES_PLAN
    assert 1 <= pages <= limit


# ------------------------------------------------------------------ order and content


def test_bilag_in_the_order_a_council_asks(ctxs):
    assert _headings(present_bilag.bilag(ctxs["ishoej"])) == [
        "Det får kommunen", "Det bruger planen", "Ikke planlagt og i risiko", "Puljens regler"]
    assert _headings(present_bilag.bilag(ctxs["uden_plan"])) == [
        "Det får kommunen", "Ingen lokal plan", "Ikke planlagt og i risiko"]
    vejle = _headings(present_bilag.bilag(ctxs["vejle"]))
    assert vejle[-2:] == ["Siden sidste orientering", "Status på meritholdet"]


def test_ishoej_figures_by_hand(ctxs):
    """Seed 001: tilsagn 280.000 kr. (2023) + 2 × 512.000 kr. (2024–2025) = 1.304.000 kr.;
    the plan pays 4 × 462.000 + 280.000 + 3 × 50.000 = 2.278.000 kr. from the pool."""
    ctx = ctxs["ishoej"]
    text = text_of(present_bilag.bilag(ctx))
    assert "Første runde 2023–2025 1.304.000 kr. Tilsagn" in text
    assert "I alt fra puljen 2024–2027 2.278.000 kr." in text
    # Round 2 is an estimate with its range: its low end carries Ishøj's round-1 share
    # forward, 512.000 kr. × 5 years = 2.560.000 kr. ≈ "ca. 2,6".
    assert re.search(r"Anden runde 2026–2030 ca\. 2,6–\d+,\d mio\. kr\. Skøn", text)
    # Not planned: round 2's money less the plan's use of it in 2026–2027 (2 × 462.000 +
    # 50.000 = 974.000 kr.): 2.560.000 − 974.000 = 1.586.000 kr. ≈ "ca. 1,6".
    assert "974.000 kr. i 2026–2027" in text
    assert re.search(r"ca\. 1,6–\d,\d mio\. kr\. fra anden runde ikke planlagt", text)
    # 90/10 on round 1 (1.304.000 kr.): informal 280.000 + 2 × 50.000 = 380.000 kr. = 29,1 %;
    # with the course as formal, 100.000 kr. = 7,7 %. The verdict depends on the course.
    assert "går 29,1 %, hvis Ansvar og følgeskab i pædagogikken er uformel" in text
    assert "og 7,7 %, hvis det er formel uddannelse" in text
    assert "Afhænger af klassifikationen" in text
    # Ishøj's plan (21. april 2024) predates round 2's terms: the verdict waits for the
    # round's own plan, and the bilag says so (once it said only "Se begrundelsen i analysen").
    assert ("Kan ikke afgøres Planen dækker ikke anden runde, så det afhænger af kommunens "
            "plan for den runde.") in text
    # The pool pays 1.848.000 / 8 = 231.000 kr. per merit student.
    assert "Puljen betaler 231.000 kr. pr. deltager" in text


def test_the_90_10_sentence_follows_the_plans_own_reading(data, ishoej_plan_read_otherwise):
    """Ishøj's course read the other way round (a diplommodul, else informal). Round 1 is
    1.304.000 kr. (seed 001), all spent in 2024–2025: with the course formal only ICDP's
    2 × 50.000 = 100.000 kr. is informal, 100.000 / 1.304.000 = 7,7 %; with it informal,
    280.000 + 100.000 = 380.000 kr., 29,1 %. The sentence names the plan's reading first and
    each share with its own reading (it once said "7,7 %, hvis … ikke formel uddannelse")."""
    plan = ishoej_plan_read_otherwise
    ctx = build_context(data, plan.kommune, 2026, plan=plan, generated_at=WHEN)
    rule = next(r for r in ctx["plan"]["regler"] if r["id"] == "formel_andel")
    why, assumption = present_bilag.rule_why(ctx, rule)
    nb = "\u00a0"
    assert why == (f"Til andet end formel uddannelse går 7,7{nb}%, hvis Ansvar og følgeskab i "
                   f"pædagogikken er formel uddannelse, og 29,1{nb}%, hvis det er uformel "
                   "opkvalificering.")
    assert assumption == ("At Ansvar og følgeskab i pædagogikken er formel uddannelse, "
                          "hvilket er usikkert.")


def test_rules_table_has_status_runs_and_assumptions(ctxs):
    table = next(b for b in doc.walk(present_bilag.bilag(ctxs["ishoej"]))
                 if isinstance(b, doc.Table) and b.role == "rules")
    assert [doc.plain(c) for c in table.head] == ["Regel", "Status", "Hvorfor", "Forudsætning"]
    assert len(table.rows) == len(ctxs["ishoej"]["plan"]["regler"])
    statuses = [row[1][0].status for row in table.rows]
    assert set(statuses) <= set(domain.STATUS_DA)
    assert statuses[0] == domain.AFHAENGER
    assert "hvilket er usikkert" in doc.plain(table.rows[0][3])
    # One sentence of why per rule.
    assert all(len(klarsprog.sentences(doc.plain(row[2]))) == 1 for row in table.rows)


def test_each_fact_once(ctxs):
    text = text_of(present_bilag.bilag(ctxs["ishoej"]))
    for fact in ("1.304.000 kr.", "2.278.000 kr.", "31. december 2030", "betales tilbage",
                 "kræver en lokal plan"):
        assert text.count(fact) == 1, fact
    sentences = klarsprog.sentences(klarsprog.running_text(present_bilag.bilag(ctxs["otte"])))
    assert len(sentences) == len(set(sentences))


def test_round_one_money_after_the_window(ctxs):
    """Money left in round 1 (a plan using less than its estimate, or no plan) is told that
    from 1. august 2026 it only pays for activities started by 31. juli 2026."""
    for name in ("otte", "uden_plan"):
        text = text_of(present_bilag.bilag(ctxs[name]))
        assert ("Fra 1. august 2026 kan pengene fra første runde kun betale for aktiviteter, "
                "der er sat i gang senest 31. juli 2026.") in text


def test_a_range_from_the_estimate_interval_is_used(ctxs):
    """A round that carries ``skoen_interval_kr`` (issue 19) is shown as that range, rounded:
    1.234.000–5.678.000 kr. → "ca. 1,2–5,7 mio. kr."."""
    ctx = ctxs["uden_plan"]
    runder = [dict(r, skoen_interval_kr=[5_678_000, 1_234_000]) if r["id"] == 2 else r
              for r in ctx["runder"]]
    text = text_of(present_bilag.bilag({**ctx, "runder": runder}))
    assert "Anden runde 2026–2030 ca. 1,2–5,7 mio. kr. Skøn" in text


def test_header_logo_and_bilag_number(ctxs):
    blocks = present_bilag.bilag(ctxs["vejle"])
    logo = next(b for b in blocks if isinstance(b, doc.Figure))
    assert logo.role == "logo" and logo.alt == "Logo: Vejle Kommune" and logo.png
    kv = next(b for b in blocks if isinstance(b, doc.KeyValue))
    assert dict(kv.pairs)["Sagsnr."] == "17.01.00-P20-3-26"
    assert dict(kv.pairs)["Møde"] == "14. april 2026"
    assert text_of(blocks[:3]).strip().startswith("Bilag 2 · Orientering")


def test_changes_since_last_time_without_file_names(ctxs):
    text = text_of(present_bilag.bilag(ctxs["vejle"]))
    assert "Sammenlignet med planen fra 18. marts 2025" in text
    assert "Nye indsatser: PAU for dagplejere og Kursus i sprogarbejde." in text
    assert "vejle-2025" not in text


def test_refers_to_the_analysis_in_words(ctxs):
    text = text_of(present_bilag.bilag(ctxs["ishoej"]))
    assert text.endswith("Bilag: Analyse af opkvalificeringspuljen – Ishøj Kommune. Den viser "
                         "tallene år for år, reglerne med kilder, personalet og metoden.")
    assert not klarsprog.forbidden(text)


# ------------------------------------------------------------------ indstilling, i_bilag, udelad


def test_indstilling_only_where_the_kommune_puts_it(ctxs):
    vejle = ctxs["vejle"]
    assert "godkender den reviderede plan" not in text_of(present_bilag.bilag(vejle))
    moved = _with_notat(vejle, i_bilag=["indstilling"])
    blocks = present_bilag.bilag(moved)
    assert "Indstilling" in _headings(blocks)
    assert "godkender den reviderede plan" in text_of(blocks)
    # A kommune without its own indstilling that moves it gets the default one.
    ishoej = _with_notat(ctxs["ishoej"], i_bilag=["indstilling"])
    assert "tager orienteringen til efterretning" in text_of(present_bilag.bilag(ishoej))


def test_a_moved_section_leaves_the_analysis_for_the_bilag(ctxs):
    ctx = _with_notat(ctxs["ishoej"], i_bilag=["tjekliste"])
    section = present_bilag.SECTIONS["tjekliste"](ctx)
    assert section in present_bilag.bilag(ctx)
    assert section not in present_bilag.analyse(ctx)
    assert section in present_bilag.analyse(ctxs["ishoej"])


def test_moved_rules_replace_the_short_table(ctxs):
    ctx = _with_notat(ctxs["ishoej"], i_bilag=["regler"])
    blocks = present_bilag.bilag(ctx)
    assert present_bilag.SECTIONS["regler"](ctx) in blocks
    # The bilag's own short table ("Planen holdt op mod puljens regler") gives way to the
    # analysis's full one ("Planen kontrolleret mod puljens regler").
    captions = [b.caption for b in doc.walk(blocks) if isinstance(b, doc.Table)]
    assert "Planen holdt op mod puljens regler" not in captions
    assert "Planen kontrolleret mod puljens regler" in captions


def test_a_left_out_section_is_in_neither_document(ctxs):
    ctx = _with_notat(ctxs["vejle"], udelad=["sammenlignelige", "egne_afsnit", "regler"])
    peers = present_bilag.SECTIONS["sammenlignelige"](ctx)
    assert peers not in present_bilag.analyse(ctx)
    bilag = present_bilag.bilag(ctx)
    assert "Status på meritholdet" not in _headings(bilag)
    assert "Puljens regler" not in _headings(bilag)


def test_a_context_cannot_move_the_title_or_drop_the_caveats(ctxs):
    """The plan's reader refuses these; a context built otherwise is held to the same."""
    ctx = _with_notat(ctxs["ishoej"], i_bilag=["titel"], udelad=["forbehold"])
    assert present.title(ctx, "analyse") in present_bilag.analyse(ctx)
    assert present_bilag.SECTIONS["forbehold"](ctx) in present_bilag.analyse(ctx)
    assert present_bilag.SECTIONS["titel"](ctx) not in present_bilag.bilag(ctx)


def test_the_kommunes_own_text_is_in_the_bilag_not_the_analysis(ctxs):
    ctx = ctxs["vejle"]
    analyse = present_bilag.analyse(ctx)
    assert present_bilag.SECTIONS["egne_afsnit"](ctx) not in analyse
    assert present_bilag.SECTIONS["indledning"](ctx) not in analyse
    assert "Notatet orienterer om status" in text_of(present_bilag.bilag(ctx))


def test_sections_registry_matches_the_ids_plans_are_checked_against():
    assert tuple(present_bilag.SECTIONS) == domain.SECTION_IDS


def _plan_with(tmp_path, notat: str):
    p = tmp_path / "plan.yaml"
    p.write_text(MINIMAL + "notat:\n" + notat, encoding="utf-8")
    return p


def test_notat_i_bilag_and_udelad_are_read(tmp_path, index):
    plan = load_plan(_plan_with(tmp_path, "  i_bilag: [tjekliste, kaede]\n  udelad: personale\n"),
                     index, config=PLAN_CONFIG)
    assert plan.notat.i_bilag == ("tjekliste", "kaede")
    assert plan.notat.udelad == ("personale",)
    d = plan.notat.as_dict()
    assert d["i_bilag"] == ["tjekliste", "kaede"] and d["udelad"] == ["personale"]
    # Written back (opkval plan export) and read again, the choices are the same.
    again = tmp_path / "igen.yaml"
    again.write_text(to_yaml(plan), encoding="utf-8")
    assert load_plan(again, index, config=PLAN_CONFIG).notat.i_bilag == ("tjekliste", "kaede")


@pytest.mark.parametrize(("notat", "field", "words"), [
    ("  i_bilag: [tjeklist]\n", "notat.i_bilag[1]",
     ["ukendt afsnit 'tjeklist'", "mente du 'tjekliste'", "gyldige afsnit: titel, "]),
    ("  udelad: [forbehold]\n", "notat.udelad[1]", ["kan ikke udelades"]),
    ("  i_bilag: [titel]\n", "notat.i_bilag[1]", ["titlen bliver i analysen"]),
    ("  i_bilag: [kaede]\n  udelad: [kaede]\n", "notat.udelad", ["både i i_bilag og i udelad"]),
    ("  i_bilag: 7\n", "notat.i_bilag", ["skal være en liste af afsnit"]),
])
def test_bad_section_ids_are_named_in_danish(tmp_path, index, notat, field, words):
    with pytest.raises(PlanError) as e:
        load_plan(_plan_with(tmp_path, notat), index, config=PLAN_CONFIG)
    problems = [x for x in e.value.problems if x.field == field]
    assert problems, [(x.field, x.message) for x in e.value.problems]
    for w in words:
        assert w in problems[0].message


# ------------------------------------------------------------------ the analysis holds the old note

#: The note before the split (3b88f49:notebooks/kommune_rapport.py), its sections in order as
#: that notebook shows them; written out here by hand, not taken from SECTIONS.
OLD_NOTE = (
    "present.title", "present_notat.indledning", "present_plan.key_points", "present.summary",
    "present.background", "present.grant_table", "charts.grants_by_year",
    "present_plan.money_table", "charts.plan_cumulative", "present_plan.changes",
    "present_plan.indsats_table", "present_plan.distribution", "present_plan.rules_table",
    "present_plan.classification", "present_gaps.chain", "present_gaps.checklist",
    "present_notat.own_sections", "present_notat.indstilling", "present_gaps.staff_mix",
    "charts.staff_ranking", "present_gaps.peers", "charts.normering_trend",
    "present_gaps.plan_effect", "present_gaps.method", "present.key_check",
    "present.assumptions")


def _fn_name(fn) -> str:
    return f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"


def test_every_section_of_the_old_note_has_an_id():
    ids = {_fn_name(fn): sid for sid, fn in present_bilag.SECTIONS.items()}
    assert [name for name in OLD_NOTE if name not in ids] == []


@pytest.mark.parametrize("name", ["ishoej", "uden_plan", "otte", "vejle", "flyttet"])
def test_the_analysis_holds_everything_the_note_held(ctxs, name):
    """Each old section that says something for this kommune is in the analysis, in the old
    order, unless the plan moves it into the bilag or leaves it out; the kommune's own text
    (introduction, own sections) is in the bilag instead."""
    ctx = (_with_notat(ctxs["vejle"], i_bilag=["personale"], udelad=["normering_graf"])
           if name == "flyttet" else ctxs[name])
    ids = {_fn_name(fn): sid for sid, fn in present_bilag.SECTIONS.items()}
    analysis = [text_of(b) for b in present_bilag.analyse(ctx)]
    bilag = text_of(present_bilag.bilag(ctx))
    moved, left_out = set(present_bilag.moved(ctx)), present_bilag.left_out(ctx)
    where = []
    for old in OLD_NOTE:
        sid = ids[old]
        # The title block is the analysis's own: its name as the bilag gives it.
        said = text_of(present.title(ctx, "analyse") if sid == "titel"
                       else present_bilag.SECTIONS[sid](ctx))
        if not said or sid in left_out:
            continue
        if sid in moved:
            assert said in bilag, sid
            continue
        if sid in present_bilag.OWN_TEXT:
            # The bilag gives the kommune's text under its own headings: its words are there.
            body = text_of([b for b in doc.walk(doc.sequence(present_bilag.SECTIONS[sid](ctx)))
                            if isinstance(b, doc.Paragraph | doc.BulletList)])
            assert body in bilag, sid
            continue
        assert said in analysis, sid
        where.append(analysis.index(said))
    assert where == sorted(where)
    h1 = [b.text for b in doc.walk(present_bilag.analyse(ctx)) if isinstance(b, doc.Heading)
          and b.level == 1]
    assert h1 == [f"Analyse af opkvalificeringspuljen – {ctx['kommune']['navn']} Kommune"]
    if name == "flyttet":
        assert moved == {"personale"} and left_out == {"normering_graf"}


def test_every_status_has_its_colours_in_all_three_writers():
    """A status word the bilag uses (afhænger af klassifikationen included) is styled in the
    HTML's stylesheet, in Word and in Typst: none falls back to plain text."""
    from importlib.resources import files

    from opkval.publish import typst_writer, word

    css = (files("opkval") / "templates" / "opkval" / "style.css").read_text(encoding="utf-8")
    for status in domain.STATUS_DA:
        assert re.search(rf"\.status-{status}\s*\{{[^}}]*color:[^}}]*background:", css), status
        assert status in word.STATUS_COLOURS and status in typst_writer.STATUS_COLOURS, status


def _rule(tmp_path, data, index, rule_id: str, indsatser: str) -> tuple[dict, dict]:
    """The note context of Ishøj's minimal plan with `indsatser` (YAML list items) added, and
    its rule `rule_id`."""
    p = tmp_path / "plan.yaml"
    p.write_text(MINIMAL + indsatser, encoding="utf-8")
    ctx = _ctx(data, index, p)
    return ctx, next(r for r in ctx["plan"]["regler"] if r["id"] == rule_id)


def _vikar(kr: int, navn: str = "Vikar for meritstuderende", year: int = 2025,
           months: tuple[str, str] = ("01-01", "12-31"), deltagere: int = 8) -> str:
    """A løn/vikar line of the plan (YAML), paid from the pool in `year`."""
    return (f"  - navn: {navn}\n    kategori: loen_vikar\n    maalgruppe: paedagogmedhjaelpere\n"
            f"    start: {year}-{months[0]}\n    slut: {year}-{months[1]}\n"
            f"    deltagere: {deltagere}\n    budget: {{{year}: {kr}}}\n")


def test_a_9010_verdict_that_rests_on_the_rules_reading_says_both(tmp_path, data, index):
    """A vikar line is neither formal nor informal: it counts as "other than formal" only when
    the rule reads »mindst 90 % formel uddannelse«. By hand: round 1 spends 924.000 (merit) +
    200.000 (vikar) = 1.124.000 kr.; 200.000 / 1.124.000 = 17,8 %, the limit 10 % = 112.400 kr.,
    so 87.600 kr. over it; read as »højst 10 % uformel«, nothing informal: 0,0 %."""
    from opkval.publish import agenda

    ctx, rule = _rule(tmp_path, data, index, "formel_andel", _vikar(200000))
    why, assumption = present_bilag.rule_why(ctx, rule)
    nb = "\u00a0"
    assert why == (f"I første tildelingsrunde går 17,8{nb}% til andet end formel uddannelse, "
                   f"hvis reglen er »mindst 90{nb}% formel uddannelse«, 87.600{nb}kr. over "
                   f"grænsen. Er reglen »højst 10{nb}% uformel opkvalificering«, er det "
                   f"0,0{nb}%, inden for grænsen.")
    assert assumption != "–" and "læses" in assumption
    item = agenda.to_text(agenda.agenda(ctx)).replace(nb, " ")
    assert "Er reglen »højst 10 % uformel opkvalificering«, er det 0,0 %, inden for grænsen." \
        in item


def test_a_9010_breach_under_both_readings_is_shown_as_such(tmp_path, data, index):
    """Round 1 is over the limit however the rule is read; the bilag gives that round, not round
    2, which only one reading breaks (a vikar line alone), and rests the Brud on no reading
    (it once showed round 2's two readings beside the Brud, the assumption "how the rule is
    read", and left round 1 out). By hand:
    round 1 spends 924.000 (merit) + 200.000 (course) + 180.000 (vikar) = 1.304.000 kr. (all of
    Ishøj's tilsagn), the limit 10 % = 130.400 kr. Read as »mindst 90 % formel«: 380.000 /
    1.304.000 = 29,1 %, 249.600 kr. over; as »højst 10 % uformel«: 200.000 / 1.304.000 =
    15,3 %, 69.600 kr. over."""
    course = """  - navn: Kursus i sprogarbejde
    kategori: uformel
    maalgruppe: paedagoger
    start: 2025-01-01
    slut: 2025-06-30
    deltagere: 40
    budget: {2025: 200000}
"""
    ctx, rule = _rule(tmp_path, data, index, "formel_andel", course + _vikar(180000) + _vikar(
        50000, "Vikar i anden runde", 2027, ("01-01", "06-30"), 4))
    assert rule["status"] == "brud"
    why, assumption = present_bilag.rule_why(ctx, rule)
    nb = "\u00a0"
    assert why == (f"I første tildelingsrunde går 29,1{nb}% til andet end formel uddannelse, "
                   f"hvis reglen er »mindst 90{nb}% formel uddannelse«, 249.600{nb}kr. over "
                   f"grænsen. Er reglen »højst 10{nb}% uformel opkvalificering«, er det "
                   f"15,3{nb}%, 69.600{nb}kr. over grænsen. Runden er over grænsen, hvordan "
                   "reglen end læses.")
    assert assumption == "–"
    assert "anden tildelingsrunde" not in why
    # The rule's own text speaks of each round, not of the rule as a whole.
    assert "reglen er brudt, hvis" not in rule["tekst"]


def test_a_round_partly_from_the_kommunes_letters_says_which_years(ctxs):
    """Vejle's plan has its tilsagn letter for 2023 (1.250.000 kr.); 2024–2025 are carried on
    with that share. The bilag says the round rests on the letter for 2023 and the rest is a
    skøn, not that the whole round is a skøn."""
    text = doc.plain_text(present_bilag.grant(ctxs["vejle"])).replace("\u00a0", " ")
    assert ("Beløbet for første runde bygger på kommunens tilsagn for 2023; resten er et skøn "
            "med kommunens andel fra dens seneste tilsagn.") in text
    assert "Beløbet for første runde er et skøn" not in text


def test_a_wage_line_warning_says_what_it_rests_on(tmp_path, data, index):
    """Paying wages from the pool is an Advarsel because the 2023 list of eligible costs does
    not name wages while a newer agreement allows them: the bilag says so beside it, not '–'."""
    ctx, rule = _rule(tmp_path, data, index, "loen_vikar", _vikar(150000))
    assert rule["status"] == "advarsel"
    why, assumption = present_bilag.rule_why(ctx, rule)
    assert why == "Puljen betaler 150.000\u00a0kr. til løn og vikar."
    assert "nævner det ikke" in assumption and "Tilsagnsbrevet afgør det." in assumption


def test_the_fordeling_verdict_says_what_does_not_add_up(tmp_path, data, index):
    """The bilag's Advarsel on fordeling says which indsats and which numbers (20 deltagere,
    4 + 6 = 10 fordelt), not only that something does not add up; a second finding (a behov
    the plan does not have) is left to the analysis, which is named."""
    line = """  - navn: Meritforløb i sprog
    kategori: meritpaedagog
    maalgruppe: paedagogmedhjaelpere
    start: 2025-01-01
    slut: 2026-12-31
    deltagere: 20
    fordeling: {Børnehuset Kristrup: 4, Vuggestuen Vorup: 6}
    behov: [sprog]
    budget: {2025: 100000}
"""
    ctx, rule = _rule(tmp_path, data, index, "fordeling_og_behov", line)
    assert rule["status"] == "advarsel"
    why, assumption = present_bilag.rule_why(ctx, rule)
    assert why == ("Meritforløb i sprog har 20 deltagere, men fordelingen på dagtilbud giver "
                   "10. Analysen nævner én til.")
    assert assumption == "–"
