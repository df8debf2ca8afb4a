"""The code location as Dagster loads it: one graph from raw files to marts, the job, its
schedule and the landing-zone sensor."""

from datetime import datetime
from importlib.metadata import version as installed_version
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from packaging.version import Version

from orchestration.definitions import defs
from orchestration.defs.warehouse.project import dbt_cli_resource
from orchestration.lib import ledger, state
from orchestration.lib.settings import Settings
from tests.conftest import write_file

DEFS = defs()


def test_one_asset_graph_from_landing_zone_to_published_warehouse() -> None:
    graph = DEFS.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for key in ("landing_zone", "ingestion/file_ledger", "ingestion/parsed_observations",
                "ingestion/validated_observations", "staging/stg_landing__observations",
                "intermediate/int_indicator_rates", "marts/fct_online_dossier_rate",
                "marts/data_quality_issues", "published_warehouse"):  # fmt: skip
        assert key in keys

    def upstream(key: str) -> set[str]:
        seen, todo = set(), [dg.AssetKey.from_user_string(key)]
        while todo:
            for parent in graph.get(todo.pop()).parent_keys:
                if parent.to_user_string() not in seen:
                    seen.add(parent.to_user_string())
                    todo.append(parent)
        return seen

    lineage = upstream("published_warehouse")
    assert {"landing_zone", "ingestion/validated_observations", "staging/stg_landing__observations",
            "marts/fct_ehealth_record_coverage", "reference/region_registry"} <= lineage  # fmt: skip
    groups = {graph.get(dg.AssetKey.from_user_string(k)).group_name for k in keys}
    assert {"ingestion", "reference", "staging", "intermediate", "marts", "publish"} <= groups


def test_checks_guard_the_assets_and_block() -> None:
    graph = DEFS.resolve_asset_graph()
    specs = {
        (key.asset_key.to_user_string(), key.name): graph.get_check_spec(key)
        for key in graph.asset_check_keys
    }
    assert specs[("ingestion/parsed_observations", "parsed_observations_schema")].blocking
    assert specs[("ingestion/validated_observations", "validated_observations_schema")].blocking
    for table in (
        "fct_online_dossier_rate",
        "fct_cashless_payment_share",
        "fct_ehealth_record_coverage",
    ):
        assert specs[(f"marts/{table}", "gx_indicator_fact")].blocking
    dbt_tests = [k for k in specs if k[0].startswith("marts/") and not k[1].startswith("gx_")]
    assert len(dbt_tests) > 30


def test_every_check_is_described_and_every_table_asset_owned_and_described() -> None:
    graph = DEFS.resolve_asset_graph()
    undescribed = [
        key.to_user_string()
        for key in graph.asset_check_keys
        if not graph.get_check_spec(key).description
    ]
    assert undescribed == []
    tables = [
        key
        for key in graph.get_all_asset_keys()
        if key.path[0] in ("staging", "intermediate", "marts")
        or key.path[0] in ("published_warehouse", "province_feedback")
    ]
    assert len(tables) > 40
    for key in tables:
        node = graph.get(key)
        assert node.owners == ["team:data-engineering"], key
        assert node.description and not node.description.startswith("dbt model"), key
    # a mart's columns are documented by name in its definition; their types come with
    # each refresh (tests/integration/test_incremental.py)
    schema = graph.get(dg.AssetKey(["marts", "dim_region"])).metadata["dagster/column_schema"]
    assert "region_code" in [c.name for c in schema.columns]


def test_job_runs_in_one_process() -> None:
    job = DEFS.resolve_job_def("nightly_refresh")
    assert job.executor_def.name == "in_process"


def test_schedule_is_nightly_at_two_in_the_configured_time_zone() -> None:
    schedule = DEFS.resolve_schedule_def("nightly_refresh_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert schedule.job_name == "nightly_refresh"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    tick = datetime(2026, 11, 24, 2, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        requests = schedule.evaluate_tick(context).run_requests
    assert len(requests) == 1
    from dagster._utils.schedules import cron_string_iterator

    start = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    upcoming = next(cron_string_iterator(start, "0 2 * * *", "Asia/Ho_Chi_Minh"))
    assert upcoming.isoformat() == "2026-11-24T02:00:00+07:00"


def test_sensor_requests_a_run_only_for_files_the_ledger_has_not_recorded(
    landing: tuple[Path, Path],
) -> None:
    root, _ = landing
    sensor = DEFS.resolve_sensor_def("landing_zone_sensor")
    assert sensor.job_name == "nightly_refresh"

    def evaluate():
        with dg.build_sensor_context() as context:
            data = sensor.evaluate_tick(context)
        return data.run_requests, data.skip_message

    def record() -> None:
        """What a refresh's first step does: the real ledger records the files."""
        settings = Settings.from_env()
        with state.connect(settings.state_db) as conn:
            ledger.record_landed_files(conn, root, settings.now(), settings.journal)

    requests, skip = evaluate()
    assert requests == [] and "every file in the landing zone is recorded" in skip
    write_file(root, "VN-HN/a.csv", "region,period,metric,value\nVN-HN,2024,online_dossiers,1\n")
    write_file(root, "VN-HN/.hidden.csv", "ignored")
    requests, _ = evaluate()
    assert len(requests) == 1 and requests[0].tags["digimetrics/files"] == "1"
    first_key = requests[0].run_key
    # until a refresh records it, the same file gives the same run key: Dagster starts one
    assert evaluate()[0][0].run_key == first_key

    record()
    requests, skip = evaluate()
    assert requests == [] and "recorded" in skip  # a fresh sensor over a refreshed zone

    write_file(root, "VN-HN/b.json", "[]")
    requests, _ = evaluate()
    assert len(requests) == 1 and requests[0].run_key != first_key
    assert requests[0].tags["digimetrics/files"] == "1"
    # new bytes under a recorded name are a new submission
    record()
    write_file(root, "VN-HN/a.csv", "region,period,metric,value\nVN-HN,2024,online_dossiers,22\n")
    assert len(evaluate()[0]) == 1


def test_dbt_resource_skips_the_version_subprocess_and_the_unused_adapter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every `dbt.cli()` call used to run `dbt --version` (2.5 s) and build a dbt adapter in
    the Dagster process (1.9 s); the project's resource needs neither."""
    import dagster_dbt.core.resource

    def no_subprocess(*args: object, **kwargs: object) -> bytes:
        raise AssertionError(f"dbt resource started a subprocess: {args}")

    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", no_subprocess)
    resource = dbt_cli_resource()
    assert resource._cli_version == Version(installed_version("dbt-core"))
    assert resource._cli_version.major < 2  # dbt Core, not Fusion: dagster-dbt's Core path
    assert resource._initialize_dbt_core_adapter(["build"]) is None
    assert DEFS.resources["dbt"].__class__ is resource.__class__
