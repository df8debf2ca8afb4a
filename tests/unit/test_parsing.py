"""Unit tests for orchestration.lib.parsing.parse_submission (bytes -> parsed columns)."""

from __future__ import annotations

import codecs
import gzip
import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from orchestration.lib import parsing, readers
from orchestration.lib.parsing import (
    PARSED_COLUMNS,
    UNIT_SPELLINGS,
    ParsedSubmission,
    parse_submission,
    parse_submission_in_chunks,
)
from orchestration.lib.rules import FileRejected

KINDS = {
    "online_dossiers": "count",
    "total_dossiers": "count",
    "online_dossier_rate": "rate",
    "population": "count",
    "ehr_coverage": "rate",
}


def rows_of(parsed) -> list[dict[str, object]]:
    return [
        {name: parsed.columns[name][i] for name in PARSED_COLUMNS} for i in range(parsed.row_count)
    ]


def one_row(data: bytes, file_format: str = "csv") -> dict[str, object]:
    rows = rows_of(parse_submission(data, file_format, KINDS))
    assert len(rows) == 1
    return rows[0]


def rejected(data: bytes, file_format: str) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        parse_submission(data, file_format, KINDS)
    return info.value


def test_unit_spellings():
    assert UNIT_SPELLINGS == {"%": "percent", "pct": "percent", "percentage": "percent"}


def test_semicolon_csv_end_to_end():
    data = (
        "region;period;metric;value;sector;unit;note\n"
        "Ninh Thuận;Q2 2024;Population;2.439;Civil Status;%;hello\n"
        "VN-36;2024;ehr_coverage;81,17%;;pct;\n"
    ).encode()
    parsed = parse_submission(data, "csv", KINDS)
    assert parsed.encoding == "utf-8"
    assert parsed.delimiter == ";"
    assert parsed.submitted_at is None
    assert parsed.declared_submitter is None
    assert parsed.findings == []
    assert parsed.row_count == 2
    assert set(parsed.columns) == set(PARSED_COLUMNS)
    assert all(len(parsed.columns[c]) == 2 for c in PARSED_COLUMNS)
    first, second = rows_of(parsed)
    assert first == {
        "row_number": 1,
        "region_raw": "Ninh Thuận",
        "period_raw": "Q2 2024",
        "metric_raw": "Population",
        "value_raw": "2.439",
        "sector_raw": "Civil Status",
        "unit_raw": "%",
        "note": "hello",
        "region_key": "ninh thuan",
        "loose_region_key": "ninh thuan",
        "period": "2024-Q2",
        "period_type": "quarter",
        "period_start": date(2024, 4, 1),
        "period_end": date(2024, 6, 30),
        "metric": "population",
        "sector": "civil_status",
        "unit": "percent",
        "value": 2439.0,
        "value_error": None,
        "value_detail": None,
        "percent_sign": False,
        "row_problem": None,
        "raw_record": json.dumps(
            {
                "region": "Ninh Thuận",
                "period": "Q2 2024",
                "metric": "Population",
                "value": "2.439",
                "sector": "Civil Status",
                "unit": "%",
                "note": "hello",
            },
            ensure_ascii=False,
        ),
    }
    assert second["region_key"] == "vn 36"
    assert second["period"] == "2024"
    assert second["period_type"] == "year"
    assert second["metric"] == "ehr_coverage"
    assert second["sector"] == "all"  # empty sector -> default
    assert second["unit"] == "percent"
    assert second["value"] == 81.17
    assert second["percent_sign"] is True
    assert second["value_error"] is None


