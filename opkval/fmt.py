"""Danish number and date formatting, always through Babel (locale ``da_DK``).

Babel's Danish patterns put a no-break space (U+00A0) before ``kr.`` and ``%``, so an amount
never breaks over two lines in the PDF. Tests spell that character out.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = "da_DK"
NBSP = "\u00a0"


def kr(amount: float | int | None, decimals: int = 0) -> str:
    """``280000`` → ``'280.000 kr.'`` (no-break space)."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + NBSP + "¤"
    return format_currency(amount, "DKK", format=pattern, locale=LOCALE, currency_digits=False)


def mio_kr(amount: float | int, decimals: int = 1) -> str:
    """``195900000`` → ``'195,9 mio. kr.'``."""
    return number(amount / 1_000_000, decimals) + NBSP + "mio." + NBSP + "kr."


def number(value: float | int | None, decimals: int = 0) -> str:
    """``1304000`` → ``'1.304.000'``; ``43.9`` with 1 decimal → ``'43,9'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE, decimal_quantization=True)


def signed_kr(amount: float | int) -> str:
    """Amount with an explicit sign: ``'+1.000 kr.'`` / ``'-1.000 kr.'``."""
    sign = "+" if amount > 0 else ("-" if amount < 0 else "")
    return sign + kr(abs(amount))


def pct(fraction: float | None, decimals: int = 1) -> str:
    """A fraction as percent: ``0.261`` → ``'26,1 %'``; ``0.0026`` (2 dec.) → ``'0,26 %'``."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + NBSP + "%"
    return format_percent(fraction, format=pattern, locale=LOCALE, decimal_quantization=True)


def pct_value(value: float | None, decimals: int = 1) -> str:
    """A percent stored as a percent (the data's ``43.9``) → ``'43,9 %'`` (no-break space).

    The one way to show the data's percent values; same rounding as :func:`pct` of
    ``value / 100``, which every caller used before.
    """
    return pct(None if value is None else value / 100, decimals)


def pct_points(value: float, decimals: int = 1) -> str:
    """Percentage points: ``16.1`` → ``'16,1 procentpoint'``."""
    return number(value, decimals) + NBSP + "procentpoint"


_WORDS = ("nul", "én", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti", "elleve",
          "tolv")


def count_word(n: int) -> str:
    """A small count spelled out in Danish (``7`` → ``'syv'``), as prose does up to twelve;
    larger counts as digits (``13`` → ``'13'``). One is the common-gender ``'én'``."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else number(n)


def and_list(items: list) -> str:
    """``[2023]`` → ``'2023'``; ``[2019, 2021, 2023]`` → ``'2019, 2021 og 2023'`` (items as
    text: years are labels here, not numbers)."""
    parts = [str(x) for x in items]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


def date(value: dt.date | str) -> str:
    """``2024-04-21`` → ``'21. april 2024'``."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value, format="long", locale=LOCALE)


def short_date(value: dt.date | str) -> str:
    """``2024-08-01`` → ``'01.08.2024'`` (for table cells)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value, format="dd.MM.y", locale=LOCALE)


def datetime(value: dt.datetime | str) -> str:
    """``2026-11-23T15:50`` → ``'23. november 2026 kl. 15:50'``."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return format_datetime(value, format="d. MMMM y 'kl.' HH:mm", locale=LOCALE)


#: Danish alphabetical order: a–z, then æ, ø, å (å also spelt "aa"); ä/ö/ü sort as æ/ø/y.
_DA_ORDER = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}", "ü": "y",
                           "é": "e"})


def sort_key(text: str) -> str:
    """Key for Danish alphabetical order: ``sorted(names, key=sort_key)`` puts Tønder before
    Tårnby and Aarhus (= Århus) last. The index page's script compares these keys as plain
    strings, so its order after a click is the order it was written in."""
    import unicodedata

    s = unicodedata.normalize("NFC", str(text)).casefold().replace("aa", "å")
    return s.translate(_DA_ORDER)
