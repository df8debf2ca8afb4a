"""Refreshing again: only new files are read, later submissions supersede earlier ones,
and the same landing zone gives the same warehouse."""

from pathlib import Path

import duckdb

from orchestration.defs.quality.freshness_checks import FRESHNESS_CHECKS
from orchestration.lib.settings import Settings
from tests.conftest import published_tables, query, refresh, write_file, write_json


def _materialization_metadata(result, key: list[str]) -> dict:
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.path == key:
            return {k: v.value for k, v in materialization.metadata.items()}
    raise AssertionError(f"no materialization of {key}")


def _published_tables(warehouse: Path) -> dict[str, tuple[int, list[tuple[str, str]]]]:
    """table -> its rows and (column, type)s in the published file"""
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in query(
        warehouse,
        "select table_name, column_name, data_type from duckdb_columns() "
        "where schema_name = 'marts' and table_name <> 'publish_info' "
        "order by table_name, column_index",
    ):
        columns.setdefault(table, []).append((column, data_type))
    return {
        table: (query(warehouse, f"select count(*) from marts.{table}")[0][0], typed)
        for table, typed in columns.items()
    }


def _assert_marts_show_published_rows_and_types(result, warehouse: Path) -> None:
    published = _published_tables(warehouse)
    observations = [e.asset_observation_data.asset_observation for e in
                    result.get_asset_observation_events()]  # fmt: skip
    observed = {
        o.asset_key.path[-1]: {k: v.value for k, v in o.metadata.items()}
        for o in observations
        if o.asset_key.path[0] == "marts"
    }
    assert set(observed) == set(published)
    for table, (rows, typed) in published.items():
        for metadata in (observed[table], _materialization_metadata(result, ["marts", table])):
            assert metadata["dagster/row_count"] == rows, table
            columns = metadata["dagster/column_schema"].columns
            assert [(c.name, c.type) for c in columns] == typed, table
    # the intermediate tables show theirs too
    built = _materialization_metadata(result, ["intermediate", "int_observations_resolved"])
    assert built["dagster/row_count"] == 2
    assert ("value", "DOUBLE") in [(c.name, c.type) for c in built["dagster/column_schema"].columns]


def _assert_checks_over_no_rows_say_so(result) -> None:
    """Every check says how many rows it read; one that read none says it tested nothing."""
    # the freshness checks judge the published file against the clock and the schedules,
    # not rows of a table (their metadata says what they read)
    evaluations = [
        e for e in result.get_asset_check_evaluations() if e.asset_check_key not in FRESHNESS_CHECKS
    ]
    assert len(evaluations) > 100
    by_rows: dict[bool, list] = {True: [], False: []}
    for evaluation in evaluations:
        rows = evaluation.metadata["rows_tested"].value
        by_rows[rows == 0].append(evaluation)
        assert evaluation.passed
        assert (evaluation.description or "").startswith("nothing to test") == (rows == 0)
    names = {(e.asset_key.path[-1], e.check_name) for e in by_rows[True]}
    # one file of valid rows: no finding, no stated total to reconcile
    assert ("data_quality_issues", "gx_data_quality_issues") in names
    assert any(
        table == "int_total_mismatches" and check.startswith("not_null_columns_")
        for table, check in names
    )
    assert ("fct_online_dossier_rate", "gx_indicator_fact") not in names
    assert any(e.check_name.startswith("not_null_columns_fct_online") for e in by_rows[False])


def _assert_a_build_by_key_skips_what_reads_only_reference_data(result) -> None:
    """The reference data and the code are those of the last full build: the models and
    tests that read nothing else do not run; a test of a rebuilt model that checks it
    against reference data does."""

    def reads_only_reference_data(model: str) -> bool:
        return model.startswith("stg_reference__") or model == "int_region_ancestors"

    built = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert {"int_observations_resolved", "dim_region", "fct_online_dossier_rate"} <= built
    assert not any(map(reads_only_reference_data, built))
    # each check is on the model it tests
    checked = {(e.asset_key.path[-1], e.check_name) for e in result.get_asset_check_evaluations()}
    assert not any(reads_only_reference_data(model) for model, _ in checked)
    assert any(
        model == "stg_landing__observations"
        and check.startswith("relationships_stg_landing__observations_region_code")
        for model, check in checked
    )


