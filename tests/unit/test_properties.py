"""Property-based tests (hypothesis) for the pure modules of orchestration.lib.

They state what must hold for *any* input (contract sections 3 and 5): readers never
crash, never guess an ambiguous number, and canonical forms round-trip.

Known bugs kept out of these properties (each is named where a strategy is narrowed):
- BUG-1 read_number reads a literal ASCII letter "D" as a decimal point: "1D5" -> 1.5,
  "D5" -> 0.5, "5D" -> 5.0 (for every kind).
- BUG-3 parse_period raises ValueError for an int of more than 4300 digits (str(int)).
- BUG-4 parse_submission keeps lone surrogates from JSON escapes ("\\ud800") in its
  string columns; they cannot be encoded as UTF-8 (pyarrow raises in ingest).
- BUG-5 decode_submission reads a Windows-1251 file starting with "яю" (bytes FF FE,
  the UTF-16LE byte-order mark) as UTF-16: "яюab" -> ("扡", "utf-16le").
- BUG-6 a count whose first group is 0 is read as thousands: "0,123" (comma file) and
  "0.123" (semicolon file) -> 123.0, though no thousands grouping starts with 0.
- BUG-7 name_key counts the modifier-letter apostrophes ʻ and ʼ (and ŉ) as non-Latin
  letters when it decides whether to fold Cyrillic look-alikes, then deletes them:
  name_key("aʻн") == "aн" but name_key("aн") == name_key("a'н") == "ah".
- BUG-8 decoding: _MIXED_WORD backtracks cubically on long words of a Windows-1251
  file (1,000 word characters take seconds, 2,000 about 40 s).
- BUG-9 name_key: "´" (U+00B4) is listed as an apostrophe but NFKC first turns it into
  a space and a combining accent, so it separates words: "O´zbekiston" -> "o zbekiston"
  while "Oʻzbekiston" -> "ozbekiston".
"""

from __future__ import annotations

import calendar
import codecs
import csv
import io
import json
import math
import string
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orchestration.lib import readers
from orchestration.lib.decoding import decode_submission
from orchestration.lib.names import name_key
from orchestration.lib.numbers import LARGEST_EXACT, MISSING, UNPARSEABLE, read_number
from orchestration.lib.parsing import PARSED_COLUMNS, parse_submission
from orchestration.lib.periods import MAX_YEAR, MIN_YEAR, parse_period
from orchestration.lib.readers import FIELDS, REQUIRED_FIELDS, json_text, read_csv, read_json
from orchestration.lib.reference import load_metrics
from orchestration.lib.rules import FileRejected

REFERENCE = Path(__file__).resolve().parents[2] / "sources" / "reference"
KINDS = {row["metric_code"]: row["kind"] for row in load_metrics(REFERENCE)}
COUNT_METRICS = sorted(code for code, kind in KINDS.items() if kind == "count")
RATE_METRICS = sorted(code for code, kind in KINDS.items() if kind == "rate")

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NBSP = "\u00a0"
NNBSP = "\u202f"
THIN = "\u2009"
ARABIC = "٠١٢٣٤٥٦٧٨٩"
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
TO_ARABIC = str.maketrans("0123456789", ARABIC)
TO_PERSIAN = str.maketrans("0123456789", PERSIAN)

