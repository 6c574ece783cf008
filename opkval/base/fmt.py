"""Danish number and date formatting, always through Babel (locale ``da_DK``).

Babel's Danish patterns put a no-break space (U+00A0) before ``kr.`` and ``%``, so an amount
never breaks over two lines in the PDF. Tests spell that character out.

Rounding: every number is rounded half up (away from zero, the Danish statistics convention)
from its exact decimal value, here and only here (:func:`rounded`), before Babel formats it;
Babel itself would round half to even. A float is taken as the decimal it was written as
(its shortest repr: ``41.85`` is 41,85, not 41,8499…), so figures read from the data stay
exact as long as the arithmetic on them is exact (``opkval.engine.gaps`` computes medians and means
in Decimal). ``Fraction`` and ``Decimal`` are exact already.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import NumberPattern, format_currency, format_decimal, parse_pattern

LOCALE = "da_DK"
NBSP = "\u00a0"


@cache
def _locale() -> Locale:
    """The Danish locale, parsed once: Babel parses a locale given by name on every call,
    which was half the time of formatting a number."""
    return Locale.parse(LOCALE)


@cache
def _pattern(pattern: str) -> NumberPattern:
    """A number pattern, parsed once (Babel takes a parsed pattern as it is)."""
    return parse_pattern(pattern)

Number = int | float | Decimal | Fraction


def exact(value: Number) -> Decimal:
    """The exact decimal value of a number (a float as the decimal it was written as)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Fraction):
        with localcontext() as c:
            c.prec = 60
            return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(repr(float(value)))


def rounded(value: Number, decimals: int = 0) -> Decimal:
    """``value`` rounded half up (away from zero) to ``decimals`` places, from its exact value.

    ``41.85`` → ``41.9``; ``39.65`` → ``39.7``; ``-0.04`` (1 place) → ``0.0``, never ``-0.0``.
    """
    with localcontext() as c:
        c.prec = 60
        q = exact(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return q.copy_abs() if q == 0 else q


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def kr(amount: float | int | None, decimals: int = 0) -> str:
    """``280000`` → ``'280.000 kr.'`` (no-break space)."""
    if _missing(amount):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + NBSP + "¤"
    return format_currency(rounded(amount, decimals), "DKK", format=_pattern(pattern),
                           locale=_locale(), currency_digits=False)


def mio_kr(amount: float | int, decimals: int = 1) -> str:
    """``195900000`` → ``'195,9 mio. kr.'``."""
    return number(exact(amount) / 1_000_000, decimals) + NBSP + "mio." + NBSP + "kr."


def approx_kr(amount: Number) -> str:
    """An estimate in prose, to the precision a key estimate supports (two figures):
    ``2560000`` → ``'ca. 2,6 mio. kr.'``; ``808911`` → ``'ca. 810.000 kr.'``;
    ``48500`` → ``'ca. 49.000 kr.'``."""
    return "ca." + NBSP + _approx(amount)


def approx_kr_range(lo: Number, hi: Number) -> str:
    """``(1586000, 3663960)`` → ``'ca. 1,6–3,7 mio. kr.'`` (one unit for both ends)."""
    if _approx(lo) == _approx(hi):
        return approx_kr(lo)
    if abs(exact(hi)) >= 1_000_000 and abs(exact(lo)) >= 1_000_000:
        return ("ca." + NBSP + number(exact(lo) / 1_000_000, 1) + "–"
                + number(exact(hi) / 1_000_000, 1) + NBSP + "mio." + NBSP + "kr.")
    return "ca." + NBSP + _approx(lo).replace(NBSP + "kr.", "") + "–" + _approx(hi)


def _approx(amount: Number) -> str:
    a = abs(exact(amount))
    if a >= 1_000_000:
        return mio_kr(amount, 1)
    step = 10_000 if a >= 100_000 else 1_000
    return kr(rounded(exact(amount) / step, 0) * step)


def number(value: float | int | None, decimals: int = 0) -> str:
    """``1304000`` → ``'1.304.000'``; ``43.9`` with 1 decimal → ``'43,9'``."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(rounded(value, decimals), format=_pattern(pattern), locale=_locale(),
                          decimal_quantization=True)


def signed_number(value: int) -> str:
    """A whole number with an explicit sign: ``'+1.000'``, ``'-12'``, ``'0'``."""
    sign = "+" if value > 0 else ("-" if value < 0 else "")
    return sign + number(abs(value))


def signed_kr(amount: float | int) -> str:
    """Amount with an explicit sign: ``'+1.000 kr.'`` / ``'-1.000 kr.'``."""
    r = rounded(amount, 0)
    sign = "+" if r > 0 else ("-" if r < 0 else "")
    return sign + kr(abs(r))


def pct(fraction: float | None, decimals: int = 1) -> str:
    """A fraction as percent: ``0.261`` → ``'26,1 %'``; ``0.0026`` (2 dec.) → ``'0,26 %'``."""
    if _missing(fraction):
        return "–"
    return number(exact(fraction) * 100, decimals) + NBSP + "%"


def pct_value(value: float | None, decimals: int = 1) -> str:
    """A percent stored as a percent (the data's ``43.9``) → ``'43,9 %'`` (no-break space).

    The one way to show the data's percent values; same rounding as :func:`pct` of
    ``value / 100``, which every caller used before.
    """
    if _missing(value):
        return "–"
    return number(exact(value), decimals) + NBSP + "%"


def pct_points(value: float, decimals: int = 1) -> str:
    """Percentage points: ``16.1`` → ``'16,1 procentpoint'``."""
    return number(value, decimals) + NBSP + "procentpoint"


def rank(n: int, shared: bool = False) -> str:
    """A place in a ranking: ``'nr. 30'``, or ``'delt nr. 30'`` when others share it."""
    return ("delt nr." if shared else "nr.") + NBSP + number(n)


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
    return format_date(value, format="long", locale=_locale())


def short_date(value: dt.date | str) -> str:
    """``2024-08-01`` → ``'01.08.2024'`` (for table cells)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value, format="dd.MM.y", locale=_locale())


def datetime(value: dt.datetime | str) -> str:
    """``2026-11-23T15:50`` → ``'23. november 2026 kl. 15:50'``."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return format_datetime(value, format="d. MMMM y 'kl.' HH:mm", locale=_locale())


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


#: Where a line may break between words: the breaking spaces and the zero-width space. Not the
#: no-break spaces (U+00A0, U+2007, U+202F) nor the word joiners, which Python's str.split()
#: would split at but a line never breaks at: a name glued with them is one long word.
_BREAKS = re.compile("[ \t\n\r\f\v\u1680\u2000-\u2006\u2008-\u200b\u2028\u2029\u205f\u3000]+")


def line_words(text: str) -> list[str]:
    """The words of `text` as a line breaks it (see _BREAKS): the unit of a long-word rule."""
    return [w for w in _BREAKS.split(text) if w]
