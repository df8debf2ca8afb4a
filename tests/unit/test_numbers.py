"""Unit tests for orchestration.lib.numbers.read_number (contract section 3, "Numbers")."""

from __future__ import annotations

import math

import pytest

from orchestration.lib.numbers import MISSING, UNPARSEABLE, JsonNumber, NumberReading, read_number

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space
THIN = "\u2009"


def test_error_codes_are_the_contract_rule_codes():
    assert MISSING == "missing_value"
    assert UNPARSEABLE == "unparseable_value"


# --- counts that read ---------------------------------------------------------------------

COUNTS_OK = [
    # raw, semicolon_file, expected
    ("0", False, 0.0),
    ("2439", False, 2439.0),
    ("2439", True, 2439.0),
    ("  2439  ", False, 2439.0),
    ("2,439", False, 2439.0),
    ("1,234,567", False, 1234567.0),
    ("1,234,567", True, 1234567.0),  # several groups can only be thousands
    ("2 439", False, 2439.0),
    ("2 439", True, 2439.0),
    ("2 439 000", False, 2439000.0),
    (f"2{NBSP}439", False, 2439.0),
    (f"2{NBSP}439", True, 2439.0),
    (f"1{NBSP}234{NBSP}567", False, 1234567.0),
    (f"2{NNBSP}439", True, 2439.0),
    (f"2{THIN}439", False, 2439.0),
    ("2.439", True, 2439.0),
    ("12.345", True, 12345.0),
    ("1.234.567", True, 1234567.0),
    ("1.234.567", False, 1234567.0),  # several groups can only be thousands
    ("1.234,5", True, 1234.5),
    ("2.439,5", True, 2439.5),
    ("1.234,00", True, 1234.0),
    ("1,234.5", False, 1234.5),
    ("2,439.5", False, 2439.5),
    ("2 439.5", False, 2439.5),
    ("1,5", True, 1.5),  # decimal comma in a semicolon file (later: not_an_integer)
    ("1.5", True, 1.5),
    ("81.17", False, 81.17),
    ("-5", False, -5.0),  # the sign is kept; negative_count is decided later
    ("+5", False, 5.0),
    ("\u22125", False, -5.0),  # Unicode minus sign
    # Arabic-Indic digits
    ("١٢٣", False, 123.0),
    ("٢٤٣٩", False, 2439.0),
    ("٢٬٤٣٩", False, 2439.0),
    ("٢٬٤٣٩", True, 2439.0),
    ("١٬٢٣٤٬٥٦٧", False, 1234567.0),
    ("٢٬٤٣٩٫٥", False, 2439.5),
    ("٢٤٣٩٫٥", True, 2439.5),
    # the Arabic decimal separator is never a thousands mark, so three decimals are unambiguous
    ("١٢٫٣٤٥", False, 12.345),
    ("٢٫٤٣٩", True, 2.439),
    ("۱۲٫۳۴۵", False, 12.345),
    # Extended Arabic-Indic (Persian) digits
    ("۲۴۳۹", False, 2439.0),
    ("۲٬۴۳۹", False, 2439.0),
    ("۱۲۳۴۵۶۷۸۹۰", False, 1234567890.0),
]


@pytest.mark.parametrize(("raw", "semicolon", "expected"), COUNTS_OK)
def test_count_reads(raw, semicolon, expected):
    reading = read_number(raw, kind="count", semicolon_file=semicolon)
    assert reading == NumberReading(value=expected)


# --- rates that read ----------------------------------------------------------------------

RATES_OK = [
    # raw, semicolon_file, expected, percent_sign
    ("81.17", False, 81.17, False),
    ("81.17", True, 81.17, False),
    ("81", False, 81.0, False),
    ("100", False, 100.0, False),
    ("0.8117", False, 0.8117, False),
    ("1.234", False, 1.234, False),  # '.' is always the decimal point for rates
    ("81.17%", False, 81.17, True),
    ("81.17 %", False, 81.17, True),
    ("81%", False, 81.0, True),
    ("81,17", True, 81.17, False),
    ("0,8117", True, 0.8117, False),
    ("81,17%", True, 81.17, True),
    ("1,23%", True, 1.23, True),
    ("٨١٫١٧", False, 81.17, False),
    ("۸۱٫۱۷", False, 81.17, False),
    ("٨١٫١٧%", False, 81.17, True),
    ("81.17٪", False, 81.17, True),  # Arabic percent sign
    ("-1.5", False, -1.5, False),  # percent_out_of_range is decided later
]


