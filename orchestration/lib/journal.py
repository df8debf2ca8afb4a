"""An append-only copy of the ledger's hashed rows, beside the state file.

Everything in the state can be read again from the landing zone except when each file
was first seen, which orders resubmissions. The journal keeps that outside DuckDB, one
JSON line per ledger row, so that a damaged state can be rebuilt without losing it
(recovery.py). The state is the authority: after every ledger commit the rows the journal
lacks (file_seq above its last line) are appended and synced; a refresh killed between the
two catches up at its next start.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.lib.landing import format_of, submitter_of

_FIELDS = ("file_seq", "file_sha256", "file_path", "path_bytes", "size_bytes", "mtime_ns",
           "first_seen_at")  # fmt: skip
_TAIL_BYTES = 64 * 1024


def last_seq(path: Path) -> int:
    """The file_seq of the journal's last complete line (0 for none)."""
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - _TAIL_BYTES))
        tail = handle.read()
    for line in reversed(tail.splitlines()):
        entry = _entry(line)
        if entry is not None:
            return int(entry["file_seq"])
    return 0


def catch_up(conn: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Append the hashed ledger rows the journal lacks; return how many. A state with an
    empty ledger beside a journal lost its rows (deleted, or recreated by recovery): they
    are restored from the journal first."""
    if path.exists() and not conn.execute("select count(*) from raw.file_ledger").fetchone()[0]:
        restore(conn, read(path))
    rows = conn.execute(
        f"select {', '.join(_FIELDS)} from raw.file_ledger "
        "where file_sha256 is not null and file_seq > ? order by file_seq",
        [last_seq(path)],
    ).fetchall()
    if not rows:
        return 0
    lines = []
    for row in rows:
        entry = dict(zip(_FIELDS, row, strict=True))
        entry["path_bytes"] = entry["path_bytes"].hex() if entry["path_bytes"] else None
        entry["first_seen_at"] = entry["first_seen_at"].isoformat()
        lines.append(json.dumps(entry, ensure_ascii=False) + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() and not _ends_with_newline(handle):
            handle.write(b"\n")  # a line cut short by a kill stays apart from the next
        handle.write("".join(lines).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    return len(rows)


def _ends_with_newline(handle) -> bool:
    handle.seek(-1, os.SEEK_END)
    last = handle.read(1)
    handle.seek(0, os.SEEK_END)
    return last == b"\n"


def _entry(line: bytes) -> dict | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and set(_FIELDS) <= set(entry) else None


def read(path: Path) -> list[dict]:
    """Every complete entry, in file_seq order, each file_seq once (its last line)."""
    entries: dict[int, dict] = {}
    with path.open("rb") as handle:
        for line in handle:
            entry = _entry(line)
            if entry is None:
                continue
            entry["path_bytes"] = (
                bytes.fromhex(entry["path_bytes"]) if entry["path_bytes"] else None
            )
            entry["first_seen_at"] = datetime.fromisoformat(entry["first_seen_at"])
            entries[int(entry["file_seq"])] = entry
    return [entries[seq] for seq in sorted(entries)]


def restore(conn: duckdb.DuckDBPyConnection, entries: list[dict]) -> int:
    """Put journal entries back into an empty ledger as `pending`: parsing reads every
    file again and settles duplicates in first-seen order, as the first time."""
    conn.execute("begin transaction")
    for entry in entries:
        conn.execute(
            "insert into raw.file_ledger (file_seq, file_sha256, file_path, path_bytes, "
            "submitter, format, size_bytes, mtime_ns, first_seen_at, ingest_status) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
            [entry["file_seq"], entry["file_sha256"], entry["file_path"], entry["path_bytes"],
             submitter_of(entry["file_path"]), format_of(entry["file_path"]),
             entry["size_bytes"], entry["mtime_ns"], entry["first_seen_at"]],
        )  # fmt: skip
    conn.execute("commit")
    return len(entries)
