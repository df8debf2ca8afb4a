"""From a submission's bytes to parsed observation rows: decoding, reading, and reading
each field on its own (numbers, periods, names). Rules that need the registry, the
calendar or other rows are applied later, in bulk (see validation.py)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from operator import attrgetter, itemgetter

import pyarrow as pa

from orchestration.lib.decoding import LEGACY_ENCODINGS, decode_submission
from orchestration.lib.names import loose_key, name_key
from orchestration.lib.numbers import NumberReading, read_number
from orchestration.lib.periods import Period, parse_period
from orchestration.lib.readers import ReadResult, read_csv, read_json
from orchestration.lib.rules import FileRejected, Finding

PARSED_COLUMNS = (
    "row_number", "region_raw", "period_raw", "metric_raw", "value_raw", "sector_raw",
    "unit_raw", "note", "region_key", "loose_region_key", "period", "period_type",
    "period_start", "period_end", "metric", "sector", "unit", "value", "value_error",
    "value_detail", "percent_sign", "row_problem", "raw_record",
)  # fmt: skip
NO_PERIOD = Period(None, None, None, None)  # type: ignore[arg-type]  # an unreadable period
# the columns of raw.parsed_observations (state.py), as a parsed file's Arrow table has them
PARSED_SCHEMA = pa.schema(
    [("file_sha256", pa.string()), ("row_number", pa.int32())]
    + [(name, pa.string()) for name in PARSED_COLUMNS[1:12]]
    + [("period_start", pa.date32()), ("period_end", pa.date32())]
    + [(name, pa.string()) for name in ("metric", "sector", "unit")]
    + [("value", pa.float64()), ("value_error", pa.string()), ("value_detail", pa.string()),
       ("percent_sign", pa.bool_()), ("row_problem", pa.string()), ("raw_record", pa.string())]
)  # fmt: skip
UNIT_SPELLINGS = {"%": "percent", "pct": "percent", "percentage": "percent"}


@dataclass
class ParsedSubmission:
    encoding: str
    delimiter: str | None
    submitted_at: datetime | None
    declared_submitter: str | None
    columns: dict[str, list[object]]
    findings: list[Finding] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.columns["row_number"])


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text


def _slug(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    return "_".join(text.replace("-", " ").split())


class _Memo(dict):
    """A pure one-argument field reader, remembered, for a JSON column whose values are not
    all text (see _read_column). Non-text keys carry their type, so the JSON values 1, 1.0
    and true stay apart; unhashable values (a JSON object as a value) are read every time."""

    def __init__(self, read: Callable[[object], object]) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, key: object) -> object:
        value = self[key] = self.read(key if type(key) is not tuple else key[1])
        return value

    def __call__(self, raw: object) -> object:
        try:
            return self[raw if type(raw) is str or raw is None else (type(raw), raw)]
        except TypeError:
            return self.read(raw)


_TEXT = {str, type(None)}


def _is_text(column: list[object]) -> bool:
    """True when every value is text or missing, as in every CSV file."""
    return set(map(type, column)) <= _TEXT


def _read_column(
    read: Callable[[object], object], column: list[object], textual: bool
) -> list[object]:
    """`read` applied to every value of a column, each distinct value read once: a province
    repeats the same region names, periods and metric codes thousands of times in a file.
    `textual`: every value is text or missing (see _is_text)."""
    if textual:
        readings = {raw: read(raw) for raw in set(column)}
        return list(map(readings.__getitem__, column))
    return list(map(_Memo(read), column))


def _region_keys(region_raw: str | None) -> tuple[str | None, str | None]:
    if not region_raw or not region_raw.strip():
        return None, None
    key = name_key(region_raw)
    return key, loose_key(key) if key else None


def _read_values(
    values: list[object], textual: bool, kinds: list[str | None], semicolon: bool
) -> list[NumberReading]:
    """Each value read as a number of its metric's kind, each distinct (kind, value) once."""
    if textual:
        pairs = list(zip(kinds, values, strict=True))
        readings = {
            (kind, raw): read_number(raw, kind=kind, semicolon_file=semicolon)
            for kind, raw in set(pairs)
        }
        return list(map(readings.__getitem__, pairs))
    readers = {
        kind: _Memo(partial(read_number, kind=kind, semicolon_file=semicolon))
        for kind in set(kinds)
    }
    return [readers[kind](raw) for kind, raw in zip(kinds, values, strict=True)]


def _parsed_columns(read: ReadResult, kinds: dict[str, str]) -> dict[str, list[object]]:
    """Every column of PARSED_COLUMNS, computed column by column."""
    missing = [None] * len(read.row_numbers)
    textual = {name: _is_text(column) for name, column in read.fields.items()}

    def raw(name: str) -> list[object]:
        return read.fields.get(name) or missing

    def text(name: str) -> list[object]:
        return raw(name) if textual.get(name, True) else list(map(_text, raw(name)))

    def read_each(read_one: Callable[[object], object], name: str) -> list[object]:
        return _read_column(read_one, raw(name), textual.get(name, True))

    def slug(name: str) -> list[object]:
        return read_each(lambda value: _slug(_text(value)), name)

    def each(column: list, attribute: str) -> list[object]:
        return list(map(attrgetter(attribute), column))

    metric, unit, sector = slug("metric"), slug("unit"), slug("sector")
    regions = read_each(lambda value: _region_keys(_text(value)), "region")
    periods = read_each(lambda value: parse_period(value) or NO_PERIOD, "period")
    readings = _read_values(
        raw("value"), textual.get("value", True), list(map(kinds.get, metric)),
        read.delimiter == ";",
    )  # fmt: skip
    return {
        "row_number": read.row_numbers,
        "region_raw": text("region"), "period_raw": text("period"),
        "metric_raw": text("metric"), "value_raw": text("value"),
        "sector_raw": text("sector"), "unit_raw": text("unit"), "note": text("note"),
        "region_key": list(map(itemgetter(0), regions)),
        "loose_region_key": list(map(itemgetter(1), regions)),
        "period": each(periods, "label"), "period_type": each(periods, "period_type"),
        "period_start": each(periods, "start"), "period_end": each(periods, "end"),
        "metric": metric,
        "sector": [value or "all" for value in sector],
        "unit": [UNIT_SPELLINGS.get(value or "", value) for value in unit],
        "value": each(readings, "value"), "value_error": each(readings, "error"),
        "value_detail": [reading.detail or None for reading in readings],
        "percent_sign": each(readings, "percent_sign"),
        "row_problem": read.problems, "raw_record": read.raw_records,
    }  # fmt: skip


def parse_submission(data: bytes, file_format: str, kinds: dict[str, str]) -> ParsedSubmission:
    """Parse one file. `kinds` maps metric codes to 'count' or 'rate'.

    Raises FileRejected when the whole file must be rejected.
    """
    if not data:
        raise FileRejected("empty_file", "the file is empty (0 bytes)")
    text, encoding = decode_submission(data)
    result = read_csv(text) if file_format == "csv" else read_json(text)
    columns = _parsed_columns(result, kinds)
    findings = []
    if encoding in LEGACY_ENCODINGS:
        findings.append(
            Finding(
                "legacy_encoding",
                f"the file is encoded as {encoding}; it was read, but please save files as UTF-8",
            )
        )
    return ParsedSubmission(
        encoding=encoding,
        delimiter=result.delimiter,
        submitted_at=result.submitted_at,
        declared_submitter=result.declared_submitter,
        columns=columns,
        findings=findings,
    )