NUMBER_CASES = [
    # delimiter, metric, cell as written in the file, value, error
    (",", "population", '"2,439"', 2439.0, None),
    (",", "population", "12.345", None, "unparseable_value"),
    (";", "population", "12.345", 12345.0, None),
    (";", "population", "2,439", None, "unparseable_value"),
    (";", "ehr_coverage", "81,17", 81.17, None),
    (",", "ehr_coverage", '"81,17"', None, "unparseable_value"),
    ("\t", "population", "2,439", 2439.0, None),
    ("\t", "ehr_coverage", "81,17", None, "unparseable_value"),
    (",", "population", "", None, "missing_value"),
    (",", "population", "NaN", None, "unparseable_value"),
    (",", "ehr_coverage", '"1,234"', None, "unparseable_value"),
    (";", "ehr_coverage", "1,234", None, "unparseable_value"),
    # an unknown metric has no kind, so only plain numbers read
    (",", "bogus", '"2,439"', None, "unparseable_value"),
    (",", "bogus", "12", 12.0, None),
]


@pytest.mark.parametrize(("delimiter", "metric", "cell", "value", "error"), NUMBER_CASES)
def test_numbers_follow_file_conventions_and_metric_kind(delimiter, metric, cell, value, error):
    header = delimiter.join(["region", "period", "metric", "value"])
    line = delimiter.join(["VN-36", "2024", metric, cell])
    parsed = parse_submission(f"{header}\n{line}\n".encode(), "csv", KINDS)
    assert parsed.delimiter == delimiter
    row = rows_of(parsed)[0]
    assert row["metric"] == metric
    assert row["value"] == value
    assert row["value_error"] == error
    assert (row["value_detail"] is None) == (error is None)


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        ("online_dossiers", "online_dossiers"),
        ("Online Dossiers", "online_dossiers"),
        ("online-dossiers", "online_dossiers"),
        (" ONLINE_DOSSIERS ", "online_dossiers"),
        ("online  dossiers", "online_dossiers"),
    ],
)
def test_metric_is_slugged_and_kind_applies(raw, slug):
    row = one_row(f'region,period,metric,value\nVN-36,2024,{raw},"2,439"\n'.encode())
    assert row["metric"] == slug
    assert row["metric_raw"] == raw
    assert row["value"] == 2439.0  # read as a count: the kind was found


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("count", "count"),
        ("COUNT", "count"),
        ("percent", "percent"),
        ("Percent", "percent"),
        ("%", "percent"),
        ("pct", "percent"),
        ("Percentage", "percent"),
        ("ratio", "ratio"),
        ("", None),
        (" ", None),
    ],
)
def test_unit_normalisation(unit, expected):
    row = one_row(f"region,period,metric,value,unit\nVN-36,2024,population,1,{unit}\n".encode())
    assert row["unit"] == expected
    assert row["unit_raw"] == unit


@pytest.mark.parametrize(
    ("sector", "expected"),
    [
        ("", "all"),
        (" ", "all"),
        ("land", "land"),
        ("Civil Status", "civil_status"),
        ("civil-status", "civil_status"),
        ("BUSINESS", "business"),
    ],
)
def test_sector_normalisation(sector, expected):
    row = one_row(f"region,period,metric,value,sector\nVN-36,2024,population,1,{sector}\n".encode())
    assert row["sector"] == expected


def test_sector_column_absent_defaults_to_all():
    row = one_row(b"region,period,metric,value\nVN-36,2024,population,1\n")
    assert row["sector"] == "all"
    assert row["sector_raw"] is None
    assert row["unit"] is None
    assert row["note"] is None


@pytest.mark.parametrize(
    ("region", "key", "loose"),
    [
        ("Tỉnh Ninh Thuận", "tinh ninh thuan", "ninh thuan"),
        ("Darkhan-Uul Province", "darkhan uul province", "darkhan uul"),
        ("Дархан-Уул", "дархан уул", "дархан уул"),
        ("vn-36", "vn 36", "vn 36"),
        ("", None, None),
        ("   ", None, None),
    ],
)
def test_region_keys(region, key, loose):
    row = one_row(f"region,period,metric,value\n{region},2024,population,1\n".encode())
    assert row["region_key"] == key
    assert row["loose_region_key"] == loose