@pytest.mark.parametrize(("raw", "semicolon", "expected", "percent"), RATES_OK)
def test_rate_reads(raw, semicolon, expected, percent):
    reading = read_number(raw, kind="rate", semicolon_file=semicolon)
    assert reading == NumberReading(value=expected, percent_sign=percent)


def test_percent_sign_is_reported_for_counts_too():
    reading = read_number("100%", kind="count")
    assert reading.value == 100.0
    assert reading.percent_sign is True
    assert reading.error is None


# --- unknown metric kind --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "semicolon", "expected"),
    [("12", False, 12.0), ("81.17", False, 81.17), ("1.234", True, 1.234), ("٨١٫١٧", False, 81.17)],
)
def test_unknown_kind_reads_plain_numbers(raw, semicolon, expected):
    assert read_number(raw, kind=None, semicolon_file=semicolon) == NumberReading(value=expected)


@pytest.mark.parametrize(
    ("raw", "semicolon"), [("2,439", False), ("81,17", True), ("2 439", False), ("1.234,5", True)]
)
def test_unknown_kind_refuses_separators(raw, semicolon):
    reading = read_number(raw, kind=None, semicolon_file=semicolon)
    assert reading.value is None
    assert reading.error == UNPARSEABLE
    assert "without knowing the metric" in reading.detail


# --- rejected values ------------------------------------------------------------------------

REJECTED = [
    # raw, kind, semicolon_file, error
    ("", "count", False, MISSING),
    ("   ", "count", False, MISSING),
    (NBSP, "rate", False, MISSING),
    ("", "rate", True, MISSING),
    ("", None, False, MISSING),
    ("NaN", "count", False, UNPARSEABLE),
    ("nan", "rate", False, UNPARSEABLE),
    ("NaN", None, False, UNPARSEABLE),
    ("inf", "count", False, UNPARSEABLE),
    ("-inf", "count", False, UNPARSEABLE),
    ("+inf", "rate", False, UNPARSEABLE),
    ("Infinity", "rate", False, UNPARSEABLE),
    ("abc", "count", False, UNPARSEABLE),
    ("n/a", "count", False, UNPARSEABLE),
    ("-", "count", False, UNPARSEABLE),
    ("+", "rate", False, UNPARSEABLE),
    ("+%", "rate", False, UNPARSEABLE),
    ("12abc", "count", False, UNPARSEABLE),
    ("1e5", "count", False, UNPARSEABLE),
    ("1e5", "rate", False, UNPARSEABLE),
    ("0x10", "count", False, UNPARSEABLE),
    ("1,2,3", "count", False, UNPARSEABLE),
    ("1,234,56", "count", False, UNPARSEABLE),
    ("1.234.5", "count", True, UNPARSEABLE),
    ("4 2", "count", False, UNPARSEABLE),
    ("1 2345", "count", False, UNPARSEABLE),
    # ambiguous: a single group of three digits after a separator the file could use either way
    ("12.345", "count", False, UNPARSEABLE),
    ("2.439", "count", False, UNPARSEABLE),
    ("2,439", "count", True, UNPARSEABLE),
    # a thousands separator of the other convention next to a decimal mark
    ("1.234,5", "count", False, UNPARSEABLE),
    ("12.345,6", "count", False, UNPARSEABLE),
    ("1,234.5", "count", True, UNPARSEABLE),
    # decimal comma outside semicolon files
    ("1,5", "count", False, UNPARSEABLE),
    ("12,34", "count", False, UNPARSEABLE),
    ("81,17", "rate", False, UNPARSEABLE),
    # rates: '1,234' could be 1234 or 1.234; thousands separators are never allowed
    ("1,234", "rate", False, UNPARSEABLE),
    ("1,234", "rate", True, UNPARSEABLE),
    ("81,175", "rate", True, UNPARSEABLE),
    ("2 439", "rate", False, UNPARSEABLE),
    ("2 439", "rate", True, UNPARSEABLE),
    ("12 345", "rate", False, UNPARSEABLE),
    ("٢٬٤٣٩", "rate", False, UNPARSEABLE),
    ("1,234.5", "rate", False, UNPARSEABLE),
    ("1.234.567", "rate", True, UNPARSEABLE),
]


