"""Write-audit-publish: copy the audited marts into a new file and rename it over the
published warehouse in one atomic step.

BI tools hold the published file open read-only at any time. The pipeline never writes
that file: it writes `.<name>.<run>.tmp` beside it and renames. A reader that opened the
old file keeps reading it; the next reader opens the new one. A refresh killed at any
point leaves at most a stray temp file (and its WAL), removed by the next publish.

The file is written in the storage format of an older DuckDB release (storage_version()),
so that BI tools with a DuckDB 1.x client open it.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.lib.faults import fail_point
from orchestration.lib.settings import duckdb_memory_limit, storage_version

PUBLISHED_SCHEMA = "marts"
# what DuckDB reads beside a database file `<db>` when it opens it: `<db>.wal`, and the
# checkpoint and recovery WALs a checkpoint that was cut short leaves
WAL_SUFFIXES = (".wal", ".wal.checkpoint", ".wal.recovery")


@dataclass(frozen=True)
class Published:
    counts: dict[str, int]  # rows per table
    # stray WALs of the previous file, moved out of the new file's way (they may hold
    # writes a BI user made to it)
    moved_aside: list[Path]


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


def _remove_stale_temp_files(target: Path) -> None:
    """Remove what killed publishes left beside `target`: their temp files and the WALs
    DuckDB wrote beside those, and nothing else."""
    pattern = f".{glob.escape(target.name)}.*.tmp"
    for suffix in ("", *WAL_SUFFIXES):
        for stale in target.parent.glob(pattern + suffix):
            if stale.is_file():  # not the folder older versions spilled into (<temp>.tmp/)
                stale.unlink()


def _move_aside_stray_wals(target: Path, run_id: str) -> list[Path]:
    """Rename the WALs beside `target` to names DuckDB never reads. They belong to the
    file about to be replaced: left in place, DuckDB would replay them into the new file
    (storage versions before v1.4.0 do so silently) or refuse to open it."""
    moved = []
    for suffix in WAL_SUFFIXES:
        wal = target.with_name(target.name + suffix)
        aside = wal.with_name(f"{wal.name}.moved-aside-{run_id}")
        try:
            os.replace(wal, aside)
        except FileNotFoundError:
            continue
        moved.append(aside)
    return moved


def _attach_published(conn: duckdb.DuckDBPyConnection, temp: Path) -> None:
    version = storage_version()
    try:
        # the version comes from configuration too
        conn.execute(
            f"attach {_quote_literal(str(temp))} as published "
            f"(storage_version {_quote_literal(version)})"
        )
    except duckdb.InvalidInputException as error:
        raise ValueError(
            f"DIGIMETRICS_STORAGE_VERSION={version!r}: DuckDB {duckdb.__version__} cannot "
            f"write that storage version ({error})"
        ) from error


def publish(state_db: Path, target: Path, run_id: str, published_at: datetime) -> Published:
    """Publish every table of the state file's `marts` schema to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(target)
    temp = target.with_name(f".{target.name}.{run_id}.tmp")
    counts: dict[str, int] = {}
    # an in-memory database would spill into ./.tmp of whatever directory the refresh runs
    # in: spill into the pipeline's work directory instead
    config = {
        "memory_limit": duckdb_memory_limit(),
        "temp_directory": str(state_db.with_name("publish.spill")),
    }
    conn = duckdb.connect(":memory:", config=config)
    try:
        # the path comes from configuration, not from a submission; ATTACH takes no parameters
        conn.execute(f"attach {_quote_literal(str(state_db))} as state (read_only)")
        _attach_published(conn, temp)
        conn.execute("use published")
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
    moved_aside = _move_aside_stray_wals(target, run_id)
    os.replace(temp, target)
    _fsync(target.parent)
    return Published(counts, moved_aside)
