"""Reading decoded CSV and JSON submissions into raw observation rows (contract section 3).

Readers only split a file into rows and fields; what a field means is decided later.
A problem with the whole file raises FileRejected.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring as encode_json_text
from operator import itemgetter

from orchestration.lib.rules import FileRejected

REQUIRED_FIELDS = ("region", "period", "metric", "value")
OPTIONAL_FIELDS = ("sector", "unit", "note")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
csv.field_size_limit(1 << 31 - 1)


@dataclass
class RawRow:
    """One observation as written in the file, before any interpretation."""

    row_number: int
    fields: dict[str, object]
    raw_record: str
    problem: str | None = None  # a structural problem with this row, rejected as unparseable


@dataclass
class ReadResult:
    """A file's observations, column by column: `fields` holds one list per field the
    file has (CSV: the header's; JSON: every field), aligned with `row_numbers`."""

    row_numbers: list[int] = field(default_factory=list)
    fields: dict[str, list[object]] = field(default_factory=dict)
    raw_records: list[str] = field(default_factory=list)
    problems: list[str | None] = field(default_factory=list)  # structural, per row
    delimiter: str | None = None  # ',', ';' or '\t' for CSV
    submitted_at: datetime | None = None
    declared_submitter: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[RawRow]:
        """The same observations row by row (for reading a few; parsing uses columns)."""
        return [
            RawRow(number, {name: column[i] for name, column in self.fields.items()},
                   self.raw_records[i], self.problems[i])
            for i, number in enumerate(self.row_numbers)
        ]  # fmt: skip


def _detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return ","
    return best


def read_csv(text: str) -> ReadResult:
    if not text.strip():
        raise FileRejected("empty_file", "the file is empty")
    header_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = _detect_delimiter(header_line)
    # newline="" keeps line breaks inside quoted cells as they were sent
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        names = [h.strip().strip("\ufeff").casefold() for h in header]
        missing = [f for f in REQUIRED_FIELDS if f not in names]
        if missing:
            raise FileRejected(
                "missing_columns",
                f"the header row lacks the column(s) {', '.join(missing)}; it has "
                f"{', '.join(repr(h.strip()) for h in header)} (delimiter detected: "
                f"{_DELIMITERS[delimiter]})",
            )
        positions = {f: names.index(f) for f in FIELDS if f in names}
        result = _csv_columns(list(reader), header, positions)
    except csv.Error as err:
        raise FileRejected(
            "unreadable_file", f"line {reader.line_num}: not valid CSV ({err})"
        ) from None
    if not result.row_numbers:
        raise FileRejected("empty_file", "the file has a header row but no data rows")
    result.delimiter = delimiter
    return result


def _csv_columns(rows: list[list[str]], header: list[str], positions: dict[str, int]) -> ReadResult:
    """Columns of the non-blank rows. Every step maps over whole columns; the per-row
    Python is limited to what rows that are too short or too long need."""
    numbers = list(range(1, len(rows) + 1))
    if not (rows and min(map(len, rows)) and all(map(str.strip, map(itemgetter(0), rows)))):
        # some row may be blank (only a row whose first cell is blank can be): drop those
        non_blank = [i for i, cells in enumerate(rows) if "".join(cells).strip()]
        numbers, rows = [i + 1 for i in non_blank], [rows[i] for i in non_blank]
    width = len(header)
    lengths = set(map(len, rows))
    fields: dict[str, list[object]] = {}
    for name, i in positions.items():
        if not lengths or min(lengths) > i:
            fields[name] = list(map(itemgetter(i), rows))
        else:
            fields[name] = [cells[i] if i < len(cells) else None for cells in rows]
    # the record as sent: json.dumps({header: cell}) for every row, written out directly
    keys = [h.strip() for h in header]
    prefixes = [encode_json_text(k) + ": " for k in keys]
    records = [
        "{" + ", ".join(map(str.__add__, prefixes, map(encode_json_text, cells))) + "}"
        for cells in rows
    ]
    problems: list[str | None] = [None] * len(rows)
    repeated_names = len(set(keys)) < len(keys)  # a dict keeps one key: the last cell
    if repeated_names or (lengths and max(lengths) > width):
        for i, cells in enumerate(rows):
            if repeated_names or len(cells) > width:
                record: dict[str, object] = dict(zip(keys, cells, strict=False))
                if len(cells) <= width:
                    records[i] = json.dumps(record, ensure_ascii=False)
                    continue
                record["_extra_cells"] = cells[width:]
                records[i] = json.dumps(record, ensure_ascii=False)
                problems[i] = (
                    f"the row has {len(cells)} cells but the header has {width}: a value "
                    "probably contains the delimiter; quote it or remove thousands separators"
                )
    return ReadResult(numbers, fields, records, problems)


def _reject_constants(token: str) -> object:
    raise ValueError(f"{token} is not valid JSON")


def _keep_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    duplicates = []
    for key, value in pairs:
        if key in result and result[key] != value:
            duplicates.append(key)
        result[key] = value
    if duplicates:
        result["__duplicate_keys__"] = sorted(set(duplicates))
    return result


def _parse_timestamp(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        return None


def read_json(text: str) -> ReadResult:
    if not text.strip():
        raise FileRejected("empty_file", "the file is empty")
    try:
        document = json.loads(text, object_pairs_hook=_keep_pairs, parse_constant=_reject_constants)
    except (ValueError, RecursionError) as err:
        raise FileRejected("unreadable_file", f"not valid JSON: {err}") from None
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise FileRejected(
            "unreadable_file", "the JSON contains an invalid \\u escape (a lone surrogate)"
        ) from None
    defaults: dict[str, object] = {}
    result = ReadResult()
    if isinstance(document, list):
        observations = document
    elif isinstance(document, dict):
        if "observations" not in document:
            raise FileRejected(
                "missing_columns",
                "the JSON object has no 'observations' array; expected "
                '{"submitter": …, "period": …, "observations": [ … ]} or a bare array',
            )
        observations = document["observations"]
        if not isinstance(observations, list):
            raise FileRejected("unreadable_file", "'observations' must be an array of objects")
        if "__duplicate_keys__" in document:
            raise FileRejected(
                "unreadable_file",
                f"the JSON object repeats the key(s) {document['__duplicate_keys__']} with "
                "different values",
            )
        if "period" in document:
            defaults["period"] = document["period"]
        if document.get("submitter") is not None:
            result.declared_submitter = str(document["submitter"])
        result.submitted_at = _parse_timestamp(document.get("submitted_at"))
        if document.get("submitted_at") is not None and result.submitted_at is None:
            result.notes.append("submitted_at is not an ISO 8601 timestamp and was ignored")
    else:
        raise FileRejected("unreadable_file", "the JSON document must be an object or an array")
    if not observations:
        raise FileRejected("empty_file", "the file contains no observations")
    result.row_numbers = list(range(1, len(observations) + 1))
    result.fields = {name: [] for name in FIELDS}
    for item in observations:
        _add_json_row(result, item, defaults)
    return result


_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def _add_json_row(result: ReadResult, item: object, defaults: dict[str, object]) -> None:
    result.raw_records.append(_RECORD_ENCODER.encode(item))
    if not isinstance(item, dict):
        for column in result.fields.values():
            column.append(None)
        result.problems.append("the observation is not a JSON object")
        return
    for name, column in result.fields.items():
        value = item.get(name)
        if value is None:
            value = defaults.get(name)
        if name != "value" and isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        elif name != "value" and value is not None and not isinstance(value, str):
            value = str(value)
        column.append(value)
    result.problems.append(
        f"the observation repeats the key(s) {item['__duplicate_keys__']} with different values"
        if "__duplicate_keys__" in item
        else None
    )