def test_new_files_only_resubmission_and_history(landing: tuple[Path, Path]) -> None:
    root, warehouse = landing
    write_file(root, "VN-HN/2024-Q1.csv",
               "region,period,metric,value\nVN-HN,2024-Q1,online_dossiers,700\nVN-HN,2024-Q1,total_dossiers,1000\n")  # fmt: skip
    first = refresh()
    assert (
        _materialization_metadata(first, ["ingestion", "parsed_observations"])["files_parsed"] == 1
    )
    first_run = query(warehouse, "select run_id from marts.publish_info")[0][0]
    _assert_marts_show_published_rows_and_types(first, warehouse)
    _assert_checks_over_no_rows_say_so(first)
    assert query(
        warehouse, "select numerator, denominator, rate_pct from marts.fct_online_dossier_rate"
    ) == [(700, 1000, 70.0)]

    # nothing new: nothing parsed, the same marts
    before = published_tables(warehouse)
    second = refresh()
    assert (
        _materialization_metadata(second, ["ingestion", "parsed_observations"])["files_parsed"] == 0
    )
    assert _materialization_metadata(second, ["ingestion", "file_ledger"])["unchanged"] == 1
    assert published_tables(warehouse) == before
    assert query(warehouse, "select run_id from marts.publish_info")[0][0] != first_run

    # a correction without submitted_at: later because it was seen later
    write_file(
        root,
        "VN-HN/2024-Q1-correction.csv",
        "region,period,metric,value\nHà Nội,2024-Q1,online_dossiers,750\n",
    )
    third = refresh()
    assert (
        _materialization_metadata(third, ["ingestion", "parsed_observations"])["files_parsed"] == 1
    )
    assert query(warehouse, "select numerator, denominator from marts.fct_online_dossier_rate") == [
        (750, 1000)
    ]
    _assert_a_build_by_key_skips_what_reads_only_reference_data(third)

    # the same path overwritten with new bytes is a new submission, the old one stays in history
    write_file(
        root,
        "VN-HN/2024-Q1-correction.csv",
        "region,period,metric,value\nHà Nội,2024-Q1,online_dossiers,800\n",
    )
    refresh()
    assert query(warehouse, "select numerator from marts.fct_online_dossier_rate") == [(800,)]
    files = query(
        warehouse, "select file_path, status from marts.submission_files order by first_seen_at"
    )
    assert [f[0] for f in files] == [
        "VN-HN/2024-Q1.csv",
        "VN-HN/2024-Q1-correction.csv",
        "VN-HN/2024-Q1-correction.csv",
    ]
    state = duckdb.connect(str(Settings.from_env().state_db), read_only=True)
    try:
        history = state.execute(
            "select value, is_current from intermediate.int_observations_resolved "
            "where metric_code = 'online_dossiers' order by recency_rank"
        ).fetchall()
    finally:
        state.close()
    assert history == [(800.0, True), (750.0, False), (700.0, False)]


def test_delivery_order_does_not_change_the_warehouse(tmp_path: Path, monkeypatch) -> None:
    """The same files, delivered in two different orders over several runs, publish the
    same marts (files state submitted_at, so 'later' does not depend on arrival)."""
    documents = {
        "VN-36/a.json": {"submitter": "VN-36", "period": "2024", "submitted_at": "2025-01-10T00:00:00+07:00",
                         "observations": [{"region": "VN-36", "metric": "online_dossiers", "value": 100},
                                          {"region": "VN-36", "metric": "total_dossiers", "value": 400}]},
        "VN-36/b.json": {"submitter": "VN-36", "period": "2024", "submitted_at": "2025-02-10T00:00:00+07:00",
                         "observations": [{"region": "VN-36", "metric": "online_dossiers", "value": 300}]},
        "VN-36/c.json": {"submitter": "VN-36", "period": "2024", "submitted_at": "2025-03-10T00:00:00+07:00",
                         "observations": [{"region": "VN-36", "metric": "total_dossiers", "value": 500}]},
    }  # fmt: skip
    outcomes = []
    for deliveries in ([["a", "b", "c"]], [["c"], ["b", "a"]]):
        label = "-".join("".join(d) for d in deliveries)
        root, warehouse = tmp_path / label / "in", tmp_path / label / "wh.duckdb"
        root.mkdir(parents=True)
        monkeypatch.setenv("DIGIMETRICS_SOURCES_DIR", str(root))
        monkeypatch.setenv("DIGIMETRICS_WAREHOUSE", str(warehouse))
        for delivery in deliveries:
            for name in delivery:
                write_json(root, f"VN-36/{name}.json", documents[f"VN-36/{name}.json"])
            refresh()
        tables = published_tables(warehouse)
        tables.pop("submission_files")  # first_seen_at differs by design
        # so does the history's first_seen_at (column 10); the rest must agree
        history = tables["observation_history"]
        tables["observation_history"] = sorted((r[:9] + r[10:] for r in history), key=repr)
        outcomes.append(tables)
    assert outcomes[0] == outcomes[1]
    facts = outcomes[0]["fct_online_dossier_rate"]
    assert [(r[0], r[1], r[5], r[6], r[7], r[8]) for r in facts] == [
        ("VN-36", "2024", "all", 300, 500, 60.0)
    ]
