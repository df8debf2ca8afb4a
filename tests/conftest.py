"""Shared helpers: temporary landing zones and warehouses, and real refreshes over them."""

import codecs
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# the contract's headless refresh (section 1), as a user types it
REFRESH_COMMAND = [
    str(Path(sys.executable).with_name("dagster")),
    *("job", "execute", "-m", "orchestration.definitions", "-j", "nightly_refresh"),
]
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
# parallel workers (pytest -n) refresh different warehouses at once: give each its own dbt
# target folder, inherited by the refreshes they start in subprocesses
os.environ["DIGIMETRICS_DBT_TARGET_PATH"] = (
    f"target/run-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
)


# The slowest files first: with `pytest -n 2 --dist loadfile --no-loadscope-reorder` (make
# test), xdist gives each worker two files to start with (1st and 3rd to one, 2nd and 4th
# to the other) and then each next file to whichever worker is free; starting with the
# longest keeps both busy to the end. (Without --no-loadscope-reorder xdist puts files with
# many tests first, and the one-test kill trials last.)
SLOWEST_FIRST = (
    "tests/faults/test_kill_points.py",
    "tests/integration/test_figures_by_key.py",
    "tests/faults/test_concurrency_and_readers.py",
    "tests/e2e/",
    "tests/hazards/",
    "tests/corpus/",
    "tests/integration/",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next(
            (n for n, prefix in enumerate(SLOWEST_FIRST) if item.nodeid.startswith(prefix)),
            len(SLOWEST_FIRST),
        )

    items.sort(key=rank)


def write_file(root: Path, rel_path: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write a submission; `encoding` may be utf-8-sig, utf-16-le-bom, utf-16-be-bom, cp1251…"""
    path = root / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        data = content
    elif encoding == "utf-16-le-bom":
        data = codecs.BOM_UTF16_LE + content.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + content.encode("utf-16-be")
    else:
        data = content.encode(encoding)
    path.write_bytes(data)
    return path


def write_json(root: Path, rel_path: str, document: object) -> Path:
    return write_file(root, rel_path, json.dumps(document, ensure_ascii=False, indent=1))


@contextmanager
def environment(**variables: str) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in variables.items():
            patch.setenv(name, value)
        yield


def refresh(raise_on_error: bool = True, instance=None):
    """One real run of the nightly_refresh job, in this process, with the current env (in
    `instance`, a DagsterInstance, when given: an ephemeral one otherwise)."""
    from orchestration.definitions import defs

    job = defs().resolve_job_def("nightly_refresh")
    return job.execute_in_process(raise_on_error=raise_on_error, instance=instance)


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Read the published warehouse the way a BI tool does: read-only."""
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        return conn.execute(sql, params or []).fetchall()
    finally:
        conn.close()


def published_tables(warehouse: Path, arrival: bool = True) -> dict[str, list[tuple]]:
    """Every published relation's rows, sorted, except the run stamp; without the times
    files were first seen (`arrival=False`), which differ between two refreshes that saw
    the same files at different times."""
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' "
                "and table_name <> 'publish_info' order by 1"
            ).fetchall()
        ]
        tables_rows = {}
        for table in tables:
            columns = [
                r[0]
                for r in conn.execute(
                    "select column_name from duckdb_columns() where schema_name = 'marts' "
                    "and table_name = ? order by column_index",
                    [table],
                ).fetchall()
                if arrival or r[0] != "first_seen_at"
            ]
            rows = conn.execute(f"select {', '.join(columns)} from marts.{table}").fetchall()
            tables_rows[table] = sorted(rows, key=repr)
        return tables_rows
    finally:
        conn.close()


@pytest.fixture
def landing(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """An empty landing zone and a warehouse path, configured through the environment."""
    root, warehouse = tmp_path / "landing", tmp_path / "bi" / "digimetrics.duckdb"
    root.mkdir()
    with environment(DIGIMETRICS_SOURCES_DIR=str(root), DIGIMETRICS_WAREHOUSE=str(warehouse)):
        yield root, warehouse


def copy_samples(destination: Path) -> None:
    shutil.copytree(REPO_ROOT / "sources" / "submissions", destination, dirs_exist_ok=True)


def cli_env(landing: Path, warehouse: Path, **extra: str) -> dict[str, str]:
    """The environment of a headless refresh over `landing` into `warehouse`: an
    ephemeral Dagster instance (no DAGSTER_HOME), as on a bare machine."""
    env = {
        **os.environ,
        "DIGIMETRICS_SOURCES_DIR": str(landing),
        "DIGIMETRICS_WAREHOUSE": str(warehouse),
        **extra,
    }
    env.pop("DAGSTER_HOME", None)
    return env


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built by one real refresh over the bundled samples, shared (read-only) by
    the test files that a pytest worker runs: the dashboard's and the samples' own."""
    base = tmp_path_factory.mktemp("samples")
    root, warehouse = base / "landing", base / "bi" / "digimetrics.duckdb"
    copy_samples(root)
    with environment(DIGIMETRICS_SOURCES_DIR=str(root), DIGIMETRICS_WAREHOUSE=str(warehouse)):
        assert refresh().success
    return warehouse


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
