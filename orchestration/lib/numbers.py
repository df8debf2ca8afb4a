"""Read numbers the way provinces write them (contract section 3, "Numbers").

A reading is returned only when it is unambiguous for the metric's kind and the
file's conventions; anything else is an error code, never a guess.

Conventions by file:
- every file: `.` is the decimal point, a space or no-break space groups thousands;
- comma and tab files: `,` groups thousands (counts only);
- semicolon files (Excel in a decimal-comma locale): `,` is a decimal comma and
  `.` groups thousands (counts only).
A single group of three digits after the separator that the file could use
either way (`12.345` in a comma file, `2,439` in a semicolon file) is ambiguous.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from orchestration.lib.display import shown

MISSING = "missing_value"
# the largest whole number a double holds exactly; a larger count cannot be read exactly
LARGEST_EXACT = 2**53 - 1
UNPARSEABLE = "unparseable_value"
# longer text is not a number in any form read here; it is not translated or searched (a
# 500 MB cell must not be copied), and a message quotes only its start
LONGEST_NUMBER = 1000
_QUOTED = 100  # characters of a raw value a message quotes

_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_DECIMAL_MARK = "\ue000"  # private-use: stands for the Arabic decimal separator "٫"
_DIGITS[ord("٫")] = _DECIMAL_MARK
_DIGITS[ord("٬")] = " "  # Arabic thousands separator
for _space in ("\u00a0", "\u202f", "\u2009", "\u2007"):
    _DIGITS[ord(_space)] = " "
_DIGITS[ord("٪")] = "%"
_DIGITS[ord("−")] = "-"

_INT = re.compile(r"\d+", re.ASCII)
_SPACE_GROUPS = re.compile(r"[1-9]\d{0,2}( \d{3})+", re.ASCII)
_COMMA_GROUPS = re.compile(r"[1-9]\d{0,2}(,\d{3})+", re.ASCII)
_DOT_GROUPS = re.compile(r"[1-9]\d{0,2}(\.\d{3})+", re.ASCII)
_DOT_DECIMAL = re.compile(r"\d*[.\ue000]\d+|\d+[.\ue000]", re.ASCII)
_COMMA_DECIMAL = re.compile(r"\d+,\d+", re.ASCII)
_ARABIC_DECIMAL = re.compile(r"\d+\ue000\d+", re.ASCII)
_COMMA_GROUPS_DOT_DECIMAL = re.compile(r"[1-9]\d{0,2}(,\d{3})+\.\d+", re.ASCII)
_DOT_GROUPS_COMMA_DECIMAL = re.compile(r"[1-9]\d{0,2}(\.\d{3})+,\d+", re.ASCII)
_SPACE_GROUPS_DECIMAL = re.compile(r"[1-9]\d{0,2}( \d{3})+[.\ue000]\d+", re.ASCII)
_SPACE_GROUPS_COMMA_DECIMAL = re.compile(r"[1-9]\d{0,2}( \d{3})+,\d+", re.ASCII)
_NOT_RECOGNISED = "is not a number in a recognised form"


@dataclass(frozen=True, slots=True)
class JsonNumber:
    """A JSON number kept as written (`2.50`, `1E3`, `-0`, `1e400`): readers keep one this way
    when int or float would not give its text back, so that raw values and records show what
    the file says. It reads as a JSON number, never with a file's CSV conventions."""

    text: str


@dataclass(frozen=True)
class NumberReading:
    """The outcome of reading one raw value."""

    value: float | None = None
    error: str | None = None
    detail: str = ""
    percent_sign: bool = False


def _fail(error: str, detail: str) -> NumberReading:
    return NumberReading(error=error, detail=detail)


def _quoted(raw: str) -> str:
    """`raw` as a message quotes it: exactly as sent, invisible characters escaped; a long
    value by its start."""
    return "'" + shown(raw if len(raw) <= _QUOTED else raw[: _QUOTED - 3] + "...") + "'"


def _digits_only(text: str) -> float:
    return float(text.replace(",", "").replace(".", "").replace(" ", ""))


