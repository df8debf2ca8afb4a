"""Recording landed files in the ledger and parsing the new ones into the state file."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.lib.faults import fail_point
from orchestration.lib.landing import LandedFile, discover, sha256_of, sha256_of_bytes
from orchestration.lib.parsing import PARSED_SCHEMA, ParsedSubmission, parse_submission
from orchestration.lib.rules import SEVERITY_BY_RULE, FileRejected, Finding


@dataclass
class LedgerSummary:
    files_seen: int = 0
    new_files: int = 0
    duplicates: int = 0
    unchanged: int = 0


@dataclass
class ParseSummary:
    files_parsed: int = 0
    files_rejected: int = 0
    rows_parsed: int = 0
    processes: int = 1  # that read and parsed the files


def record_landed_files(
    conn: duckdb.DuckDBPyConnection, root: Path, now: datetime
) -> LedgerSummary:
    """Add every file not seen before to the ledger: new bytes as `pending`, known bytes
    under a new name as `duplicate`. Unchanged files (same path, size and mtime) are not
    hashed again."""
    summary = LedgerSummary()
    known_stats = {
        (path, size, mtime)
        for path, size, mtime in conn.execute(
            "select file_path, size_bytes, mtime_ns from raw.file_ledger"
        ).fetchall()
    }
    known = dict(
        conn.execute(
            "select file_sha256, min_by(file_path, file_seq) from raw.file_ledger "
            "where ingest_status <> 'duplicate' group by 1"
        ).fetchall()
    )
    seen_pairs = {
        tuple(r)
        for r in conn.execute("select file_path, file_sha256 from raw.file_ledger").fetchall()
    }
    next_seq = conn.execute(
        "select coalesce(max(file_seq), 0) + 1 from raw.file_ledger"
    ).fetchone()[0]
    for landed in discover(root):
        summary.files_seen += 1
        if (landed.rel_path, landed.size, landed.mtime_ns) in known_stats:
            summary.unchanged += 1
            continue
        sha = sha256_of(landed.path)
        if (landed.rel_path, sha) in seen_pairs:
            conn.execute(
                "update raw.file_ledger set size_bytes = ?, mtime_ns = ? "
                "where file_path = ? and file_sha256 = ?",
                [landed.size, landed.mtime_ns, landed.rel_path, sha],
            )
            summary.unchanged += 1
            continue
        status, duplicate_of = ("duplicate", known[sha]) if sha in known else ("pending", None)
        _insert_ledger_row(conn, landed, sha, next_seq, now, status, duplicate_of)
        fail_point("ledger.after_recording_a_file")
        seen_pairs.add((landed.rel_path, sha))
        known.setdefault(sha, landed.rel_path)
        next_seq += 1
        summary.new_files += 1
        summary.duplicates += status == "duplicate"
    return summary


def _insert_ledger_row(
    conn: duckdb.DuckDBPyConnection,
    landed: LandedFile,
    sha: str,
    seq: int,
    now: datetime,
    status: str,
    duplicate_of: str | None,
) -> None:
    conn.execute(
        "insert into raw.file_ledger (file_sha256, file_path, submitter, format, size_bytes, "
        "mtime_ns, file_seq, first_seen_at, ingest_status, duplicate_of) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [sha, landed.rel_path, landed.submitter, landed.format, landed.size, landed.mtime_ns,
         seq, now, status, duplicate_of],
    )  # fmt: skip


def _add_file_findings(conn: duckdb.DuckDBPyConnection, sha: str, findings: list[Finding]) -> None:
    for f in findings:
        conn.execute(
            "insert into raw.file_issues values (?, ?, ?, ?, ?, ?)",
            [sha, f.rule, SEVERITY_BY_RULE[f.rule], f.field, f.raw_value, f.message],
        )


def _check_file(
    path: Path, rel_path: str, submitter: str | None, file_format: str | None,
    known_submitters: set[str], max_bytes: int,
) -> None:  # fmt: skip
    """File-level rules that need no reading of the content."""
    if submitter is None:
        raise FileRejected(
            "submitter_mismatch",
            f"'{rel_path}' lies in the landing root; put it in a folder named after the "
            "submitting region's code, e.g. VN-36/",
        )
    if submitter.upper() not in known_submitters:
        raise FileRejected(
            "submitter_mismatch",
            f"folder '{submitter}' is not a known region code; name the folder after the "
            "submitting region's code, e.g. VN-36",
        )
    if file_format is None:
        raise FileRejected(
            "unreadable_file",
            f"'{Path(rel_path).suffix or rel_path}' files are not read: send .csv or .json",
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise FileRejected(
            "file_too_large",
            f"the file has {size:,} bytes, over the limit of {max_bytes:,} bytes; split it",
        )


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
class _PendingFile:
    sha: str
    rel_path: str
    submitter: str | None
    file_format: str | None


@dataclass
class _ParsedFile:
    """A parsed file as a worker sends it back: its rows already one Arrow table, which
    crosses between processes as a few buffers, not millions of Python objects."""

    submission: ParsedSubmission  # its `columns` emptied: they travel as `rows`
    rows: pa.Table


def parse_pending_files(
    conn: duckdb.DuckDBPyConnection,
    root: Path,
    kinds: dict[str, str],
    known_submitters: set[str],
    max_bytes: int,
) -> ParseSummary:
    """Parse every `pending` file of the ledger. Files are read and parsed on every core;
    they are recorded here in ledger order, a transaction for every COMMIT_ROWS rows or so
    (a file's rows and its ledger status always commit together)."""
    summary = ParseSummary()
    pending = [
        _PendingFile(*row)
        for row in conn.execute(
            "select file_sha256, file_path, submitter, format from raw.file_ledger "
            "where ingest_status = 'pending' order by file_seq"
        ).fetchall()
    ]
    read = partial(_read_one, root=root, kinds=kinds, known_submitters=known_submitters,
                   max_bytes=max_bytes)  # fmt: skip
    with _file_reader(root, pending) as (read_all, summary.processes):
        outcomes = zip(pending, read_all(read, pending), strict=True)
        for group in _groups(outcomes, _commit_rows()):
            conn.execute("begin transaction")
            try:
                for file, outcome in group:
                    rows = _record(conn, file.sha, outcome)
                    summary.files_parsed += rows is not None
                    summary.files_rejected += rows is None
                    summary.rows_parsed += rows or 0
                _insert_rows(conn, [o.rows for _, o in group if isinstance(o, _ParsedFile)])
                fail_point("parse.before_commit")
                conn.execute("commit")
                fail_point("parse.after_commit")
            except BaseException:
                conn.execute("rollback")
                raise
    return summary


def _commit_rows() -> int:
    return int(os.environ.get("DIGIMETRICS_PARSE_COMMIT_ROWS") or COMMIT_ROWS)


_Outcome = tuple[_PendingFile, _ParsedFile | FileRejected]


def _groups(outcomes: Iterator[_Outcome], rows_per_group: int) -> Iterator[list[_Outcome]]:
    """Consecutive outcomes, cut after a group holds `rows_per_group` rows."""
    group: list[_Outcome] = []
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
def _file_reader(root: Path, pending: list[_PendingFile]) -> Iterator[tuple[Callable, int]]:
    """`map` in this process for a few small files, else over a pool of processes (one per
    core) that returns outcomes in order; and how many processes read."""
    total = sum(_size(root / f.rel_path) for f in pending)
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
    pool: Executor, function: Callable[[_PendingFile], object],
    items: list[_PendingFile], ahead: int,
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


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_one(
    file: _PendingFile, *, root: Path, kinds: dict[str, str], known_submitters: set[str],
    max_bytes: int,
) -> _ParsedFile | FileRejected:  # fmt: skip
    """Read and parse one file: its parsed rows, or why the whole file is rejected."""
    path = root / file.rel_path
    try:
        _check_file(path, file.rel_path, file.submitter, file.file_format, known_submitters,
                    max_bytes)  # fmt: skip
        data = path.read_bytes()
        if sha256_of_bytes(data) != file.sha:
            raise FileRejected(
                "unreadable_file",
                "the file changed while it was being read; its new contents are read as a "
                "new submission",
            )
        parsed = parse_submission(data, file.file_format or "", kinds)
        declared = parsed.declared_submitter
        if declared is not None and declared.strip().upper() != (file.submitter or "").upper():
            raise FileRejected(
                "submitter_mismatch",
                f"the file declares submitter '{declared}' but lies in folder '{file.submitter}'",
            )
    except FileRejected as rejection:
        return rejection
    rows = pa.table(
        {"file_sha256": [file.sha] * parsed.row_count, **parsed.columns}, schema=PARSED_SCHEMA
    )
    parsed.columns = {}
    return _ParsedFile(parsed, rows)


def _record(
    conn: duckdb.DuckDBPyConnection, sha: str, outcome: _ParsedFile | FileRejected
) -> int | None:
    """Store one file's outcome; the number of rows parsed, or None when it was rejected."""
    if isinstance(outcome, FileRejected):
        _add_file_findings(conn, sha, [Finding(outcome.rule, outcome.message)])
        conn.execute(
            "update raw.file_ledger set ingest_status = 'rejected', rows_total = 0 "
            "where file_sha256 = ? and ingest_status = 'pending'",
            [sha],
        )
        return None
    parsed, batch = outcome.submission, outcome.rows  # the rows are inserted by the caller
    _add_file_findings(conn, sha, parsed.findings)
    conn.execute(
        "update raw.file_ledger set ingest_status = 'parsed', encoding = ?, delimiter = ?, "
        "submitted_at = ?, rows_total = ? where file_sha256 = ? and ingest_status = 'pending'",
        [parsed.encoding, parsed.delimiter, parsed.submitted_at, batch.num_rows, sha],
    )
    return batch.num_rows
