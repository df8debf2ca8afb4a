"""Write-audit-publish: copy the audited marts into a new file and rename it over the
published warehouse in one atomic step.

BI tools hold the published file open read-only at any time. The pipeline never writes
that file: it writes `.<name>.<run>.tmp` beside it and renames. A reader that opened the
old file keeps reading it; the next reader opens the new one. A refresh killed at any
point leaves at most a stray temp file, removed by the next publish.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.lib.faults import fail_point
from orchestration.lib.settings import duckdb_memory_limit

PUBLISHED_SCHEMA = "marts"


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(state_db: Path, target: Path, run_id: str, published_at: datetime) -> dict[str, int]:
    """Publish every table of the state file's `marts` schema to `target`; return row counts."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink()
    temp = target.with_name(f".{target.name}.{run_id}.tmp")
    counts: dict[str, int] = {}
    conn = duckdb.connect(str(temp), config={"memory_limit": duckdb_memory_limit()})
    try:
        # the path comes from configuration, not from a submission; ATTACH takes no parameters
        conn.execute(f"attach {_quote_literal(str(state_db))} as state (read_only)")
        conn.execute(f"create schema {PUBLISHED_SCHEMA}")
        tables = conn.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = 'state' and schema_name = ? order by table_name",
            [PUBLISHED_SCHEMA],
        ).fetchall()
        for table, comment in tables:
            name = f"{PUBLISHED_SCHEMA}.{_quote_identifier(table)}"
            conn.execute(f"create table {name} as select * from state.{name}")
            counts[table] = conn.execute(f"select count(*) from {name}").fetchone()[0]
            fail_point("publish.after_copying_a_table")
            if comment:
                conn.execute(f"comment on table {name} is {_quote_literal(comment.strip())}")
            for column, column_comment in conn.execute(
                "select column_name, comment from duckdb_columns() where database_name = 'state' "
                "and schema_name = ? and table_name = ? and comment is not null",
                [PUBLISHED_SCHEMA, table],
            ).fetchall():
                conn.execute(
                    f"comment on column {name}.{_quote_identifier(column)} is "
                    f"{_quote_literal(column_comment.strip())}"
                )
        conn.execute(
            f"create table {PUBLISHED_SCHEMA}.publish_info as select ?::varchar as run_id, "
            "?::timestamptz as published_at, ?::json as row_counts",
            [run_id, published_at, json.dumps(counts, sort_keys=True)],
        )
        conn.execute(
            f"comment on table {PUBLISHED_SCHEMA}.publish_info is "
            "'The refresh that produced this file: every table here comes from this one run.'"
        )
        conn.execute(
            f"comment on column {PUBLISHED_SCHEMA}.publish_info.row_counts is "
            "'Rows per table at publish time: a reader can check it sees one whole publish.'"
        )
        conn.execute("detach state")
        conn.execute("checkpoint")
    finally:
        conn.close()
    _fsync(temp)
    fail_point("publish.before_rename")
    os.replace(temp, target)
    _fsync(target.parent)
    return counts
