"""What the Dagster UI shows of a DuckDB table: its rows and its columns with their types,
read from DuckDB's catalog and one count per table, never through a dbt adapter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str | None  # the dbt description, which persist_docs writes as a comment


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def columns_of(
    conn: duckdb.DuckDBPyConnection, database: str, schemas: Iterable[str]
) -> dict[tuple[str, str], list[Column]]:
    """(schema, table) -> its columns in order, for every table and view of `schemas`."""
    found: dict[tuple[str, str], list[Column]] = {}
    for schema, table, name, data_type, comment in conn.execute(
        "select schema_name, table_name, column_name, data_type, comment from duckdb_columns() "
        "where database_name = ? and list_contains(?, schema_name) "
        "order by schema_name, table_name, column_index",
        [database, sorted(set(schemas))],
    ).fetchall():
        found.setdefault((schema, table), []).append(Column(name, data_type, comment))
    return found


def row_counts(
    conn: duckdb.DuckDBPyConnection, database: str, tables: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """(schema, table) -> its rows, all counted in one statement."""
    tables = sorted(set(tables))
    if not tables:
        return {}
    # identifiers from the catalog or the dbt manifest, quoted; never values from a file
    counts = " union all ".join(
        f"select {index} as i, count(*) as n from {quote_identifier(database)}."
        f"{quote_identifier(schema)}.{quote_identifier(table)}"
        for index, (schema, table) in enumerate(tables)
    )
    return {tables[i]: n for i, n in conn.execute(counts).fetchall()}


def displayable(value: object) -> str | int | float | bool:
    """A cell of a failing row as the Dagster UI can show it in a table: numbers and
    booleans as they are, null as "null" (the UI cannot show a missing cell), the rest
    (dates, decimals, lists) as text."""
    if value is None:
        return "null"
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
