"""Reading decoded CSV and JSON submissions into raw observation rows (contract section 3).

Readers only split a file into rows and fields; what a field means is decided later.
A problem with the whole file raises FileRejected.

Both read their text from a str or from a text stream, a piece at a time: a file at the
size limit is never held as a whole second copy of its text (nor, for JSON, as one
document of Python objects). Each can also hand its rows over in batches
(`read_csv_batches`, `read_json_batches`) for a caller that cannot hold them all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, islice
from json.decoder import scanstring
from json.encoder import encode_basestring as encode_json_text
from operator import itemgetter
from typing import Protocol

from orchestration.lib.display import shown
from orchestration.lib.numbers import JsonNumber
from orchestration.lib.rules import FileRejected

REQUIRED_FIELDS = ("region", "period", "metric", "value")
OPTIONAL_FIELDS = ("sector", "unit", "note")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
_FIELD_SET = frozenset(FIELDS)
_DOCUMENT_KEYS = frozenset({"submitter", "period", "submitted_at", "observations"})
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_CHUNK = 1 << 20  # characters read from a stream at a time


class TextSource(Protocol):
    """A file's text read a piece at a time: read(n) gives at most about n characters ('' at
    the end), seek(0) starts again."""

    def read(self, size: int, /) -> str: ...

    def seek(self, offset: int, /) -> int: ...


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
    submitted_at: datetime | None = None  # as stated: naive when the text gives no offset
    declared_submitter: str | None = None
    notes: list[str] = field(default_factory=list)
    submitted_at_raw: str | None = None  # the submitted_at the file states, as written

    @property
    def rows(self) -> list[RawRow]:
        """The same observations row by row (for reading a few; parsing uses columns)."""
        return [
            RawRow(number, {name: column[i] for name, column in self.fields.items()},
                   self.raw_records[i], self.problems[i])
            for i, number in enumerate(self.row_numbers)
        ]  # fmt: skip


def field_name(name: str) -> str:
    """What a CSV header cell or a JSON key names: case and surrounding spaces are ignored."""
    return name.strip().strip("\ufeff").casefold()


_TEXT = {str, type(None)}


def is_text(column: list[object]) -> bool:
    """True when every value is text or missing, as in every CSV file."""
    return set(map(type, column)) <= _TEXT


_REPEATING = ("region", "period", "metric", "sector", "unit")
# rows read at a time; a file of fewer is not worth sharing values in (see _share_repeats)
_PART_ROWS = 50_000


def _share_repeats(fields: dict[str, list[object]], known: dict[str, dict], start: int) -> None:
    """Make each value repeated in the fields that repeat (a province sends the same region,
    period and metric thousands of times) one object, in fields[name][start:], in place, and
    the same object as in earlier parts (`known`): every CSV cell and JSON string is read as
    a str of its own, some 55 bytes a row and field. Text only (hashable)."""
    for name in _REPEATING:
        column = fields.get(name)
        seen = known.setdefault(name, {})
        if column and len(column) > start and len(seen) < _PART_ROWS:  # else mostly distinct
            part = column[start:]
            column[start:] = map(seen.setdefault, part, part)


def _extend(into: ReadResult, part: ReadResult) -> ReadResult:
    into.row_numbers += part.row_numbers
    for name, column in into.fields.items():
        column += part.fields[name]
    into.raw_records += part.raw_records
    into.problems += part.problems
    return into


def _only(batches: Iterator[ReadResult]) -> ReadResult:
    (result,) = batches  # a file read in one batch: every row
    return result


def _quoted(text: str) -> str:
    """A header cell or key as a message quotes it: invisible characters escaped."""
    return f"'{shown(text)}'"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- CSV ------------------------------------------------------------------------------------


def _line_break(text: str, start: int, stop: int) -> int:
    """The first '\\r' or '\\n' in text[start:stop], or -1: where csv ends a record."""
    found = [i for i in (text.find("\n", start, stop), text.find("\r", start, stop)) if i >= 0]
    return min(found, default=-1)


def _header_outside_quotes(text: str) -> tuple[str, bool]:
    """The header record (the first record of `text`) without its double-quoted sections,
    and whether the record ends within `text`. A quoted header cell may hold any delimiter,
    and line breaks; they are not the file's."""
    outside: list[str] = []
    pos = 0
    while True:
        quote = text.find('"', pos)
        stop = len(text) if quote < 0 else quote
        end = _line_break(text, pos, stop)
        outside.append(text[pos : stop if end < 0 else end])
        if end >= 0:
            return "".join(outside), True
        close = text.find('"', quote + 1) if quote >= 0 else -1
        if close < 0:
            return "".join(outside), False
        pos = close + 1  # a doubled quote inside a quoted cell closes and reopens: the same


