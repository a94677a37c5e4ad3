"""Every number, share, amount, date, month, unit and code as a person reads it, in Danish or English.

The one place procurekit formats values for people: check messages, `check --explain`, `rules explain`,
the report, the tender pack, charts and the business case all call these functions, so one value prints
the same everywhere ("4,999 år", "9,99 %", "1. oktober 2016", "løntilskud").

Numbers keep the precision they have: a decimal is shown with exactly its digits (normalised:
Decimal("5.000") → "5"), a float by its shortest repr ("160.3334" → "160,3334"), an integer without
decimals. Only a value with more than `MAX_PLACES` decimals (a quotient such as 37 × 52 / 12, or a float
artefact such as 0.1 + 0.2) is shown to `COMPUTED_PLACES` decimals. This module imports only Babel and the
standard library: every other layer may use it.
"""

from __future__ import annotations

import datetime as dt
import functools
import numbers
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

LOCALES = {"da": "da_DK", "en": "en_GB"}

#: A value with more decimals than this was computed (a quotient), not given: it is shown rounded.
MAX_PLACES = 6
#: Decimals shown for a computed value (more for a value below 0.001, so it keeps 4 significant digits).
COMPUTED_PLACES = 4

#: What stands where there is no value.
NONE = {"da": "–", "en": "none"}

#: unit → (da singular, da plural, en singular, en plural). `{n}` marks where the number goes.
UNITS: dict[str, tuple[str, str, str, str]] = {
    "years": ("år", "år", "year", "years"),
    "months": ("måned", "måneder", "month", "months"),
    "days": ("dag", "dage", "day", "days"),
    "weeks": ("uge", "uger", "week", "weeks"),
    "places": ("plads", "pladser", "place", "places"),
    "hours/week": ("time om ugen", "timer om ugen", "hour a week", "hours a week"),
    "hours": ("time", "timer", "hour", "hours"),
    "staff": ("ordinært ansat", "ordinært ansatte", "member of ordinary staff", "ordinary staff"),
    "persons": ("person", "personer", "person", "people"),
    "fte": ("årsværk", "årsværk", "full-time equivalent", "full-time equivalents"),
    "course month": ("forløbsmåned {n}", "forløbsmåned {n}", "course month {n}", "course month {n}"),
    "times": ("gang", "gange", "time", "times"),
}

#: Units that mean a share (0.1 = 10 %) or an amount in kroner.
SHARE_UNITS = frozenset({"share", "percent"})
MONEY_UNITS = frozenset({"dkk", "kr", "kr."})

#: Data codes in words: field → code → (da, en).
CODES: dict[str, dict[str, tuple[str, str]]] = {
    "exit_reason": {
        "completed": ("gennemført", "completed"),
        "dropped_out": ("afbrudt", "dropped out"),
        "other": ("andet", "other"),
    },
    "job_offer_terms": {
        "ordinary": ("almindelige vilkår", "ordinary terms"),
        "subsidised": ("løntilskud", "wage subsidy"),
        "flexjob": ("fleksjob", "flexjob"),
    },
    "verdict": {
        "violation": ("overtrædelse", "violation"),
        "warning": ("advarsel", "warning"),
        "due": ("frist løber", "due"),
        "ok": ("i orden", "OK"),
    },
}

#: Verdicts counted: verdict → (da, en), for "overtrædelser 3".
VERDICT_PLURALS: dict[str, tuple[str, str]] = {
    "violation": ("overtrædelser", "violations"),
    "warning": ("advarsler", "warnings"),
    "due": ("frister løber", "due"),
    "ok": ("i orden", "OK"),
}

_YES_NO = {"da": ("ja", "nej"), "en": ("yes", "no")}


def locale(lang: str) -> str:
    """The Babel locale of a document language (Danish for anything unknown)."""
    return LOCALES.get(lang, "da_DK")


def is_number(value: Any) -> bool:
    """An int, float or Decimal (numpy's numbers too, as charts get them), not a bool."""
    return isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, bool)


def _exact(value: Any) -> Decimal | None:
    """The value as a normalised Decimal with the digits it has; None for NaN or infinity."""
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, numbers.Integral):
        d = Decimal(int(value))
    else:
        d = Decimal(repr(float(value)))  # the shortest digits that give the float back
    if not d.is_finite():
        return None
    d = d.normalize()
    places = -d.as_tuple().exponent  # type: ignore[operator]
    if places > MAX_PLACES:
        keep = max(COMPUTED_PLACES, COMPUTED_PLACES - 1 - d.adjusted())
        d = d.quantize(Decimal(1).scaleb(-keep), rounding=ROUND_HALF_EVEN).normalize()
    if d == 0:
        return Decimal(0)  # no "-0", no "0E-5"
    return d


def number(value: Any, lang: str = "da", places: int | None = None) -> str:
    """A number with the precision it has: 12326 → "12.326", 4.999 → "4,999" (da); "12,326", "4.999" (en).

    Args:
        value: an int, float or Decimal; None is "–" (da) / "none" (en); anything else is shown as text.
        lang: "da" or "en".
        places: round to this many decimals first (for chart ticks); default: the value's own digits.
    """
    if value is None:
        return NONE.get(lang, NONE["da"])
    if not is_number(value):
        return str(value)
    d = _exact(value)
    if d is None:
        return "–"
    if places is not None:
        d = _exact(d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))
        assert d is not None
    digits = max(0, -d.as_tuple().exponent)  # type: ignore[operator]
    return _decimal_text(d, "#,##0" + ("." + "0" * digits if digits else ""), lang)


# Babel parses the locale and the pattern on every call (about 0.3 ms): a check explaining thousands of
# findings formats the same few days and numbers over and over, so each text is made once.
@functools.lru_cache(maxsize=65536)
def _decimal_text(d: Decimal, pattern: str, lang: str) -> str:
    return str(format_decimal(d, format=pattern, locale=_babel_locale(lang)))


