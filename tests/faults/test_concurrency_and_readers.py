"""Readers and writers at the same time: two refreshes started together never write at
once, and a BI reader polling through 50 consecutive publishes only ever sees whole ones."""

import shutil
import subprocess
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.defs.warehouse.assets import published_warehouse
from orchestration.lib.settings import Settings
from tests.conftest import (
    REFRESH_COMMAND,
    REPO_ROOT,
    cli_env,
    copy_samples,
    environment,
    query,
    refresh,
    write_file,
)
from tests.faults.reader_loop import BiReader


def test_two_refreshes_started_together_take_turns(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "bi" / "wh.duckdb"
    copy_samples(landing)
    env = cli_env(landing, warehouse)
    runs = [subprocess.Popen(REFRESH_COMMAND, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(2)]  # fmt: skip
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]
    waited = [
        out
        for out in outputs
        if "is being refreshed by run" in out and "waiting for it to finish" in out
    ]
    assert len(waited) == 1, "exactly one refresh waited, visibly, for the other"
    statuses = dict(
        query(warehouse, "select status, count(*) from marts.submission_files group by 1")
    )
    assert statuses["duplicate"] == 1 and statuses["accepted"] > 10


def test_reader_sees_only_whole_publishes_during_50_publishes(tmp_path: Path) -> None:
    """Two different warehouses' worth of marts are published alternately, 50 times, by
    real runs of the publish asset; a reader polling meanwhile must see every table of one
    publish and never a table of another."""
    states = []
    for name, extra in (("a", False), ("b", True)):
        landing, warehouse = tmp_path / name / "landing", tmp_path / name / "wh.duckdb"
        copy_samples(landing)
        if extra:
            write_file(
                landing,
                "VN-CT/extra.csv",
                "region,period,metric,value\nVN-CT,2021,online_dossiers,1\nVN-CT,2021,total_dossiers,2\n",
            )
        with environment(
            DIGIMETRICS_SOURCES_DIR=str(landing), DIGIMETRICS_WAREHOUSE=str(warehouse)
        ):
            assert refresh().success
            states.append(Settings.from_env().state_db)
    served = tmp_path / "served" / "wh.duckdb"
    with environment(DIGIMETRICS_WAREHOUSE=str(served)):
        work = Settings.from_env().state_db
        work.parent.mkdir(parents=True)
        reader = BiReader(served, tmp_path)
        try:
            for number in range(50):
                shutil.copy(states[number % 2], work)
                result = dg.materialize(
                    [published_warehouse], resources={"warehouse": WarehouseResource()}
                )
                assert result.success
        finally:
            reads = reader.finish()
    errors = [r["error"] for r in reads if "error" in r]
    assert errors == [], errors[:5]
    whole = [r for r in reads if r["counts"] == r["published_counts"]]
    assert len(whole) == len(reads) > 50
    assert len({r["run"] for r in reads}) >= 25  # the reader really saw many publishes
    print(
        f"reader iterations: {len(reads)}, publishes seen: {len({r['run'] for r in reads})}, errors: {len(errors)}"
    )