@pytest.mark.parametrize("period", ["2024-13", "2024-Q5", "garbage", ""])
def test_bad_period_leaves_period_columns_empty(period):
    row = one_row(f"region,period,metric,value\nVN-36,{period},population,1\n".encode())
    assert row["period_raw"] == period
    assert (row["period"], row["period_type"], row["period_start"], row["period_end"]) == (
        None,
        None,
        None,
        None,
    )


def test_row_problem_is_passed_through():
    row = one_row(b"region,period,metric,value\nVN-36,2024,population,2,439\n")
    assert row["row_problem"] is not None
    assert "5 cells" in row["row_problem"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("region,period,metric,value\nДархан-Уул,2024,population,1\n".encode(), "utf-8"),
        (
            codecs.BOM_UTF8 + "region,period,metric,value\nДархан-Уул,2024,population,1\n".encode(),
            "utf-8-bom",
        ),
        (
            codecs.BOM_UTF16_LE
            + "region,period,metric,value\nДархан-Уул,2024,population,1\n".encode("utf-16-le"),
            "utf-16le",
        ),
        (
            codecs.BOM_UTF16_BE
            + "region,period,metric,value\nДархан-Уул,2024,population,1\n".encode("utf-16-be"),
            "utf-16be",
        ),
    ],
)
def test_unicode_encodings_have_no_findings(data, encoding):
    parsed = parse_submission(data, "csv", KINDS)
    assert parsed.encoding == encoding
    assert parsed.findings == []
    assert parsed.columns["region_raw"] == ["Дархан-Уул"]
    assert parsed.columns["region_key"] == ["дархан уул"]


def test_windows_1251_is_read_with_a_legacy_encoding_warning():
    data = "region;period;metric;value\nДархан-Уул;2024;population;1\n".encode("cp1251")
    parsed = parse_submission(data, "csv", KINDS)
    assert parsed.encoding == "windows-1251"
    assert parsed.columns["region_raw"] == ["Дархан-Уул"]
    assert len(parsed.findings) == 1
    finding = parsed.findings[0]
    assert finding.rule == "legacy_encoding"
    assert finding.severity == "warning"
    assert finding.row_number is None


def test_json_end_to_end():
    document = {
        "submitter": "MN",
        "period": "2024",
        "submitted_at": "2024-01-02T03:04:05Z",
        "observations": [
            {"region": "MN", "metric": "online-dossiers", "value": 12.0, "unit": "COUNT"},
            {"region": " ", "metric": "x", "value": True},
            {"region": "MN", "period": "Q1 2024", "metric": "ehr_coverage", "value": "81.17%"},
            {"region": "MN", "metric": "population", "value": None},
        ],
    }
    parsed = parse_submission(json.dumps(document).encode(), "json", KINDS)
    assert parsed.encoding == "utf-8"
    assert parsed.delimiter is None
    assert parsed.declared_submitter == "MN"
    assert parsed.submitted_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    rows = rows_of(parsed)
    assert [r["row_number"] for r in rows] == [1, 2, 3, 4]
    assert [r["period"] for r in rows] == ["2024", "2024", "2024-Q1", "2024"]
    assert [r["metric"] for r in rows] == ["online_dossiers", "x", "ehr_coverage", "population"]
    assert [r["value"] for r in rows] == [12.0, None, 81.17, None]
    assert [r["value_error"] for r in rows] == [
        None,
        "unparseable_value",
        None,
        "missing_value",
    ]
    assert [r["value_raw"] for r in rows] == ["12.0", "true", "81.17%", None]
    assert [r["percent_sign"] for r in rows] == [False, False, True, False]
    assert [r["region_key"] for r in rows] == ["mn", None, "mn", "mn"]
    assert rows[0]["unit"] == "count"
    assert rows[0]["period_raw"] == "2024"


