"""Reading reporting periods into canonical labels (contract section 3)."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

ARABIC_DIGITS = {ord(c): str(i % 10) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")}
MIN_YEAR = 1900
# the latest year a date holds; a period that starts after today is future_period, not bad_period
MAX_YEAR = date.max.year
# longer text is no period in any spelling; it is not normalized (a 500 MB cell must not be copied)
_LONGEST = 1000


@dataclass(frozen=True)
class Period:
    label: str
    period_type: str  # year, half, quarter, month
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year


_YEAR = r"(?P<year>\d{4})"
_SEP = r"\s*[-/ ]?\s*"
_PATTERNS = [
    re.compile(rf"{_YEAR}", re.ASCII),
    re.compile(rf"{_YEAR}{_SEP}(?P<kind>[HQ])(?P<n>\d+)", re.ASCII),
    re.compile(rf"(?P<kind>[HQ])(?P<n>\d+){_SEP}{_YEAR}", re.ASCII),
    re.compile(rf"{_YEAR}\s*[-/]\s*(?P<month>\d{{1,2}})", re.ASCII),
    re.compile(rf"(?P<month>\d{{1,2}})\s*/\s*{_YEAR}", re.ASCII),
]


def _make(year: int, kind: str, n: int) -> Period | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if kind == "Y":
        return Period(f"{year}", "year", date(year, 1, 1), date(year, 12, 31))
    if kind == "H" and n in (1, 2):
        first = 1 + 6 * (n - 1)
        return Period(f"{year}-H{n}", "half", date(year, first, 1), _month_end(year, first + 5))
    if kind == "Q" and 1 <= n <= 4:
        first = 1 + 3 * (n - 1)
        return Period(f"{year}-Q{n}", "quarter", date(year, first, 1), _month_end(year, first + 2))
    if kind == "M" and 1 <= n <= 12:
        return Period(f"{year}-{n:02d}", "month", date(year, n, 1), _month_end(year, n))
    return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(raw: object) -> Period | None:
    """Return the canonical period for `raw`, or None when it is not a valid period."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        raw = str(raw) if 0 <= raw <= MAX_YEAR else ""
    if not isinstance(raw, str) or len(raw) > _LONGEST:
        return None
    text = unicodedata.normalize("NFKC", raw).translate(ARABIC_DIGITS).strip().upper()
    if len(text) > 20:
        return None
    for pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if not match:
            continue
        parts = match.groupdict()
        year = int(parts["year"])
        if parts.get("month"):
            return _make(year, "M", int(parts["month"]))
        if parts.get("kind"):
            return _make(year, parts["kind"], int(parts["n"]))
        return _make(year, "Y", 0)
    return None


_KIND_MONTHS = {"year": ("Y", 12), "half": ("H", 6), "quarter": ("Q", 3), "month": ("M", 1)}


def periods_of_type(period_type: str, first: date, until: date) -> list[Period]:
    """The consecutive periods of a type from the one holding `first` to the one holding
    `until`."""
    kind, months = _KIND_MONTHS[period_type]
    periods: list[Period] = []
    year, n = first.year, (first.month - 1) // months + 1
    while True:
        period = _make(year, kind, n)
        if period is None or period.start > until:
            break
        periods.append(period)
        year, n = (year + 1, 1) if n * months >= 12 else (year, n + 1)
    return periods
