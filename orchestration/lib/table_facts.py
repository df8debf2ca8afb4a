"""What the Dagster UI shows of a DuckDB table: its columns with their types, read from
DuckDB's catalog (never through a dbt adapter), and the cells of its rows."""

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


def displayable(value: object) -> str | int | float | bool:
    """A cell of a failing row as the Dagster UI can show it in a table: numbers and
    booleans as they are, null as "null" (the UI cannot show a missing cell), the rest
    (dates, decimals, lists) as text."""
    if value is None:
        return "null"
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