DAY = timedelta(days=1)
KIND = st.sampled_from(["count", "rate", None])
SEMICOLON = st.booleans()
FILE_RULES_OF_PARSING = {"unreadable_file", "empty_file", "missing_columns", "duplicate_columns"}
LABELS = {"utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1251"}
MAGIC = [b"\x1f\x8b", b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0"]
BOMS = [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]


def assert_well_formed(reading) -> None:
    assert (reading.value is None) != (reading.error is None), reading
    if reading.error is not None:
        assert reading.error in (MISSING, UNPARSEABLE), reading
        assert isinstance(reading.detail, str) and reading.detail
    else:
        assert isinstance(reading.value, float) and math.isfinite(reading.value), reading


# --- 1. read_number is total ---------------------------------------------------------------

NUMBER_ALPHABET = "0123456789" + ".,  " + NBSP + NNBSP + "٫٬%+-" + ARABIC + PERSIAN + "٪−"
numberish = st.text(alphabet=NUMBER_ALPHABET, max_size=20)
digits = st.text(alphabet="0123456789", min_size=1, max_size=8)


@st.composite
def digit_groups(draw) -> str:
    """Text made of digit groups joined by separators: close to real numbers."""
    groups = draw(st.lists(digits, min_size=1, max_size=4))
    seps = draw(
        st.lists(
            st.sampled_from([".", ",", " ", NBSP, NNBSP, "٫", "٬", ""]),
            min_size=len(groups) - 1,
            max_size=len(groups) - 1,
        )
    )
    body = groups[0] + "".join(s + g for s, g in zip(seps, groups[1:], strict=True))
    body = draw(st.sampled_from([body, body.translate(TO_ARABIC), body.translate(TO_PERSIAN)]))
    return (
        draw(st.sampled_from(["", "-", "+", " "])) + body + draw(st.sampled_from(["", "%", " %"]))
    )


@PROPERTY
@given(raw=st.one_of(st.text(), numberish, digit_groups()), kind=KIND, semicolon=SEMICOLON)
def test_read_number_never_raises_on_text(raw, kind, semicolon):
    assert_well_formed(read_number(raw, kind=kind, semicolon_file=semicolon))


json_like_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@PROPERTY
@given(raw=json_like_values, kind=KIND, semicolon=SEMICOLON)
def test_read_number_never_raises_on_json_values(raw, kind, semicolon):
    assert_well_formed(read_number(raw, kind=kind, semicolon_file=semicolon))


# BUG-1: "D" is left out; read_number("1D5", kind=...) returns 1.5.
letters = st.characters(categories=["Lu", "Ll", "Lo"]).filter(lambda c: c != "D")


@PROPERTY
@given(before=numberish, letter=letters, after=numberish, kind=KIND, semicolon=SEMICOLON)
def test_read_number_never_reads_text_with_letters(before, letter, after, kind, semicolon):
    reading = read_number(before + letter + after, kind=kind, semicolon_file=semicolon)
    assert reading.value is None, reading


# --- 2. read_number never guesses ----------------------------------------------------------

# a thousands group never starts a number with 0 ("0.123" can only be a decimal)
lead = st.from_regex(r"[1-9][0-9]{0,2}", fullmatch=True)
three = st.text(alphabet="0123456789", min_size=3, max_size=3)
render = st.sampled_from([str, lambda s: s.translate(TO_ARABIC), lambda s: s.translate(TO_PERSIAN)])
sign = st.sampled_from(["", "-", "+"])
padding = st.sampled_from(["", " ", NBSP])


# one group after the separator the file could use either way: "12.345" in a comma file,
# "12,345" in a semicolon file
@pytest.mark.parametrize(("separator", "semicolon"), [(".", False), (",", True)])
@PROPERTY
@given(whole=lead, frac=three, show=render, sign=sign, pad=padding)
def test_count_with_one_ambiguous_group_is_rejected(
    separator, semicolon, whole, frac, show, sign, pad
):
    raw = pad + sign + show(f"{whole}{separator}{frac}") + pad
    reading = read_number(raw, kind="count", semicolon_file=semicolon)
    assert reading.value is None and reading.error == UNPARSEABLE, (raw, reading)


@PROPERTY
@given(
    whole=digits, frac=three, show=render, semicolon=SEMICOLON, percent=st.sampled_from(["", "%"])
)
def test_rate_with_comma_and_three_digits_is_ambiguous(whole, frac, show, semicolon, percent):
    raw = show(f"{whole},{frac}") + percent
    reading = read_number(raw, kind="rate", semicolon_file=semicolon)
    assert reading.value is None and reading.error == UNPARSEABLE, (raw, reading)


@PROPERTY
@given(
    n=st.integers(min_value=1000, max_value=10**15),
    sep=st.sampled_from([",", ".", " ", NBSP, NNBSP, THIN, "٬"]),
    show=render,
    semicolon=SEMICOLON,
    percent=st.sampled_from(["", "%"]),
)
def test_rate_never_has_thousands_grouping(n, sep, show, semicolon, percent):
    if sep == ".":
        assume(n >= 10**6)  # "1.234" is a rate with a decimal point; "1.234.567" is not a rate
    raw = show(f"{n:,}".replace(",", sep)) + percent
    reading = read_number(raw, kind="rate", semicolon_file=semicolon)
    assert reading.value is None and reading.error == UNPARSEABLE, (raw, reading)


@PROPERTY
@given(
    n=st.integers(min_value=1000, max_value=10**15),
    sep=st.sampled_from([",", " ", NBSP, "٬"]),
    semicolon=SEMICOLON,
)
def test_unknown_kind_never_reads_grouping(n, sep, semicolon):
    raw = f"{n:,}".replace(",", sep)
    assert read_number(raw, kind=None, semicolon_file=semicolon).value is None


# --- 3. round trips ------------------------------------------------------------------------


def grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


@PROPERTY
@given(
    n=st.one_of(st.integers(min_value=0, max_value=999_999), st.integers(0, LARGEST_EXACT)),
    sep=st.sampled_from(["", ",", ".", " ", NBSP, NNBSP, THIN, "٬"]),
    semicolon=SEMICOLON,
    show=render,
    sign=st.sampled_from(["", "+", "-"]),
    pad=padding,
)
def test_counts_round_trip(n, sep, semicolon, show, sign, pad):
    several_groups = n >= 10**6
    if sep == ",":
        assume(not semicolon or several_groups or n < 1000)
    if sep == ".":
        assume(semicolon or several_groups or n < 1000)
    text = str(n) if sep == "" else grouped(n, sep)
    raw = pad + sign + show(text) + pad
    reading = read_number(raw, kind="count", semicolon_file=semicolon)
    expected = -float(n) if sign == "-" else float(n)
    assert reading.value == expected, (raw, semicolon, reading)
    assert not reading.percent_sign


@PROPERTY
@given(
    n=st.integers(min_value=LARGEST_EXACT + 1, max_value=10**30),
    sep=st.sampled_from(["", ",", " ", NBSP]),
    semicolon=SEMICOLON,
    kind=KIND,
    as_int=st.booleans(),
)
def test_counts_too_large_to_be_exact_are_unparseable(n, sep, semicolon, kind, as_int):
    raw = n if as_int else (str(n) if sep == "" else grouped(n, sep))
    reading = read_number(raw, kind=kind, semicolon_file=semicolon)
    assert reading.value is None and reading.error == UNPARSEABLE, (raw, reading)


@PROPERTY
@given(
    cents=st.integers(min_value=0, max_value=10_000),
    semicolon=SEMICOLON,
    percent=st.sampled_from(["", "%", " %", "٪"]),
    decimal=st.sampled_from([".", ",", "٫"]),
    show=render,
)
def test_rates_round_trip(cents, semicolon, percent, decimal, show):
    if decimal == ",":
        assume(semicolon)  # a decimal comma is read only in ';'-delimited files
    r = cents / 100
    raw = show(f"{r:.2f}".replace(".", decimal)) + percent
    reading = read_number(raw, kind="rate", semicolon_file=semicolon)
    assert reading.value is not None and math.isclose(reading.value, r, abs_tol=1e-9), (
        raw,
        reading,
    )
    assert reading.percent_sign == bool(percent)
    # one fraction digit also reads
    raw1 = f"{r:.1f}".replace(".", decimal)
    assert math.isclose(read_number(raw1, kind="rate", semicolon_file=semicolon).value, round(r, 1))


@PROPERTY
@given(cents=st.integers(min_value=0, max_value=10_000), semicolon=SEMICOLON, kind=KIND)
def test_dot_decimals_read_for_every_kind(cents, semicolon, kind):
    raw = f"{cents / 100:.2f}"
    assert math.isclose(read_number(raw, kind=kind, semicolon_file=semicolon).value, cents / 100)


# --- 4. periods ----------------------------------------------------------------------------


# BUG-3: integers are kept below 4300 digits; parse_period(10**5000) raises ValueError.
@PROPERTY
@given(
    raw=st.one_of(
        st.text(),
        st.text(alphabet="0123456789HQhq-/ " + ARABIC, max_size=12),
        st.integers(),
        st.integers(min_value=-(10**4000), max_value=10**4000),
        st.none(),
        st.booleans(),
        st.floats(),
    )
)
def test_parse_period_never_raises(raw):
    period = parse_period(raw)
    if period is not None:
        assert period.start <= period.end
        assert MIN_YEAR <= period.year <= MAX_YEAR


@st.composite
def periods(draw) -> tuple[str, int, str, int]:
    year = draw(st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR))
    kind = draw(st.sampled_from(["year", "half", "quarter", "month"]))
    n = {"year": 0, "half": 2, "quarter": 4, "month": 12}[kind]
    n = draw(st.integers(min_value=1, max_value=n)) if n else 0
    label = {
        "year": f"{year}",
        "half": f"{year}-H{n}",
        "quarter": f"{year}-Q{n}",
        "month": f"{year}-{n:02d}",
    }[kind]
    return label, year, kind, n


MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}


@PROPERTY
@given(periods())
def test_canonical_labels_round_trip(spec):
    label, year, kind, n = spec
    period = parse_period(label)
    assert period is not None and period.label == label
    assert period.period_type == kind
    assert period.start <= period.end
    assert period.start.year == period.end.year == year == period.year
    # the next day starts a month (9999-12-31 has no next day in Python)
    assert period.start.day == 1 and (period.end == date.max or (period.end + DAY).day == 1)
    assert period.end.month - period.start.month + 1 == MONTHS[kind]
    if kind == "month":
        assert period.end.day == calendar.monthrange(year, n)[1]
    if kind == "year":
        assert parse_period(year) == period


@PROPERTY
@given(
    spec=periods(),
    choice=st.integers(min_value=0, max_value=100),
    case=st.sampled_from([str, str.lower, str.upper]),
    pad=st.sampled_from(["", " ", "  ", "\t", NBSP]),
    show=render,
)
def test_period_variants_share_the_label(spec, choice, case, pad, show):
    label, year, kind, n = spec
    if kind == "year":
        variants = [f"{year}"]
    elif kind in ("half", "quarter"):
        k = "H" if kind == "half" else "Q"
        variants = [
            f"{k}{n} {year}",
            f"{year} {k}{n}",
            f"{k}{n}-{year}",
            f"{year}{k}{n}",
            f"{year}/{k}{n}",
            f"{k}{n}/{year}",
        ]
    else:
        variants = [
            f"{n:02d}/{year}",
            f"{n}/{year}",
            f"{year}/{n:02d}",
            f"{year}/{n}",
            f"{year}-{n}",
        ]
    raw = pad + show(case(variants[choice % len(variants)])) + pad
    period = parse_period(raw)
    assert period is not None and period.label == label, (raw, period)


