"""Danish formatting. Expected strings are written by hand; NBSP is Babel's no-break space."""

import datetime as dt

from opkval import fmt

NBSP = "\u00a0"


def test_kroner():
    assert fmt.kr(280000) == f"280.000{NBSP}kr."
    assert fmt.kr(1304000) == f"1.304.000{NBSP}kr."
    assert fmt.kr(0) == f"0{NBSP}kr."
    assert fmt.kr(-415592) == f"-415.592{NBSP}kr."


def test_million_kroner():
    assert fmt.mio_kr(195_900_000) == f"195,9{NBSP}mio.{NBSP}kr."
    assert fmt.mio_kr(107_000_000) == f"107,0{NBSP}mio.{NBSP}kr."


def test_percent():
    assert fmt.pct(0.261) == f"26,1{NBSP}%"
    assert fmt.pct(280000 / 107_000_000, 2) == f"0,26{NBSP}%"
    assert fmt.pct(0.5521, 0) == f"55{NBSP}%"


def test_percent_value_stored_as_percent():
    # The data store shares as percent (43.9 means 43,9 %): no division by 100 by the caller.
    assert fmt.pct_value(43.9) == f"43,9{NBSP}%"
    assert fmt.pct_value(80, 0) == f"80{NBSP}%"
    assert fmt.pct_value(66.66667) == f"66,7{NBSP}%"
    assert fmt.pct_value(-3.25, 2) == f"-3,25{NBSP}%"
    assert fmt.pct_value(None) == "–"
    # Greve's pct_paedagoguddannede_2024 is 43.45 in the data; the notes have shown 43,5 %.
    assert fmt.pct_value(43.45) == f"43,5{NBSP}%"


def test_counts_in_words_and_year_lists():
    assert fmt.count_word(7) == "syv"
    assert fmt.count_word(1) == "én"
    assert fmt.count_word(12) == "tolv"
    assert fmt.count_word(13) == "13"
    assert fmt.count_word(1500) == "1.500"
    assert fmt.and_list([2023]) == "2023"
    assert fmt.and_list([2019, 2021, 2023]) == "2019, 2021 og 2023"


def test_numbers_and_points():
    assert fmt.number(1304000) == "1.304.000"
    assert fmt.number(43.9, 1) == "43,9"
    assert fmt.pct_points(16.1) == f"16,1{NBSP}procentpoint"
    assert fmt.signed_kr(21534) == f"+21.534{NBSP}kr."


def test_dates():
    assert fmt.date(dt.date(2024, 4, 21)) == "21. april 2024"
    assert fmt.date("2030-07-31") == "31. juli 2030"
    assert fmt.datetime("2026-11-23T15:50:00") == "23. november 2026 kl. 15:50"


def test_missing_values_show_a_dash():
    assert fmt.kr(None) == "–"
    assert fmt.pct(float("nan")) == "–"
