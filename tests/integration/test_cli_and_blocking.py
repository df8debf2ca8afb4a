"""The headless command of contract section 1 (and `make run`, which runs it and says in a
few lines what it did, or that there was nothing new), and a blocking check that stops the
publish."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REFRESH_COMMAND, REPO_ROOT, cli_env, copy_samples, query


def run_cli(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        REFRESH_COMMAND, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def run_make_run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.run"], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_cli_refresh_then_a_broken_model_keeps_the_last_good_publish(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "anywhere" / "landing", tmp_path / "elsewhere" / "wh.duckdb"
    copy_samples(landing)
    # files are parsed by a pool of worker processes, as for a large landing zone
    env = cli_env(landing, warehouse, DIGIMETRICS_PARALLEL_PARSE_MIN_BYTES="1")

    # `make run`'s command: the same headless refresh, told in a few lines, its log in a file
    good = run_make_run(env)
    assert good.returncode == 0, good.stdout[-3000:]
    lines = good.stdout.splitlines()
    assert len(lines) < 40, good.stdout
    assert lines[0].startswith("Refreshing (no warehouse at")
    assert ["done", "published_warehouse"] in [line.split()[:2] for line in lines]
    assert "Warehouse published:" in good.stdout
    [log] = (warehouse.parent / ".wh.work" / "logs").glob("refresh-*.log")
    assert re.search(r"parsed \d+ files .* on 2 process\(es\)", log.read_text())
    good_run = query(warehouse, "select run_id from marts.publish_info")[0][0]
    # run again with nothing new: no refresh, and it says so
    again = run_make_run(env)
    assert again.returncode == 0 and again.stdout.startswith("Nothing new: every file in")
    assert query(warehouse, "select run_id from marts.publish_info")[0][0] == good_run
    good_facts = query(warehouse, "select * from marts.fct_online_dossier_rate order by all")
    assert len(good_facts) > 20
    statuses = dict(
        query(warehouse, "select status, count(*) from marts.submission_files group by 1")
    )
    assert set(statuses) == {"accepted", "partially_accepted", "rejected", "duplicate"}

    # a model that doubles every rate: the pipeline itself is wrong, so nothing is published
    broken_project = tmp_path / "dbt_project"
    shutil.copytree(
        REPO_ROOT / "dbt_project", broken_project, ignore=shutil.ignore_patterns("target", "logs")
    )
    model = broken_project / "models" / "intermediate" / "int_indicator_rates.sql"
    model.write_text(
        model.read_text().replace("then 100.0 * numerator_value", "then 200.0 * numerator_value")
    )
    # and one not below it (so not skipped) that lists every unit with a successor twice:
    # its uniqueness test names exactly those units (it groups by a hash of the key first,
    # then by the key itself)
    model = broken_project / "models" / "intermediate" / "int_region_successions.sql"
    once = "from chain_ends\ninner join regions as ends"
    assert once in model.read_text()
    model.write_text(model.read_text().replace(once, (
        "from (select * from chain_ends union all\n"
        "      select * from chain_ends where end_code <> region_code) as chain_ends\n"
        "inner join regions as ends"
    )))  # fmt: skip
    [(succeeded,)] = query(
        warehouse, "select count(*) from marts.dim_region where successor_code is not null"
    )
    assert succeeded > 5
    # and one whose last not-null column (of several checked by one test) is null for the
    # quarters
    model = broken_project / "models" / "marts" / "dim_period.sql"
    year = "cast(year(period_start) as integer) as year"
    assert year in model.read_text()
    model.write_text(model.read_text().replace(year, (
        "case when period_type <> 'quarter' then cast(year(period_start) as integer) end as year"
    )))  # fmt: skip
    [(quarters,)] = query(
        warehouse, "select count(*) from marts.dim_period where period_type = 'quarter'"
    )
    assert quarters > 0
    # this run keeps its events in an instance, to read them as the UI shows them
    env = cli_env(landing, warehouse, DIGIMETRICS_DBT_PROJECT_DIR=str(broken_project))
    env["DAGSTER_HOME"] = str(tmp_path / "dagster_home")
    (tmp_path / "dagster_home").mkdir()
    broken = run_cli(env)

    assert broken.returncode != 0
    output = broken.stdout + broken.stderr
    assert "value_between_int_indicator_rates_rate_pct__100__0" in output
    assert re.search(
        rf"Failure in test unique_combination_int_region_successions_region_code .*\n"
        rf".*Got {succeeded} results",
        output,
    ), output[-5000:]
    assert re.search(
        rf"Failure in test not_null_columns_dim_period_\w+ .*\n.*Got {quarters} results", output
    ), output[-5000:]
    assert "published_warehouse" in output and "RUN_FAILURE" in output
    assert query(warehouse, "select run_id from marts.publish_info")[0][0] == good_run
    assert (
        query(warehouse, "select * from marts.fct_online_dossier_rate order by all") == good_facts
    )

    _assert_the_failed_check_shows_its_rows_and_sql(tmp_path / "dagster_home", succeeded)


def _assert_the_failed_check_shows_its_rows_and_sql(home: Path, duplicated: int) -> None:
    """The failed uniqueness check of the broken run, as its page in the UI shows it: the
    first 20 rows that failed (dbt's stored failures) and the SQL that found them; and no
    terminal colour code in anything the run recorded."""
    from dagster import DagsterEventType, DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        [run] = instance.get_runs()
        logs = instance.all_logs(run.run_id)
    for entry in logs:
        assert "\x1b[" not in repr(entry) and "\\x1b[" not in repr(entry), entry
    evaluations = [
        entry.dagster_event.event_specific_data
        for entry in logs
        if entry.dagster_event
        and entry.dagster_event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    [failed] = [
        e for e in evaluations
        if e.check_name.startswith("unique_combination_int_region_successions_region_code")
    ]  # fmt: skip
    assert not failed.passed
    metadata = {k: v.value for k, v in failed.metadata.items()}
    assert metadata["dagster_dbt/failed_row_count"] == duplicated
    assert metadata["rows_tested"] > duplicated
    table = metadata["failing_rows (first 20)"]
    assert [c.name for c in table.schema.columns] == ["region_code", "occurrences"]
    assert len(table.records) == min(duplicated, 20)
    assert all(r.data["occurrences"] == 2 for r in table.records)  # each unit twice
    sql = metadata["failing_rows_sql"]
    assert "int_region_successions" in sql and "having count(*) > 1" in sql
    assert '"dbt_test__audit".' in metadata["failures_relation"]
    assert "Got" in failed.description
