"""As a data engineer would: the real Dagster webserver and daemon on 127.0.0.1, a refresh
launched through the GraphQL API, the sensor starting one of its own, and the published
warehouse read back read-only."""

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.scheduler.instigation import TickStatus
from dagster_graphql import DagsterGraphQLClient

from tests.conftest import REPO_ROOT, copy_samples, free_port, query, wait_for

BIN = Path(sys.executable).parent
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


@pytest.fixture
def dagster_services(tmp_path: Path):
    home, landing, warehouse = (
        tmp_path / "dagster_home",
        tmp_path / "landing",
        tmp_path / "bi" / "wh.duckdb",
    )
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    copy_samples(landing)
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "DIGIMETRICS_SOURCES_DIR": str(landing),
           "DIGIMETRICS_WAREHOUSE": str(warehouse),
           "DIGIMETRICS_SENSOR_INTERVAL_SECONDS": "5"}  # fmt: skip
    # create the instance's storage first, as `make dagster-home` does: the two services
    # starting on an empty home both create it, and one of them fails to load the code
    subprocess.run([str(BIN / "dagster"), "instance", "migrate"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    logs = [open(tmp_path / name, "w") for name in ("webserver.log", "daemon.log")]  # noqa: SIM115
    commands = [
        [
            str(BIN / "dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
    ]
    processes = [
        subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for cmd, log in zip(commands, logs, strict=True)
    ]
    try:
        yield port, home, warehouse, tmp_path
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


def test_launch_refresh_through_graphql(dagster_services) -> None:
    port, home, warehouse, logs = dagster_services
    # generous limits: on a busy machine loading the code location alone can take a minute
    client = DagsterGraphQLClient("127.0.0.1", port_number=port, timeout=300)

    def server_ready() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=10) as r:
                return r.status == 200
        except OSError:
            return False

    def code_location_loaded() -> bool:
        """The submit below waits for the code location otherwise, within its timeout."""
        query = '{"query": "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }"}'
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql", data=query.encode(),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                entries = json.load(r)["data"]["workspaceOrError"]["locationEntries"]
        except (OSError, KeyError, TypeError, ValueError):
            return False
        return bool(entries) and all(e["loadStatus"] == "LOADED" for e in entries)

    wait_for(server_ready, 300, "the webserver on 127.0.0.1", every=2)
    wait_for(code_location_loaded, 300, "the code location to load", every=2)

    # the daemon's sensor sees files the ledger has not recorded and starts a refresh
    instance = DagsterInstance.from_config(str(home))
    sensor_runs = RunsFilter(tags={"dagster/sensor_name": "landing_zone_sensor"})
    try:
        first = wait_for(lambda: instance.get_runs(sensor_runs), 300, "a sensor run")[0]
        sensor_run = wait_for(
            lambda: (r := instance.get_run_by_id(first.run_id)).status in FINISHED and r,
            480, "the sensor's run to finish", every=3,
        )  # fmt: skip
        assert sensor_run.status == DagsterRunStatus.SUCCESS, (logs / "daemon.log").read_text()[
            -3000:
        ]
        assert sensor_run.tags["dagster/run_key"].startswith("landing-zone-")

        # a refresh launched through the webserver's GraphQL API
        run_id = client.submit_job_execution(
            "nightly_refresh", repository_location_name="digimetrics",
            repository_name="__repository__",
        )  # fmt: skip
        status = wait_for(
            lambda: (s := client.get_run_status(run_id)) in FINISHED and s,
            480,
            "the launched run",
            every=3,
        )
        assert status == DagsterRunStatus.SUCCESS, (logs / "daemon.log").read_text()[-3000:]
        statuses = dict(
            query(warehouse, "select status, count(*) from marts.submission_files group by 1")
        )
        assert statuses["accepted"] > 10 and statuses["rejected"] >= 5
        assert statuses["duplicate"] == 1
        assert query(warehouse, "select count(*) from marts.fct_online_dossier_rate")[0][0] > 20

        # every file is recorded now: the sensor's later ticks start nothing
        [sensor] = [
            s for s in instance.all_instigator_state() if s.instigator_name == "landing_zone_sensor"
        ]
        finished = instance.get_run_record_by_id(run_id).end_time

        def skipped_since_the_runs() -> bool:
            ticks = instance.get_ticks(sensor.instigator_origin_id, sensor.selector_id, limit=5)
            return any(t.status == TickStatus.SKIPPED and t.timestamp > finished for t in ticks)

        wait_for(skipped_since_the_runs, 120, "a sensor tick after the runs", every=2)
        assert len(instance.get_runs(sensor_runs)) == 1
    finally:
        instance.dispose()
