"""The pipeline's own DuckDB file (the "state"): what it has seen, read and validated.

Schema `raw` is written by the ingestion assets and read by dbt as sources. The
published warehouse is a separate file made from it (see publish.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.lib.settings import duckdb_memory_limit

DDL = """
create schema if not exists raw;
create table if not exists raw.file_ledger (
    file_sha256 varchar not null,
    file_path varchar not null,
    submitter varchar,
    format varchar,
    size_bytes bigint,
    mtime_ns bigint,
    file_seq bigint not null,
    first_seen_at timestamptz not null,
    ingest_status varchar not null,  -- pending, parsed, rejected, duplicate
    encoding varchar,
    delimiter varchar,
    submitted_at timestamptz,
    rows_total integer,
    duplicate_of varchar
);
create table if not exists raw.file_issues (
    file_sha256 varchar not null,
    rule varchar not null,
    severity varchar not null,
    field varchar,
    raw_value varchar,
    message varchar not null
);
create table if not exists raw.parsed_observations (
    file_sha256 varchar not null,
    row_number integer not null,
    region_raw varchar, period_raw varchar, metric_raw varchar, value_raw varchar,
    sector_raw varchar, unit_raw varchar, note varchar,
    region_key varchar, loose_region_key varchar,
    period varchar, period_type varchar, period_start date, period_end date,
    metric varchar, sector varchar, unit varchar,
    value double, value_error varchar, value_detail varchar, percent_sign boolean,
    row_problem varchar,
    raw_record varchar
);
create table if not exists raw.row_issues (
    file_sha256 varchar not null,
    row_number integer not null,
    rule varchar not null,
    severity varchar not null,
    field varchar,
    raw_value varchar,
    message varchar not null
);
create table if not exists raw.validated_observations (
    file_sha256 varchar not null,
    row_number integer not null,
    submitter varchar, region_code varchar,
    period varchar, period_type varchar, period_start date, period_end date,
    metric varchar, kind varchar, sector varchar,
    value double, value_raw varchar, unit varchar, note varchar
);
-- the files whose rows are in row_issues and validated_observations, those the last
-- validation (re)wrote, and what they were validated against (see validation.py)
create table if not exists raw.validated_files (file_sha256 varchar not null);
create table if not exists raw.validation_batch (file_sha256 varchar not null);
create table if not exists raw.validation_basis (basis varchar not null);
-- what the dbt models have not taken in yet (see model_refresh.py): the (region, period)
-- keys whose validated observations changed since the last complete build, and the model
-- code and validation basis of that build
create table if not exists raw.pending_model_keys (region_code varchar, period varchar);
create table if not exists raw.published_basis (
    models_digest varchar not null, validation_basis varchar not null
);
create table if not exists raw.regions (
    region_code varchar, name varchar, name_local varchar, level varchar, parent_code varchar,
    country_code varchar, valid_from date, valid_to date, successor_code varchar,
    source_file varchar
);
create table if not exists raw.region_names (name_key varchar, region_code varchar, name varchar);
create table if not exists raw.region_ancestors (
    region_code varchar, ancestor_code varchar, depth integer
);
create table if not exists raw.metrics (
    metric_code varchar, kind varchar, over_time varchar, indicator varchar, role varchar,
    description varchar
);
"""


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the state file, creating it and the raw schema when needed."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(
        str(path), read_only=read_only, config={"memory_limit": duckdb_memory_limit()}
    )
    try:
        if not read_only:
            conn.execute(DDL)
        yield conn
    finally:
        conn.close()


def replace_table(conn: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Replace the contents of a reference table with `rows` (bound as data, never as SQL)."""
    import pyarrow as pa

    columns = [r[0] for r in conn.execute(f"describe {table}").fetchall()]
    batch = pa.table({c: [row.get(c) for row in rows] for c in columns})
    conn.register("replacement_rows", batch)
    try:
        conn.execute(f"delete from {table}")
        conn.execute(f"insert into {table} by name select * from replacement_rows")
    finally:
        conn.unregister("replacement_rows")
