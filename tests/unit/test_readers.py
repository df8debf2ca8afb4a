"""Unit tests for orchestration.lib.readers (CSV and JSON submissions, contract section 3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from orchestration.lib.readers import FIELDS, REQUIRED_FIELDS, read_csv, read_json
from orchestration.lib.rules import FileRejected

ICT = timezone(timedelta(hours=7))


def rejected(reader, text: str) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        reader(text)
    return info.value


def test_field_lists():
    assert REQUIRED_FIELDS == ("region", "period", "metric", "value")
    assert FIELDS == ("region", "period", "metric", "value", "sector", "unit", "note")


# --- CSV ------------------------------------------------------------------------------------

ROW = {"region": "VN-36", "period": "2024-Q1", "metric": "population", "value": "1000"}


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("region,period,metric,value\nVN-36,2024-Q1,population,1000\n", ","),
        ("region;period;metric;value\nVN-36;2024-Q1;population;1000\n", ";"),
        ("region\tperiod\tmetric\tvalue\nVN-36\t2024-Q1\tpopulation\t1000\n", "\t"),
        ("region,period,metric,value\r\nVN-36,2024-Q1,population,1000\r\n", ","),
        ("region;period;metric;value\r\nVN-36;2024-Q1;population;1000", ";"),
    ],
    ids=["comma", "semicolon", "tab", "crlf", "no-final-newline"],
)
def test_csv_delimiters(text, delimiter):
    result = read_csv(text)
    assert result.delimiter == delimiter
    assert len(result.rows) == 1
    row = result.rows[0]
    assert row.row_number == 1
    assert row.fields == ROW
    assert row.problem is None
    assert json.loads(row.raw_record) == ROW
    assert result.submitted_at is None
    assert result.declared_submitter is None
    assert result.notes == []


def test_csv_semicolon_file_keeps_commas_inside_values():
    text = "region;period;metric;value;note\nVN-36;2024;ehr_coverage;81,17;a,b,c\n"
    result = read_csv(text)
    assert result.delimiter == ";"
    assert result.rows[0].fields["value"] == "81,17"
    assert result.rows[0].fields["note"] == "a,b,c"
    assert result.rows[0].problem is None


def test_csv_tab_file_keeps_commas_and_semicolons_inside_values():
    text = "region\tperiod\tmetric\tvalue\tnote\nVN-36\t2024\tpopulation\t2,439\tx;y\n"
    row = read_csv(text).rows[0]
    assert row.fields["value"] == "2,439"
    assert row.fields["note"] == "x;y"


@pytest.mark.parametrize(
    "header",
    [
        "Region,Period,Metric,Value",
        "REGION,PERIOD,METRIC,VALUE",
        " region , period ,metric,  value ",
        "\ufeffregion,period,metric,value",
        " Region ,\tPERIOD\t,Metric,VaLuE",
    ],
)
def test_csv_header_case_and_spaces(header):
    result = read_csv(header + "\nVN-36,2024-Q1,population,1000\n")
    assert result.rows[0].fields == ROW


def test_csv_column_order_optional_and_extra_columns():
    text = (
        "value,metric,extra,period,region,unit,sector,note,another\n"
        "5,population,x,2024,VN-36,count,land,hello,y\n"
    )
    row = read_csv(text).rows[0]
    assert row.fields == {
        "region": "VN-36",
        "period": "2024",
        "metric": "population",
        "value": "5",
        "sector": "land",
        "unit": "count",
        "note": "hello",
    }
    # the raw record keeps every column as written, extra ones included
    assert json.loads(row.raw_record) == {
        "value": "5",
        "metric": "population",
        "extra": "x",
        "period": "2024",
        "region": "VN-36",
        "unit": "count",
        "sector": "land",
        "note": "hello",
        "another": "y",
    }


def test_csv_optional_columns_absent_are_not_in_fields():
    row = read_csv("region,period,metric,value\nVN-36,2024,population,1\n").rows[0]
    assert set(row.fields) == set(REQUIRED_FIELDS)


def test_csv_cells_are_not_stripped_or_interpreted():
    row = read_csv("region,period,metric,value\n Ninh Thuận , q2 2024 ,Population, 2 439 \n")
    assert row.rows[0].fields == {
        "region": " Ninh Thuận ",
        "period": " q2 2024 ",
        "metric": "Population",
        "value": " 2 439 ",
    }


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("region,period,metric", "value"),
        ("region,period,value", "metric"),
        ("period,metric,value", "region"),
        ("region,metric,value", "period"),
        ("province,time,indicator,amount", "region, period, metric, value"),
        ("region;period;metric", "value"),
        ("foo", "region, period, metric, value"),
    ],
)
def test_csv_missing_columns(header, missing):
    err = rejected(read_csv, header + "\nVN-36,2024,population\n")
    assert err.rule == "missing_columns"
    assert f"lacks the column(s) {missing};" in err.message


def test_csv_missing_columns_names_the_detected_delimiter():
    err = rejected(read_csv, "region;period;metric\nVN-36;2024;population\n")
    assert "delimiter detected: semicolon" in err.message


def test_csv_wrong_delimiter_in_header_is_missing_columns():
    # a header the delimiter detection cannot split into the required names
    err = rejected(read_csv, "region|period|metric|value\nVN-36|2024|population|1\n")
    assert err.rule == "missing_columns"


@pytest.mark.parametrize(
    "text",
    [
        "region,period,metric,value\n",
        "region,period,metric,value",
        "region;period;metric;value\r\n\r\n\r\n",
        "region,period,metric,value\n,,,\n , , , \n",
    ],
    ids=["header-only", "header-no-newline", "header-blank-lines", "header-empty-rows"],
)
def test_csv_header_only_is_empty_file(text):
    assert rejected(read_csv, text).rule == "empty_file"


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \r\n\t\n"])
def test_csv_empty_is_empty_file(text):
    assert rejected(read_csv, text).rule == "empty_file"


def test_csv_too_many_cells_sets_problem():
    result = read_csv("region,period,metric,value\nVN-36,2024,population,2,439\n")
    row = result.rows[0]
    assert row.fields == {"region": "VN-36", "period": "2024", "metric": "population", "value": "2"}
    assert row.problem is not None
    assert "5 cells" in row.problem
    assert "header has 4" in row.problem
    assert json.loads(row.raw_record)["_extra_cells"] == ["439"]


def test_csv_quoted_value_with_delimiter_has_no_problem():
    row = read_csv('region,period,metric,value\nVN-36,2024,population,"2,439"\n').rows[0]
    assert row.fields["value"] == "2,439"
    assert row.problem is None


def test_csv_too_few_cells_gives_none_without_problem():
    row = read_csv("region,period,metric,value,note\nVN-36,2024\n").rows[0]
    assert row.fields == {
        "region": "VN-36",
        "period": "2024",
        "metric": None,
        "value": None,
        "note": None,
    }
    assert row.problem is None


def test_csv_only_bad_rows_get_a_problem():
    text = "region,period,metric,value\nVN-36,2024,population,1\nVN-36,2024,population,2,439\n"
    rows = read_csv(text).rows
    assert [r.problem is None for r in rows] == [True, False]


@pytest.mark.parametrize(
    "text",
    [
        'region,period,metric,value\nVN-36,2024,"population,1000\n',
        'region,period,metric,value\nVN-36,2024,population,"1000\nVN-34,2024,population,5\n',
        'region,period,metric,value\n"VN-36"x,2024,population,1\n',
    ],
    ids=["unterminated-quote", "unterminated-quote-mid-file", "text-after-closing-quote"],
)
def test_csv_malformed_quotes_are_unreadable(text):
    err = rejected(read_csv, text)
    assert err.rule == "unreadable_file"
    assert "not valid CSV" in err.message


def test_csv_blank_rows_are_skipped_but_counted():
    text = "region,period,metric,value\n\nVN-36,2024,population,1\n,,,\nVN-34,2024,population,2\n"
    rows = read_csv(text).rows
    assert [r.row_number for r in rows] == [2, 4]
    assert [r.fields["region"] for r in rows] == ["VN-36", "VN-34"]


def test_csv_row_numbers_count_data_rows():
    text = "region,period,metric,value\n" + "".join(
        f"VN-36,2024,population,{i}\n" for i in range(1, 6)
    )
    rows = read_csv(text).rows
    assert [r.row_number for r in rows] == [1, 2, 3, 4, 5]
    assert [r.fields["value"] for r in rows] == ["1", "2", "3", "4", "5"]


def test_csv_non_ascii_raw_record_is_not_escaped():
    row = read_csv("region,period,metric,value\nДархан-Уул,2024,population,1\n").rows[0]
    assert "Дархан-Уул" in row.raw_record


# --- JSON -----------------------------------------------------------------------------------

CONTRACT_EXAMPLE = """
{
  "submitter": "VN-36",
  "period": "2023-H1",
  "submitted_at": "2023-07-05T10:00:00+07:00",
  "observations": [
    {"region": "VN-36", "metric": "online_dossiers", "value": 64936},
    {"region": "VN-36", "metric": "total_dossiers", "value": 80000}
  ]
}
"""


def test_json_contract_example():
    result = read_json(CONTRACT_EXAMPLE)
    assert result.delimiter is None
    assert result.declared_submitter == "VN-36"
    assert result.submitted_at == datetime(2023, 7, 5, 10, 0, tzinfo=ICT)
    assert result.submitted_at == datetime(2023, 7, 5, 3, 0, tzinfo=UTC)
    assert result.notes == []
    assert [r.row_number for r in result.rows] == [1, 2]
    assert result.rows[0].fields == {
        "region": "VN-36",
        "period": "2023-H1",  # the top-level default
        "metric": "online_dossiers",
        "value": 64936,
        "sector": None,
        "unit": None,
        "note": None,
    }
    assert result.rows[1].fields["value"] == 80000
    assert all(r.problem is None for r in result.rows)
    # the raw record is the observation as written, without the default
    assert json.loads(result.rows[0].raw_record) == {
        "region": "VN-36",
        "metric": "online_dossiers",
        "value": 64936,
    }


def test_json_bare_array():
    text = (
        '[{"region": "VN-36", "period": "2024", "metric": "m", "value": 1.5,'
        ' "sector": "land", "unit": "count", "note": "n"}]'
    )
    result = read_json(text)
    assert result.declared_submitter is None
    assert result.submitted_at is None
    assert result.delimiter is None
    assert result.rows[0].fields == {
        "region": "VN-36",
        "period": "2024",
        "metric": "m",
        "value": 1.5,
        "sector": "land",
        "unit": "count",
        "note": "n",
    }


def test_json_observation_period_overrides_default():
    text = '{"period": "2024", "observations": [{"period": "2024-Q1", "value": 1}, {"value": 2}]}'
    rows = read_json(text).rows
    assert [r.fields["period"] for r in rows] == ["2024-Q1", "2024"]


def test_json_no_top_level_period_gives_none():
    rows = read_json('{"observations": [{"value": 1}]}').rows
    assert rows[0].fields["period"] is None


def test_json_non_period_top_level_fields_are_not_defaults():
    text = '{"metric": "population", "region": "VN-36", "observations": [{"value": 1}]}'
    fields = read_json(text).rows[0].fields
    assert fields["metric"] is None
    assert fields["region"] is None


@pytest.mark.parametrize(
    ("submitter", "declared"),
    [('"VN-36"', "VN-36"), ('"MN"', "MN"), ("36", "36")],
)
def test_json_submitter_is_captured(submitter, declared):
    result = read_json('{"submitter": ' + submitter + ', "observations": [{"value": 1}]}')
    assert result.declared_submitter == declared


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-07-05T10:00:00+07:00", datetime(2023, 7, 5, 10, 0, tzinfo=ICT)),
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (" 2024-01-02T03:04:05+00:00 ", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2023-07-05", datetime(2023, 7, 5)),
        ("2023-07-05 10:00", datetime(2023, 7, 5, 10, 0)),
    ],
)
def test_json_submitted_at_parsed(raw, expected):
    result = read_json(json.dumps({"submitted_at": raw, "observations": [{"value": 1}]}))
    assert result.submitted_at == expected
    assert result.notes == []


@pytest.mark.parametrize("raw", ['"yesterday"', '"05/07/2023"', "20230705", '""', "true"])
def test_json_bad_submitted_at_is_ignored_with_a_note(raw):
    result = read_json('{"submitted_at": ' + raw + ', "observations": [{"value": 1}]}')
    assert result.submitted_at is None
    assert result.notes == ["submitted_at is not an ISO 8601 timestamp and was ignored"]


def test_json_null_submitted_at_has_no_note():
    result = read_json('{"submitted_at": null, "observations": [{"value": 1}]}')
    assert result.submitted_at is None
    assert result.notes == []


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "{",
        "region,period,metric,value\nVN-36,2024,population,1\n",
        '{"observations": [{"value": 1},]}',
        "{'observations': []}",
        '\ufeff[{"value": 1}]',
    ],
)
def test_json_not_json_is_unreadable(text):
    err = rejected(read_json, text)
    assert err.rule == "unreadable_file"
    assert "not valid JSON" in err.message


@pytest.mark.parametrize("text", ["42", '"x"', "null", "true", "1.5"])
def test_json_scalar_document_is_unreadable(text):
    assert rejected(read_json, text).rule == "unreadable_file"


@pytest.mark.parametrize(
    "text",
    ['{"observations": {}}', '{"observations": "x"}', '{"observations": null}'],
)
def test_json_observations_not_an_array_is_unreadable(text):
    assert rejected(read_json, text).rule == "unreadable_file"


@pytest.mark.parametrize(
    "text", ['{"period": "2024"}', "{}", '{"submitter": "VN-36", "data": [{"value": 1}]}']
)
def test_json_missing_observations(text):
    assert rejected(read_json, text).rule == "missing_columns"


@pytest.mark.parametrize("text", ["", "  \n", '{"observations": []}', "[]", " [ ] "])
def test_json_empty(text):
    assert rejected(read_json, text).rule == "empty_file"


@pytest.mark.parametrize(
    "text",
    [
        '[{"region": "VN-36", "value": NaN}]',
        '[{"value": Infinity}]',
        '[{"value": -Infinity}]',
        '{"period": "2024", "extra": NaN, "observations": [{"value": 1}]}',
    ],
)
def test_json_nan_constants_are_rejected(text):
    err = rejected(read_json, text)
    assert err.rule == "unreadable_file"


def test_json_deep_nesting_is_unreadable_not_a_crash():
    assert rejected(read_json, "[" * 100_000).rule == "unreadable_file"


def test_json_duplicate_keys_with_different_values_is_a_problem():
    rows = read_json('[{"region": "VN-36", "value": 1, "value": 2}]').rows
    assert len(rows) == 1
    assert rows[0].problem == "the observation repeats the key(s) ['value'] with different values"


def test_json_duplicate_keys_with_same_value_is_fine():
    rows = read_json('[{"region": "VN-36", "value": 1, "value": 1}]').rows
    assert rows[0].problem is None
    assert rows[0].fields["value"] == 1


def test_json_duplicate_keys_only_affect_their_observation():
    text = '[{"value": 1}, {"region": "A", "region": "B", "value": 1, "value": 2}, {"value": 3}]'
    rows = read_json(text).rows
    assert [r.problem is None for r in rows] == [True, False, True]
    assert "['region', 'value']" in rows[1].problem


@pytest.mark.parametrize(
    ("item", "record"),
    [("1", "1"), ('"x"', '"x"'), ("null", "null"), ("[1, 2]", "[1, 2]"), ("true", "true")],
)
def test_json_non_object_element_is_a_problem(item, record):
    rows = read_json(f'[{{"value": 1}}, {item}]').rows
    assert len(rows) == 2
    assert rows[0].problem is None
    assert rows[1].row_number == 2
    assert set(rows[1].fields.values()) == {None}
    assert rows[1].raw_record == record
    assert rows[1].problem == "the observation is not a JSON object"


def test_json_values_are_passed_through_and_other_fields_become_text():
    text = (
        '[{"region": {"a": 1}, "period": 2024, "metric": ["x"], "value": {"v": 1},'
        ' "sector": null, "unit": 5, "note": true}]'
    )
    fields = read_json(text).rows[0].fields
    assert fields == {
        "region": '{"a": 1}',
        "period": "2024",
        "metric": '["x"]',
        "value": {"v": 1},
        "sector": None,
        "unit": "5",
        "note": "True",
    }


@pytest.mark.parametrize("value", ['"2,439"', "64936", "81.17", "true", "null", '""'])
def test_json_value_kept_as_written(value):
    rows = read_json('[{"value": ' + value + "}]").rows
    assert rows[0].fields["value"] == json.loads(value)


def test_json_raw_record_keeps_non_ascii():
    rows = read_json('[{"region": "Дархан-Уул", "value": 1}]').rows
    assert rows[0].raw_record == '{"region": "Дархан-Уул", "value": 1}'


def test_line_breaks_inside_quoted_cells_are_kept() -> None:
    result = read_csv('region,period,metric,value,note\nVN-HN,2024,m,1,"line one\r\nline two"\n')
    assert result.rows[0].fields["note"] == "line one\r\nline two"


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x85"])
def test_unicode_line_separators_inside_a_cell_do_not_split_the_record(separator: str) -> None:
    result = read_csv(f"region,period,metric,value,note\nVN-HN,2024,m,1,a{separator}b\n")
    assert len(result.rows) == 1 and result.rows[0].fields["note"] == f"a{separator}b"


def test_json_null_period_takes_the_top_level_default() -> None:
    result = read_json(
        '{"period": "2024-H1", "observations": [{"region": "VN-HN", "period": null, "metric": "m", "value": 1}]}'
    )
    assert result.rows[0].fields["period"] == "2024-H1"


def test_json_repeating_the_submitter_with_different_values_is_rejected() -> None:
    with pytest.raises(FileRejected) as rejected:
        read_json(
            '{"submitter": "VN-36", "submitter": "VN-30", "observations": [{"region": "VN-36"}]}'
        )
    assert rejected.value.rule == "unreadable_file"
