"""The large dbt models rebuild only the (region, period) keys whose observations changed,
and the figure models the (region, year) keys above and after them: a refresh for one new
file leaves every other key's rows as they were and rebuilds the keys it touched. (That the
result equals a rebuild from scratch is checked by test_figures_by_key.py and the kill
trials, which compare a warehouse built by key over many runs with a clean one.)"""

import json
import os
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.warehouse.project import DBT_PROJECT_DIR, models_tagged
from orchestration.lib.settings import Settings
from tests.conftest import query, refresh, write_file

HEADER = "region,period,metric,value\n"
TAMPERED = 12.5


def _state(sql: str) -> list[tuple]:
    conn = duckdb.connect(str(Settings.from_env().state_db))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _hanoi_row(warehouse: Path) -> tuple:
    return query(
        warehouse,
        "select numerator, denominator, reported_rate_pct from marts.fct_online_dossier_rate "
        "where region_code = 'VN-HN' and period = '2024-Q1'",
    )[0]


# how the tests of the models rebuilt by key (macros/pending_keys.sql) narrow what they read
PENDING_FILTERS = (
    "(region_code, period) in (select region_code, period from raw.pending_model_keys)",
    "(region_code, left(period, 4)) in (select region_code, year from",
)


def _tests_read_pending_keys_only() -> set[bool]:
    """For each data test the last refresh ran on a model tested by key: whether it read the
    pending keys alone (its compiled SQL, from dbt's run_results.json)."""
    target = DBT_PROJECT_DIR / os.environ["DIGIMETRICS_DBT_TARGET_PATH"]
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    tested = {
        f"model.digimetrics.{name}"
        for tag in (
            "tested_by_key",
            "tested_by_figure_key",
            "tested_by_rank_key",
            "tested_by_series_key",
        )
        for name in models_tagged(tag)
    }
    verdicts = {
        any(text in result["compiled_code"] for text in PENDING_FILTERS)
        for result in results
        if result["unique_id"].startswith("test.")
        and tested & set(nodes[result["unique_id"]]["depends_on"]["nodes"])
    }
    assert verdicts, "no test of a model tested by key ran"
    return verdicts


def _refresh_without_models():
    from orchestration.definitions import defs

    selection = [
        dg.AssetKey(key)
        for key in (
            ["ingestion", "file_ledger"],
            ["ingestion", "parsed_observations"],
            ["ingestion", "file_issues"],
            ["ingestion", "validated_observations"],
            ["ingestion", "row_issues"],
            ["ingestion", "pending_model_keys"],
            ["ingestion", "validation_date"],
            ["published_warehouse"],
        )
    ]
    return defs().resolve_job_def("nightly_refresh").execute_in_process(asset_selection=selection)


def test_a_new_file_rebuilds_its_keys_only(landing: tuple[Path, Path]) -> None:
    root, warehouse = landing
    write_file(root, "VN-HN/2024-Q1.csv",
               HEADER + "VN-HN,2024-Q1,online_dossiers,700\nVN-HN,2024-Q1,total_dossiers,1000\n")  # fmt: skip
    assert refresh().success
    assert _hanoi_row(warehouse) == (700, 1000, None)
    assert _state("select count(*) from raw.pending_model_keys") == [(0,)]
    # the first build is from scratch: every key is pending, so the tests read every row
    # without matching each against the keys
    assert _tests_read_pending_keys_only() == {False}

    # a mark no rebuild of this key could produce: it survives as long as the key is not
    # rebuilt (by hand, in the pipeline's own state, never in a real warehouse)
    _state(
        f"update marts.fct_online_dossier_rate set reported_rate_pct = {TAMPERED} "
        "where region_code = 'VN-HN' and period = '2024-Q1'"
    )
    # and in the figures (rebuilt by region and year): Hanoi's, which the country's sum reads
    _state(
        "update intermediate.int_figures_as_reported set a = a + 1 "
        "where region_code = 'VN-HN' and period = '2024-Q1' and measure = 'online_dossiers'"
    )

    write_file(root, "VN-CT/2024-Q1.csv",
               HEADER + "VN-CT,2024-Q1,online_dossiers,300\nVN-CT,2024-Q1,total_dossiers,600\n")  # fmt: skip
    # a run of some assets only (as from the UI): ingestion and publish, no dbt. The key
    # it validated stays pending for the models it did not build.
    assert _refresh_without_models().success
    assert _state("select * from raw.pending_model_keys") == [("VN-CT", "2024-Q1")]
    assert refresh().success
    assert _tests_read_pending_keys_only() == {True}
    # the mark stays in the state's table; the publish, which copies the published file
    # and replaces the rebuilt keys, does not copy it either
    assert _state(
        "select numerator, denominator, reported_rate_pct from marts.fct_online_dossier_rate "
        "where region_code = 'VN-HN' and period = '2024-Q1'"
    ) == [(700, 1000, TAMPERED)], "an untouched key was rebuilt"
    assert _hanoi_row(warehouse) == (700, 1000, None)
    assert query(
        warehouse,
        "select numerator, denominator, rate_pct from marts.fct_online_dossier_rate "
        "where region_code = 'VN-CT'",
    ) == [(300, 600, 50.0)]
    # the country's quarter was rebuilt from Can Tho's new figure and Hanoi's kept one
    assert query(
        warehouse,
        "select value, derivation from marts.fct_metrics where metric_code = 'online_dossiers' "
        "and geography = 'as_reported' and region_code = 'VN' and period = '2024-Q1'",
    ) == [(701 + 300, "children_sum")]
    assert _state("select count(*) from raw.pending_model_keys") == [(0,)]

    # a correction for the key: rebuilt from its observations, the mark is gone
    write_file(root, "VN-HN/2024-Q1_v2.csv", HEADER + "VN-HN,2024-Q1,online_dossiers,750\n")
    assert refresh().success
    assert _hanoi_row(warehouse) == (750, 1000, None)
    assert query(warehouse, "select count(*) from marts.fct_online_dossier_rate") == [(2,)]
