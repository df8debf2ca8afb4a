"""Parsing the files the ledger holds as pending, or flagged to be decided again.

Each file gets one decision: its rows are parsed, or it is rejected as a whole, or it is
a duplicate of bytes already parsed under another path. Bytes that were only ever
rejected get a fresh decision at another path (contract section 5), so copies of a file
are decided one at a time, in first-seen order, until one is parsed. A file that cannot
be read at all (gone, no permission) is rejected as `unreadable_file` and tried again on
every refresh; one decided before keeps its earlier outcome while it cannot be read.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from orchestration.lib.decisions import mark_redecisions
from orchestration.lib.display import shown
from orchestration.lib.faults import fail_point
from orchestration.lib.landing import (
    open_path,
    read_error_message,
    read_submission,
    sha256_of_bytes,
)
from orchestration.lib.parsing import PARSED_SCHEMA, ParsedSubmission, parse_submission
from orchestration.lib.rules import SEVERITY_BY_RULE, FileRejected, Finding
from orchestration.lib.settings import DEFAULT_TIMEZONE


@dataclass
class ParseSummary:
    files_parsed: int = 0
    files_rejected: int = 0
    rows_parsed: int = 0
    duplicates: int = 0  # decided as copies of bytes parsed under another path
    redecided: int = 0  # decided before, flagged because what they depended on changed
    kept: int = 0  # decided before and could not be read again: their outcome stands
    processes: int = 1  # that read and parsed the files


def _add_file_findings(conn: duckdb.DuckDBPyConnection, seq: int, findings: list[Finding]) -> None:
    for f in findings:
        conn.execute(
            "insert into raw.file_issues values (?, ?, ?, ?, ?, ?)",
            [seq, f.rule, SEVERITY_BY_RULE[f.rule], f.field, f.raw_value, f.message],
        )


def _check_file(
    rel_path: str, submitter: str | None, file_format: str | None, known_submitters: set[str]
) -> None:
    """File-level rules that need no reading of the content."""
    if submitter is None:
        raise FileRejected(
            "submitter_mismatch",
            f"'{shown(rel_path)}' lies in the landing root; put it in a folder named after "
            "the submitting region's code, e.g. VN-36/",
        )
    if submitter.upper() not in known_submitters:
        raise FileRejected(
            "submitter_mismatch",
            f"folder '{shown(submitter)}' is not a known region code; name the folder after "
            "the submitting region's code, e.g. VN-36",
        )
    if file_format is None:
        raise FileRejected(
            "unreadable_file",
            f"'{shown(Path(rel_path).suffix or rel_path)}' files are not read: send .csv or .json",
        )


def effective_submitted_at(
    stated: datetime | None, first_seen_at: datetime, timezone: str
) -> tuple[datetime | None, bool]:
    """The submitted_at that orders the file, in UTC, and whether the stated one was in
    the future: a time without an offset is in `timezone`; one later than the moment the
    file was first seen is ignored (contract section 5), as is one that has no UTC time
    (beyond year 9999 or before year 1 there)."""
    if stated is None:
        return None, False
    if stated.tzinfo is None:
        stated = stated.replace(tzinfo=ZoneInfo(timezone))
    try:
        in_utc = stated.astimezone(UTC)
    except OverflowError:
        return None, stated.year > first_seen_at.year
    if in_utc > first_seen_at:
        return None, True
    return in_utc, False


# Below this many bytes pending (DIGIMETRICS_PARALLEL_PARSE_MIN_BYTES), files are read in
# this process: starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024
# Parsed files are committed in groups of about this many rows
# (DIGIMETRICS_PARSE_COMMIT_ROWS): committing each small file on its own costs more than
# parsing it.
COMMIT_ROWS = 250_000


def _parallel_min_bytes() -> int:
    return int(os.environ.get("DIGIMETRICS_PARALLEL_PARSE_MIN_BYTES") or PARALLEL_MIN_BYTES)


@dataclass(frozen=True)
class _QueuedFile:
    """A ledger row to decide (pending) or decide again (flagged)."""

    seq: int
    sha: str
    rel_path: str
    path_bytes: bytes | None
    submitter: str | None
    file_format: str | None
    size_bytes: int | None
    mtime_ns: int | None
    first_seen_at: datetime
    status: str  # pending, or the earlier outcome: parsed, rejected

    @property
    def decided_before(self) -> bool:
        return self.status != "pending"


@dataclass
class _ParsedFile:
    """A parsed file as a worker sends it back: its rows already one Arrow table, which
    crosses between processes as a few buffers, not millions of Python objects."""

    submission: ParsedSubmission  # its `columns` emptied: they travel as `rows`
    rows: pa.Table


@dataclass(frozen=True)
class _Unreadable:
    """The file could not be read (gone, no permission, changed while being read)."""

    message: str


_Outcome = _ParsedFile | FileRejected | _Unreadable


@dataclass(frozen=True)
class _Reading:
    """What every decision is made against."""

    root: Path
    kinds: dict[str, str]
    known_submitters: set[str]
    max_bytes: int


def parse_pending_files(
    conn: duckdb.DuckDBPyConnection,
    root: Path,
    kinds: dict[str, str],
    known_submitters: set[str],
    max_bytes: int,
    timezone: str = DEFAULT_TIMEZONE,
) -> ParseSummary:
    """Decide every pending file, and every file whose decision depended on something that
    changed. Files are read and parsed on every core; they are recorded here in ledger
    order, a transaction for every COMMIT_ROWS rows or so (a file's rows, its ledger status
    and the removal of its earlier outcome always commit together)."""
    summary = ParseSummary(redecided=mark_redecisions(conn, kinds, max_bytes))
    reading = _Reading(root, kinds, known_submitters, max_bytes)
    while True:
        summary.duplicates += _settle_duplicates(conn)
        queue = _next_reads(conn)
        if not queue:
            return summary
        _read_and_record(conn, queue, reading, timezone, summary)


def _settle_duplicates(conn: duckdb.DuckDBPyConnection) -> int:
    """Queued rows whose bytes another row holds as parsed become its duplicates."""
    rows = conn.execute(
        """
        with owners as (
            select file_sha256, min_by(file_path, file_seq) as owner_path
            from raw.file_ledger where ingest_status = 'parsed' and not redecide
            group by file_sha256
        )
        select l.file_seq, owners.owner_path
        from raw.file_ledger l join owners using (file_sha256)
        where (l.ingest_status = 'pending' or l.redecide) and l.ingest_status <> 'parsed'
        """
    ).fetchall()
    if not rows:
        return 0
    conn.execute("begin transaction")
    for seq, owner_path in rows:
        conn.execute("delete from raw.file_issues where file_seq = ?", [seq])
        conn.execute(
            "update raw.file_ledger set ingest_status = 'duplicate', duplicate_of = ?, "
            "redecide = false, read_error = false, rows_total = 0, encoding = null, "
            "delimiter = null, submitted_at = null where file_seq = ?",
            [owner_path, seq],
        )
    conn.execute("commit")
    return len(rows)


def _next_reads(conn: duckdb.DuckDBPyConnection) -> list[_QueuedFile]:
    """One queued row per SHA-256, in ledger order: the row holding the bytes as parsed
    first (it keeps them unless it is rejected now), else the first seen."""
    return [
        _QueuedFile(*row)
        for row in conn.execute(
            """
            select file_seq, file_sha256, file_path, path_bytes, submitter, format,
                size_bytes, mtime_ns, first_seen_at, ingest_status
            from raw.file_ledger
            where (ingest_status = 'pending' or redecide) and file_sha256 is not null
            qualify row_number() over (
                partition by file_sha256 order by ingest_status = 'parsed' desc, file_seq
            ) = 1
            order by file_seq
            """
        ).fetchall()
    ]


def _read_and_record(
    conn: duckdb.DuckDBPyConnection, queue: list[_QueuedFile], reading: _Reading,
    timezone: str, summary: ParseSummary,
) -> None:  # fmt: skip
    fail_point("parse.before_reading")
    read = partial(_read_one, reading=reading)
    with _file_reader(reading.root, queue) as (read_all, summary.processes):
        outcomes = zip(queue, read_all(read, queue), strict=True)
        for group in _groups(outcomes, _commit_rows()):
            conn.execute("begin transaction")
            try:
                for file, outcome in group:
                    _record(conn, file, outcome, reading, timezone, summary)
                _insert_rows(conn, [o.rows for _, o in group if isinstance(o, _ParsedFile)])
                fail_point("parse.before_commit")
                conn.execute("commit")
                fail_point("parse.after_commit")
            except BaseException:
                conn.execute("rollback")
                raise


def _commit_rows() -> int:
    return int(os.environ.get("DIGIMETRICS_PARSE_COMMIT_ROWS") or COMMIT_ROWS)


_Decided = tuple[_QueuedFile, _Outcome]


def _groups(outcomes: Iterator[_Decided], rows_per_group: int) -> Iterator[list[_Decided]]:
    """Consecutive outcomes, cut after a group holds `rows_per_group` rows."""
    group: list[_Decided] = []
    rows = 0
    for file, outcome in outcomes:
        group.append((file, outcome))
        rows += outcome.rows.num_rows if isinstance(outcome, _ParsedFile) else 0
        if rows >= rows_per_group:
            yield group
            group, rows = [], 0
    if group:
        yield group


def _insert_rows(conn: duckdb.DuckDBPyConnection, batches: list[pa.Table]) -> None:
    """Insert parsed rows in one statement: one large insert is written straight to the
    database file, where many small ones each pass through the write-ahead log."""
    if not batches:
        return
    conn.register("parsed_batch", pa.concat_tables(batches))
    try:
        conn.execute("insert into raw.parsed_observations by name select * from parsed_batch")
    finally:
        conn.unregister("parsed_batch")


@contextmanager
def _file_reader(root: Path, pending: list[_QueuedFile]) -> Iterator[tuple[Callable, int]]:
    """`map` in this process for a few small files, else over a pool of processes (one per
    core) that returns outcomes in order; and how many processes read."""
    total = sum(f.size_bytes or 0 for f in pending)
    cores = os.cpu_count() or 1
    if cores < 2 or len(pending) < 2 or total < _parallel_min_bytes():
        yield map, 1
        return
    context = multiprocessing.get_context("spawn")  # never fork a process running Dagster
    # workers import this module by name: the dagster CLI loads the project from its
    # working directory without leaving that on sys.path, which workers inherit
    project_root = str(Path(__file__).resolve().parents[2])
    if project_root not in sys.path:
        sys.path.append(project_root)
    workers = min(cores, 4)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield partial(_map_ahead, pool, ahead=2 * workers), workers


def _map_ahead(
    pool: Executor, function: Callable[[_QueuedFile], object],
    items: list[_QueuedFile], ahead: int,
) -> Iterator[object]:  # fmt: skip
    """`pool.map` that keeps at most `ahead` files in flight: the outcomes of files the
    workers parsed but this process has not recorded yet (Python rows, the bulk of a
    refresh's memory) never pile up beyond that, however slow the recording."""
    in_flight: deque[Future] = deque()
    for item in items:
        in_flight.append(pool.submit(function, item))
        if len(in_flight) > ahead:
            yield in_flight.popleft().result()
    while in_flight:
        yield in_flight.popleft().result()


def _read_one(file: _QueuedFile, *, reading: _Reading) -> _Outcome:
    """Read and parse one file: its parsed rows, why the whole file is rejected, or why it
    could not be read."""
    path = open_path(reading.root, file.rel_path, file.path_bytes)
    try:
        _check_file(file.rel_path, file.submitter, file.file_format, reading.known_submitters)
        if file.decided_before and _stat(path) != (file.size_bytes, file.mtime_ns):
            return _Unreadable("the file is no longer as it was when it was first read")
        data = read_submission(path, reading.max_bytes)
    except FileRejected as rejection:
        return rejection
    except OSError as err:
        return _Unreadable(read_error_message(err))
    if sha256_of_bytes(data) != file.sha:
        return _Unreadable(
            "the file changed while it was being read; its new contents are read as a new "
            "submission"
        )
    try:
        parsed = parse_submission(data, file.file_format or "", reading.kinds)
        declared = parsed.declared_submitter
        if declared is not None and declared.strip().upper() != (file.submitter or "").upper():
            raise FileRejected(
                "submitter_mismatch",
                f"the file declares submitter '{shown(declared)}' but lies in folder "
                f"'{shown(file.submitter or '')}'",
            )
    except FileRejected as rejection:
        return rejection
    rows = pa.table(
        {"file_sha256": [file.sha] * parsed.row_count, **parsed.columns}, schema=PARSED_SCHEMA
    )
    parsed.columns = {}
    return _ParsedFile(parsed, rows)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        info = path.lstat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _record(
    conn: duckdb.DuckDBPyConnection, file: _QueuedFile, outcome: _Outcome, reading: _Reading,
    timezone: str, summary: ParseSummary,
) -> None:  # fmt: skip
    """Store one file's outcome in place of its earlier one (the caller inserts the rows)."""
    if isinstance(outcome, _Unreadable) and file.decided_before:
        conn.execute("update raw.file_ledger set redecide = false where file_seq = ?", [file.seq])
        summary.kept += 1
        return
    if file.status == "parsed":
        _drop_parsed(conn, file.sha)
    conn.execute("delete from raw.file_issues where file_seq = ?", [file.seq])
    basis = {
        "submitter_known": (file.submitter or "").upper() in reading.known_submitters,
        "too_large": (file.size_bytes or 0) > reading.max_bytes,
        "seq": file.seq,
    }
    if not isinstance(outcome, _ParsedFile):
        unreadable = isinstance(outcome, _Unreadable)
        _add_file_findings(conn, file.seq, [Finding(
            "unreadable_file" if unreadable else outcome.rule, outcome.message)])  # fmt: skip
        conn.execute(
            "update raw.file_ledger set ingest_status = 'rejected', rows_total = 0, "
            "encoding = null, delimiter = null, submitted_at = null, duplicate_of = null, "
            "read_error = $unreadable, redecide = false, submitter_known = $submitter_known, "
            "too_large = $too_large where file_seq = $seq",
            basis | {"unreadable": unreadable},
        )
        # copies of these bytes were duplicates of this row: each gets a decision of its own
        conn.execute(
            "update raw.file_ledger set redecide = true "
            "where file_sha256 = ? and ingest_status = 'duplicate'",
            [file.sha],
        )
        summary.files_rejected += 1
        return
    parsed, batch = outcome.submission, outcome.rows
    submitted_at, in_future = effective_submitted_at(
        parsed.submitted_at, file.first_seen_at, timezone
    )
    findings = list(parsed.findings)
    if in_future:
        findings.append(_future_finding(parsed, file.first_seen_at, timezone))
    _add_file_findings(conn, file.seq, findings)
    conn.execute(
        "update raw.file_ledger set ingest_status = 'parsed', encoding = $encoding, "
        "delimiter = $delimiter, submitted_at = $submitted_at, rows_total = $rows, "
        "duplicate_of = null, read_error = false, redecide = false, "
        "submitter_known = $submitter_known, too_large = $too_large where file_seq = $seq",
        basis | {"encoding": parsed.encoding, "delimiter": parsed.delimiter,
                 "submitted_at": submitted_at, "rows": batch.num_rows},
    )  # fmt: skip
    summary.files_parsed += 1
    summary.rows_parsed += batch.num_rows


def _future_finding(parsed: ParsedSubmission, first_seen_at: datetime, timezone: str) -> Finding:
    stated = getattr(parsed, "submitted_at_raw", None) or str(parsed.submitted_at)
    seen = first_seen_at.astimezone(ZoneInfo(timezone))
    return Finding(
        "future_submitted_at",
        f"submitted_at '{shown(stated)}' is later than when the file arrived "
        f"({seen:%Y-%m-%d %H:%M:%S %z}); the file is ordered by its arrival instead. "
        "Check the clock of the system that wrote it",
        field="submitted_at",
        raw_value=stated,
    )


def _drop_parsed(conn: duckdb.DuckDBPyConnection, sha: str) -> None:
    """Remove a file's earlier parse and everything validated from it; the keys it had
    accepted rows for are rebuilt."""
    conn.execute(
        "insert into raw.pending_model_keys select distinct region_code, period "
        "from raw.validated_observations where file_sha256 = ?",
        [sha],
    )
    for table in ("validated_observations", "row_issues", "validated_files",
                  "parsed_observations"):  # fmt: skip
        conn.execute(f"delete from raw.{table} where file_sha256 = ?", [sha])