def test_json_strings_use_no_semicolon_convention():
    # JSON has no delimiter: '2.439' is ambiguous for a count, as in a comma file
    row = one_row(
        b'[{"region": "VN-36", "period": "2024", "metric": "population", "value": "2.439"}]', "json"
    )
    assert row["value"] is None
    assert row["value_error"] == "unparseable_value"


def test_json_non_object_observation_is_a_row_problem():
    rows = rows_of(parse_submission(b'[{"region": "VN-36", "value": 1}, 42]', "json", KINDS))
    assert rows[1]["row_problem"] == "the observation is not a JSON object"
    assert rows[1]["region_key"] is None
    assert rows[1]["value_error"] == "missing_value"
    assert rows[1]["raw_record"] == "42"


@pytest.mark.parametrize(
    ("data", "file_format", "rule"),
    [
        (b"", "csv", "empty_file"),
        (b"", "json", "empty_file"),
        (b"   \n", "csv", "empty_file"),
        (b"region,period,metric,value\n", "csv", "empty_file"),
        (codecs.BOM_UTF8, "csv", "empty_file"),
        (b"[]", "json", "empty_file"),
        (b"region,period,metric\nVN-36,2024,population\n", "csv", "missing_columns"),
        (b'{"period": "2024"}', "json", "missing_columns"),
        (gzip.compress(b"region,period,metric,value\n", mtime=0), "csv", "unreadable_file"),
        (b"\x00\x01\x02", "csv", "unreadable_file"),
        ("Müller".encode("latin-1"), "csv", "unreadable_file"),
        (b"not json", "json", "unreadable_file"),
        (b'region,period,metric,value\nVN-36,"2024,population,1\n', "csv", "unreadable_file"),
    ],
)
def test_file_level_rejections(data, file_format, rule):
    assert rejected(data, file_format).rule == rule


def test_json_with_utf8_bom_is_read():
    data = codecs.BOM_UTF8 + b'[{"region": "VN-36", "period": "2024", "value": 1}]'
    parsed = parse_submission(data, "json", KINDS)
    assert parsed.encoding == "utf-8-bom"
    assert parsed.row_count == 1


def test_json_in_utf16_is_read():
    text = '{"submitter": "MN", "observations": [{"region": "Дархан-Уул", "value": 1}]}'
    parsed = parse_submission(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "json", KINDS)
    assert parsed.encoding == "utf-16le"
    assert parsed.columns["region_key"] == ["дархан уул"]


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_zero_bytes_message(file_format):
    assert rejected(b"", file_format).message == "the file is empty (0 bytes)"


# --- the cases end to end ----------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["text", "stream"])
def path_taken(request, monkeypatch) -> str:
    """Every test using it runs on both paths: a small file read from its decoded text, and
    a large one read from its bytes through a stream (here: in pieces of 5 characters)."""
    if request.param == "stream":
        monkeypatch.setattr(parsing, "STREAM_BYTES", 0)
        monkeypatch.setattr(readers, "_CHUNK", 5)
    return request.param


def test_a_comma_file_with_semicolons_in_a_quoted_header_cell(path_taken):
    data = b'region,period,metric,value,"note; a; b; c; d; e"\nVN-36,2024,population,5,x\n'
    parsed = parse_submission(data, "csv", KINDS)
    assert parsed.delimiter == "," and parsed.columns["value"] == [5.0]


def test_duplicate_columns_reject_the_file(path_taken):
    err = rejected(b"region,period,metric,value, Value \nVN-36,2024,population,5,6\n", "csv")
    assert (
        err.rule == "duplicate_columns" and "columns 4 ('value') and 5 (' Value ')" in err.message
    )


def test_json_keys_in_any_case(path_taken):
    data = b'{"Period": "2024", "OBSERVATIONS": [{"Region": "VN-HN", " METRIC ": "population", "Value": 5}]}'
    row = one_row(data, "json")
    assert (row["region_key"], row["period"], row["metric"], row["value"]) == (
        "vn hn", "2024", "population", 5.0
    )  # fmt: skip


