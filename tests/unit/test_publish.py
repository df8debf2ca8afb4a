"""Publishing over real DuckDB files: the published file opens in DuckDB 1.x clients (the
1.5 command-line client, run as a subprocess), a stray WAL a BI client left beside it is
moved aside instead of being replayed into the new file, and a publish killed half way
leaves nothing the next publish does not remove."""

import json
import os
import signal
import struct
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish import publish
from tests.conftest import REPO_ROOT, environment

CLI = Path(sys.executable).with_name("duckdb")  # the DuckDB 1.5 command-line client

# one table per kind of column the marts hold, with the comments dbt gives them
STATE_SQL = """
create schema marts;
create table marts.submission_files as
    select 'VN-HN/' || i || '.csv' as file_path, i::bigint as rows_total,
           i::integer as rows_accepted, now()::timestamptz as first_seen_at,
           i % 2 = 0 as is_even, 'processed' as status
    from range(5) t(i);
create table marts.data_quality_issues as
    select ('{"row": ' || i || '}')::json as detail, i / 3 as share,
           date '2024-01-01' + i::integer as period_start, 'VN-HN/' || i || '.csv' as file_path
    from range(3) t(i);
create table marts.empty_one (x varchar);
comment on table marts.submission_files is 'One row per landed file.  ';
comment on column marts.submission_files.status is 'processed, rejected or duplicate';
comment on column marts.data_quality_issues.detail is 'What was wrong, as JSON';
"""
MART_COMMENTS = [
    ("data_quality_issues", "detail", "What was wrong, as JSON"),
    ("submission_files", "status", "processed, rejected or duplicate"),
]