@pytest.mark.parametrize(("raw", "kind", "semicolon", "error"), REJECTED)
def test_rejected(raw, kind, semicolon, error):
    reading = read_number(raw, kind=kind, semicolon_file=semicolon)
    assert reading.value is None
    assert reading.error == error
    assert reading.detail  # always explained


@pytest.mark.parametrize(
    ("raw", "kind", "semicolon"),
    [
        ("12.345", "count", False),
        ("2,439", "count", True),
        ("1,234", "rate", False),
        ("1,234", "rate", True),
    ],
)
def test_ambiguous_readings_say_so(raw, kind, semicolon):
    reading = read_number(raw, kind=kind, semicolon_file=semicolon)
    assert reading.error == UNPARSEABLE
    assert "ambiguous" in reading.detail


def test_ambiguous_count_detail_names_both_readings():
    reading = read_number("12.345", kind="count", semicolon_file=False)
    assert "12345" in reading.detail
    assert "12.345" in reading.detail


def test_decimal_comma_in_comma_file_is_explained():
    reading = read_number("81,17", kind="rate", semicolon_file=False)
    assert "';'-delimited" in reading.detail


def test_thousands_in_rate_is_explained():
    reading = read_number("2 439", kind="rate")
    assert "thousands separator" in reading.detail


# --- JSON values ----------------------------------------------------------------------------

JSON_OK = [
    (0, "count", 0.0),
    (64936, "count", 64936.0),
    (-3, "count", -3.0),
    (81.17, "rate", 81.17),
    (2.5, "count", 2.5),
    (10**12, "count", 1e12),
    (7, None, 7.0),
]


@pytest.mark.parametrize(("raw", "kind", "expected"), JSON_OK)
def test_json_numbers(raw, kind, expected):
    reading = read_number(raw, kind=kind)
    assert reading == NumberReading(value=expected)
    assert isinstance(reading.value, float)


@pytest.mark.parametrize("semicolon", [False, True])
def test_json_numbers_ignore_file_conventions(semicolon):
    assert read_number(1.234, kind="count", semicolon_file=semicolon).value == 1.234


JSON_REJECTED = [
    (None, MISSING),
    (True, UNPARSEABLE),
    (False, UNPARSEABLE),
    (float("nan"), UNPARSEABLE),
    (float("inf"), UNPARSEABLE),
    (float("-inf"), UNPARSEABLE),
    ([1], UNPARSEABLE),
    ({"value": 1}, UNPARSEABLE),
]


@pytest.mark.parametrize(("raw", "error"), JSON_REJECTED)
@pytest.mark.parametrize("kind", ["count", "rate", None])
def test_json_rejected(raw, error, kind):
    reading = read_number(raw, kind=kind)
    assert reading.value is None
    assert reading.error == error
    assert reading.percent_sign is False


def test_json_bool_detail_uses_json_spelling():
    assert read_number(True, kind="count").detail == "'true' is not a number"
    assert read_number(False, kind="count").detail == "'false' is not a number"


def test_json_strings_are_read_as_in_csv():
    assert read_number("2,439", kind="count").value == 2439.0
    assert read_number("81.17%", kind="rate") == NumberReading(value=81.17, percent_sign=True)


def test_successful_reading_has_no_error_and_finite_value():
    reading = read_number("2,439", kind="count")
    assert reading.error is None
    assert reading.detail == ""
    assert math.isfinite(reading.value)


@pytest.mark.parametrize("raw", ["%", " % ", "٪", "-", "+"])
def test_a_sign_alone_is_unparseable_not_a_crash(raw: str) -> None:
    assert read_number(raw, kind="rate").error == "unparseable_value"


@pytest.mark.parametrize("raw, value", [("1 234,5", 1234.5), ("1\u00a0234,00", 1234.0)])
def test_space_thousands_with_decimal_comma_in_semicolon_files(raw: str, value: float) -> None:
    assert read_number(raw, kind="count", semicolon_file=True).value == value


@pytest.mark.parametrize("raw, value", [(".5", 0.5), ("81.", 81.0), ("٫5", 0.5)])
def test_a_decimal_point_without_digits_on_one_side_is_read(raw: str, value: float) -> None:
    assert read_number(raw, kind="rate").value == value