@PROPERTY
@given(
    year=st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR),
    bad=st.one_of(
        st.sampled_from(["H0", "H3", "H9", "Q0", "Q5", "Q9", "H00", "Q05"]).map(lambda k: ("", k)),
        st.sampled_from(["00", "0", "13", "99"]).map(lambda m: (m, "")),
    ),
    form=st.integers(min_value=0, max_value=2),
)
def test_out_of_range_periods_are_rejected(year, bad, form):
    month, kn = bad
    if kn:
        raw = [f"{year}-{kn}", f"{kn} {year}", f"{year} {kn}"][form]
    else:
        raw = [f"{year}-{month}", f"{month}/{year}", f"{year}/{month}"][form]
    assert parse_period(raw) is None, raw


@PROPERTY
@given(
    # MAX_YEAR is 9999: no four-digit year lies beyond it
    year=st.one_of(
        st.integers(min_value=0, max_value=MIN_YEAR - 1).map("{:04d}".format),
        st.integers(min_value=MAX_YEAR + 1, max_value=10**6).map(str),
    ),
    suffix=st.sampled_from(["", "-H1", "-Q2", "-03"]),
)
def test_years_out_of_range_are_rejected(year, suffix):
    assert parse_period(f"{year}{suffix}") is None


# --- 5. names ------------------------------------------------------------------------------

VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяөүіў"
words = st.one_of(
    st.text(alphabet=VIETNAMESE, min_size=1, max_size=8),
    st.text(alphabet=CYRILLIC, min_size=1, max_size=8),
    st.text(alphabet=VIETNAMESE + CYRILLIC, min_size=1, max_size=8),
)
names = st.lists(words, min_size=1, max_size=4)


# BUG-7: ʻ, ʼ and ŉ are left out; name_key(name_key("aʻн")) == "ah" != name_key("aʻн").
@FUZZ
@given(st.text(alphabet=st.characters(exclude_characters="ʻʼŉ")))
def test_name_key_is_idempotent(name):
    key = name_key(name)
    assert isinstance(key, str)
    assert name_key(key) == key


@PROPERTY
@given(
    parts=names,
    form=st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]),
    case=st.sampled_from([str, str.lower, str.upper, str.title, str.capitalize]),
    joiner=st.sampled_from([" ", "-", "  ", " - ", "\u2013"]),
    left=st.sampled_from(["", " ", "  ", "\t", NBSP, "\n"]),
    right=st.sampled_from(["", " ", "\t", NBSP, "\r\n"]),
)
def test_name_key_ignores_spelling(parts, form, case, joiner, left, right):
    plain = unicodedata.normalize("NFC", " ".join(parts).lower())
    variant = left + unicodedata.normalize(form, case(joiner.join(parts))) + right
    assert name_key(variant) == name_key(plain), (variant, plain)
    assert name_key(variant) == name_key(name_key(variant))


# BUG-7: Latin names only; with Cyrillic letters ʻ and ʼ change the key ("oʻrta нахр"
# -> "orta нахр", "o'rta нахр" -> "orta haxp").
# BUG-9: "´" is left out; NFKC makes it a space: name_key("a´b") == "a b".
@PROPERTY
@given(
    parts=st.lists(st.text(alphabet=VIETNAMESE, min_size=2, max_size=8), min_size=1, max_size=3),
    apostrophe=st.sampled_from(list("ʻʼ'’‘`")),
    where=st.integers(min_value=1, max_value=7),
)
def test_name_key_ignores_apostrophes(parts, apostrophe, where):
    word = parts[0]
    cut = min(where, len(word) - 1)
    with_apostrophe = [word[:cut] + apostrophe + word[cut:], *parts[1:]]
    assert name_key(" ".join(with_apostrophe)) == name_key(" ".join(parts))


# --- 6. decoding ---------------------------------------------------------------------------

prefixed_bytes = st.tuples(st.sampled_from([b"", *BOMS, *MAGIC]), st.binary()).map(
    lambda t: t[0] + t[1]
)


@FUZZ
@given(st.one_of(st.binary(), prefixed_bytes))
def test_decode_submission_reads_or_rejects(data):
    try:
        text, label = decode_submission(data)
    except FileRejected as rejection:
        assert rejection.rule == "unreadable_file"
        return
    assert isinstance(text, str)
    assert label in LABELS


@PROPERTY
@given(st.text())
def test_utf8_round_trips(text):
    assume("\x00" not in text and not text.startswith("\ufeff"))
    # magic numbers of binary formats are rejected by design
    assume(not text.startswith(("%PDF", "PK\x03\x04")))
    assert decode_submission(text.encode("utf-8")) == (text, "utf-8")


@PROPERTY
@given(
    text=st.text(alphabet="\x00" + string.printable + "ÀЖяё€", min_size=1),
    bom=st.sampled_from([("utf-8-sig", "utf-8-bom"), ("utf-16", None)]),
    big=st.booleans(),
)
def test_bom_round_trips(text, bom, big):
    codec, label = bom
    if codec == "utf-8-sig":
        data = text.encode("utf-8-sig")
    else:
        data = (codecs.BOM_UTF16_BE if big else codecs.BOM_UTF16_LE) + text.encode(
            "utf-16-be" if big else "utf-16-le"
        )
        label = "utf-16be" if big else "utf-16le"
        # FF FE 00 00 is the UTF-32LE byte-order mark, rejected by design
        assume(big or not text.startswith("\x00"))
    assert decode_submission(data) == (text, label)


