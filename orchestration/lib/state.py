"""The pipeline's own DuckDB file (the "state"): what it has seen, read and validated.

Schema `raw` is written by the ingestion assets and read by dbt as sources. The
published warehouse is a separate file made from it (see publish.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.lib.settings import duckdb_memory_limit

# the characters display.shown() escapes: categories Cc, Cf, Co, Zl, Zp and every Zs but
# the plain space (RE2 has no class subtraction, so Zs is listed)
_INVISIBLE = (
    r"\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}"
)
# The reference tables: each load replaces one whole (replace_table), so a new layout of
# the reference files needs nothing but a new entry here.
REFERENCE_TABLES = {
    "raw.regions": "region_code varchar, name varchar, name_local varchar, level varchar, "
    "parent_code varchar, country_code varchar, valid_from date, valid_to date, "
    "successor_code varchar, source_file varchar",
    "raw.region_names": "name_key varchar, loose_key varchar, region_code varchar, name varchar",
    "raw.region_ancestors": "region_code varchar, ancestor_code varchar, depth integer",
    "raw.metrics": "metric_code varchar, kind varchar, over_time varchar, description varchar",
    "raw.indicators": "indicator varchar, numerator varchar, denominator varchar, "
    "reported_rate varchar, description varchar",
    "raw.targets": "indicator varchar, region_code varchar, period varchar, target_pct double",
    "raw.reporting_schedules": "dataset varchar, metric_codes varchar[], country_code varchar, "
    "level varchar, period_type varchar, due_days integer, first_period varchar, "
    "last_period varchar",
    # not a file: the settings the models read (Settings.model_settings), one row
    "raw.model_settings": "timezone varchar, outlier_threshold double, outlier_min_values integer",
}
DDL = r"""
create schema if not exists raw;
create table if not exists raw.file_ledger (
    file_seq bigint not null,  -- the row's identity, in the order paths were first seen
    file_sha256 varchar,  -- null only for a path that could not be read at all
    file_path varchar not null,
    path_bytes blob,  -- the path's bytes when they are not UTF-8 (file_path shows them escaped)
    submitter varchar,
    format varchar,
    size_bytes bigint,
    mtime_ns bigint,
    first_seen_at timestamptz not null,
    ingest_status varchar not null,  -- pending, parsed, rejected, duplicate
    encoding varchar,
    delimiter varchar,
    submitted_at timestamptz,  -- as the file states it, unless that is in the future
    rows_total integer,
    duplicate_of varchar,
    -- what the last decision on the file depended on (see decisions.py)
    submitter_known boolean,
    too_large boolean,
    read_error boolean not null default false,  -- it could not be read: try again
    redecide boolean not null default false  -- what it depended on changed: decide again
);
create table if not exists raw.file_issues (
    file_seq bigint not null,
    rule varchar not null,
    severity varchar not null,
    field varchar,
    raw_value varchar,
    message varchar not null
);
-- what the parsed files were parsed with: the parsing code and the metrics' kinds
create table if not exists raw.parse_basis (parser_digest varchar not null, kinds json not null);
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
create table if not exists raw.validation_date (today date not null);
-- what the dbt models have not taken in yet (see model_refresh.py): the (region, period)
-- keys whose validated observations changed since the last complete build, and the model
-- code and validation basis of that build
create table if not exists raw.pending_model_keys (region_code varchar, period varchar);
create table if not exists raw.published_basis (
    models_digest varchar not null, validation_basis varchar not null
);
-- display.shown() in SQL: a raw value with each invisible character written as \uXXXX, for
-- messages (validation.sql, dbt); tests/unit/test_display.py keeps the two in agreement
create or replace macro raw.shown(x) as
    case when regexp_matches(x, '[INVISIBLE]')
    then array_to_string(list_transform(string_split(x, ''), lambda ch:
        case when regexp_matches(ch, '^[INVISIBLE]$')
            then case when unicode(ch) > 65535 then '\U' || lpad(lower(hex(unicode(ch))), 8, '0')
                      else '\u' || lpad(lower(hex(unicode(ch))), 4, '0') end
            else ch end), '')
    else x end;
""".replace("INVISIBLE", _INVISIBLE)
DDL += "".join(
    f"create table if not exists {name} ({columns});\n"
    for name, columns in REFERENCE_TABLES.items()
)


RECOVERY_COMMAND = "make recover-state"
# how DuckDB reports a damaged database file (truncated, overwritten, a foreign WAL)
_DAMAGE = re.compile(
    r"Could not read enough bytes|checksum|corrupt|not a valid DuckDB|does not match database"
    r"|invalid database|Serialization Error",
    re.IGNORECASE,
)


class StateDamaged(RuntimeError):
    """The state file cannot be used; the message says how to rebuild it."""


def _damaged(path: Path, problem: str) -> StateDamaged:
    return StateDamaged(
        f"the pipeline's working state {path} {problem}. Nothing was published: the last "
        f"publish stays. Rebuild the state with `{RECOVERY_COMMAND}` (it sets the damaged "
        "file aside, never deletes it, and the next refresh reads every file of the landing "
        "zone again in its first-seen order, kept in the journal beside the state)"
    )


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the state file, creating it and the raw schema when needed. A damaged file,
    or one an older version of the pipeline wrote, raises StateDamaged."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = duckdb.connect(
            str(path), read_only=read_only, config={"memory_limit": duckdb_memory_limit()}
        )
    except duckdb.Error as err:
        if _DAMAGE.search(str(err)):
            raise _damaged(path, f"is damaged ({err})") from None
        raise
    try:
        if not read_only:
            _check_layout(conn, path)
            conn.execute(DDL)
        yield conn
    except duckdb.Error as err:
        if _DAMAGE.search(str(err)):
            raise _damaged(path, f"is damaged ({err})") from None
        raise
    finally:
        conn.close()


def _check_layout(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A state an older version wrote has a ledger without the columns decisions need."""
    columns = {
        name
        for (name,) in conn.execute(
            "select column_name from duckdb_columns() "
            "where schema_name = 'raw' and table_name = 'file_ledger'"
        ).fetchall()
    }
    if columns and "redecide" not in columns:
        raise _damaged(path, "was written by an older version of the pipeline")


def replace_table(conn: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Replace the contents of a table (a reference table, in the pipeline) with `rows`
    (bound as data, never as SQL)."""
    import pyarrow as pa

    if table in REFERENCE_TABLES:  # recreated: a state of an older version has other columns
        conn.execute(f"create or replace table {table} ({REFERENCE_TABLES[table]})")
    else:
        conn.execute(f"delete from {table}")
    columns = [r[0] for r in conn.execute(f"describe {table}").fetchall()]
    batch = pa.table({c: [row.get(c) for row in rows] for c in columns})
    conn.register("replacement_rows", batch)
    try:
        conn.execute(f"insert into {table} by name select * from replacement_rows")
    finally:
        conn.unregister("replacement_rows")
