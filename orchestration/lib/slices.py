"""Reading a large table in slices, so that checks written for dataframes (Pandera,
Great Expectations) never hold ten million rows at once.

Every row of one key lands in the same slice, so a uniqueness check on a compound key
that includes it stays exact within each slice. When each key's rows lie together in the
table (as the pipeline writes them: a file's rows in one insert), a slice is a range of
row ids and the table is read once in all; otherwise rows are split by a hash of the key,
and each slice reads the whole table again. Table, columns and scope are the pipeline's
own text, never values from files.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from math import ceil

import duckdb

# a polars slice of this many parsed observations is about 110 MiB, and Pandera's checks
# on it take a few times that: at 1M rows a slice, its step was a 10M-row refresh's peak
DEFAULT_MAX_ROWS = 500_000


def in_slices(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    columns: str,
    scope: str,
    key: str,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Iterator[duckdb.DuckDBPyRelation]:
    """`select {columns} from {table} where {scope}` as relations of at most about
    `max_rows` rows each (rows with the same `key` stay together), to be fetched one at a
    time with `.pl()`, `.df()` or `.fetchall()`."""
    query = f"select {columns} from {table} where ({scope})"
    keys = conn.execute(
        f"select min(rowid), max(rowid), count(*) from {table} where ({scope}) "
        f"group by {key} order by 1"
    ).fetchall()
    rows = sum(count for _, _, count in keys)
    if rows <= max_rows:
        yield conn.sql(query)
    elif all(previous[1] < following[0] for previous, following in pairwise(keys)):
        for first, last in _row_id_ranges(keys, max_rows):
            yield conn.sql(
                f"{query} and rowid between $first and $last", params={"first": first, "last": last}
            )
    else:
        count = ceil(rows / max_rows)
        for number in range(count):
            yield conn.sql(
                f"{query} and hash({key}) % $count = $number",
                params={"count": count, "number": number},
            )


def _row_id_ranges(keys: list[tuple[int, int, int]], max_rows: int) -> Iterator[tuple[int, int]]:
    """Consecutive keys' row-id ranges joined while they hold at most `max_rows` rows (a
    single larger key is a slice of its own)."""
    first, last, rows = keys[0]
    for low, high, count in keys[1:]:
        if rows + count > max_rows:
            yield first, last
            first, rows = low, 0
        last, rows = high, rows + count
    yield first, last
