"""The file ledger: every file seen in the landing zone, by path and SHA-256 of its bytes.

The ledger step only lists and hashes; reading a file's content is parsing's job
(ingest.py). A path that cannot even be hashed (no permission, a path too long, a folder
that cannot be listed) is recorded without a SHA-256, rejected as `unreadable_file`, and
tried again on every refresh until it can be read.

Every hashed row is also appended to a journal beside the state file (journal.py), so that
a damaged state can be rebuilt with the files' first-seen order (recovery.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.lib import journal
from orchestration.lib.faults import fail_point
from orchestration.lib.landing import (
    LandedFile,
    Unlisted,
    read_error_message,
    scan,
    sha256_of,
    submitter_of,
)
from orchestration.lib.rules import SEVERITY_BY_RULE


@dataclass
class LedgerSummary:
    files_seen: int = 0
    new_files: int = 0
    duplicates: int = 0
    unchanged: int = 0
    unreadable: int = 0  # paths that could not be hashed or listed (recorded, or already)
    vanished: int = 0  # listed, then gone before they could be hashed (renamed or removed)


def record_landed_files(
    conn: duckdb.DuckDBPyConnection, root: Path, now: datetime, journal_path: Path | None = None
) -> LedgerSummary:
    """Add every file not seen before: new bytes as `pending`, bytes already parsed under
    another path as `duplicate` (parsing settles the rest). Unchanged files (same path,
    size and mtime) are not hashed again. One transaction; the journal follows it."""
    if journal_path is not None:
        journal.catch_up(conn, journal_path)
    listing = scan(root)
    fail_point("ledger.after_listing")
    summary = LedgerSummary()
    known_stats, unhashed, owners, seen_pairs = set(), {}, {}, set()
    for seq, path, sha, size, mtime, status in conn.execute(
        "select file_seq, file_path, file_sha256, size_bytes, mtime_ns, ingest_status "
        "from raw.file_ledger order by file_seq"
    ).fetchall():
        if sha is None:
            unhashed[path] = seq
            continue
        known_stats.add((path, size, mtime))
        seen_pairs.add((path, sha))
        if status == "parsed":
            owners.setdefault(sha, path)
    next_seq = conn.execute(
        "select coalesce(max(file_seq), 0) + 1 from raw.file_ledger"
    ).fetchone()[0]
    problems = list(listing.unreadable)
    conn.execute("begin transaction")
    try:
        for landed in listing.files:
            summary.files_seen += 1
            if (landed.rel_path, landed.size, landed.mtime_ns) in known_stats:
                summary.unchanged += 1
                continue
            try:
                sha = sha256_of(landed.path)
            except FileNotFoundError:
                summary.vanished += 1  # its new name, if any, is listed by the next refresh
                continue
            except OSError as err:
                problems.append(Unlisted(landed.rel_path, read_error_message(err)))
                continue
            if landed.rel_path in unhashed:  # readable now: its bytes speak for it
                _forget(conn, unhashed.pop(landed.rel_path))
            if (landed.rel_path, sha) in seen_pairs:
                conn.execute(
                    "update raw.file_ledger set size_bytes = ?, mtime_ns = ? "
                    "where file_path = ? and file_sha256 = ?",
                    [landed.size, landed.mtime_ns, landed.rel_path, sha],
                )
                summary.unchanged += 1
                continue
            duplicate_of = owners.get(sha)
            _insert(conn, landed, sha, next_seq, now, duplicate_of)
            fail_point("ledger.after_recording_a_file")
            seen_pairs.add((landed.rel_path, sha))
            next_seq += 1
            summary.new_files += 1
            summary.duplicates += duplicate_of is not None
        for folder in listing.folders & unhashed.keys():  # a folder that can be listed now
            _forget(conn, unhashed.pop(folder))
        for problem in problems:
            summary.unreadable += 1
            if problem.rel_path not in unhashed:
                _insert_unreadable(conn, problem, next_seq, now)
                unhashed[problem.rel_path] = next_seq
                next_seq += 1
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    if journal_path is not None:
        journal.catch_up(conn, journal_path)
    return summary


def _insert(
    conn: duckdb.DuckDBPyConnection, landed: LandedFile, sha: str, seq: int, now: datetime,
    duplicate_of: str | None,
) -> None:  # fmt: skip
    conn.execute(
        "insert into raw.file_ledger (file_sha256, file_path, path_bytes, submitter, format, "
        "size_bytes, mtime_ns, file_seq, first_seen_at, ingest_status, duplicate_of) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [sha, landed.rel_path, landed.path_bytes, landed.submitter, landed.format, landed.size,
         landed.mtime_ns, seq, now, "duplicate" if duplicate_of else "pending", duplicate_of],
    )  # fmt: skip


def _insert_unreadable(
    conn: duckdb.DuckDBPyConnection, problem: Unlisted, seq: int, now: datetime
) -> None:
    conn.execute(
        "insert into raw.file_ledger (file_sha256, file_path, submitter, file_seq, "
        "first_seen_at, ingest_status, rows_total, read_error) "
        "values (null, ?, ?, ?, ?, 'rejected', 0, true)",
        [problem.rel_path, submitter_of(problem.rel_path), seq, now],
    )
    conn.execute(
        "insert into raw.file_issues (file_seq, rule, severity, message) values (?, ?, ?, ?)",
        [seq, "unreadable_file", SEVERITY_BY_RULE["unreadable_file"], problem.message],
    )


def _forget(conn: duckdb.DuckDBPyConnection, seq: int) -> None:
    """Drop the record of a path that could not be hashed, now that it can be."""
    conn.execute("delete from raw.file_issues where file_seq = ?", [seq])
    conn.execute("delete from raw.file_ledger where file_seq = ?", [seq])
