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

from orchestration.lib.decoding import LEGACY_ENCODINGS, decode_submission
from orchestration.lib.names import loose_key, name_key
from orchestration.lib.numbers import read_number
from orchestration.lib.periods import parse_period
from orchestration.lib.readers import RawRow, read_csv, read_json
from orchestration.lib.rules import FileRejected, Finding

PARSED_COLUMNS = (
    "row_number", "region_raw", "period_raw", "metric_raw", "value_raw", "sector_raw",
    "unit_raw", "note", "region_key", "loose_region_key", "period", "period_type",
    "period_start", "period_end", "metric", "sector", "unit", "value", "value_error",
    "value_detail", "percent_sign", "row_problem", "raw_record",
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
    """A pure one-argument field reader, remembered per file: a province repeats the same
    region names, periods, metric codes and many values thousands of times in one file.
    Non-text keys carry their type, so the JSON values 1, 1.0 and true stay apart;
    unhashable values (a JSON object as a value) are read every time."""

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


def _region_keys(region_raw: str | None) -> tuple[str | None, str | None]:
    if not region_raw or not region_raw.strip():
        return None, None
    key = name_key(region_raw)
    return key, loose_key(key) if key else None


class _FieldReaders:
    """Every field's reader for one file, each memoized."""

    def __init__(self, kinds: dict[str, str], semicolon: bool) -> None:
        self.slug = _Memo(lambda raw: _slug(_text(raw)))
        self.region = _Memo(lambda raw: _region_keys(_text(raw)))
        self.period = _Memo(parse_period)
        self.numbers = {
            kind: _Memo(partial(read_number, kind=kind, semicolon_file=semicolon))
            for kind in {*kinds.values(), None}
        }
        self.kinds = kinds

    def row(self, row: RawRow) -> tuple[object, ...]:
        """The row's values in the order of PARSED_COLUMNS."""
        f = row.fields
        region, period_raw, metric_raw = f.get("region"), f.get("period"), f.get("metric")
        value_raw, unit_raw, sector_raw = f.get("value"), f.get("unit"), f.get("sector")
        metric = self.slug(metric_raw)
        unit = self.slug(unit_raw)
        period = self.period(period_raw)
        reading = self.numbers[self.kinds.get(metric or "")](value_raw)
        key, loose = self.region(region)
        return (
            row.row_number, _text(region), _text(period_raw), _text(metric_raw),
            _text(value_raw), _text(sector_raw), _text(unit_raw), _text(f.get("note")),
            key, loose,
            *((period.label, period.period_type, period.start, period.end)
              if period else (None, None, None, None)),
            metric, self.slug(sector_raw) or "all", UNIT_SPELLINGS.get(unit or "", unit),
            reading.value, reading.error, reading.detail or None, reading.percent_sign,
            row.problem, row.raw_record,
        )  # fmt: skip


def parse_submission(data: bytes, file_format: str, kinds: dict[str, str]) -> ParsedSubmission:
    """Parse one file. `kinds` maps metric codes to 'count' or 'rate'.

    Raises FileRejected when the whole file must be rejected.
    """
    if not data:
        raise FileRejected("empty_file", "the file is empty (0 bytes)")
    text, encoding = decode_submission(data)
    result = read_csv(text) if file_format == "csv" else read_json(text)
    semicolon = result.delimiter == ";"
    readers = _FieldReaders(kinds, semicolon)
    values = zip(*map(readers.row, result.rows), strict=True) if result.rows else ()
    columns = {name: list(column) for name, column in zip(PARSED_COLUMNS, values, strict=True)}
    if not columns:
        columns = {name: [] for name in PARSED_COLUMNS}
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
