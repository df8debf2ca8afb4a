"""Unit tests for orchestration.lib.parsing.parse_submission (bytes -> parsed columns)."""

from __future__ import annotations

import codecs
import gzip
import json
from datetime import UTC, date, datetime

import pytest

from orchestration.lib.parsing import PARSED_COLUMNS, UNIT_SPELLINGS, parse_submission
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
