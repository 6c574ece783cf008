"""The plain-language measures, on small texts whose values are counted by hand below."""

from __future__ import annotations

import pytest

from opkval.base import doc
from opkval.base import klarsprog as k


def test_words_and_letters_by_hand():
    # 7 words; only "Kommunen" (8 letters) has more than six ("Planen", "bruger": 6).
    text = "Kommunen får penge. Planen bruger dem alle."
    assert len(k.words(text)) == 7
    assert k.long_words(text) == ["Kommunen"]
    assert k.letters("0-5-årige") == 5
    assert k.letters("1.304.000") == 0
    assert k.words("– og 1.304.000 kr.") == ["og", "1.304.000", "kr."]  # a dash is no word


def test_lix_by_hand():
    # 7 words, 2 sentences, 1 long word: 7/2 + 100·1/7 = 3,5 + 14,2857… = 17,7857…
    assert k.lix("Kommunen får penge. Planen bruger dem alle.") == pytest.approx(17.7857, abs=1e-4)
    # 12 words; "ca." and "mio." end no sentence ("kr." is followed by a small letter), so 2
    # sentences; long: "rådighed" (8), "Beløbet" (7): 12/2 + 100·2/12 = 6 + 16,667 = 22,667.
    text = "Hun har ca. 2,6 mio. kr. til rådighed. Beløbet er et skøn."
    assert len(k.sentences(text)) == 2
    assert k.lix(text) == pytest.approx(22.6667, abs=1e-4)
    assert k.lix("") == 0.0


def test_sentences_split_where_a_reader_stops():
    assert k.sentences("Ishøj får 280.000 kr. Pengene er brugt.") == [
        "Ishøj får 280.000 kr.", "Pengene er brugt."]
    assert k.sentences("Fra 1. august 2026 gælder reglen.") == [
        "Fra 1. august 2026 gælder reglen."]
    assert k.sentences("Der er to runder: Første runde er brugt.") == [
        "Der er to runder:", "Første runde er brugt."]
    # Headings, list items and table cells stand alone.
    assert k.sentences("Tilskud\nEn sætning her.\tOK") == ["Tilskud", "En sætning her.", "OK"]
    assert k.sentences("Se fx. Dagplejen og nr. 29 i rækken.") == [
        "Se fx. Dagplejen og nr. 29 i rækken."]


def test_sentence_lengths_longest_first():
    lengths = k.sentence_lengths("En to tre. Fire fem. Seks syv otte ni.")
    assert [n for n, _ in lengths] == [4, 3, 2]


def test_paren_depth():
    assert k.paren_depth("ingen") == 0
    assert k.paren_depth("a (b) og (c)") == 1
    assert k.paren_depth("a (b (c) d) e") == 2
    assert k.paren_depth("pædagogisk assistent (PAU (18 måneder))") == 2


def test_abbreviations_written_out_at_first_use():
    assert k.unexplained_abbreviations(
        "Pædagogisk assistentuddannelse (PAU) er formel. PAU varer 18 måneder.") == []
    assert k.unexplained_abbreviations("PAU er formel uddannelse.") == ["PAU"]
    assert k.unexplained_abbreviations(
        "ICDP (International Child Development Programme) virker.") == []
    assert k.unexplained_abbreviations("Status er OK.") == []
    assert k.unexplained_abbreviations("Kilde: DST og Danmarks Statistik.") == ["DST"]
    assert k.unexplained_abbreviations("Danmarks Statistik viser det. DST er kilden.") == []
    # Only the first use counts; two unexplained ones are listed in order of first use.
    assert k.unexplained_abbreviations("KL og BUPL. KL (Kommunernes Landsforening).") == [
        "KL", "BUPL"]


def test_forbidden_paths_commands_tools_hashes():
    kinds = {kind for kind, _ in k.forbidden("Planen ligger i data/plans/ishoej.yaml.")}
    assert kinds == {"filsti", "filnavn"}
    kinds = {kind for kind, _ in k.forbidden("Kør opkval plan template.")}
    assert {"kommando", "værktøj"} <= kinds
    kinds = {kind for kind, _ in k.forbidden("Dannet ved commit 54940651368e.")}
    assert kinds == {"commit", "hash"}
    assert k.forbidden("Ishøj Kommune får 1.304.000 kr. i 2023–2025 (uvm.dk).") == []


def test_date_forms_and_ranges():
    assert k.date_forms("Periode 01.08.2024–31.07.2027 og 2024-08-01.") == [
        "01.08.2024", "31.07.2027", "2024-08-01"]
    assert k.date_forms("Fra 1. august 2026.") == []
    assert k.hyphen_ranges("i 2024-2027 og 8.000-10.200 kr.") == ["2024-2027", "8.000-10.200"]
    assert k.hyphen_ranges("andel af 0-5-årige i 2024–2027") == []


def test_page_estimate_by_hand():
    # 750 characters: 750/75 = 10 lines, plus half a line of space = 10,5.
    p = doc.Paragraph("x" * 750)
    assert k.estimate_lines(p) == 10.5
    # A level-2 heading: 1 line of text and 1,5 of space.
    h = doc.Heading(2, "Tilskud")
    assert k.estimate_lines(h) == 2.5
    # Two rows (head and one body row) of one line each: 1 + 2 × 1,15 = 3,3.
    t = doc.Table(["A", "B"], [["x", "y"]])
    assert k.estimate_lines(t) == pytest.approx(3.3)
    assert k.estimate_pages([h, doc.Section([p])]) == pytest.approx(13 / 46)
    # Page 1 holds blocks until 46 lines: five 10,5-line paragraphs → the fifth starts at 42.
    assert len(k.first_page([p] * 6)) == 5


def test_running_text_leaves_tables_out():
    blocks = [doc.Heading(2, "H"), doc.Paragraph("Én sætning."),
              doc.Section([doc.BulletList(["Punkt et.", "Punkt to."]),
                           doc.Table(["Regel"], [["Celle"]])])]
    assert k.running_text(blocks) == "Én sætning.\nPunkt et.\nPunkt to."