@pytest.mark.parametrize(
    ("data", "file_format"),
    [
        (b"region,period,metric,value\nVN-36,2024,population,-0\nVN-36,2024,ehr_coverage,-0.0%\n", "csv"),
        (b"region;period;metric;value\nVN-36;2024;ehr_coverage;-0,0\nVN-36;2024;population;-0\n", "csv"),
        (b'[{"region": "VN-36", "period": "2024", "metric": "population", "value": -0},'
         b' {"region": "VN-36", "period": "2024", "metric": "ehr_coverage", "value": -0.0}]', "json"),
    ],
)  # fmt: skip
def test_a_negative_zero_is_published_as_zero(data, file_format, path_taken):
    values = parse_submission(data, file_format, KINDS).columns["value"]
    assert values == [0.0, 0.0] and all(math.copysign(1.0, v) == 1.0 for v in values)


def test_9999_q4_is_a_period(path_taken):
    row = one_row(b"region,period,metric,value\nVN-36,9999-Q4,population,5\n")
    assert (row["period"], row["period_start"], row["period_end"]) == (
        "9999-Q4", date(9999, 10, 1), date(9999, 12, 31)
    )  # fmt: skip


def test_messages_quote_raw_values_as_sent(path_taken):
    row = one_row(b"region,period,metric,value\nVN-36,2024,ehr_coverage,50%%\n")
    assert row["value_raw"] == "50%%" and row["value_detail"].startswith("'50%%' ")


def test_json_numbers_are_kept_as_written(path_taken):
    data = (
        b'[{"region": "VN-36", "period": "2024", "metric": "population", "value": 1e400},'
        b' {"region": "VN-36", "period": "2024", "metric": "population", "value": 1E3},'
        b' {"region": "VN-36", "period": "2024", "metric": "ehr_coverage", "value": 2.50}]'
    )
    rows = rows_of(parse_submission(data, "json", KINDS))
    assert [r["value_raw"] for r in rows] == ["1e400", "1E3", "2.50"]
    assert [r["value"] for r in rows] == [None, 1000.0, 2.5]
    assert rows[0]["value_error"] == "unparseable_value"
    assert rows[0]["value_detail"].startswith("'1e400' is too large")
    assert [r["raw_record"] for r in rows] == [
        '{"region": "VN-36", "period": "2024", "metric": "population", "value": 1e400}',
        '{"region": "VN-36", "period": "2024", "metric": "population", "value": 1E3}',
        '{"region": "VN-36", "period": "2024", "metric": "ehr_coverage", "value": 2.50}',
    ]


def test_submitted_at_raw_is_the_stated_text(path_taken):
    for stated, aware in (("2024-01-02T03:04:05Z", True), ("2024-01-02 03:04", False)):
        data = json.dumps({"submitted_at": stated, "observations": [{"value": 1}]}).encode()
        parsed = parse_submission(data, "json", KINDS)
        assert parsed.submitted_at_raw == stated
        assert (parsed.submitted_at.tzinfo is not None) == aware
    parsed = parse_submission(b'[{"value": 1}]', "json", KINDS)
    assert parsed.submitted_at is None and parsed.submitted_at_raw is None
    overflow = b'{"submitted_at": "9999-12-31T23:00:00-05:00", "observations": [{"value": 1}]}'
    parsed = parse_submission(overflow, "json", KINDS)
    # read as stated: that it lies beyond year 9999 in UTC is ingest.effective_submitted_at's
    assert parsed.submitted_at == datetime.fromisoformat("9999-12-31T23:00:00-05:00")
    assert parsed.submitted_at_raw == "9999-12-31T23:00:00-05:00"


# --- stream and chunks read what the text reads --------------------------------------------


