"""Applying the bulk row rules (validation.sql) to the parsed files that need it.

Row rules look at one file at a time, against the registry, the metric catalog and
today's date. So a file is validated once, when it is new; every file is validated again
when any of those (or the rules themselves) changed since the last validation: the
"basis", a digest stored in raw.validation_basis. A nightly refresh therefore revalidates
everything once a day (today's date changed) and a refresh for one new file validates one
file.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib.faults import fail_point
from orchestration.lib.model_refresh import pending_key_count

_SQL = (Path(__file__).with_name("validation.sql")).read_text(encoding="utf-8")
_REFERENCE_DIGEST = """
select md5(coalesce(string_agg(line, chr(10) order by line), ''))
from (
    select 'region ' || r::varchar as line from raw.regions r
    union all select 'name ' || n::varchar from raw.region_names n
    union all select 'ancestor ' || a::varchar from raw.region_ancestors a
    union all select 'metric ' || m::varchar from raw.metrics m
)
"""


def validation_basis(conn: duckdb.DuckDBPyConnection, today: date) -> str:
    """A digest of everything a row's outcome depends on besides its own file."""
    reference = conn.execute(_REFERENCE_DIGEST).fetchone()[0]
    return hashlib.sha256(f"{_SQL}\n{reference}\n{today.isoformat()}".encode()).hexdigest()


def validate_observations(conn: duckdb.DuckDBPyConnection, today: date) -> dict[str, int]:
    """Bring raw.validated_observations and raw.row_issues up to date; return row counts
    (of everything validated so far) and how many files were validated in this run."""
    basis = validation_basis(conn, today)
    stored = conn.execute("select basis from raw.validation_basis").fetchone()
    everything = stored is None or stored[0] != basis
    conn.execute("begin transaction")
    try:
        files = conn.execute(
            "select file_sha256, rows_total from raw.file_ledger where ingest_status = 'parsed' "
            "and ($everything or file_sha256 not in (select file_sha256 from raw.validated_files)) "
            "order by file_seq",
            {"everything": everything},
        ).fetchall()
        if everything:
            conn.execute("delete from raw.validated_files")
        conn.execute("delete from raw.validation_batch")
        for chunk in _chunks(files, _chunk_rows()):
            conn.execute(
                "create or replace temp table to_validate as select unnest($files) as file_sha256",
                {"files": chunk},
            )
            for statement in _statements(_SQL):
                if "$today" in statement:
                    conn.execute(statement, {"today": today})
                else:
                    conn.execute(statement)
        conn.execute("delete from raw.validation_basis")
        conn.execute("insert into raw.validation_basis values (?)", [basis])
        # "today" for the models too: which units are current (dbt reads it as a source)
        conn.execute("delete from raw.validation_date")
        conn.execute("insert into raw.validation_date values (?)", [today])
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
    return {
        "files_validated": len(files),
        "revalidated_everything": int(everything),
        "accepted_rows": accepted,
        "rejected_rows": rejected,
        "row_warnings": warnings,
        "pending_model_keys": pending_key_count(conn),
    }


# Files are validated in chunks of about this many rows (DIGIMETRICS_VALIDATION_CHUNK_ROWS):
# the rules' intermediate tables for ten million rows do not fit the memory limit, and
# spilling them made a full revalidation half as slow again.
CHUNK_ROWS = 2_000_000


def _chunk_rows() -> int:
    return int(os.environ.get("DIGIMETRICS_VALIDATION_CHUNK_ROWS") or CHUNK_ROWS)


def _chunks(files: list[tuple[str, int]], max_rows: int) -> Iterator[list[str]]:
    """Consecutive files, cut before a chunk would exceed `max_rows` (a larger file is a
    chunk of its own)."""
    chunk: list[str] = []
    rows = 0
    for sha, count in files:
        if chunk and rows + (count or 0) > max_rows:
            yield chunk
            chunk, rows = [], 0
        chunk.append(sha)
        rows += count or 0
    if chunk:
        yield chunk


def _statements(sql: str) -> list[str]:
    """Split on semicolons that end a line (a `;` inside a message literal never does)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in re.split(r";[ \t]*(?:\n|$)", "\n".join(lines)) if s.strip()]
