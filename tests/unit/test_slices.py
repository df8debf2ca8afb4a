"""Large relations reach the dataframe checks in slices that cover every row once and
never split a key; a check still fails on a bad row in any slice, and reads only the
rows in its scope."""

from pathlib import Path

import duckdb
import pytest

from orchestration.defs.quality.observation_checks import validate_table
from orchestration.defs.resources import WarehouseResource
from orchestration.lib import state
from orchestration.lib.schemas import ParsedObservations
from orchestration.lib.slices import in_slices
from tests.conftest import environment


@pytest.mark.parametrize("stored", ["keys_together", "keys_interleaved"])
@pytest.mark.parametrize(("rows", "max_rows", "slices"), [(0, 10, 1), (10, 10, 1), (1000, 99, 11)])
def test_slices_cover_every_row_once_and_keep_keys_together(
    stored: str, rows: int, max_rows: int, slices: int
) -> None:
    conn = duckdb.connect()
    order = "i % 37, i" if stored == "keys_together" else "i"
    conn.execute(
        f"create table t as select i, 'key' || (i % 37) as k from range($n) r(i) order by {order}",
        {"n": rows},
    )
    conn.execute("delete from t where i = 500")  # a gap in the row ids of one key
    seen: list[tuple[int, str]] = []
    keys_by_slice = []
    queries = []
    for result in in_slices(conn, "t", "i, k", "i <> 3 or i = 3", "k", max_rows):
        part = result.fetchall()
        seen += part
        keys_by_slice.append({k for _, k in part})
        queries.append(result.sql_query())
    assert sorted(seen) == sorted(conn.execute("select i, k from t").fetchall())
    for number, keys in enumerate(keys_by_slice):
        assert not any(keys & other for other in keys_by_slice[number + 1 :])
    if rows > max_rows and stored == "keys_together":
        # whole keys, joined up to the limit: 37 keys of 27 rows, three to a slice
        assert len(keys_by_slice) == 13
        assert all("rowid between" in query for query in queries)
    else:
        assert len(keys_by_slice) == slices
    if rows > max_rows and stored == "keys_interleaved":
        assert all("hash(k)" in query for query in queries)


def test_a_key_larger_than_a_slice_is_a_slice_of_its_own() -> None:
    conn = duckdb.connect()
    conn.execute("create table t as select i, i // 10 as k from range(30) r(i) order by i")
    sizes = [len(r.fetchall()) for r in in_slices(conn, "t", "i", "true", "k", max_rows=4)]
    assert sizes == [10, 10, 10]


def _parsed_row(sha: str, row_number: int, value: float | None, error: str | None) -> dict:
    return {"file_sha256": sha, "row_number": row_number, "sector": "all", "value": value,
            "value_error": error, "raw_record": "{}"}  # fmt: skip


def test_a_bad_row_fails_the_check_in_whichever_slice_it_lies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import orchestration.lib.slices as slices

    monkeypatch.setattr(slices, "DEFAULT_MAX_ROWS", 7)  # about 43 slices of 300 rows
    files = [f"{n:064x}" for n in range(30)]
    rows = [_parsed_row(sha, r, float(r), None) for sha in files for r in range(1, 11)]
    rows[-1] = _parsed_row(files[-1], 10, None, None)  # neither a value nor a reason
    with environment(DIGIMETRICS_WAREHOUSE=str(tmp_path / "wh.duckdb")):
        resource = WarehouseResource()
        with state.connect(resource.settings().state_db) as conn:
            state.replace_table(conn, "raw.parsed_observations", rows)
        schema = ParsedObservations.to_schema()
        everything = validate_table(resource, "raw.parsed_observations", schema, "true")
        assert not everything.passed
        assert everything.metadata["rows_tested"].value == 300
        assert everything.metadata["failures"].value >= 1
        others = validate_table(
            resource, "raw.parsed_observations", schema, f"file_sha256 <> '{files[-1]}'"
        )
        assert others.passed and others.metadata["rows_tested"].value == 290
        assert others.description is None
        # a check that reads no rows passes, but says it tested nothing
        nothing = validate_table(resource, "raw.parsed_observations", schema, "false")
        assert nothing.passed and nothing.metadata["rows_tested"].value == 0
        assert nothing.description.startswith("nothing to test: raw.parsed_observations")
