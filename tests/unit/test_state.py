"""The pipeline's DuckDB connections are bounded in memory (they spill beyond it), so a
national-scale refresh cannot take the machine's RAM."""

from pathlib import Path

from orchestration.lib import state
from tests.conftest import environment


def test_state_connections_use_the_configured_memory_limit(tmp_path: Path) -> None:
    with state.connect(tmp_path / "state.duckdb") as conn:
        default = conn.execute("select current_setting('memory_limit')").fetchall()[0][0]
    with (
        environment(DIGIMETRICS_DUCKDB_MEMORY_LIMIT="256MB"),
        state.connect(tmp_path / "state.duckdb") as conn,
    ):
        configured = conn.execute("select current_setting('memory_limit')").fetchall()[0][0]
    assert default in ("953.6 MiB", "1.0 GiB", "1000.0 MB", "1GB"), default
    assert configured in ("244.1 MiB", "256.0 MB", "256MB"), configured