@functools.lru_cache(maxsize=65536)
def _day_text(day: dt.date, lang: str) -> str:
    return str(format_date(day, format="d. MMMM y" if lang == "da" else "d MMMM y", locale=_babel_locale(lang)))


@functools.lru_cache(maxsize=8)
def _babel_locale(lang: str) -> Locale:
    return Locale.parse(locale(lang))


def percent(value: Any, lang: str = "da", places: int | None = None) -> str:
    """A share as a percentage with the precision it has: 0.0999 → "9,99 %" (da) / "9.99%" (en).

    `places` rounds the percentage (a chart's axis: places=0 gives whole percents).
    """
    if value is None or not is_number(value):
        return number(value, lang)
    d = _exact(value)
    if d is None:
        return "–"
    text = number(d * 100, lang, places)
    return f"{text} %" if lang == "da" else f"{text}%"


def money(value: Any, lang: str = "da") -> str:
    """An amount: 12326 → "12.326 kr." (da) / "DKK 12,326" (en); an amount from 1,000 kr. in whole kroner.

    A smaller amount with øre keeps two decimals ("45,50 kr.").
    """
    if value is None or not is_number(value):
        return number(value, lang)
    d = _exact(value)
    if d is None:
        return "–"
    if abs(d) >= 1000:
        text = number(d, lang, places=0)
    elif d != d.to_integral_value():
        text = _decimal_text(d, "#,##0.00", lang)
    else:
        text = number(d, lang)
    return f"{text} kr." if lang == "da" else f"DKK {text}"


def as_date(value: Any) -> dt.date | None:
    """A date, a datetime or an ISO date string as a date; None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def date(value: Any, lang: str = "da") -> str:
    """A day: 2016-10-01 → "1. oktober 2016" (da) / "1 October 2016" (en); None is "–" / "none"."""
    if value is None:
        return NONE.get(lang, NONE["da"])
    day = as_date(value)
    if day is None:
        return str(value)
    return _day_text(day, lang)


def month(value: Any, lang: str = "da", short: bool = False) -> str:
    """A month: "2016-10" (or a date in it) → "oktober 2016" / "October 2016"; short: "okt. 2016" / "Oct 2016".

    None is "–" / "none"; a text that is not a month is returned as it is.
    """
    if value is None:
        return NONE.get(lang, NONE["da"])
    day = as_date(value)
    if day is None and isinstance(value, str) and len(value) == 7:
        day = as_date(value + "-01")
    if day is None:
        return str(value)
    return str(format_date(day, format="MMM y" if short else "MMMM y", locale=locale(lang)))


def boolean(value: bool, lang: str = "da") -> str:
    """True → "ja" / "yes", False → "nej" / "no"."""
    yes, no = _YES_NO.get(lang, _YES_NO["da"])
    return yes if value else no


def code(field: str, value: Any, lang: str = "da") -> str:
    """A data code in words: ("job_offer_terms", "subsidised") → "løntilskud" / "wage subsidy".

    None is "–" / "none"; a code without words is returned as it is.
    """
    if value is None:
        return NONE.get(lang, NONE["da"])
    words = CODES.get(field, {}).get(str(value))
    if words is None:
        return str(value)
    return words[1 if lang == "en" else 0]


def verdict(value: str, lang: str = "da", plural: bool = False) -> str:
    """A verdict in words: "overtrædelse" / "violation"; plural: "overtrædelser" / "violations"."""
    if plural and value in VERDICT_PLURALS:
        return VERDICT_PLURALS[value][1 if lang == "en" else 0]
    return code("verdict", value, lang)


def unit_word(unit: str, value: Any, lang: str = "da") -> str | None:
    """The word of a unit for a value (singular for exactly 1), or None for a unit without words."""
    forms = UNITS.get(unit) or UNITS.get(unit.lower())
    if forms is None:
        return None
    one = is_number(value) and value == 1
    return forms[(0 if one else 1) + (2 if lang == "en" else 0)]


def quantity(value: Any, unit: str, lang: str = "da") -> str:
    """A value with its unit in words: (18, "months") → "18 måneder"; a share as a percentage; DKK as kr."""
    if unit in SHARE_UNITS:
        return percent(value, lang)
    if unit.lower() in MONEY_UNITS:
        return money(value, lang)
    if isinstance(value, dt.date):
        return date(value, lang)
    text = number(value, lang)
    word = unit_word(unit, value, lang)
    if word is None:
        return f"{text} {unit}".strip()
    return word.replace("{n}", text) if "{n}" in word else f"{text} {word}"


def value(value: Any, lang: str = "da", *, unit: str = "", field: str = "", is_date: bool = False) -> str:
    """Any value a rule uses, as a person reads it: a date, a month, yes/no, a code in words, a quantity.

    Args:
        value: the value (a date may be an ISO string or a date ordinal with `is_date`).
        lang: "da" or "en".
        unit: the unit of a number ("share" shows a percentage); empty: the number alone.
        field: the name of the field or parameter (codes of `CODES` and `month` are shown in words).
        is_date: the value is a date (an int is then a date ordinal).
    """
    if value is None:
        return NONE.get(lang, NONE["da"])
    if isinstance(value, bool):
        return boolean(value, lang)
    if is_date:
        day = dt.date.fromordinal(int(value)) if is_number(value) else value
        return date(day, lang)
    if isinstance(value, str):
        if field in CODES:
            return code(field, value, lang)
        if field == "month":
            return month(value, lang)
        return value
    if is_number(value):
        if unit in SHARE_UNITS:
            return percent(value, lang)
        return number(value, lang)
    return str(value)

