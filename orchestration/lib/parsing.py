"""From a submission's bytes to parsed observation rows: decoding, reading, and reading
each field on its own (numbers, periods, names). Rules that need the registry, the
calendar or other rows are applied later, in bulk (see validation.py)."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

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


def _parse_row(row: RawRow, kinds: dict[str, str], semicolon: bool) -> dict[str, object]:
    f = row.fields
    region_raw = _text(f.get("region"))
    period_raw = f.get("period")
    metric = _slug(_text(f.get("metric")))
    unit = _slug(_text(f.get("unit")))
    period = parse_period(period_raw)
    reading = read_number(f.get("value"), kind=kinds.get(metric or ""), semicolon_file=semicolon)
    key = name_key(region_raw) if region_raw and region_raw.strip() else None
    return {
        "row_number": row.row_number,
        "region_raw": region_raw,
        "period_raw": _text(period_raw),
        "metric_raw": _text(f.get("metric")),
        "value_raw": _text(f.get("value")),
        "sector_raw": _text(f.get("sector")),
        "unit_raw": _text(f.get("unit")),
        "note": _text(f.get("note")),
        "region_key": key,
        "loose_region_key": loose_key(key) if key else None,
        "period": period.label if period else None,
        "period_type": period.period_type if period else None,
        "period_start": period.start if period else None,
        "period_end": period.end if period else None,
        "metric": metric,
        "sector": _slug(_text(f.get("sector"))) or "all",
        "unit": UNIT_SPELLINGS.get(unit or "", unit),
        "value": reading.value,
        "value_error": reading.error,
        "value_detail": reading.detail or None,
        "percent_sign": reading.percent_sign,
        "row_problem": row.problem,
        "raw_record": row.raw_record,
    }


def parse_submission(data: bytes, file_format: str, kinds: dict[str, str]) -> ParsedSubmission:
    """Parse one file. `kinds` maps metric codes to 'count' or 'rate'.

    Raises FileRejected when the whole file must be rejected.
    """
    if not data:
        raise FileRejected("empty_file", "the file is empty (0 bytes)")
    text, encoding = decode_submission(data)
    result = read_csv(text) if file_format == "csv" else read_json(text)
    semicolon = result.delimiter == ";"
    columns: dict[str, list[object]] = {c: [] for c in PARSED_COLUMNS}
    for row in result.rows:
        for name, value in _parse_row(row, kinds, semicolon).items():
            columns[name].append(value)
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
