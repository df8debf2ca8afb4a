"""BI clients of the warehouse after real refreshes of the samples: a DuckDB 1.x client
(the 1.5 command-line client) reads every mart, and a WAL that a BI user's client left
beside the file breaks neither readers nor the next refresh (see also
tests/unit/test_publish.py)."""

import json
import logging
from pathlib import Path

import dagster as dg

from orchestration.defs.warehouse.assets import MART_TABLES
from tests.conftest import copy_samples, query
from tests.unit.test_publish import BI_WRITER, cli, header_storage_version, run_bi_writer

MART_COMMENTS_SQL = (
    "select table_name, column_name, comment from duckdb_columns() "
    "where schema_name = 'marts' and comment is not null order by all"
)


def refresh_logging(instance: dg.DagsterInstance) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    """Run nightly_refresh in this process (as conftest.refresh does); return its result
    and the warnings it logged."""
    from orchestration.definitions import defs

    result = defs().resolve_job_def("nightly_refresh").execute_in_process(instance=instance)
    warnings = [
        entry.user_message
        for entry in instance.all_logs(result.run_id)
        if entry.level == logging.WARNING
    ]
    return result, warnings


def assert_1x_client_reads_the_publish_whole(warehouse: Path, run_id: str) -> None:
    """Every relation of schema marts, through the 1.5 client: the rows publish_info
    records, every value decoded, and the column comments DuckDB 2.0 reads too."""
    relations = cli(
        warehouse,
        "select table_name as name from duckdb_tables() where schema_name = 'marts' "
        "union all select view_name from duckdb_views() where schema_name = 'marts'",
    )
    names = {r["name"] for r in relations}
    assert names == {*MART_TABLES, "publish_info"}
    [info] = cli(warehouse, "select run_id, row_counts from marts.publish_info")
    assert info["run_id"] == run_id and set(info["row_counts"]) == set(MART_TABLES)
    for name in MART_TABLES:
        assert len(cli(warehouse, f"select * from marts.{name}")) == info["row_counts"][name]
    comments = cli(warehouse, MART_COMMENTS_SQL)
    assert [tuple(c.values()) for c in comments] == query(warehouse, MART_COMMENTS_SQL)
    assert {c["table_name"] for c in comments} >= {"fct_online_dossier_rate", "publish_info"}
    assert header_storage_version(warehouse) == 64


def test_a_duckdb_1x_client_reads_every_mart(landing: tuple[Path, Path]) -> None:
    root, warehouse = landing
    copy_samples(root)
    with dg.DagsterInstance.ephemeral() as instance:
        result, _ = refresh_logging(instance)
    assert_1x_client_reads_the_publish_whole(warehouse, result.run_id)


def test_a_wal_a_bi_client_left_breaks_neither_readers_nor_the_next_refresh(
    landing: tuple[Path, Path],
) -> None:
    root, warehouse = landing
    copy_samples(root)
    wal = warehouse.with_name(warehouse.name + ".wal")
    with dg.DagsterInstance.ephemeral() as instance:
        refresh_logging(instance)
        run_bi_writer(BI_WRITER, warehouse)
        assert wal.exists(), "the BI client's process died before it checkpointed"

        # before the fix, the feedback step (a reader of the new file) failed here
        result, warnings = refresh_logging(instance)

    assert result.success
    aside = warehouse.with_name(f"{warehouse.name}.wal.moved-aside-{result.run_id}")
    assert aside.exists() and not wal.exists()
    assert [w for w in warnings if "moved aside stray" in w] == [
        f"moved aside stray {aside}: it belonged to the previous file (a client that wrote "
        "to it did not close it cleanly) and may hold that client's writes"
    ]
    [published] = result.asset_materializations_for_node("published_warehouse")
    assert published.metadata["moved_aside"].value == [str(aside)]
    [feedback] = result.asset_materializations_for_node("province_feedback")
    assert feedback.metadata["submitters"].value > 0

    # nothing of what the BI client wrote reached the new publish
    assert (
        query(warehouse, "select table_name from duckdb_tables() where schema_name = 'main'") == []
    )
    counts = query(warehouse, "select row_counts from marts.publish_info")[0][0]
    for table, count in json.loads(counts).items():
        assert query(warehouse, f"select count(*) from marts.{table}") == [(count,)]
    assert_1x_client_reads_the_publish_whole(warehouse, result.run_id)
