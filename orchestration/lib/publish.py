"""Write-audit-publish: copy the audited marts into a new file and rename it over the
published warehouse in one atomic step.

BI tools hold the published file open read-only at any time. The pipeline never writes
that file: it writes `.<name>.<run>.tmp` beside it and renames. A reader that opened the
old file keeps reading it; the next reader opens the new one. A refresh killed at any
point leaves at most a stray temp file (and its WAL), removed by the next publish.

After a build by key, the new file is a copy of the published one with the rebuilt keys
of the large tables replaced and every other table copied whole: the large tables are
most of the file and a new submission changes few of their rows. Row counts equal to the
state's are checked before the rename; anything else (no published file, other tables, a
count that differs) publishes every table whole.

The file is written in the storage format of an older DuckDB release (storage_version()),
so that BI tools with a DuckDB 1.x client open it.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.lib.faults import fail_point
from orchestration.lib.settings import duckdb_memory_limit, storage_version
from orchestration.lib.table_facts import quote_identifier as _quote_identifier

PUBLISHED_SCHEMA = "marts"
# what DuckDB reads beside a database file `<db>` when it opens it: `<db>.wal`, and the
# checkpoint and recovery WALs a checkpoint that was cut short leaves
WAL_SUFFIXES = (".wal", ".wal.checkpoint", ".wal.recovery")


# the rows of a table rebuilt by key that a build replaced, by the kind of its keys (see
# dbt_project/macros/pending_keys.sql): the state's pending keys at publish time
KEY_FILTERS = {
    "observations": "(region_code, period) in "
    "(select region_code, period from state.raw.pending_model_keys)",
    "figures": "(region_code, left(period, 4)) in "
    "(select region_code, year from state.intermediate.int_pending_figure_keys)",
    "ranks": "(region_code, left(period, 4)) in "
    "(select region_code, year from state.intermediate.int_pending_rank_keys)",
}


@dataclass(frozen=True)
class Published:
    counts: dict[str, int]  # rows per table
    # stray WALs of the previous file, moved out of the new file's way (they may hold
    # writes a BI user made to it)
    moved_aside: list[Path]
    by_key: bool  # the rebuilt keys replaced in a copy of the published file


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


def _copy_table(conn: duckdb.DuckDBPyConnection, table: str, comment: str | None) -> None:
    name = f"{PUBLISHED_SCHEMA}.{_quote_identifier(table)}"
    conn.execute(f"create table {name} as select * from state.{name}")
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


def _replace_keys(conn: duckdb.DuckDBPyConnection, table: str, keys: str) -> None:
    name = f"{PUBLISHED_SCHEMA}.{_quote_identifier(table)}"
    conn.execute(f"delete from {name} where {KEY_FILTERS[keys]}")
    conn.execute(f"insert into {name} select * from state.{name} where {KEY_FILTERS[keys]}")


def _table_names(conn: duckdb.DuckDBPyConnection, database: str) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = ?",
            [database, PUBLISHED_SCHEMA],
        ).fetchall()
    }


def _write(
    state_db: Path, temp: Path, run_id: str, published_at: datetime,
    by_key: Mapping[str, str] | None,
) -> dict[str, int] | None:  # fmt: skip
    """Write the new file at `temp`: every table copied, or (by_key) the published tables
    with the rebuilt keys replaced. None when a by-key file would not equal the state."""
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
        if by_key is None:
            _attach_published(conn, temp)
        else:
            conn.execute(f"attach {_quote_literal(str(temp))} as published")
        conn.execute("use published")
        if by_key is None:
            conn.execute(f"create schema {PUBLISHED_SCHEMA}")
        elif _table_names(conn, "published") != _table_names(conn, "state") | {"publish_info"}:
            return None
        else:
            conn.execute(f"drop table {PUBLISHED_SCHEMA}.publish_info")
        tables = conn.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = 'state' and schema_name = ? order by table_name",
            [PUBLISHED_SCHEMA],
        ).fetchall()
        counts: dict[str, int] = {}
        for table, comment in tables:
            name = f"{PUBLISHED_SCHEMA}.{_quote_identifier(table)}"
            if by_key is not None and table in by_key:
                _replace_keys(conn, table, by_key[table])
            else:
                if by_key is not None:
                    conn.execute(f"drop table {name}")
                _copy_table(conn, table, comment)
            counts[table] = conn.execute(f"select count(*) from {name}").fetchone()[0]
            if (
                by_key is not None
                and counts[table]
                != conn.execute(f"select count(*) from state.{name}").fetchone()[0]
            ):
                return None
            fail_point("publish.after_copying_a_table")
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
        return counts
    finally:
        conn.close()


def publish(
    state_db: Path, target: Path, run_id: str, published_at: datetime,
    by_key: Mapping[str, str] | None = None,
) -> Published:  # fmt: skip
    """Publish every table of the state file's `marts` schema to `target`. `by_key` names
    the tables the last build rebuilt by key, each with the kind of its keys (KEY_FILTERS),
    when it built by key: their published rows are kept but for those keys."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(target)
    temp = target.with_name(f".{target.name}.{run_id}.tmp")
    counts = None
    if by_key is not None and target.is_file():
        shutil.copyfile(target, temp)
        counts = _write(state_db, temp, run_id, published_at, by_key)
        if counts is None:
            _remove_stale_temp_files(target)
    copied_by_key = counts is not None
    if counts is None:
        counts = _write(state_db, temp, run_id, published_at, None)
        assert counts is not None
    _fsync(temp)
    fail_point("publish.before_rename")
    moved_aside = _move_aside_stray_wals(target, run_id)
    os.replace(temp, target)
    _fsync(target.parent)
    return Published(counts, moved_aside, copied_by_key)
