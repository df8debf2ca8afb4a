"""Reading a large relation in slices, so that checks written for dataframes (Pandera,
Great Expectations) never hold ten million rows at once.

Rows are split by a hash of a key column: every row of one key lands in the same slice,
so a uniqueness check on a compound key that includes it stays exact within each slice.
The queries passed in are the pipeline's own text, never values from files.
"""

from __future__ import annotations

from collections.abc import Iterator
from math import ceil

import duckdb

# a polars slice of this many parsed observations is about 110 MiB, and Pandera's checks
# on it take a few times that: at 1M rows a slice, its step was a 10M-row refresh's peak
DEFAULT_MAX_ROWS = 500_000


def slice_count(conn: duckdb.DuckDBPyConnection, query: str, max_rows: int) -> int:
    rows = conn.execute(f"select count(*) from ({query})").fetchall()[0][0]
    return max(1, ceil(rows / max_rows))


def in_slices(
    conn: duckdb.DuckDBPyConnection, query: str, key: str, max_rows: int = DEFAULT_MAX_ROWS
) -> Iterator[duckdb.DuckDBPyRelation]:
    """`query` as relations of at most about `max_rows` rows each (rows with the same `key`
    stay together), to be fetched one at a time with `.pl()`, `.df()` or `.fetchall()`."""
    count = slice_count(conn, query, max_rows)
    if count == 1:
        yield conn.sql(query)
        return
    for number in range(count):
        yield conn.sql(
            f"select * from ({query}) where hash({key}) % $count = $number",
            params={"count": count, "number": number},
        )