def _detect_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return ","
    return best


def _read_head(stream: TextSource, enough: Callable[[str], bool]) -> str:
    """The start of `stream`, read until `enough` of it is there (or all of it)."""
    head = stream.read(_CHUNK)
    while not enough(head):
        more = stream.read(max(_CHUNK, len(head)))
        if not more:
            break
        head += more
    return head


def _header_read(head: str) -> bool:
    return bool(head) and not head.isspace() and _header_outside_quotes(head)[1]


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` as csv reads them: each ends with '\r\n', '\r' or '\n'."""
    start = 0
    while start < len(text):
        end = _line_break(text, start, len(text))
        end = len(text) if end < 0 else end + 1 + (text.startswith("\r\n", end))
        yield text[start:end]
        start = end


def _chunks_of_lines(stream: TextSource) -> Iterator[Iterable[str]]:
    """`stream` in pieces of whole lines, each as an iterable of its lines: a StringIO, which
    csv iterates in C (a TextIOWrapper costs twice as much); a piece of a few huge lines as
    those lines themselves (a StringIO holds 4 bytes a character)."""
    pending: list[str] = []
    while chunk := stream.read(_CHUNK):
        # where the last whole line ends ('\r' at the very end may be half of a '\r\n')
        cut = max(chunk.rfind("\n"), chunk.rfind("\r", 0, len(chunk) - 1)) + 1
        if not cut:
            pending.append(chunk)  # joined once the line ends: no copy per chunk
            continue
        pending.append(chunk[:cut])
        text = "".join(pending)
        pending = [chunk[cut:]]
        yield _lines(text) if len(text) > 4 * _CHUNK else io.StringIO(text, newline="")
    yield _lines("".join(pending))


def read_csv(source: str | TextSource) -> ReadResult:
    """Every observation of a CSV file (see read_csv_batches)."""
    return _only(read_csv_batches(source))


def read_csv_batches(source: str | TextSource, rows: int | None = None) -> Iterator[ReadResult]:
    """A CSV file's observations in batches of `rows` data rows (blank rows count, and are
    left out), or in one batch. `source`: the text, or a seekable text stream opened with
    newline="" (line breaks inside quoted cells stay as they were sent)."""
    stream = io.StringIO(source, newline="") if isinstance(source, str) else source
    head = _read_head(stream, _header_read)
    if not head.strip():
        raise FileRejected("empty_file", "the file is empty")
    delimiter = _detect_delimiter(_header_outside_quotes(head)[0])
    del head
    stream.seek(0)
    lines = stream if isinstance(source, str) else chain.from_iterable(_chunks_of_lines(stream))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    kept = 0
    try:
        header = next(reader)
        layout = _CsvLayout(header, delimiter)
        known: dict[str, dict] = {}
        first, whole = 1, None
        while cells := list(islice(reader, rows or _PART_ROWS)):
            part = layout.columns(cells, first)
            first += len(cells)
            del cells  # the cells are in the columns: not every row's list of cells at once
            if first > _PART_ROWS:
                _share_repeats(part.fields, known, 0)
            kept += len(part.row_numbers)
            if rows is None:
                whole = part if whole is None else _extend(whole, part)
            elif part.row_numbers:
                yield part
        if whole is not None and whole.row_numbers:
            yield whole
    except csv.Error as err:
        raise FileRejected(
            "unreadable_file", f"line {reader.line_num}: not valid CSV ({err})"
        ) from None
    if not kept:
        raise FileRejected("empty_file", "the file has a header row but no data rows")


def _numbered(keys: list[str]) -> list[str]:
    """`keys` with each repeated one numbered ("comment", "comment (2)"), so that a record
    written from them keeps every cell; a number is never a key the header already has."""
    if len(set(keys)) == len(keys):
        return keys
    taken, seen, result = set(keys), set(), []
    for key in keys:
        if key in seen:
            n = 2
            while f"{key} ({n})".lstrip() in taken:
                n += 1
            key = f"{key} ({n})".lstrip()
            taken.add(key)
        seen.add(key)
        result.append(key)
    return result


class _CsvLayout:
    """What a CSV header says: where each field is, and the keys of the raw record."""

    def __init__(self, header: list[str], delimiter: str) -> None:
        names = [field_name(h) for h in header]
        missing = [f for f in REQUIRED_FIELDS if f not in names]
        if missing:
            raise FileRejected(
                "missing_columns",
                f"the header row lacks the column(s) {', '.join(missing)}; it has "
                f"{', '.join(_quoted(h.strip()) for h in header)} (delimiter detected: "
                f"{_DELIMITERS[delimiter]})",
            )
        repeated = _repeated_columns(header, names)
        if repeated:
            raise FileRejected("duplicate_columns", repeated)
        self.delimiter = delimiter
        self.positions = {f: names.index(f) for f in FIELDS if f in names}
        self.width = len(header)
        keys = _numbered([h.strip() for h in header])
        self.keys = keys
        self.extra_key = _numbered([*keys, "_extra_cells"])[-1]
        self.prefixes = [encode_json_text(k) + ": " for k in keys]

    def columns(self, rows: list[list[str]], first: int) -> ReadResult:
        """Columns of the non-blank rows, the first of them data row `first`. Every step
        maps over whole columns; the per-row Python is limited to what rows that are too
        short or too long need."""
        numbers = list(range(first, first + len(rows)))
        if not (rows and min(map(len, rows)) and all(map(str.strip, map(itemgetter(0), rows)))):
            # some row may be blank (only a row whose first cell is blank can be): drop those
            non_blank = [i for i, cells in enumerate(rows) if "".join(cells).strip()]
            numbers, rows = [first + i for i in non_blank], [rows[i] for i in non_blank]
        width = self.width
        lengths = set(map(len, rows))
        fields: dict[str, list[object]] = {}
        for name, i in self.positions.items():
            if not lengths or min(lengths) > i:
                fields[name] = list(map(itemgetter(i), rows))
            else:
                fields[name] = [cells[i] if i < len(cells) else None for cells in rows]
        # the record as sent: json.dumps({key: cell}) for every row, written out directly
        records = [
            "{" + ", ".join(map(str.__add__, self.prefixes, map(encode_json_text, cells))) + "}"
            for cells in rows
        ]
        problems: list[str | None] = [None] * len(rows)
        if lengths and max(lengths) > width:
            for i, cells in enumerate(rows):
                if len(cells) > width:
                    record: dict[str, object] = dict(zip(self.keys, cells, strict=False))
                    record[self.extra_key] = cells[width:]
                    records[i] = json.dumps(record, ensure_ascii=False)
                    problems[i] = (
                        f"the row has {len(cells)} cells but the header has {width}: a value "
                        "probably contains the delimiter; quote it or remove thousands "
                        "separators"
                    )
        return ReadResult(numbers, fields, records, problems, self.delimiter)


def _repeated_columns(header: list[str], names: list[str]) -> str | None:
    """The message for columns that name one field (contract: duplicate_columns), if any."""
    clauses = []
    for name in FIELDS:
        where = [i for i, other in enumerate(names) if other == name]
        if len(where) > 1:
            columns = [f"{i + 1} ({_quoted(header[i])})" for i in where]
            clauses.append(
                f"columns {_listing(columns)} {'both' if len(where) == 2 else 'all'} name "
                f"the field {name}"
            )
    if not clauses:
        return None
    return (
        "; ".join(clauses) + " (names are compared without case and surrounding spaces); "
        "keep one column for each field and rename or remove the others"
    )


# --- JSON -----------------------------------------------------------------------------------

_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:")
_NUMBER_TAIL = re.compile(r"[0-9.eE+\-]*")  # what could continue a number
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED = re.compile(r'[\x00-\x1f"\\]')  # what json.dumps(ensure_ascii=False) escapes
_NUMBER_START = frozenset("-0123456789")
# an observation of more characters than this is written as its record without an
# escaped copy of each long string (see _as_sent)
_LONG_OBSERVATION = 1 << 16
_NOT_AN_OBJECT = "the observation is not a JSON object"
_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


class _RepeatedKeys(dict):
    """A JSON object that repeats a key: the dict holds the last value of each key, as
    json.loads does; `pairs` holds every one, in order, as sent."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, object]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs


def _reject_constants(token: str) -> object:
    raise ValueError(f"{token} is not valid JSON")


# for observations read only to get past them: no Python hook but NaN's (str on a number's
# text is a C call and accepts every number the hooks of _Scanner accept)
_SKIM = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=_reject_constants)


class _Scanner:
    """The json module's C scanner, with hooks that keep what json.loads would rewrite:
    a number whose text int or float does not give back, and every pair of an object that
    repeats a key. `unusual` says whether the last value scanned holds one (json's own
    encoder would then not write it as sent)."""

    def __init__(self) -> None:
        self.unusual = False
        decoder = json.JSONDecoder(
            object_pairs_hook=self._object, parse_float=self._float, parse_int=self._int,
            parse_constant=_reject_constants,
        )  # fmt: skip
        self.scan_once = decoder.scan_once

    def __call__(self, text: str, pos: int) -> tuple[object, int]:
        self.unusual = False
        return self.scan_once(text, pos)

    def _float(self, text: str) -> float | JsonNumber:
        value = float(text)
        if repr(value) == text:
            return value
        self.unusual = True
        return JsonNumber(text)

    def _int(self, text: str) -> int | JsonNumber:
        if len(text) < 19 and text != "-0":  # int gives back every such text
            return int(text)
        self.unusual = True
        return JsonNumber(text)

    def _object(self, pairs: list[tuple[str, object]]) -> dict[str, object]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        self.unusual = True
        return _RepeatedKeys(pairs)


def _as_sent(value: object) -> str:
    """`value` as JSON text, laid out as json.dumps(value, ensure_ascii=False) lays it out,
    with every number as written in the file and every pair of an object that repeats a key.
    Iterative (a value may nest as deep as the scanner allows); a string that needs no
    escape goes into the join as itself, so a huge note is not copied once more on the way."""
    out: list[str] = []
    todo: list[object] = [value]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is tuple:  # punctuation to write (a JSON value is never a tuple)
            out.append(item[0])  # type: ignore[index]
        elif kind is str:
            out += (encode_json_text(item),) if _ESCAPED.search(item) else ('"', item, '"')
        elif kind is JsonNumber:
            out.append(item.text)  # type: ignore[attr-defined]
        elif kind is list:
            out.append("[")
            todo.append(("]",))
            for i in range(len(item) - 1, -1, -1):  # type: ignore[arg-type]
                todo.append(item[i])  # type: ignore[index]
                if i:
                    todo.append((", ",))
        elif isinstance(item, dict):
            pairs = item.pairs if kind is _RepeatedKeys else list(item.items())
            out.append("{")
            todo.append(("}",))
            for i in range(len(pairs) - 1, -1, -1):
                todo += (pairs[i][1], (encode_json_text(pairs[i][0]) + ": ",))
                if i:
                    todo.append((", ",))
        elif item is None or item is True or item is False:
            out.append("null" if item is None else "true" if item else "false")
        else:
            out.append(repr(item))  # an int or a float: its repr is the text it was read from
    return "".join(out)


def json_text(value: object) -> str:
    """The JSON text of a value read from a JSON file, as sent (see _as_sent)."""
    kind = type(value)
    if kind is JsonNumber:
        return value.text  # type: ignore[attr-defined]
    if kind is int or kind is float:
        return repr(value)
    return _as_sent(value)


def _field_text(value: object) -> str | None:
    """A JSON value of a field other than `value` as text: a string as it is, anything
    else as its JSON text ("2.50", "true", '{"a": 1}')."""
    return value if value is None or type(value) is str else json_text(value)


def _same(values: list[object]) -> bool:
    return all(value == values[0] for value in values[1:])


def _repeated_keys(pairs: list[tuple[str, object]]) -> list[str]:
    """The keys sent more than once with different values (json keeps the last one)."""
    last: dict[str, object] = {}
    repeated = set()
    for key, value in pairs:
        if key in last and last[key] != value:
            repeated.add(key)
        last[key] = value
    return sorted(repeated)


def _keys(keys: list[str]) -> str:
    return "[" + ", ".join(map(_quoted, keys)) + "]"


def _naming_problems(found: dict[str, list[tuple[str, object]]], what: str) -> list[str]:
    """Problems of keys spelled differently that name one field with different values."""
    problems = []
    for name, pairs in found.items():
        spellings = list(dict.fromkeys(key for key, _ in pairs))
        if len(spellings) > 1 and not _same([value for _, value in pairs]):
            problems.append(
                f"{what} has the keys {_listing(list(map(_quoted, spellings)))}, "
                f"which {'both' if len(spellings) == 2 else 'all'} name {name} (case and "
                "surrounding spaces are ignored), with different values; send one"
            )
    return problems


@dataclass(frozen=True)
class _Head:
    """What the top level of a JSON object says (nothing, for a bare array)."""

    period: object = None
    declared_submitter: str | None = None
    submitted_at: datetime | None = None
    submitted_at_raw: str | None = None
    notes: tuple[str, ...] = ()


def _parse_timestamp(raw: object) -> tuple[datetime | None, str | None]:
    """submitted_at as stated (aware when it gives an offset, naive when it does not), or
    None with why it was ignored. Whether it can order resubmissions (it may be in the
    future, or beyond year 9999 in UTC) is decided with the time the file was first seen
    (ingest.effective_submitted_at)."""
    if raw is None:
        return None, None
    unreadable = "submitted_at is not an ISO 8601 timestamp and was ignored"
    if not isinstance(raw, str):
        return None, unreadable
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None, unreadable
    return value, None


def _head(members: list[tuple[str, str, object]]) -> _Head:
    """The top level of a JSON object document from its (key, field_name(key), value)
    members; raises FileRejected as json.loads-based reading did, in the same order."""
    by_name: dict[str, list[tuple[str, object]]] = {}
    for key, name, value in members:
        if name in _DOCUMENT_KEYS:
            by_name.setdefault(name, []).append((key, value))
    if "observations" not in by_name:
        raise FileRejected(
            "missing_columns",
            "the JSON object has no 'observations' array; expected "
            '{"submitter": …, "period": …, "observations": [ … ]} or a bare array',
        )
    if any(type(value) is not _Array for _, value in by_name["observations"]):
        raise FileRejected("unreadable_file", "'observations' must be an array of objects")
    if len(by_name["observations"]) > 1:
        raise FileRejected(
            "unreadable_file",
            f"the JSON object has {len(by_name['observations'])} 'observations' arrays "
            f"({_keys([key for key, _ in by_name['observations']])}); send one",
        )
    repeated = _repeated_keys([(key, value) for key, _, value in members])
    problems = [f"the JSON object repeats the key(s) {_keys(repeated)} with different values"]
    problems = problems[: bool(repeated)] + _naming_problems(by_name, "the JSON object")
    if problems:
        raise FileRejected("unreadable_file", "; ".join(problems))

    def value(name: str) -> object:
        return by_name[name][-1][1] if name in by_name else None

    submitter, stated = value("submitter"), value("submitted_at")
    submitted_at, note = _parse_timestamp(stated)
    return _Head(
        period=value("period"),
        declared_submitter=None if submitter is None else _field_text(submitter),
        submitted_at=submitted_at,
        submitted_at_raw=_field_text(stated),
        notes=(note,) if note else (),
    )


class _Array:
    """Stands for an array of observations among a document's top-level members: it was
    read row by row, not kept. Never equal to another, as two arrays are never compared."""


class _JsonReader:
    """A JSON document read from a text stream a piece at a time, its observations one at a
    time with the json module's C scanner, into columns.

    Only the observation being read is held as text: the text read so far is dropped once
    consumed, and a value that runs past it is scanned again once more has been read (at
    least as much again, so a huge value is scanned a few times, not once per piece).
    Positions in messages are counted in the whole document, as json.loads counts them.
    """

    def __init__(self, source: str | TextSource, rows: int | None, head: _Head | None) -> None:
        if isinstance(source, str):
            self.stream, self.text, self.eof = None, source, True
        else:
            self.stream, self.text, self.eof = source, "", False
        self.surrogates = bool(_SURROGATE_ESCAPE.search(self.text))  # seen a \ud800-like escape
        self.pos = 0  # in self.text
        self.offset = 0  # characters of the document before self.text
        self.lines = 0  # line breaks before self.text
        self.line_start = 0  # where the line at the start of self.text starts in the document
        self.scan = _Scanner()
        self.rows = rows
        self.head = head  # known before reading (the second reading of an object document)
        self.keep = True  # False while only the top level is read (see read_json_batches)
        self.members: list[tuple[str, str, object]] = []
        self.names: dict[str, str] = {}  # field_name of each key seen
        self.known: dict[str, dict] = {}  # see _share_repeats
        self.read = 0  # observations read
        self.first = 1  # row number of the first row of the batch
        self.lone_surrogate = False
        self._new_batch()

    def _new_batch(self) -> None:
        self.columns: dict[str, list[object]] = {name: [] for name in FIELDS}
        self.appenders = [(name, column.append) for name, column in self.columns.items()]
        self.records: list[str] = []
        self.problems: list[str | None] = []
        self.not_objects: list[int] = []

    # -- the text ----------------------------------------------------------------------------

    def _more(self) -> bool:
        """Read more of the document, keeping the text from self.pos on; False at its end."""
        if self.eof:
            return False
        assert self.stream is not None
        chunk = self.stream.read(max(_CHUNK, len(self.text) - self.pos))
        if not chunk:
            self.eof = True
            return False
        self._forget()
        text, self.text = self.text, ""
        text += chunk  # in place when CPython can: `text` is the only reference
        if not self.surrogates:  # the new text, and an escape it completes
            start = max(0, len(text) - len(chunk) - 5)
            self.surrogates = bool(_SURROGATE_ESCAPE.search(text, start))
        self.text = text
        return True

    def _forget(self) -> None:
        """Drop the text before self.pos, counting its line breaks for messages."""
        pos, text = self.pos, self.text
        if not pos:
            return
        lines = text.count("\n", 0, pos)
        if lines:
            self.lines += lines
            self.line_start = self.offset + text.rfind("\n", 0, pos) + 1
        self.offset += pos
        self.text, self.pos = text[pos:], 0

    def _error(self, message: str, pos: int) -> FileRejected:
        """FileRejected with json.loads's message for an error at self.text[pos]."""
        lines = self.text.count("\n", 0, pos)
        where = self.offset + pos
        column = pos - self.text.rfind("\n", 0, pos) if lines else where - self.line_start + 1
        return FileRejected(
            "unreadable_file",
            f"not valid JSON: {message}: line {self.lines + lines + 1} column {column} "
            f"(char {where})",
        )

    def _space(self) -> str:
        """Skip whitespace; the next character, or '' at the end of the document."""
        while True:
            self.pos = _JSON_SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._more():
                return ""

    def _value(self, scan: Callable[[str, int], tuple[object, int]] | None = None) -> object:
        """The JSON value at self.pos (after _space), read by `scan` (default: self.scan)."""
        scan = scan or self.scan
        while True:
            try:
                value, end = scan(self.text, self.pos)
            except StopIteration as err:
                if self._more():
                    continue
                raise self._error("Expecting value", err.value) from None
            except json.JSONDecodeError as err:
                if self._more():
                    continue
                raise self._error(err.msg, err.pos) from None
            except (ValueError, RecursionError) as err:  # NaN or Infinity; nesting too deep
                raise FileRejected("unreadable_file", f"not valid JSON: {err}") from None
            if self.text[self.pos] in _NUMBER_START and self._may_go_on(end) and self._more():
                continue  # the number may go on in what was not read yet
            self.pos = end
            return value

    def _may_go_on(self, end: int) -> bool:
        """Whether a number ending at `end` reaches the end of the text read so far."""
        return _NUMBER_TAIL.match(self.text, end).end() == len(self.text)  # type: ignore[union-attr]

    def _blank(self) -> bool:
        """Whether the rest of the document is whitespace of any kind (as str.strip sees it):
        such a file is empty, not invalid JSON."""
        while self.text[self.pos :].isspace():
            self.pos = len(self.text)
            if not self._more():
                return True
        return False

    def _key(self) -> str:
        """The key of an object member at self.pos (a '"'), and past its ':'."""
        while True:
            try:
                key, end = scanstring(self.text, self.pos + 1, True)
            except json.JSONDecodeError as err:
                if self._more():
                    continue
                raise self._error(err.msg, err.pos) from None
            colon = _COLON.match(self.text, end)
            if colon is None:
                end = _JSON_SPACE.match(self.text, end).end()  # type: ignore[union-attr]
                if end == len(self.text) and self._more():
                    continue
                raise self._error("Expecting ':' delimiter", end)
            self.pos = colon.end()
            return key

    # -- the document ------------------------------------------------------------------------

    def batches(self) -> Iterator[ReadResult]:
        """The observations in batches of `rows` (None: one batch), the last after the
        whole document was read and found acceptable."""
        start = self._space()
        if not start or start.isspace() and self._blank():
            raise FileRejected("empty_file", "the file is empty")
        if start == "{" and self.rows is not None and self.head is None:
            self.keep = False  # read the top level first: its period is every row's default
        if start == "{":
            yield from self._object()
        elif start == "[":
            yield from self._array()
        else:
            self._value()
        if self._space():
            raise self._error("Extra data", self.pos)
        if self.lone_surrogate or self.surrogates and self._top_surrogate():
            raise FileRejected(
                "unreadable_file", "the JSON contains an invalid \\u escape (a lone surrogate)"
            )
        if start not in ("{", "["):
            raise FileRejected("unreadable_file", "the JSON document must be an object or an array")
        head = _head(self.members) if start == "{" else _Head()
        if not self.read:
            raise FileRejected("empty_file", "the file contains no observations")
        self.head = self.head or head
        if self.keep and (self.problems or self.first == 1):
            yield self._batch()

    def _top_surrogate(self) -> bool:
        return any(
            _SURROGATE.search(key + ("" if type(value) is _Array else json_text(value)))
            for key, _, value in self.members
        )

    def _object(self) -> Iterator[ReadResult]:
        self.pos += 1
        char = self._space()
        if char == "}":
            self.pos += 1
            return
        while True:
            if char != '"':
                raise self._error("Expecting property name enclosed in double quotes", self.pos)
            key = self._key()
            name = field_name(key)
            if self._space() == "[" and name == "observations":
                self.members.append((key, name, _Array()))
                yield from self._array()
            else:
                self.members.append((key, name, self._value()))
            char = self._space()
            if char == "}":
                self.pos += 1
                return
            if char != ",":
                raise self._error("Expecting ',' delimiter", self.pos)
            self.pos += 1
            char = self._space()

    def _array(self) -> Iterator[ReadResult]:
        self.pos += 1
        if self._space() == "]":
            self.pos += 1
            return
        while True:
            self._space()
            start = self.offset + self.pos
            item = self._value(None if self.keep else _SKIM.scan_once)
            if self.pos > _CHUNK and 2 * self.pos > len(self.text):
                self._forget()  # before the record: a huge observation's text is not kept
            self._add(item, self.offset + self.pos - start)
            del item
            if self.rows and len(self.problems) == self.rows:
                yield self._batch()
            elif self.read % _PART_ROWS == 0 and self.keep:
                self._share(len(self.problems) - _PART_ROWS)
            char = self._space()
            if char == "]":
                self.pos += 1
                return
            if char != ",":
                raise self._error("Expecting ',' delimiter", self.pos)
            self.pos += 1

    def _add(self, item: object, length: int) -> None:
        """One observation into the columns of the batch."""
        self.read += 1
        if not self.keep:
            if self.surrogates and _SURROGATE.search(json_text(item)):
                self.lone_surrogate = True
            return
        unusual = self.scan.unusual or length > _LONG_OBSERVATION
        record = _as_sent(item) if unusual else _RECORD_ENCODER.encode(item)
        self.records.append(record)
        if self.surrogates and _SURROGATE.search(record):
            self.lone_surrogate = True
        if type(item) is dict and _FIELD_SET.issuperset(item):  # the usual observation
            get = item.get
            for name, append in self.appenders:
                append(get(name))
            self.problems.append(None)
        elif isinstance(item, dict):
            values, problem = self._fields(item)
            for (_, append), value in zip(self.appenders, values, strict=True):
                append(value)
            self.problems.append(problem)
        else:
            for _, append in self.appenders:
                append(None)
            self.not_objects.append(len(self.problems))
            self.problems.append(_NOT_AN_OBJECT)

    def _fields(self, item: dict[str, object]) -> tuple[list[object], str | None]:
        """The value of each field of an observation that repeats a key, or has a key other
        than a field as FIELDS spells it: 'Region' and ' METRIC ' name fields too."""
        pairs = item.pairs if type(item) is _RepeatedKeys else list(item.items())
        found: dict[str, list[tuple[str, object]]] = {}
        for key, value in pairs:
            name = self.names.get(key)
            if name is None:
                name = self.names[key] = field_name(key)
            if name in _FIELD_SET:
                found.setdefault(name, []).append((key, value))
        repeated = _repeated_keys(pairs) if type(item) is _RepeatedKeys else []
        problems = [f"the observation repeats the key(s) {_keys(repeated)} with different values"]
        problems = problems[: bool(repeated)] + _naming_problems(found, "the observation")
        values = [found[name][-1][1] if name in found else None for name in FIELDS]
        return values, "; ".join(problems) or None

    def _share(self, start: int) -> None:
        """_share_repeats for the rows from `start` on, in a file of many rows; the columns
        other than value are made text first (the rest of the batch is, in _batch)."""
        if self.read < _PART_ROWS or start < 0:
            return
        for name, column in self.columns.items():
            part = column[start:]
            if name != "value" and not is_text(part):
                column[start:] = map(_field_text, part)
        _share_repeats(self.columns, self.known, start)

    def _batch(self) -> ReadResult:
        """The rows read since the last batch, each field other than value as text, with
        the top-level period where a row has none."""
        head = self.head or _Head()
        default = _field_text(head.period)
        for name, column in self.columns.items():
            if name != "value" and not is_text(column):
                column[:] = map(_field_text, column)
            if name == "period" and default is not None:
                column[:] = [default if value is None else value for value in column]
                for i in self.not_objects:
                    column[i] = None
        count = len(self.problems)
        self._share(count - count % _PART_ROWS)
        result = ReadResult(
            list(range(self.first, self.first + count)), self.columns, self.records,
            self.problems, None, head.submitted_at, head.declared_submitter, list(head.notes),
            head.submitted_at_raw,
        )  # fmt: skip
        self.first += count
        self._new_batch()
        return result


def read_json(source: str | TextSource) -> ReadResult:
    """Every observation of a JSON file (see read_json_batches)."""
    return _only(read_json_batches(lambda: source))


def read_json_batches(
    open_text: Callable[[], str | TextSource], rows: int | None = None
) -> Iterator[ReadResult]:
    """A JSON file's observations in batches of `rows`, or in one batch. `open_text` gives
    the text, or a text stream over it; in batches an object document is read twice
    (the second time from a new stream): first its top level, which may come after the
    observations, since its period is the default of every row."""
    reader = _JsonReader(open_text(), rows, None)
    yield from reader.batches()
    if not reader.keep:
        yield from _JsonReader(open_text(), rows, reader.head).batches()