@PROPERTY
@given(
    st.text(
        alphabet="АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя"
        + "0123456789 ,;.\t\n-",
        min_size=1,
    )
)
def test_cyrillic_windows_1251_round_trips(text):
    # Only letters А-я (bytes 0xC0-0xFF): no byte can continue a UTF-8 sequence, so the
    # file is never valid UTF-8. (With ё, і, ў… a short text can be: "Тё" in cp1251 is
    # b"\xd2\xb8", valid UTF-8 for "Ҹ", and is read as such.)
    # BUG-5: "яю" / "юя" encode to b"\xff\xfe" / b"\xfe\xff", the UTF-16 byte-order
    # marks: such a file is decoded as UTF-16 (garbled) or rejected for bad UTF-16.
    assume(not text.startswith(("яю", "юя")))
    data = text.encode("cp1251")
    expected_label = "utf-8" if text.isascii() else "windows-1251"
    assert decode_submission(data) == (text, expected_label)


# --- 7. parsing ----------------------------------------------------------------------------


def parse_or_reject(data: bytes, file_format: str):
    try:
        parsed = parse_submission(data, file_format, KINDS)
    except FileRejected as rejection:
        assert rejection.rule in FILE_RULES_OF_PARSING, rejection.rule
        return None
    assert set(parsed.columns) == set(PARSED_COLUMNS)
    lengths = {len(column) for column in parsed.columns.values()}
    assert lengths == {parsed.row_count}, lengths
    assert parsed.row_count > 0
    assert parsed.encoding in LABELS
    return parsed


FORMAT = st.sampled_from(["csv", "json"])
TOKENS = [
    "region", "period", "metric", "value", "sector", "unit", "note", "REGION ", " Value",
    ",", ",", ";", "\t", "\n", "\r\n", "\r", '"', '""', "{", "}", "[", "]", ":", " ",
    '"observations"', '"region"', '"value"', '"period"', '"submitted_at"', '"submitter"',
    "null", "true", "1e999", "NaN", "-", "2024-Q1", "Q2 2024", "1,234", "2.439", "81,17",
    "81.17%", "١٢٣٤", "VN-36", "Ninh Thuận", "Дархан-Уул", "online_dossiers",
    "online_dossier_rate", "\ufeff", "\x00", "\\u00e9", "\\",
]  # fmt: skip
tokens_text = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@FUZZ
@given(data=st.one_of(st.binary(), prefixed_bytes), file_format=FORMAT)
def test_parse_submission_on_arbitrary_bytes(data, file_format):
    parse_or_reject(data, file_format)