# A BI user opens the published file read-write, changes it, and their process dies
# before DuckDB checkpoints: the changes stay in the WAL beside the file.
BI_WRITER = """
import duckdb, os, sys
conn = duckdb.connect(sys.argv[1])
conn.execute("pragma disable_checkpoint_on_shutdown")
conn.execute("set checkpoint_threshold = '1TB'")
conn.execute("delete from marts.submission_files where rows_total < 3")
conn.execute("create table main.my_notes as select 'mine' as note")
os._exit(0)
"""
# ...or it dies during a checkpoint that a commit ran alongside: that commit goes to
# `<file>.wal.checkpoint`, which DuckDB reads through the checkpoint's mark in `<file>.wal`.
# Only a transaction already open when the checkpoint starts commits there (later ones wait
# for the checkpoint), so each round opens one, starts the checkpoint and commits while the
# checkpoint sleeps; a round whose commit beat the checkpoint's start waits longer.
BI_WRITER_KILLED_IN_CHECKPOINT = """
import duckdb, os, sys, threading, time
path = sys.argv[1]
conn = duckdb.connect(path)
conn.execute("pragma disable_checkpoint_on_shutdown")
conn.execute("set checkpoint_threshold = '1TB'")
conn.execute("delete from marts.submission_files where rows_total < 3")
conn.execute("create table if not exists main.my_notes (note varchar)")
conn.execute("set debug_checkpoint_sleep_ms = 3000")
writer, pause = conn.cursor(), 0.05
while True:
    writer.execute("begin")
    writer.execute("insert into main.my_notes values ('mine')")
    checkpoint = threading.Thread(target=conn.cursor().execute, args=("checkpoint",))
    checkpoint.start()
    time.sleep(pause)
    writer.execute("commit")
    if os.path.exists(path + ".wal.checkpoint"):
        os._exit(0)
    checkpoint.join()
    pause *= 2
"""
# publish() in a process of its own, to be killed at a fail point
PUBLISH = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from orchestration.lib.publish import publish
publish(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], datetime.now(UTC))
"""


@pytest.fixture
def state_db(tmp_path: Path) -> Path:
    path = tmp_path / "work" / "state.duckdb"
    path.parent.mkdir()
    conn = duckdb.connect(str(path))
    try:
        conn.execute(STATE_SQL)
    finally:
        conn.close()
    return path


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return tmp_path / "bi" / "digimetrics.duckdb"


def now() -> datetime:
    return datetime.now(UTC)


def cli(database: Path, sql: str) -> list[dict]:
    """Run `sql` in the DuckDB 1.5 command-line client over `database`, read-only."""
    done = subprocess.run(
        [str(CLI), "-readonly", "-json", str(database), "-c", sql],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and not done.stderr, done.stderr
    return json.loads(done.stdout)


def header_storage_version(database: Path) -> int:
    with database.open("rb") as handle:
        header = handle.read(20)
    assert header[8:12] == b"DUCK"
    return struct.unpack("<Q", header[12:20])[0]


def run_bi_writer(script: str, database: Path) -> None:
    subprocess.run([sys.executable, "-c", script, str(database)], check=True, timeout=120)


def assert_is_whole_publish(database: Path, run_id: str, in_1x_client: bool = True) -> None:
    """`database` opens read-only in DuckDB 2.0 (and in the 1.5 client), and holds exactly
    what `run_id` published: every table with the rows publish_info records, nothing else."""
    conn = duckdb.connect(str(database), read_only=True)
    try:
        (published_run, row_counts), *more = conn.execute(
            "select run_id, row_counts from marts.publish_info"
        ).fetchall()
        assert (published_run, more) == (run_id, [])
        expected = json.loads(row_counts)
        assert conn.execute(
            "select table_name from duckdb_tables() where table_name <> 'publish_info' order by 1"
        ).fetchall() == [(t,) for t in sorted(expected)]
        for table, count in expected.items():
            assert conn.execute(f"select count(*) from marts.{table}").fetchone()[0] == count
    finally:
        conn.close()
    if not in_1x_client:
        return
    [info] = cli(database, "select run_id, row_counts from marts.publish_info")
    assert info == {"run_id": run_id, "row_counts": expected}
    for table, count in expected.items():
        assert cli(database, f"select count(*) as n from marts.{table}") == [{"n": count}]


def test_published_file_opens_in_the_duckdb_1x_client(state_db: Path, target: Path) -> None:
    published = publish(state_db, target, "run-1", now())
    counts = {"data_quality_issues": 3, "empty_one": 0, "submission_files": 5}

    relations = cli(
        target,
        "select table_name as name from duckdb_tables() where schema_name = 'marts' "
        "union all select view_name from duckdb_views() where schema_name = 'marts' order by 1",
    )
    names = [r["name"] for r in relations]
    assert names == ["data_quality_issues", "empty_one", "publish_info", "submission_files"]
    [info] = cli(target, "select run_id, row_counts from marts.publish_info")
    assert info == {"run_id": "run-1", "row_counts": counts}
    for name in names:
        # every value of every column: the client decodes each type the marts use
        rows = cli(target, f'select * from marts."{name}"')
        assert len(rows) == (1 if name == "publish_info" else counts[name])
    assert cli(target, "select detail from marts.data_quality_issues where share = 0") == [
        {"detail": {"row": 0}}
    ]
    comments = cli(
        target,
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' and comment is not null order by all",
    )
    assert [tuple(c.values()) for c in comments if c["table_name"] != "publish_info"] == (
        MART_COMMENTS
    )
    assert cli(
        target, "select comment from duckdb_tables() where table_name = 'submission_files'"
    ) == [{"comment": "One row per landed file."}]
    assert published.counts == counts


@pytest.mark.parametrize(("setting", "version"), [(None, 64), ("v1.4.0", 67), ("v1.5.6", 68)])
def test_header_carries_the_configured_storage_version(
    state_db: Path, target: Path, setting: str | None, version: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        if setting is None:
            patch.delenv("DIGIMETRICS_STORAGE_VERSION", raising=False)
        else:
            patch.setenv("DIGIMETRICS_STORAGE_VERSION", setting)
        publish(state_db, target, "run-1", now())
    assert header_storage_version(target) == version
    assert cli(target, "select run_id from marts.publish_info") == [{"run_id": "run-1"}]


def test_a_storage_version_duckdb_does_not_know_fails_the_publish(
    state_db: Path, target: Path
) -> None:
    publish(state_db, target, "run-1", now())
    with (
        environment(DIGIMETRICS_STORAGE_VERSION="1.0"),
        pytest.raises(ValueError, match=r"DIGIMETRICS_STORAGE_VERSION='1\.0'.*v1\.0\.0"),
    ):
        publish(state_db, target, "run-2", now())
    assert_is_whole_publish(target, "run-1")  # the last good publish stays


@pytest.mark.parametrize("setting", [None, "v2.0.0"])
def test_a_stray_wal_is_moved_aside_not_replayed_into_the_new_file(
    state_db: Path, target: Path, setting: str | None
) -> None:
    """Left in place, the WAL of the previous file breaks the new one: formats from v1.4.0
    on refuse it ("WAL does not match database file"); older ones (the default, 64)
    replay it into the new file, deleting rows of the new publish without a word."""
    with pytest.MonkeyPatch.context() as patch:
        if setting:
            patch.setenv("DIGIMETRICS_STORAGE_VERSION", setting)
        publish(state_db, target, "run-1", now())
        run_bi_writer(BI_WRITER, target)
        wal = target.with_name(target.name + ".wal")
        assert wal.exists(), "the BI client's process died before it checkpointed"
        written = wal.read_bytes()

        published = publish(state_db, target, "run-2", now())

    assert_is_whole_publish(target, "run-2", in_1x_client=setting is None)
    aside = target.with_name(f"{target.name}.wal.moved-aside-run-2")
    assert published.moved_aside == [aside]
    assert aside.read_bytes() == written, "the BI user's writes are kept, beside the file"
    assert not wal.exists()


def test_a_writer_killed_in_a_checkpoint_leaves_two_wals_both_moved_aside(
    state_db: Path, target: Path
) -> None:
    publish(state_db, target, "run-1", now())
    strays = [target.with_name(target.name + s) for s in (".wal", ".wal.checkpoint")]
    run_bi_writer(BI_WRITER_KILLED_IN_CHECKPOINT, target)
    assert all(p.exists() for p in strays)

    published = publish(state_db, target, "run-2", now())

    assert_is_whole_publish(target, "run-2")
    assert published.moved_aside == [p.with_name(f"{p.name}.moved-aside-run-2") for p in strays]
    assert not any(p.exists() for p in strays)


def test_the_next_publish_removes_what_a_killed_publish_left(state_db: Path, target: Path) -> None:
    """Kill publish() with SIGKILL at its fail point after the first table, as in the kill
    trials: a half-written temp file stays, with the WAL of the table it copied."""
    publish(state_db, target, "run-1", now())
    killed = subprocess.run(
        [sys.executable, "-c", PUBLISH, str(state_db), str(target), "run-killed"],
        cwd=REPO_ROOT, env={**os.environ, "DIGIMETRICS_KILL_AT": "publish.after_copying_a_table"},
        start_new_session=True, timeout=120,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL
    temp = target.with_name(f".{target.name}.run-killed.tmp")
    assert temp.exists() and temp.with_name(temp.name + ".wal").exists()
    # what an earlier version of this code left: the WAL of a temp file it removed
    orphan = target.with_name(f".{target.name}.run-older.tmp.wal")
    orphan.write_bytes(temp.with_name(temp.name + ".wal").read_bytes())
    # names the pipeline never writes stay, whoever wrote them
    others = [
        target.with_name(n)
        for n in (
            f"{target.name}.wal.moved-aside-run-0",  # a BI user's writes, kept for them
            f".{target.name}.notes.txt",
            f".{target.name}.run-x.tmp.bak",
            ".other.duckdb.run-x.tmp",
            ".other.duckdb.run-x.tmp.wal",
            "digimetrics.tmp",
        )
    ]
    for path in others:
        path.write_text("not the pipeline's")

    publish(state_db, target, "run-2", now())

    left = sorted(p.name for p in target.parent.iterdir())
    assert left == sorted([target.name, *(p.name for p in others)])
    assert_is_whole_publish(target, "run-2")


def test_the_stale_file_cleanup_reads_the_warehouse_name_literally(
    state_db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "bi" / "digi[1].duckdb"
    target.parent.mkdir()
    neighbour = target.with_name(".digi1.duckdb.run-x.tmp")  # what `[1]` matches as a glob
    neighbour.write_text("not the pipeline's")
    publish(state_db, target, "run-1", now())
    assert neighbour.exists()


def test_a_long_lived_reader_sees_a_new_publish_only_once_it_reconnects(
    state_db: Path, target: Path
) -> None:
    """DuckDB keeps one database per file and process while any connection to it is open:
    a process that holds one keeps reading the file it opened, even through a new
    connection, until it closes them all (the README says so to BI users)."""
    publish(state_db, target, "run-1", now())
    held = duckdb.connect(str(target), read_only=True)
    try:
        publish(state_db, target, "run-2", now())
        second = duckdb.connect(str(target), read_only=True)
        assert second.execute("select run_id from marts.publish_info").fetchall() == [("run-1",)]
        second.close()
    finally:
        held.close()
    reopened = duckdb.connect(str(target), read_only=True)
    try:
        assert reopened.execute("select run_id from marts.publish_info").fetchall() == [("run-2",)]
    finally:
        reopened.close()