def _samples() -> list[tuple[bytes, str]]:
    files = sorted(p for p in (REPO / "sources" / "submissions").rglob("*") if p.is_file())
    return [
        (p.read_bytes(), p.suffix[1:].lower()) for p in files if p.suffix[1:] in ("csv", "json")
    ]


def _outcome(parse, *args) -> object:
    try:
        parsed = parse(*args)
    except FileRejected as rejection:
        return rejection.rule, rejection.message
    return (parsed.encoding, parsed.delimiter, parsed.submitted_at, parsed.submitted_at_raw,
            parsed.declared_submitter, parsed.findings, parsed.columns)  # fmt: skip


def _chunks_joined(data: bytes, file_format: str, rows: int) -> ParsedSubmission:
    chunks = list(parse_submission_in_chunks(data, file_format, KINDS, rows))
    assert all(chunk.row_count <= rows for chunk in chunks)
    assert (
        len({(c.encoding, c.delimiter, c.submitted_at, c.declared_submitter) for c in chunks}) == 1
    )
    first = chunks[0]
    first.columns = {name: [v for c in chunks for v in c.columns[name]] for name in first.columns}
    return first


def test_the_bundled_samples_read_alike_as_text_as_a_stream_and_in_chunks(monkeypatch):
    samples = _samples()
    assert len(samples) > 20
    as_text = [_outcome(parse_submission, d, f, KINDS) for d, f in samples]
    monkeypatch.setattr(parsing, "STREAM_BYTES", 0)
    monkeypatch.setattr(readers, "_CHUNK", 7)
    assert [_outcome(parse_submission, d, f, KINDS) for d, f in samples] == as_text
    for rows in (1, 3):
        assert [_outcome(_chunks_joined, d, f, rows) for d, f in samples] == as_text


def test_large_files_read_in_parts_as_a_whole(monkeypatch):
    """Files of more rows than a part (shared repeated values, CSV lines read in parts)."""
    line = "VN-{0:02d},2024-{1:02d},population,{2},,count\n"
    text = "region,period,metric,value,sector,unit\n" + "".join(
        line.format(i % 7, i % 12 + 1, i) if i % 5 else "\n" for i in range(1, 2_000)
    )
    obs = [{"Region": f"VN-{i % 7:02d}", "value": i, "unit": "count"} for i in range(2_000)]
    document = json.dumps({"observations": obs + [5], "period": "2024"}).encode()
    expected = [_outcome(parse_submission, text.encode(), "csv", KINDS),
                _outcome(parse_submission, document, "json", KINDS)]  # fmt: skip
    monkeypatch.setattr(readers, "_PART_ROWS", 300)
    monkeypatch.setattr(parsing, "STREAM_BYTES", 0)
    assert [_outcome(parse_submission, text.encode(), "csv", KINDS),
            _outcome(parse_submission, document, "json", KINDS)] == expected  # fmt: skip
    assert [_outcome(_chunks_joined, text.encode(), "csv", 700),
            _outcome(_chunks_joined, document, "json", 700)] == expected  # fmt: skip
    parsed = parse_submission(text.encode(), "csv", KINDS)
    assert len({id(v) for v in parsed.columns["metric_raw"]}) == 1  # repeats are one object


def test_chunks_of_a_rejected_file_end_with_the_rejection():
    data = b"region,period,metric,value\n" + b"VN-36,2024,population,1\n" * 5 + b'"x\n'
    chunks = parse_submission_in_chunks(data, "csv", KINDS, 2)
    assert next(chunks).row_count == 2
    with pytest.raises(FileRejected) as info:
        list(chunks)
    assert info.value.rule == "unreadable_file"
    # a JSON object is read for its top level first: rejected before any chunk
    bad = b'{"observations": [' + b'{"value": 1},' * 5 + b'{"value": 1}], "period": 1, "period": 2}'
    with pytest.raises(FileRejected):
        next(parse_submission_in_chunks(bad, "json", KINDS, 2))