@pytest.mark.parametrize("raw", [10**400, 2**53, "9007199254740992", "20000000000000000", 1e300])
def test_numbers_too_large_to_hold_exactly_are_unparseable(raw: object) -> None:
    reading = read_number(raw, kind="count")
    assert reading.error == "unparseable_value" and "too large" in reading.detail


def test_the_largest_exact_count_is_read() -> None:
    assert read_number(str(2**53 - 1), kind="count").value == 2**53 - 1


# --- negative zero (issue item 4) ---------------------------------------------------------


@pytest.mark.parametrize("raw", ["-0", "-0.0", "-0%", " -0 ", "\u22120", "-٠", -0.0])
@pytest.mark.parametrize("kind", ["count", "rate", None])
def test_a_negative_zero_reads_as_zero(raw: object, kind: str | None) -> None:
    reading = read_number(raw, kind=kind)
    assert reading.value == 0.0
    assert math.copysign(1.0, reading.value) == 1.0  # never published as -0


@pytest.mark.parametrize("raw", ["-0,0", "-0,00%"])
def test_a_negative_zero_with_a_decimal_comma_reads_as_zero(raw: str) -> None:
    reading = read_number(raw, kind="rate", semicolon_file=True)
    assert reading.value == 0.0
    assert math.copysign(1.0, reading.value) == 1.0  # never published as -0


def test_a_json_negative_zero_reads_as_zero() -> None:
    for text in ("-0", "-0.0", "-0e5"):
        value = read_number(JsonNumber(text), kind="count").value
        assert value == 0.0 and math.copysign(1.0, value) == 1.0


# --- messages quote the raw value as sent (issue item 6) -----------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "semicolon", "quoted"),
    [
        ("50%%", "rate", False, "'50%%'"),
        (" 12.345 ", "count", False, "' 12.345 '"),
        ("-2,439", "count", True, "'-2,439'"),
        ("١٢٫٣٤٥%%", "rate", False, "'١٢٫٣٤٥%%'"),
        ("81,17", "rate", False, "'81,17'"),
        ("2 439", "rate", False, "'2 439'"),
        ("2,439", None, False, "'2,439'"),
        ("12abc", "count", False, "'12abc'"),
        ("+%", "rate", False, "'+%'"),
        ("9007199254740992", "count", False, "'9007199254740992'"),
        ("1\u200b000", "count", False, "'1\\u200b000'"),  # invisible characters escaped
        ("5\u00a0%%", "rate", False, "'5\\u00a0%%'"),
        ("1\ue000", "count", False, "'1\\ue000'"),
    ],
)
def test_details_quote_the_raw_value_exactly(raw, kind, semicolon, quoted) -> None:
    reading = read_number(raw, kind=kind, semicolon_file=semicolon)
    assert reading.error == UNPARSEABLE
    assert reading.detail.startswith(quoted + " "), reading.detail


def test_a_long_raw_value_is_quoted_by_its_start() -> None:
    raw = "see the attached spreadsheet " * 40
    detail = read_number(raw, kind="count").detail
    assert detail.startswith("'" + raw[:97] + "...' ") and len(detail) < 200


def test_a_huge_text_value_is_rejected_without_copies() -> None:
    reading = read_number("1" + " " * 2_000_000 + "x", kind="count")
    assert reading.error == UNPARSEABLE and len(reading.detail) < 200


# --- JSON numbers kept as written (issue item 6) -------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [("2.50", "rate", 2.5), ("1E3", "count", 1000.0), ("1e3", None, 1000.0),
     ("1.5e1", "rate", 15.0), ("1e-400", "rate", 0.0), ("2.000", "count", 2.0)],
)  # fmt: skip
@pytest.mark.parametrize("semicolon", [False, True])
def test_json_numbers_as_written_read_as_json(text, kind, value, semicolon) -> None:
    # never with a file's CSV conventions: "2.000" is two, not two thousand
    assert read_number(JsonNumber(text), kind=kind, semicolon_file=semicolon) == NumberReading(
        value=value
    )


@pytest.mark.parametrize("text", ["1e400", "-1E400", "1" + "0" * 5000, "12345678901234567890"])
def test_json_numbers_too_large_quote_their_text(text: str) -> None:
    reading = read_number(JsonNumber(text), kind="count")
    assert reading.error == UNPARSEABLE
    assert reading.detail.startswith(f"'{text[:97]}") and "too large" in reading.detail
