"""Files and folders the pipeline may not read, and a refresh killed after the ledger step
whose file is then deleted: the headless refresh completes, records each as
`unreadable_file` with the reason, publishes everything else, and reads them once it may.

Permissions mean nothing to root, as these tests run in CI: each refresh then runs without
the capabilities that let root read any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so
the file modes apply to it as to any other user.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REFRESH_COMMAND, REPO_ROOT, cli_env, query

UNPRIVILEGED = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
     "--inh-caps=-dac_override,-dac_read_search"]
    if os.geteuid() == 0 else []
)  # fmt: skip


def csv_for(sector: str) -> str:
    return (
        "region,period,metric,sector,value\n"
        f"VN-HN,2024-Q1,online_dossiers,{sector},60\nVN-HN,2024-Q1,total_dossiers,{sector},100\n"
    )


def headless_refresh(
    env: dict[str, str], kill_at: str | None = None
) -> subprocess.CompletedProcess:
    extra = {"DIGIMETRICS_KILL_AT": kill_at} if kill_at else {}
    return subprocess.run(
        UNPRIVILEGED + REFRESH_COMMAND, cwd=REPO_ROOT, env=env | extra, capture_output=True,
        text=True, timeout=900, start_new_session=True,
    )  # fmt: skip


def statuses(warehouse: Path) -> dict[str, tuple]:
    return {
        path: (status, sha is not None)
        for path, status, sha in query(
            warehouse, "select file_path, status, file_sha256 from marts.submission_files"
        )
    }


def message(warehouse: Path, path: str) -> str:
    ((text,),) = query(
        warehouse, "select message from marts.data_quality_issues where file_path = ?", [path]
    )
    return text


@pytest.fixture
def zone(tmp_path: Path):
    root, warehouse = tmp_path / "landing", tmp_path / "bi" / "digimetrics.duckdb"
    for rel, sector in [("VN-HN/control.csv", "control"), ("VN-HN/locked.csv", "locked"),
                        ("VN-HN/closed/inside.csv", "closed"),
                        ("VN-HN/killed_then_deleted.csv", "deleted")]:  # fmt: skip
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(csv_for(sector), encoding="utf-8")
    yield root, warehouse
    for path in (root / "VN-HN/locked.csv", root / "VN-HN/closed"):
        path.chmod(0o755)  # so that pytest can remove the folder


def test_unreadable_paths_are_recorded_and_read_once_they_may_be(zone) -> None:
    root, warehouse = zone
    env = cli_env(root, warehouse)
    (root / "VN-HN/locked.csv").chmod(0)
    (root / "VN-HN/closed").chmod(0)

    killed = headless_refresh(env, kill_at="parse.before_reading")
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-3000:] + killed.stderr[-3000:]
    (root / "VN-HN/killed_then_deleted.csv").unlink()

    done = headless_refresh(env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert statuses(warehouse) == {
        "VN-HN/control.csv": ("accepted", True),
        "VN-HN/locked.csv": ("rejected", False),
        "VN-HN/closed/": ("rejected", False),
        "VN-HN/killed_then_deleted.csv": ("rejected", True),
    }
    assert "permission denied" in message(warehouse, "VN-HN/locked.csv")
    assert "none of its files could be read" in message(warehouse, "VN-HN/closed/")
    assert "removed or renamed" in message(warehouse, "VN-HN/killed_then_deleted.csv")
    assert (warehouse.parent / "feedback" / "VN-HN.csv").exists()

    (root / "VN-HN/locked.csv").chmod(0o644)
    (root / "VN-HN/closed").chmod(0o755)
    again = headless_refresh(env)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert statuses(warehouse) == {
        "VN-HN/control.csv": ("accepted", True),
        "VN-HN/locked.csv": ("accepted", True),
        "VN-HN/closed/inside.csv": ("accepted", True),
        "VN-HN/killed_then_deleted.csv": ("rejected", True),
    }
    sectors = {s for (s,) in query(warehouse, "select sector from marts.fct_online_dossier_rate")}
    assert sectors == {"control", "locked", "closed"}
