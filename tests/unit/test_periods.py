"""Unit tests for orchestration.lib.periods.parse_period (contract section 3, `period`)."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.lib.periods import Period, parse_period, periods_of_type

VALID = [
    # raw, label, period_type, start, end
    ("2024", "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
    (" 2024 ", "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
    ("2024-H1", "2024-H1", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("2024-H2", "2024-H2", "half", date(2024, 7, 1), date(2024, 12, 31)),
    ("2024-Q1", "2024-Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31)),
    ("2024-Q2", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("2024-Q3", "2024-Q3", "quarter", date(2024, 7, 1), date(2024, 9, 30)),
    ("2024-Q4", "2024-Q4", "quarter", date(2024, 10, 1), date(2024, 12, 31)),
    ("2024-01", "2024-01", "month", date(2024, 1, 1), date(2024, 1, 31)),
    ("2024-02", "2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),  # leap year
    ("2023-02", "2023-02", "month", date(2023, 2, 1), date(2023, 2, 28)),
    ("2100-02", "2100-02", "month", date(2100, 2, 1), date(2100, 2, 28)),  # not a leap year
    ("2024-04", "2024-04", "month", date(2024, 4, 1), date(2024, 4, 30)),
    ("2024-12", "2024-12", "month", date(2024, 12, 1), date(2024, 12, 31)),
    ("2024-6", "2024-06", "month", date(2024, 6, 1), date(2024, 6, 30)),
    # variants normalised to the canonical labels
    ("06/2024", "2024-06", "month", date(2024, 6, 1), date(2024, 6, 30)),
    ("6/2024", "2024-06", "month", date(2024, 6, 1), date(2024, 6, 30)),
    ("11/2023", "2023-11", "month", date(2023, 11, 1), date(2023, 11, 30)),
    ("2024/06", "2024-06", "month", date(2024, 6, 1), date(2024, 6, 30)),
    ("Q2 2024", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("Q4 2023", "2023-Q4", "quarter", date(2023, 10, 1), date(2023, 12, 31)),
    ("H1 2024", "2024-H1", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("H2 2023", "2023-H2", "half", date(2023, 7, 1), date(2023, 12, 31)),
    ("2024 Q2", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("2024 H2", "2024-H2", "half", date(2024, 7, 1), date(2024, 12, 31)),
    ("2024Q2", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("2024/Q3", "2024-Q3", "quarter", date(2024, 7, 1), date(2024, 9, 30)),
    ("Q2-2024", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("Q2/2024", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("2024 - Q2", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    # lower case
    ("2024-q3", "2024-Q3", "quarter", date(2024, 7, 1), date(2024, 9, 30)),
    ("2024-h1", "2024-H1", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("q2 2024", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("h2 2024", "2024-H2", "half", date(2024, 7, 1), date(2024, 12, 31)),
    ("2024 q1", "2024-Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31)),
    # other digit scripts and full-width forms
    ("٢٠٢٤-Q2", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    ("۲۰۲۴", "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
    ("２０２４-Ｑ２", "2024-Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    # year bounds
    ("1990", "1990", "year", date(1990, 1, 1), date(1990, 12, 31)),
    ("2100", "2100", "year", date(2100, 1, 1), date(2100, 12, 31)),
    # a JSON number
    (2024, "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
]


@pytest.mark.parametrize(("raw", "label", "period_type", "start", "end"), VALID)
def test_valid_period(raw, label, period_type, start, end):
    assert parse_period(raw) == Period(label, period_type, start, end)


@pytest.mark.parametrize(
    "raw",
    [
        "2024-13",
        "2024-00",
        "13/2024",
        "00/2024",
        "2024/13",
        "2024-Q5",
        "2024-Q0",
        "Q5 2024",
        "2024-H0",
        "2024-H3",
        "H3 2024",
        "",
        "   ",
        None,
        "garbage",
        "2024-",
        "-2024",
        "24",
        "20245",
        "1899",
        "10000",
        "10000-Q1",
        "2024 06",  # a month needs '-' or '/'
        "2024-6-1",
        "2024-06-01",
        "2024-M06",
        "2024-W01",
        "FY2024",
        "2024-Q2x",
        "2024-Q1Q2",
        "Q2",
        "H1",
        "2024-" + "0" * 30,  # long input
        True,
        False,
        2024.0,
        [2024],
        {"period": "2024"},
    ],
)
def test_invalid_period(raw):
    assert parse_period(raw) is None


def test_year_property():
    period = parse_period("Q3 2023")
    assert period is not None
    assert period.year == 2023


def test_period_is_frozen():
    period = parse_period("2024")
    with pytest.raises(AttributeError):
        period.label = "2025"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("spellings", "label"),
    [
        (["2024-Q2", "Q2 2024", "2024 Q2", "q2 2024", "2024/Q2", "2024q2"], "2024-Q2"),
        (["2024-H1", "H1 2024", "2024 H1", "h1 2024"], "2024-H1"),
        (["2024-06", "06/2024", "6/2024", "2024/06", "2024/6"], "2024-06"),
    ],
)
def test_spellings_share_one_label(spellings, label):
    assert {parse_period(s).label for s in spellings} == {label}


# --- years up to 9999 (issue item 5: 2999-H2 read but 9999-Q4 did not) ---------------------


@pytest.mark.parametrize(
    ("raw", "label", "start", "end"),
    [
        ("3000", "3000", date(3000, 1, 1), date(3000, 12, 31)),
        ("2999-H2", "2999-H2", date(2999, 7, 1), date(2999, 12, 31)),
        ("9999-Q4", "9999-Q4", date(9999, 10, 1), date(9999, 12, 31)),
        ("12/9999", "9999-12", date(9999, 12, 1), date(9999, 12, 31)),
        ("H2 9999", "9999-H2", date(9999, 7, 1), date(9999, 12, 31)),
        ("9999", "9999", date(9999, 1, 1), date(9999, 12, 31)),
        (9999, "9999", date(9999, 1, 1), date(9999, 12, 31)),
    ],
)
def test_every_four_digit_year_from_1900_reads(raw, label, start, end):
    # a period after today is future_period (validation.sql), never bad_period
    period = parse_period(raw)
    assert period is not None and (period.label, period.start, period.end) == (label, start, end)


@pytest.mark.parametrize("raw", ["1899-Q4", "0999", 1899, 10000, -2024])
def test_years_before_1900_or_beyond_four_digits_do_not_read(raw):
    assert parse_period(raw) is None


def test_a_huge_text_is_not_a_period_and_is_not_normalized():
    assert parse_period(" " * 5_000_000 + "2024") is None


@pytest.mark.parametrize(
    ("period_type", "first", "until", "labels"),
    [
        ("month", date(2024, 11, 20), date(2025, 2, 1), ["2024-11", "2024-12", "2025-01", "2025-02"]),
        ("quarter", date(2024, 4, 1), date(2025, 2, 3), ["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"]),
        ("half", date(2024, 7, 1), date(2024, 7, 3), ["2024-H2"]),
        ("year", date(2023, 6, 1), date(2025, 1, 1), ["2023", "2024", "2025"]),
        ("month", date(2025, 3, 1), date(2025, 2, 1), []),
    ],
)  # fmt: skip
def test_periods_of_type_run_from_the_one_holding_first_to_the_one_holding_until(
    period_type, first, until, labels
):
    assert [p.label for p in periods_of_type(period_type, first, until)] == labels
