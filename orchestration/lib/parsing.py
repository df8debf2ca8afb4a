"""From a submission's bytes to parsed observation rows: decoding, reading, and reading
each field on its own (numbers, periods, names). Rules that need the registry, the
calendar or other rows are applied later, in bulk (see validation.py).

Memory: the bytes are decoded whole once, to choose the encoding (decoding.py). For a
large file that text is dropped, and the readers read the bytes again through a decoding
stream, a piece at a time, so that the file is not held as bytes, text and rows at once.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from operator import attrgetter, itemgetter

import pyarrow as pa

from orchestration.lib.decoding import (
    LEGACY_ENCODINGS,
    UTF8,
    UTF8_BOM,
    UTF16BE,
    UTF16LE,
    WINDOWS_1251,
    decode_submission,
)
from orchestration.lib.names import loose_key, name_key
from orchestration.lib.numbers import NumberReading, read_number
from orchestration.lib.periods import Period, parse_period
from orchestration.lib.readers import (
    ReadResult,
    TextSource,
    is_text,
    json_text,
    read_csv_batches,
    read_json_batches,
)
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
# Python's codec for each encoding decode_submission names; the utf-8-sig and utf-16
# codecs drop the byte-order mark as decode_submission does
_CODECS = {UTF8: "utf-8", UTF8_BOM: "utf-8-sig", UTF16LE: "utf-16", UTF16BE: "utf-16",
           WINDOWS_1251: "cp1251"}  # fmt: skip
# from this size on a file is read through a stream; a smaller one from its decoded text,
# which is quicker (one decoding) and holds little
STREAM_BYTES = 16 << 20


@dataclass
class ParsedSubmission:
    encoding: str
    delimiter: str | None
    submitted_at: datetime | None
    declared_submitter: str | None
    columns: dict[str, list[object]]
    findings: list[Finding] = field(default_factory=list)
    submitted_at_raw: str | None = None  # the submitted_at the file states, as written

    @property
    def row_count(self) -> int:
        return len(self.columns["row_number"])


def _text(value: object) -> str | None:
    """A raw JSON value as text: a string as it is, anything else as written in the file."""
    return value if value is None or type(value) is str else json_text(value)


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


def _read_column(
    read: Callable[[object], object], column: list[object], textual: bool
) -> list[object]:
    """`read` applied to every value of a column, each distinct value read once: a province
    repeats the same region names, periods and metric codes thousands of times in a file.
    `textual`: every value is text or missing (see readers.is_text)."""
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
    textual = {name: is_text(column) for name, column in read.fields.items()}

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
    (parsed,) = _parse(data, file_format, kinds, None)
    return parsed


def parse_submission_in_chunks(
    data: bytes, file_format: str, kinds: dict[str, str], rows: int
) -> Iterator[ParsedSubmission]:
    """parse_submission's rows in chunks of at most `rows` (concatenated, the same columns),
    for a file whose rows do not fit in memory as Python objects all at once. Every chunk
    carries the file's own fields (encoding … findings), the same on each.

    FileRejected may come after some chunks: the caller then drops them. A JSON object
    document is read twice (its top level first, see readers.read_json_batches).
    """
    return _parse(data, file_format, kinds, rows)


class _Decoding:
    """`data` as text, decoded a piece at a time (a readers.TextSource). Unlike a
    TextIOWrapper, read(n) copies neither the bytes it decodes nor the text it returns: the
    peak of reading a huge JSON value is its text, not two or three copies of it."""

    def __init__(self, data: bytes, encoding: str) -> None:
        self.data = memoryview(data)
        self.codec = _CODECS[encoding]
        self.seek(0)

    def seek(self, offset: int, /) -> int:
        assert offset == 0, "only to the start"
        self.pos = 0
        self.decoder = codecs.getincrementaldecoder(self.codec)()
        return 0

    def read(self, size: int, /) -> str:
        """About `size` characters (at most `size` bytes' worth); '' at the end."""
        text = ""
        while not text and self.pos < len(self.data):
            piece = self.data[self.pos : self.pos + size]
            self.pos += len(piece)
            text = self.decoder.decode(piece, final=self.pos == len(self.data))
        return text


def _parse(
    data: bytes, file_format: str, kinds: dict[str, str], rows: int | None
) -> Iterator[ParsedSubmission]:
    if not data:
        raise FileRejected("empty_file", "the file is empty (0 bytes)")
    text, encoding = decode_submission(data)
    if len(data) >= STREAM_BYTES:
        text = None  # read again from `data`, a piece at a time

    def open_text() -> str | TextSource:
        return _Decoding(data, encoding) if text is None else text

    if file_format == "csv":
        batches = read_csv_batches(open_text(), rows)
    else:
        batches = read_json_batches(open_text, rows)
    findings = []
    if encoding in LEGACY_ENCODINGS:
        findings.append(
            Finding(
                "legacy_encoding",
                f"the file is encoded as {encoding}; it was read, but please save files as UTF-8",
            )
        )
    for batch in batches:
        yield ParsedSubmission(
            encoding=encoding,
            delimiter=batch.delimiter,
            submitted_at=batch.submitted_at,
            declared_submitter=batch.declared_submitter,
            columns=_parsed_columns(batch, kinds),
            findings=list(findings),
            submitted_at_raw=batch.submitted_at_raw,
        )
        del batch  # its columns are the chunk's now; hold nothing else while the next is read
