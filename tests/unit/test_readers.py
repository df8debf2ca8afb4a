"""Unit tests for orchestration.lib.readers (CSV and JSON submissions, contract section 3)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from orchestration.lib import readers
from orchestration.lib.numbers import JsonNumber
from orchestration.lib.readers import (
    FIELDS,
    REQUIRED_FIELDS,
    json_text,
    read_csv,
    read_csv_batches,
    read_json,
    read_json_batches,
)
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
        "note": "true",  # as JSON writes it (Python's "True" was a rewrite)
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


# --- delimiters counted outside quotes (issue item 1) --------------------------------------


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        # more of another delimiter inside the quoted cell than of the file's outside
        ('region,period,metric,value,"note; a; b; c; d; e"', ","),
        ('"region";"period";"metric";"value";"a, b, c, d, e, f"', ";"),
        ('region\tperiod\tmetric\tvalue\t"a,b,c,d,e;f;g;h;i;j"', "\t"),
        ('region,period,metric,value,"a;b;c;d;e;\n f;\r\n g; h"', ","),  # line breaks in it
        ('region,period,metric,value,"say ""a;b;c;d;e;f"" here"', ","),  # doubled quotes
    ],
)
def test_the_delimiter_is_counted_outside_quoted_header_cells(header: str, delimiter: str) -> None:
    line = delimiter.join(["VN-36", "2024", "population", "5", "x"])
    result = read_csv(f"{header}\n{line}\n")
    assert result.delimiter == delimiter
    assert result.rows[0].fields == {
        "region": "VN-36", "period": "2024", "metric": "population", "value": "5"
    }  # fmt: skip


def test_a_quoted_header_cell_longer_than_a_read_is_read_whole(monkeypatch) -> None:
    monkeypatch.setattr(readers, "_CHUNK", 8)
    note = '"' + "; ".join("abcdefgh") + '\n;;;"'
    text = f"region,period,metric,value,{note}\nVN-36,2024,population,5,x\n"
    result = _only_batch(read_csv_batches(io.StringIO(text, newline="")))
    assert result.delimiter == "," and result.rows[0].fields["value"] == "5"


def _only_batch(batches):
    (result,) = batches
    return result


# --- duplicate columns (issue item 2, contract section 5) ----------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("region,period,metric,value, Value ", "columns 4 ('value') and 5 (' Value ')"),
        ("REGION,period,metric,value,region", "columns 1 ('REGION') and 5 ('region')"),
        ("region,period,metric,value,note,NOTE", "columns 5 ('note') and 6 ('NOTE')"),
        ("region;period;metric;value;value\u00a0", "columns 4 ('value') and 5 ('value\\u00a0')"),
    ],
)
def test_two_columns_naming_one_field_reject_the_file(header: str, expected: str) -> None:
    delimiter = ";" if ";" in header else ","
    err = rejected(read_csv, header + "\n" + delimiter.join("abcdef") + "\n")
    assert err.rule == "duplicate_columns"
    assert expected in err.message
    assert f"name the field {header.split(delimiter)[-1].strip().casefold()}" in err.message


def test_three_columns_and_two_fields_are_all_named() -> None:
    err = rejected(read_csv, "value,region,period,metric,Value,VALUE,Region\n1,2,3,4,5,6,7\n")
    assert err.message.startswith(
        "columns 2 ('region') and 7 ('Region') both name the field region; "
        "columns 1 ('value'), 5 ('Value') and 6 ('VALUE') all name the field value"
    )


def test_missing_columns_come_before_duplicate_ones() -> None:
    assert rejected(read_csv, "region,Region,metric,value\n1,2,3,4\n").rule == "missing_columns"


def test_repeated_unknown_columns_are_read_and_every_cell_is_kept() -> None:
    text = (
        "region,period,metric,value,comment,comment,comment (2),,\n"
        "VN-36,2024,population,5,first,second,third,x,y\n"
    )
    row = read_csv(text).rows[0]
    assert row.problem is None and row.fields["value"] == "5"
    assert json.loads(row.raw_record) == {
        "region": "VN-36", "period": "2024", "metric": "population", "value": "5",
        "comment": "first", "comment (3)": "second", "comment (2)": "third", "": "x", "(2)": "y",
    }  # fmt: skip


def test_a_long_row_keeps_its_extra_cells_beside_a_column_named_like_them() -> None:
    row = read_csv("region,period,metric,value,_extra_cells\nA,2024,m,1,x,y\n").rows[0]
    assert json.loads(row.raw_record)["_extra_cells"] == "x"
    assert json.loads(row.raw_record)["_extra_cells (2)"] == ["y"]


def test_missing_columns_show_invisible_characters_in_header_names() -> None:
    err = rejected(read_csv, "regi\u200bon,period,metric,value\nA,2024,m,1\n")
    assert "it has 'regi\\u200bon', 'period'" in err.message


# --- JSON keys read as CSV headers are (issue item 3) --------------------------------------


def test_json_observation_keys_ignore_case_and_surrounding_spaces() -> None:
    text = (
        '{"period": "2024", "observations": [{"Region": "VN-HN", " METRIC ": "population",'
        ' "Value": 5, "SECTOR": "land", "Unit ": "count", "NOTE": "n", "Extra": 1}]}'
    )
    row = read_json(text).rows[0]
    assert row.problem is None
    assert row.fields == {
        "region": "VN-HN", "period": "2024", "metric": "population", "value": 5,
        "sector": "land", "unit": "count", "note": "n",
    }  # fmt: skip
    assert json.loads(row.raw_record)["Region"] == "VN-HN"  # the record keeps the keys as sent


def test_json_top_level_keys_ignore_case_and_surrounding_spaces() -> None:
    text = (
        '{"Submitter": "VN-36", " PERIOD ": "2024-Q1", "Submitted_At": "2024-04-05T10:00:00Z",'
        ' "OBSERVATIONS": [{"region": "VN-36", "value": 1}]}'
    )
    result = read_json(text)
    assert result.declared_submitter == "VN-36"
    assert result.submitted_at == datetime(2024, 4, 5, 10, tzinfo=UTC)
    assert result.rows[0].fields["period"] == "2024-Q1"


def test_two_keys_naming_one_field_with_different_values_are_a_row_problem() -> None:
    text = (
        '[{"Region": "VN-HN", "region": "VN-36", "value": 1},'
        ' {"Region": "VN-HN", "region": "VN-HN", "value": 2},'
        ' {"region": "VN-36", "value": 3}]'
    )
    first, second, third = read_json(text).rows
    assert first.problem == (
        "the observation has the keys 'Region' and 'region', which both name region "
        "(case and surrounding spaces are ignored), with different values; send one"
    )
    assert json.loads(first.raw_record) == {"Region": "VN-HN", "region": "VN-36", "value": 1}
    assert second.problem is None and second.fields["region"] == "VN-HN"  # the same: no guess
    assert third.problem is None


def test_a_repeated_key_and_a_second_spelling_are_both_named() -> None:
    row = read_json('[{"value": 1, "value": 2, "VALUE": 2, "unit": "a", "Unit": "b"}]').rows[0]
    assert row.problem.startswith("the observation repeats the key(s) ['value'] with different")
    assert "'value' and 'VALUE', which both name value" in row.problem
    assert "'unit' and 'Unit', which both name unit" in row.problem


def test_a_repeated_key_is_kept_twice_in_the_raw_record() -> None:
    row = read_json('[{"region": "A", "value": 5, "value": 6}]').rows[0]
    assert row.raw_record == '{"region": "A", "value": 5, "value": 6}'  # nothing is lost
    assert row.fields["value"] == 6 and row.problem is not None


@pytest.mark.parametrize(
    "text",
    [
        '{"period": "2024", "Period": "2025", "observations": [{"value": 1}]}',
        '{"submitter": "VN-36", " SUBMITTER": "VN-30", "observations": [{"value": 1}]}',
    ],
)
def test_two_top_level_keys_naming_one_thing_differently_make_the_file_unreadable(text) -> None:
    err = rejected(read_json, text)
    assert err.rule == "unreadable_file"
    assert "which both name" in err.message and "with different values" in err.message


def test_two_top_level_keys_naming_one_thing_alike_are_read() -> None:
    text = '{"period": "2024", "Period": "2024", "observations": [{"value": 1}]}'
    assert read_json(text).rows[0].fields["period"] == "2024"


@pytest.mark.parametrize(
    "text",
    [
        '{"observations": [{"value": 1}], "Observations": [{"value": 2}]}',
        '{"observations": [{"value": 1}], "observations": [{"value": 1}]}',
    ],
)
def test_two_observation_arrays_make_the_file_unreadable(text: str) -> None:
    err = rejected(read_json, text)
    assert err.rule == "unreadable_file" and "2 'observations' arrays" in err.message


# --- JSON numbers as written (issue item 6) ------------------------------------------------


@pytest.mark.parametrize(
    "number", ["1e400", "2.50", "1E3", "-0", "-0.0", "1.0", "64936", "1" + "0" * 5000, "81.17"]
)
def test_json_numbers_keep_their_text_in_the_record_and_as_raw_values(number: str) -> None:
    text = f'[{{"value": {number}, "note": {number}, "period": [{number}]}}]'
    row = read_json(text).rows[0]
    assert row.raw_record == f'{{"value": {number}, "note": {number}, "period": [{number}]}}'
    assert json_text(row.fields["value"]) == number
    assert row.fields["note"] == number and row.fields["period"] == f"[{number}]"


def test_json_numbers_that_int_or_float_give_back_stay_numbers() -> None:
    fields = read_json('[{"value": 81.17, "unit": 12}, {"value": 1e5}]').rows
    assert fields[0].fields["value"] == 81.17 and type(fields[0].fields["value"]) is float
    assert fields[1].fields["value"] == JsonNumber("1e5")


# --- JSON read as a stream (issue item 7) --------------------------------------------------


def test_the_top_level_may_come_after_the_observations() -> None:
    text = (
        '{"observations": [{"region": "VN-36", "value": 1}, {"period": "2024-Q1", "value": 2},'
        ' 5], "period": "2024", "submitted_at": "2024-07-05T10:00:00+07:00", "submitter": "VN-36"}'
    )
    for result in (read_json(text), *read_json_batches(lambda: io.StringIO(text), rows=1)):
        assert result.declared_submitter == "VN-36"
        assert result.submitted_at == datetime(2024, 7, 5, 10, tzinfo=ICT)
    assert [r.fields["period"] for r in read_json(text).rows] == ["2024", "2024-Q1", None]
    batches = list(read_json_batches(lambda: io.StringIO(text), rows=2))
    assert [[r.fields["period"] for r in b.rows] for b in batches] == [["2024", "2024-Q1"], [None]]
    assert [b.row_numbers for b in batches] == [[1, 2], [3]]


DOCUMENTS = [
    CONTRACT_EXAMPLE,
    '  [ {"region" : "VN-36" , "value" : 1.5e3 } ,\n\t{"value": -0}, 7, "x", null, [1, [2]] ]  ',
    '{"submitter": 36, "observations": [{"region": "Дархан-Уул", "note": "a\\"b\\\\c\\u00e9\\n"}],'
    ' "extra": {"deep": [[{"value": 2.50}]]}, "period": 2024}',
    '[{"value": 1, "value": 2, "Value": 3}, {"value": 12345678901234567890123}]',
]


@pytest.mark.parametrize("text", DOCUMENTS)
@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_a_stream_read_in_any_pieces_reads_as_the_whole_text(text, chunk, monkeypatch) -> None:
    whole = read_json(text)
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    assert read_json(io.StringIO(text)) == whole
    for rows in (1, 2, 1000):
        batches = list(read_json_batches(lambda: io.StringIO(text), rows))
        assert [r for b in batches for r in b.rows] == whole.rows
        assert {(b.declared_submitter, b.submitted_at) for b in batches} == {
            (whole.declared_submitter, whole.submitted_at)
        }


BAD_DOCUMENTS = [
    '{"observations": [{"value": 1}]',
    '{"observations": [{"value": 1},]}',
    '{"observations": [{"value": 1}] x',
    '{"a" 1, "observations": []}',
    '{"observations": [{"value": 1}], }',
    '[{"value": 1}\n,\n{"value": "abc}]',
    '[{"value": 1} {"value": 2}]',
    "\n\n  [1, 2, tru]",
    '[{"value": 1.}]',
    '[{"value": "\\x"}]',
    '[{"value": "a\u0001b"}]',
    '{"observations": [1]}\n\n{}',
    "{",
    '{"x',
]


@pytest.mark.parametrize("text", BAD_DOCUMENTS)
@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
def test_invalid_json_gets_json_loads_message(text: str, chunk: int, monkeypatch) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    err = rejected(read_json, io.StringIO(text))
    assert err.rule == "unreadable_file"
    assert err.message == f"not valid JSON: {expected.value}"


@pytest.mark.parametrize("text", ["\u00a0", " \u2028 ", "\n\u3000\n"])
def test_a_file_of_other_whitespace_is_empty(text: str, monkeypatch) -> None:
    monkeypatch.setattr(readers, "_CHUNK", 1)
    assert rejected(read_json, io.StringIO(text)).rule == "empty_file"


def test_a_lone_surrogate_is_found_in_a_stream(monkeypatch) -> None:
    monkeypatch.setattr(readers, "_CHUNK", 3)
    for text in ('[{"note": "a\\ud800"}]', '{"x": "\\udc00", "observations": [{"value": 1}]}'):
        err = rejected(read_json, io.StringIO(text))
        assert "lone surrogate" in err.message
        err = rejected(lambda t: list(read_json_batches(lambda: io.StringIO(t), 1)), text)
        assert "lone surrogate" in err.message
    assert read_json(io.StringIO('[{"note": "\\ud83d\\ude00"}]')).rows[0].raw_record == (
        '{"note": "\U0001f600"}'
    )


# --- submitted_at (issue item 8) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("stated", "raw", "expected"),
    [
        ('"2023-07-05T10:00:00+07:00"', "2023-07-05T10:00:00+07:00", datetime(2023, 7, 5, 10, tzinfo=ICT)),
        ('" 2023-07-05 10:00 "', " 2023-07-05 10:00 ", datetime(2023, 7, 5, 10)),  # naive
        ('"last Tuesday"', "last Tuesday", None),
        ("20230705", "20230705", None),
        ("null", None, None),
    ],
)  # fmt: skip
def test_submitted_at_as_stated_and_its_text(stated, raw, expected) -> None:
    result = read_json('{"submitted_at": ' + stated + ', "observations": [{"value": 1}]}')
    assert result.submitted_at == expected and result.submitted_at_raw == raw
    if expected is not None:  # naive stays naive: ingest reads it in DIGIMETRICS_TIMEZONE
        assert (result.submitted_at.tzinfo is None) == (expected.tzinfo is None)


def test_submitted_at_absent_has_no_text() -> None:
    result = read_json('{"observations": [{"value": 1}]}')
    assert result.submitted_at is None and result.submitted_at_raw is None


@pytest.mark.parametrize(
    "stated",
    [
        "9999-12-31T23:00:00-05:00",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:00:00",  # without an offset: read in a time zone that may be hours off
        "0001-01-01T03:00:00",
    ],
)
def test_submitted_at_near_the_ends_of_the_calendar_is_read_as_stated(stated: str) -> None:
    # whether it can order the file (in UTC it may lie beyond year 9999) is decided with the
    # time the file was first seen: ingest.effective_submitted_at
    result = read_json(json.dumps({"submitted_at": stated, "observations": [{"value": 1}]}))
    assert result.submitted_at == datetime.fromisoformat(stated)
    assert result.submitted_at_raw == stated
    assert len(result.rows) == 1


def test_submitted_at_near_the_ends_of_the_calendar_that_converts_is_read() -> None:
    stated = "9999-12-31T10:00:00+07:00"
    result = read_json(json.dumps({"submitted_at": stated, "observations": [{"value": 1}]}))
    assert result.submitted_at == datetime(9999, 12, 31, 10, tzinfo=ICT)
