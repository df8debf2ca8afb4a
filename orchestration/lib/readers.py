"""Reading decoded CSV and JSON submissions into raw observation rows (contract section 3).

Readers only split a file into rows and fields; what a field means is decided later.
A problem with the whole file raises FileRejected.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

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
    rows: list[RawRow]
    delimiter: str | None = None  # ',', ';' or '\t' for CSV
    submitted_at: datetime | None = None
    declared_submitter: str | None = None
    notes: list[str] = field(default_factory=list)


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
        rows = list(_csv_rows(reader, header, positions))
    except csv.Error as err:
        raise FileRejected(
            "unreadable_file", f"line {reader.line_num}: not valid CSV ({err})"
        ) from None
    if not rows:
        raise FileRejected("empty_file", "the file has a header row but no data rows")
    return ReadResult(rows=rows, delimiter=delimiter)


def _csv_rows(
    reader: Iterator[list[str]], header: list[str], positions: dict[str, int]
) -> Iterator[RawRow]:
    for number, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue
        fields: dict[str, object] = {
            f: (cells[i] if i < len(cells) else None) for f, i in positions.items()
        }
        record = {h.strip(): c for h, c in zip(header, cells, strict=False)}
        problem = None
        if len(cells) > len(header):
            record["_extra_cells"] = cells[len(header) :]
            problem = (
                f"the row has {len(cells)} cells but the header has {len(header)}: a value "
                "probably contains the delimiter; quote it or remove thousands separators"
            )
        yield RawRow(number, fields, json.dumps(record, ensure_ascii=False), problem)


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
    result = ReadResult(rows=[])
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
    for number, item in enumerate(observations, start=1):
        result.rows.append(_json_row(number, item, defaults))
    return result


def _json_row(number: int, item: object, defaults: dict[str, object]) -> RawRow:
    record = json.dumps(item, ensure_ascii=False, default=str)
    if not isinstance(item, dict):
        return RawRow(number, {}, record, "the observation is not a JSON object")
    fields: dict[str, object] = {}
    for name in FIELDS:
        value = item.get(name)
        if value is None:
            value = defaults.get(name)
        if name != "value" and isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        elif name != "value" and value is not None and not isinstance(value, str):
            value = str(value)
        fields[name] = value
    problem = None
    if "__duplicate_keys__" in item:
        problem = (
            f"the observation repeats the key(s) {item['__duplicate_keys__']} with different values"
        )
    return RawRow(number, fields, record, problem)
