"""Danish formatting. Expected strings are written by hand; NBSP is Babel's no-break space."""

import datetime as dt

from opkval.base import fmt

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


def test_round_half_up_from_the_exact_decimal():
    """Danish statistics round half up: 41,85 -> 41,9 and 39,65 -> 39,7 (Babel alone rounds
    half to even, and the float mean of 41,3 and 42,4 is 41,849999...)."""
    nb = "\u00a0"
    assert fmt.pct_value(41.85) == f"41,9{nb}%"
    assert fmt.pct_value(39.65) == f"39,7{nb}%"
    assert fmt.pct(0.3965) == f"39,7{nb}%"
    assert fmt.number(2.5) == "3" and fmt.number(0.125, 2) == "0,13"
    assert fmt.kr(1234.5) == f"1.235{nb}kr."
    assert fmt.number(-2.5) == "-3"  # half away from zero
    assert fmt.number(-0.04, 1) == "0,0"  # never "-0,0"
    # Exact inputs stay exact: a Fraction or Decimal is not turned into a float first.
    from decimal import Decimal
    from fractions import Fraction

    assert fmt.pct(Fraction(1, 8), 1) == f"12,5{nb}%"
    assert fmt.number(Decimal("41.85"), 1) == "41,9"
    # The float mean itself is not exact: computing medians exactly is the caller's job.
    assert fmt.pct_value((41.3 + 42.4) / 2) == f"41,8{nb}%"


def test_estimates_in_prose_and_shared_ranks():
    nb = "\u00a0"
    assert fmt.approx_kr(2_560_000) == f"ca.{nb}2,6{nb}mio.{nb}kr."
    assert fmt.approx_kr(2_350_000) == f"ca.{nb}2,4{nb}mio.{nb}kr."  # half up
    assert fmt.approx_kr(808_911) == f"ca.{nb}810.000{nb}kr."
    assert fmt.approx_kr_range(1_586_000, 3_663_960) == f"ca.{nb}1,6–3,7{nb}mio.{nb}kr."
    assert fmt.rank(30, shared=True) == f"delt nr.{nb}30" and fmt.rank(29) == f"nr.{nb}29"