@FUZZ
@given(
    text=st.one_of(st.text(), tokens_text),
    file_format=FORMAT,
    codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_parse_submission_on_arbitrary_text(text, file_format, codec):
    parse_or_reject(text.encode(codec), file_format)


# BUG-4: st.text() has no lone surrogates; json.dumps escapes only what it is given.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.text(max_size=10),
    st.sampled_from(["2024-Q1", "2023", "1,234", "2.439", "81,17", "81.17%", "NaN", ""]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
field_values = {
    "region": st.one_of(st.sampled_from(["VN-36", "Ninh Thuận", "Дархан-Уул"]), json_values),
    "period": st.one_of(st.sampled_from(["2024-Q1", "Q2 2024", "2023", "13/2024"]), json_values),
    "metric": st.one_of(st.sampled_from(sorted(KINDS) + ["Online Dossiers", "x"]), json_values),
    "value": json_values,
    "sector": json_values,
    "unit": st.one_of(st.sampled_from(["%", "count", "ratio", "Percent"]), json_values),
    "note": json_values,
}
observations = st.fixed_dictionaries({}, optional=field_values)
observation_lists = st.lists(st.one_of(observations, observations, json_values), max_size=5)
documents = st.one_of(
    observation_lists,
    st.fixed_dictionaries(
        {"observations": st.one_of(observation_lists, json_values)},
        optional={
            "period": field_values["period"],
            "submitter": json_values,
            "submitted_at": st.one_of(
                st.sampled_from(
                    ["2023-07-05T10:00:00+07:00", "2024-01-01", "yesterday", "2024-13-01"]
                ),
                json_values,
            ),
        },
    ),
    json_values,
)


@FUZZ
@given(document=documents, ascii_only=st.booleans(), codec=st.sampled_from(["utf-8", "utf-16"]))
def test_parse_submission_on_json_documents(document, ascii_only, codec):
    data = json.dumps(document, ensure_ascii=ascii_only).encode(codec)
    parsed = parse_or_reject(data, "json")
    is_list = isinstance(document, list)
    is_wrapped = isinstance(document, dict) and isinstance(document.get("observations"), list)
    try:
        json.dumps(document, allow_nan=False)
        finite = True
    except ValueError:
        finite = False  # NaN and Infinity are not JSON: the file is unreadable
    if (is_list or is_wrapped) and finite:
        observations_ = document if is_list else document["observations"]
        if observations_:
            assert parsed is not None and parsed.row_count == len(observations_)
    if parsed is not None:
        for column in parsed.columns.values():
            for value in column:
                if isinstance(value, str):
                    value.encode("utf-8")  # storable (see BUG-4)


@PROPERTY
@given(
    n=st.integers(min_value=0, max_value=10**12),
    cents=st.integers(min_value=0, max_value=10_000),
    delimiter=st.sampled_from([",", ";", "\t"]),
    count_metric=st.sampled_from(COUNT_METRICS),
    rate_metric=st.sampled_from(RATE_METRICS),
    sep=st.sampled_from(["", "file", " ", NBSP]),
    codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_csv_values_follow_the_file_conventions(
    n, cents, delimiter, count_metric, rate_metric, sep, codec
):
    """The delimiter decides the conventions: ';' files group with '.' and use ','
    as the decimal mark; ',' and tab files group with ','."""
    semicolon = delimiter == ";"
    if sep == "file":
        sep = "." if semicolon else ","  # the file's own thousands mark
    count = str(n) if sep == "" else grouped(n, sep)
    rate = f"{cents / 100:.2f}".replace(".", "," if semicolon else ".")
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["period", "Region", "metric", "value"])
    writer.writerow(["2024-Q1", "VN-36", count_metric, count])
    writer.writerow(["Q1 2024", "Ninh Thuận", rate_metric, rate])
    parsed = parse_or_reject(out.getvalue().encode(codec), "csv")
    assert parsed is not None and parsed.delimiter == delimiter
    assert parsed.columns["value"][0] == float(n), count
    assert math.isclose(parsed.columns["value"][1], cents / 100), rate
    assert parsed.columns["period"] == ["2024-Q1", "2024-Q1"]
    assert parsed.columns["region_key"] == ["vn 36", "ninh thuan"]


cells = st.one_of(
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8
    ),
    numberish,
    st.sampled_from(["2024-Q1", "VN-36", "online_dossiers", "1,234", "81,17", " ", ""]),
)


@st.composite
def csv_files(draw) -> tuple[str, list[str], list[list[str]]]:
    optional = draw(st.lists(st.sampled_from(FIELDS[4:]), unique=True))
    extras = draw(st.lists(st.text(alphabet="xyz_", min_size=1, max_size=4), max_size=2))
    header = draw(st.permutations(list(REQUIRED_FIELDS) + optional + extras))
    shown = [
        draw(st.sampled_from(["", " "])) + draw(st.sampled_from([h, h.upper(), h.title()]))
        for h in header
    ]
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=5))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(shown)
    writer.writerows(rows)
    return out.getvalue(), header, rows


