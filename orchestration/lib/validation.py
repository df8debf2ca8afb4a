"""Applying the bulk row rules (validation.sql) to everything parsed so far."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib.faults import fail_point

_SQL = (Path(__file__).with_name("validation.sql")).read_text(encoding="utf-8")


def validate_observations(conn: duckdb.DuckDBPyConnection, today: date) -> dict[str, int]:
    """Rebuild raw.validated_observations and raw.row_issues; return row counts."""
    conn.execute("begin transaction")
    try:
        for statement in _statements(_SQL):
            if "$today" in statement:
                conn.execute(statement, {"today": today})
            else:
                conn.execute(statement)
        fail_point("validate.before_commit")
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    accepted = conn.execute("select count(*) from raw.validated_observations").fetchone()[0]
    rejected = conn.execute(
        "select count(distinct (file_sha256, row_number)) from raw.row_issues "
        "where severity = 'row_rejected'"
    ).fetchone()[0]
    warnings = conn.execute(
        "select count(*) from raw.row_issues where severity = 'warning'"
    ).fetchone()[0]
    return {"accepted_rows": accepted, "rejected_rows": rejected, "row_warnings": warnings}


def _statements(sql: str) -> list[str]:
    """Split on semicolons that end a line (a `;` inside a message literal never does)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in re.split(r";[ \t]*(?:\n|$)", "\n".join(lines)) if s.strip()]
