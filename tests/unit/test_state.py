"""The pipeline's DuckDB connections are bounded in memory (they spill beyond it), so a
national-scale refresh cannot take the machine's RAM."""

from pathlib import Path

import duckdb

from orchestration.lib import state
from orchestration.lib.settings import DEFAULT_DUCKDB_MEMORY_LIMIT
from tests.conftest import REPO_ROOT, environment


def test_state_connections_use_the_configured_memory_limit(tmp_path: Path) -> None:
    with state.connect(tmp_path / "state.duckdb") as conn:
        default = conn.execute("select current_setting('memory_limit')").fetchall()[0][0]
    with (
        environment(DIGIMETRICS_DUCKDB_MEMORY_LIMIT="256MB"),
        state.connect(tmp_path / "state.duckdb") as conn,
    ):
        configured = conn.execute("select current_setting('memory_limit')").fetchall()[0][0]
    assert default in ("953.6 MiB", "1.0 GiB", "1000.0 MB", "1GB"), default
    # the default is the one settings declares, as DuckDB shows it...
    with duckdb.connect(config={"memory_limit": DEFAULT_DUCKDB_MEMORY_LIMIT}) as reference:
        shown = reference.execute("select current_setting('memory_limit')").fetchall()[0][0]
    assert default == shown
    # ...and dbt's connection gets the same default
    profile = (REPO_ROOT / "dbt_project" / "profiles.yml").read_text()
    assert f"'DIGIMETRICS_DUCKDB_MEMORY_LIMIT', '{DEFAULT_DUCKDB_MEMORY_LIMIT}'" in profile
    assert configured in ("244.1 MiB", "256.0 MB", "256MB"), configured