@FUZZ
@given(spec=csv_files(), codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_parse_submission_on_well_formed_csv(spec, codec):
    text, header, rows = spec
    kept = [row for row in rows if any(c.strip() for c in row)]
    parsed = parse_or_reject(text.encode(codec), "csv")
    if not kept:
        assert parsed is None
        return
    assert parsed is not None and parsed.row_count == len(kept)
    for field in REQUIRED_FIELDS:
        assert parsed.columns[f"{field}_raw"] == [row[header.index(field)] for row in kept]
    for i, row in enumerate(kept):
        raw_value = row[header.index("value")]
        metric = parsed.columns["metric"][i]
        expected = read_number(
            raw_value, kind=KINDS.get(metric or ""), semicolon_file=parsed.delimiter == ";"
        )
        assert parsed.columns["value"][i] == expected.value
        assert parsed.columns["value_error"][i] == expected.error


# --- 8. reading a piece at a time reads what reading the whole text reads ------------------

pieces = st.integers(min_value=1, max_value=40)


@FUZZ
@given(
    document=documents, ascii_only=st.booleans(), chunk=pieces, indent=st.sampled_from([None, 1])
)
def test_a_json_stream_read_in_pieces_reads_as_the_whole_text(document, ascii_only, chunk, indent):
    text = json.dumps(document, ensure_ascii=ascii_only, indent=indent)
    try:
        whole = read_json(text)
    except FileRejected as rejection:
        whole = rejection.rule, rejection.message
    with patch.object(readers, "_CHUNK", chunk):
        try:
            streamed = read_json(io.StringIO(text))
        except FileRejected as rejection:
            streamed = rejection.rule, rejection.message
    assert streamed == whole


@FUZZ
@given(text=tokens_text, chunk=pieces)
def test_any_json_text_read_in_pieces_reads_as_the_whole_text(text, chunk):
    outcomes = []
    for source, size in ((text, chunk), (io.StringIO(text), chunk)):
        with patch.object(readers, "_CHUNK", size):
            try:
                outcomes.append(read_json(source))
            except FileRejected as rejection:
                outcomes.append((rejection.rule, rejection.message))
    assert outcomes[0] == outcomes[1]


@FUZZ
@given(spec=csv_files(), chunk=pieces, rows=st.integers(min_value=1, max_value=4))
def test_a_csv_stream_read_in_pieces_and_batches_reads_as_the_whole_text(spec, chunk, rows):
    text = spec[0]
    try:
        whole = read_csv(text).rows
    except FileRejected as rejection:
        whole = [(rejection.rule, rejection.message)]
    with patch.object(readers, "_CHUNK", chunk):
        try:
            batches = list(readers.read_csv_batches(io.StringIO(text, newline=""), rows))
            streamed = [row for batch in batches for row in batch.rows]
        except FileRejected as rejection:
            streamed = [(rejection.rule, rejection.message)]
    assert streamed == whole


# --- 9. JSON numbers keep their text; other values are written as json.dumps writes them ---

number_texts = st.builds(
    lambda sign, whole, frac, exp: sign + whole + frac + exp,
    st.sampled_from(["", "-"]),
    st.one_of(st.just("0"), st.from_regex(r"[1-9][0-9]{0,25}", fullmatch=True)),
    st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,6}", fullmatch=True)),
    st.one_of(st.just(""), st.from_regex(r"[eE][+-]?[0-9]{1,3}", fullmatch=True)),
)


@PROPERTY
@given(number=number_texts, kind=KIND)
def test_json_numbers_keep_their_text_and_read_as_json_numbers(number, kind):
    row = read_json(f'[{{"value": {number}, "note": {number}}}]').rows[0]
    assert json_text(row.fields["value"]) == number == row.fields["note"]
    assert row.raw_record == f'{{"value": {number}, "note": {number}}}'
    reading = read_number(row.fields["value"], kind=kind)
    expected = float(number)
    if math.isfinite(expected) and abs(expected) <= LARGEST_EXACT:
        assert reading.value == expected
        assert reading.value != 0 or math.copysign(1.0, reading.value) == 1.0  # never -0
    else:
        assert reading.error == UNPARSEABLE and reading.detail.startswith(f"'{number[:97]}")


plain_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              st.text()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)  # fmt: skip


@PROPERTY
@given(value=plain_json)
def test_values_are_written_as_json_dumps_writes_them(value):
    assert json_text(value) == json.dumps(value, ensure_ascii=False)
