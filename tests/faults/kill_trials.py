"""Kill trials: kill the refresh with SIGKILL at a list of points, from discovery to
publish, while a BI reader reads the warehouse in a tight loop. Every time, the published
warehouse is the previous one and opens read-only; the reader never fails; and the next
uninterrupted refresh publishes marts identical, row for row, to a refresh that was never
interrupted (test_kill_points.py)."""

import os
import signal
import subprocess
from pathlib import Path

from tests.conftest import (
    REFRESH_COMMAND,
    REPO_ROOT,
    cli_env,
    copy_samples,
    environment,
    published_tables,
    query,
    refresh,
    write_file,
)
from tests.faults.reader_loop import BiReader

# (how, where): "fail" points are inside the pipeline's code (DIGIMETRICS_KILL_AT), "log"
# points are lines the run prints, at which the test kills the whole process group. One
# point inside each step that writes state: the ledger, parsing and validation each just
# before their commit, dbt in the middle of its incremental models, and the publish
# before its rename. What the other points added is covered elsewhere (a killed publish
# after copying a table: tests/unit/test_publish.py) or writes nothing a kill could leave
# half-done (the starts of steps, the Pandera and GX checks); they went to keep the suite
# within its time.
KILL_POINTS = [
    ("fail", "ledger.after_recording_a_file"),
    ("fail", "parse.before_commit"),
    ("fail", "validate.before_commit"),
    ("log", "START sql incremental model intermediate.int_observations_resolved"),
    ("fail", "publish.before_rename"),
]


def killed_run(env: dict[str, str], how: str, where: str) -> str:
    """Start a headless refresh and kill it at the point; return what it printed."""
    env = {**env, **({"DIGIMETRICS_KILL_AT": where} if how == "fail" else {})}
    process = subprocess.Popen(
        REFRESH_COMMAND,
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    printed = []
    assert process.stdout is not None
    for line in process.stdout:
        printed.append(line)
        if how == "log" and where in line:
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=300)
    output = "".join(printed)
    assert process.returncode == -signal.SIGKILL, f"not killed at {where}:\n{output[-2000:]}"
    return output


def assert_previous_publish_intact(warehouse: Path, run_id: str, counts: dict[str, int]) -> None:
    assert query(warehouse, "select run_id from marts.publish_info") == [(run_id,)]
    for table, count in counts.items():
        assert query(warehouse, f"select count(*) from marts.{table}") == [(count,)]
    assert query(
        warehouse,
        "select count(*) from marts.fct_online_dossier_rate where rate_pct not between 0 and 100",
    ) == [(0,)]
    assert query(
        warehouse,
        "select count(*) from marts.submission_files where rows_accepted + rows_rejected <> rows_total",
    ) == [(0,)]


def _trial_file(number: int) -> str:
    month = f"2022-{number % 12 + 1:02d}" if number < 12 else f"2023-{number % 12 + 1:02d}"
    return f"region,period,metric,value\nVN-CT,{month},online_dossiers,{500 + number}\nVN-CT,{month},total_dossiers,{1000 + number}\n"


def run_kill_trials(tmp_path: Path, points: list[tuple[int, tuple[str, str]]]) -> None:
    """Refresh once, then for each (number, point) land a new file and kill a refresh at the
    point; finally refresh through and compare with a refresh that was never killed."""
    landing, warehouse = tmp_path / "landing", tmp_path / "bi" / "digimetrics.duckdb"
    copy_samples(landing)
    env = cli_env(landing, warehouse)
    with environment(DIGIMETRICS_SOURCES_DIR=str(landing), DIGIMETRICS_WAREHOUSE=str(warehouse)):
        assert refresh().success
    tables = ("fct_online_dossier_rate", "submission_files", "data_quality_issues", "dim_period")
    baseline_run = query(warehouse, "select run_id from marts.publish_info")[0][0]
    baseline_counts = {t: query(warehouse, f"select count(*) from marts.{t}")[0][0] for t in tables}

    reader = BiReader(warehouse, tmp_path)
    try:
        for number, (how, where) in points:
            write_file(landing, f"VN-CT/trial_{number:02d}.csv", _trial_file(number))
            killed_run(env, how, where)
            assert_previous_publish_intact(warehouse, baseline_run, baseline_counts)
        with environment(
            DIGIMETRICS_SOURCES_DIR=str(landing), DIGIMETRICS_WAREHOUSE=str(warehouse)
        ):
            assert refresh().success
        final_run = query(warehouse, "select run_id from marts.publish_info")[0][0]
    finally:
        reads = reader.finish()

    errors = [r["error"] for r in reads if "error" in r]
    assert errors == [], errors[:5]
    assert len(reads) > 100 and all(r["bad_rates"] == 0 for r in reads)
    assert all(r["counts"] == r["published_counts"] for r in reads), "a read mixed two publishes"
    seen_runs = {r["run"] for r in reads}
    assert baseline_run in seen_runs
    assert seen_runs <= {baseline_run, final_run}, "only whole, passed publishes are visible"
    leftovers = [*warehouse.parent.glob(".*.tmp"), *warehouse.parent.glob(".*.tmp.wal")]
    assert not leftovers, "the last publish cleans up a killed publish's temp files and WALs"

    # the refresh that finally went through equals one that was never interrupted
    reference = tmp_path / "reference" / "digimetrics.duckdb"
    with environment(DIGIMETRICS_SOURCES_DIR=str(landing), DIGIMETRICS_WAREHOUSE=str(reference)):
        assert refresh().success
    survived, clean = published_tables(warehouse), published_tables(reference)
    # first_seen_at differs: files arrived over time (column 10 of each)
    for tables_of in (survived, clean):
        tables_of["submission_files"] = sorted(
            (r[:9] for r in tables_of["submission_files"]), key=repr
        )
        tables_of["observation_history"] = sorted(
            (r[:9] + r[10:] for r in tables_of["observation_history"]), key=repr
        )
    assert survived == clean
    assert (
        query(
            warehouse,
            "select count(*) from marts.fct_online_dossier_rate where region_code = 'VN-CT'",
        )[0][0]
        == len(points) + 1
    )
    print(f"kill points: {len(points)}, reader reads: {len(reads)}, errors: {len(errors)}")
