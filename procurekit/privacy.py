"""CPR numbers: the one detector, and the one rule for echoing a value in an error message.

A Danish CPR number is DDMMYY-XXXX. People write it in many ways, so `looks_like_cpr` first brings a
string to a canonical spelling and then matches:

- Unicode compatibility forms are folded (NFKC: full-width `０１` → `01`), digits of any script become
  ASCII digits (Arabic-Indic, Devanagari, …), and invisible format characters (Unicode category Cf:
  zero-width space and joiners, word joiner, BOM, soft hyphen) and stray combining marks (an accent on
  a digit, variation selectors) are dropped.
- Every dash or hyphen (category Pd: en and em dash, non-breaking hyphen, …), the minus sign `−`, `.`,
  `,`, `_`, `/`, `\\` and any white space (including the no-break space) is a separator; any run of
  them may stand between day, month, year and the four last digits (`01.01.90-1234`, `010190--1234`).
- The six date digits must be a plausible day (01-31, or 61-91 for substitute numbers) and month
  (01-12), followed by exactly four digits, with no digit on either side. It may be part of a longer
  text (`note: 010190-1234 called`).

ISO dates (`2017-01-02`), months, decimals, years, and short pseudonyms such as `IB-007` do not match.

`shown` decides whether an error message may quote a value: never when it looks like a CPR number, and
never when it holds ten or more digits, whatever their spelling (a value that could hold a CPR number
the detector does not know is not echoed either).
"""

from __future__ import annotations

import re
import unicodedata

#: What an error message shows instead of a value it must not echo.
NOT_SHOWN = "[value not shown]"
_SEP = r"[-.,_/\\\s]*"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])"
_MONTH = r"(?:0[1-9]|1[0-2])"
_CPR = re.compile(rf"(?<![0-9]){_DAY}{_SEP}{_MONTH}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{4}}(?![0-9])")
_INVISIBLE = frozenset({"Cf", "Mn", "Me"})  # format characters; combining marks left alone after NFKC
_MINUS = frozenset("\u2212\u2796\ufe63\uff0d")
_MAX_DIGITS_SHOWN = 9


def canonical(text: str) -> str:
    """`text` with digits as ASCII, separators as `-` (dash-like characters), format characters dropped.

    ASCII text is returned unchanged (its separators are already in the detector's class).
    """
    if text.isascii():
        return text
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch.isascii():
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in _INVISIBLE:
            continue
        digit = unicodedata.decimal(ch, None)
        if digit is not None:
            out.append(str(digit))
        elif category == "Pd" or ch in _MINUS or ch.isspace():
            out.append("-")
        else:
            out.append(ch)
    return "".join(out)


def looks_like_cpr(text: str) -> bool:
    """True when `text` holds something shaped like a Danish CPR number, in any spelling (see module doc)."""
    return bool(_CPR.search(canonical(text)))


def digit_count(text: str) -> int:
    """How many digits `text` holds, counting digits of every script and compatibility form."""
    return sum(ch.isdigit() for ch in canonical(text))


def may_show(text: str) -> bool:
    """True when an error message may quote `text`: not CPR-like, and fewer than ten digits."""
    return not looks_like_cpr(text) and digit_count(text) <= _MAX_DIGITS_SHOWN


def shown(text: str, width: int = 40) -> str:
    """`text` fit for an error message: one line, shortened; `NOT_SHOWN` if it could hold a CPR number."""
    if not may_show(text):
        return NOT_SHOWN
    # Control characters (\x1e splits lines too) would break the one-line error: shown as '?'.
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= width else text[: width - 3] + "..."
