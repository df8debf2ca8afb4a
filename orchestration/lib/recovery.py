"""Rebuilding a damaged working state without losing what cannot be read again.

Everything in the state comes from the landing zone and the reference files, except when
each file was first seen, which orders resubmissions. Recovery sets the damaged file
aside (never deletes it) and starts a new state whose ledger holds every file known
before, in its first-seen order and with its first-seen time, as pending: the next
refresh reads them all again and makes every decision anew. The order comes from the
ledger's journal (journal.py), or, where there is none (a state an older version wrote),
from the last published `marts.submission_files`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.lib import journal, state


@dataclass(frozen=True)
class Recovery:
    set_aside: list[Path]
    files_restored: int
    source: str  # where the first-seen order came from


def recover_state(state_db: Path, journal_path: Path, warehouse: Path, now: datetime) -> Recovery:
    stamp = now.strftime("%Y%m%dT%H%M%S")
    set_aside = []
    for path in (state_db, state_db.with_name(state_db.name + ".wal")):
        if path.exists():
            aside = path.with_name(f"{path.name}.damaged-{stamp}")
            path.rename(aside)
            set_aside.append(aside)
    if journal_path.exists():
        entries, source = journal.read(journal_path), f"the journal {journal_path}"
    elif warehouse.exists():
        entries, source = _published_files(warehouse), f"the published {warehouse}"
    else:
        entries, source = [], "nothing (no journal, no publish): every file is new"
    with state.connect(state_db) as conn:
        journal.restore(conn, entries)
        journal.catch_up(conn, journal_path)
    return Recovery(set_aside, len(entries), source)


def _published_files(warehouse: Path) -> list[dict]:
    """The files of the last publish in their first-seen order (the table is written in
    that order)."""
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = conn.execute(
            "select file_sha256, file_path, size_bytes, first_seen_at "
            "from marts.submission_files where file_sha256 is not null order by rowid"
        ).fetchall()
    finally:
        conn.close()
    return [
        {"file_seq": seq, "file_sha256": sha, "file_path": path, "path_bytes": None,
         "size_bytes": size, "mtime_ns": None, "first_seen_at": seen}
        for seq, (sha, path, size, seen) in enumerate(rows, start=1)
    ]  # fmt: skip