def _read_count(body: str, semicolon_file: bool) -> float | str:
    """Return the value, or why it is not readable (read_number puts the raw value first)."""
    if _INT.fullmatch(body) or _SPACE_GROUPS.fullmatch(body):
        return _digits_only(body)
    if _ARABIC_DECIMAL.fullmatch(body):
        return float(body.replace(_DECIMAL_MARK, "."))
    if _SPACE_GROUPS_DECIMAL.fullmatch(body):
        return float(body.replace(" ", "").replace(_DECIMAL_MARK, "."))
    if semicolon_file and _SPACE_GROUPS_COMMA_DECIMAL.fullmatch(body):
        return float(body.replace(" ", "").replace(",", "."))
    thousands, decimal = (".", ",") if semicolon_file else (",", ".")
    groups = _DOT_GROUPS if semicolon_file else _COMMA_GROUPS
    other_groups = _COMMA_GROUPS if semicolon_file else _DOT_GROUPS
    if groups.fullmatch(body):
        return _digits_only(body)
    if other_groups.fullmatch(body):
        if body.count(decimal) == 1:
            whole, frac = body.split(decimal)
            return (
                f"is ambiguous: {whole}{frac} with '{decimal}' grouping thousands, "
                f"or {whole}.{frac} with '{decimal}' as the decimal mark"
            )
        return _digits_only(body)  # several groups can only be thousands
    mixed = _DOT_GROUPS_COMMA_DECIMAL if semicolon_file else _COMMA_GROUPS_DOT_DECIMAL
    if mixed.fullmatch(body):
        whole, frac = body.rsplit(decimal, 1)
        return float(whole.replace(thousands, "") + "." + frac)
    simple_decimal = _COMMA_DECIMAL if semicolon_file else _DOT_DECIMAL
    if simple_decimal.fullmatch(body):
        return float(body.replace(",", ".").replace(_DECIMAL_MARK, "."))
    if semicolon_file and _DOT_DECIMAL.fullmatch(body):
        return float(body.replace(_DECIMAL_MARK, "."))
    return _NOT_RECOGNISED


def _read_rate(body: str, semicolon_file: bool) -> float | str:
    if _INT.fullmatch(body) or _DOT_DECIMAL.fullmatch(body):
        return float(body.replace(_DECIMAL_MARK, "."))
    if _COMMA_DECIMAL.fullmatch(body):
        whole, frac = body.split(",")
        if len(frac) == 3:
            return (
                "is ambiguous for a rate: ',' could group thousands or be a "
                "decimal comma; write the rate with '.' as the decimal point"
            )
        if semicolon_file:
            return float(f"{whole}.{frac}")
        return "uses a decimal comma, which is read only in ';'-delimited files"
    if (
        _SPACE_GROUPS.fullmatch(body)
        or _COMMA_GROUPS.fullmatch(body)
        or _DOT_GROUPS.fullmatch(body)
    ):
        return "has a thousands separator, which a rate cannot have"
    return _NOT_RECOGNISED


def read_number(raw: object, *, kind: str | None, semicolon_file: bool = False) -> NumberReading:
    """Read a raw value for a metric of `kind` ('count', 'rate', or None when unknown).

    `raw` is the text from a CSV cell or the value from a JSON document. Details quote the
    raw value as it was sent.
    """
    if type(raw) is str and raw.isdigit() and raw.isascii():
        return _checked(float(raw), raw, False)  # plain digits read the same for every kind
    if raw is None:
        return _fail(MISSING, "value is empty")
    if type(raw) is JsonNumber:
        # JSON's own syntax, which float reads whole (1e400 is infinite, so too large)
        return _checked(float(raw.text), raw.text, False)
    if isinstance(raw, bool):
        return _fail(UNPARSEABLE, f"'{str(raw).lower()}' is not a number")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            return _fail(UNPARSEABLE, f"'{raw}' is not a finite number")
        return _checked(float(raw) if abs(raw) <= LARGEST_EXACT else math.inf, str(raw), False)
    if not isinstance(raw, str):
        return _fail(UNPARSEABLE, "value must be a number or a string")

    if len(raw) > LONGEST_NUMBER:
        return _fail(UNPARSEABLE, f"{_quoted(raw)} {_NOT_RECOGNISED}")
    if _DECIMAL_MARK in raw:
        return _fail(UNPARSEABLE, f"{_quoted(raw)} contains a private-use character")
    text = raw.translate(_DIGITS).strip()
    if not text:
        return _fail(MISSING, "value is empty")
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    sign = 1.0
    if not text:
        return _fail(UNPARSEABLE, f"{_quoted(raw)} has no digits")
    if text[0] in "+-":
        sign = -1.0 if text[0] == "-" else 1.0
        text = text[1:].lstrip()
    if not text or not (text[0].isascii() and text[0].isdigit() or text[0] in "." + _DECIMAL_MARK):
        return _fail(UNPARSEABLE, f"{_quoted(raw)} is not a number")
    if kind == "count":
        reading = _read_count(text, semicolon_file)
    elif kind == "rate":
        reading = _read_rate(text, semicolon_file)
    elif _INT.fullmatch(text) or _DOT_DECIMAL.fullmatch(text):
        reading = float(text.replace(_DECIMAL_MARK, "."))
    else:
        reading = "cannot be read without knowing the metric"
    if isinstance(reading, str):
        return _fail(UNPARSEABLE, f"{_quoted(raw)} {reading}")
    return _checked(sign * reading, raw, percent)


def _checked(value: float, raw: str, percent: bool) -> NumberReading:
    if not math.isfinite(value) or abs(value) > LARGEST_EXACT:
        return _fail(
            UNPARSEABLE, f"{_quoted(raw)} is too large to be read exactly (over {LARGEST_EXACT:,})"
        )
    # + 0.0 turns a negative zero ("-0", "-0.0%") into 0.0 and leaves every other value as is
    return NumberReading(value=value + 0.0, percent_sign=percent)
