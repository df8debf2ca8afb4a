"""A damaged working state, or a landing zone that is not there, fails the refresh with a
message saying what is wrong and what to do; the last publish stays. One documented
command (`make recover-state`, i.e. `python -m orchestration.recover`) rebuilds the state,
and the next refresh publishes what the undamaged state would have: every row, with every
file's first-seen order and time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from orchestration.lib.settings import Settings
from tests.conftest import (
    REPO_ROOT,
    cli_env,
    copy_samples,
    environment,
    published_tables,
    query,
    refresh,
    write_file,
)


def failure_messages(result) -> str:
    """What the failed steps say, as the UI shows it: the error and its causes."""
    texts = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.event_specific_data.error
            while error is not None:
                texts.append(error.message)
                error = error.cause
    return "\n".join(texts)


def test_a_truncated_state_is_rebuilt_by_one_command_and_loses_nothing(landing) -> None:
    root, warehouse = landing
    copy_samples(root)
    assert refresh().success
    write_file(
        root, "VN-HN/later.csv", "region,period,metric,value\nVN-HN,2024-05,total_dossiers,9\n"
    )
    assert refresh().success
    published = published_tables(warehouse)
    run_id = query(warehouse, "select run_id from marts.publish_info")

    state_db = Settings.from_env().state_db
    data = state_db.read_bytes()
    state_db.write_bytes(data[: len(data) // 3])
    failed = refresh(raise_on_error=False)
    assert not failed.success
    message = failure_messages(failed)
    assert "is damaged" in message and "make recover-state" in message, message
    assert query(warehouse, "select run_id from marts.publish_info") == run_id  # last publish stays

    recovered = subprocess.run(
        [sys.executable, "-m", "orchestration.recover"], cwd=REPO_ROOT,
        env=cli_env(root, warehouse), capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert "first-seen order from the journal" in recovered.stdout, recovered.stdout
    assert [p.name for p in state_db.parent.glob("state.duckdb.damaged-*")]  # kept, not deleted

    assert refresh().success
    # identical, first_seen_at included: nothing was lost
    assert published_tables(warehouse) == published


def test_a_landing_zone_that_does_not_exist_fails_the_refresh_saying_so(tmp_path: Path) -> None:
    warehouse = tmp_path / "bi" / "digimetrics.duckdb"
    with environment(
        DIGIMETRICS_SOURCES_DIR=str(tmp_path / "no_such_folder"),
        DIGIMETRICS_WAREHOUSE=str(warehouse),
    ):
        result = refresh(raise_on_error=False)
    assert not result.success
    message = failure_messages(result)
    assert "no_such_folder" in message and "DIGIMETRICS_SOURCES_DIR" in message, message
    assert not warehouse.exists()
