"""Row rules run once per new file, and again over every file when what they depend on
(registry, catalog, today's date) changed; either way the outcome equals a validation of
everything from scratch."""

from datetime import date, datetime
from pathlib import Path

import pytest

from orchestration.lib import ingest, ledger, state, validation
from orchestration.lib.names import name_key
from orchestration.lib.reference import load_metrics, load_registry
from tests.conftest import REPO_ROOT, copy_samples, write_file

REFERENCE = REPO_ROOT / "sources" / "reference"
TODAY = date(2026, 11, 23)
OUTPUTS = ("raw.validated_observations", "raw.row_issues")


def _load_reference(conn, drop_alias: str | None = None) -> None:
    registry = load_registry(REFERENCE)
    dropped = name_key(drop_alias) if drop_alias else None
    names = [n for n in registry.names if n["name_key"] != dropped]
    state.replace_table(conn, "raw.regions", registry.regions)
    state.replace_table(conn, "raw.region_names", names)
    state.replace_table(conn, "raw.region_ancestors", registry.ancestors)
    state.replace_table(conn, "raw.metrics", load_metrics(REFERENCE))


def _ingest(conn, landing: Path, max_bytes: int = 1 << 20) -> None:
    kinds = dict(conn.execute("select metric_code, kind from raw.metrics").fetchall())
    submitters = {r[0] for r in conn.execute("select region_code from raw.regions").fetchall()}
    ledger.record_landed_files(conn, landing, datetime(2026, 11, 23, 2))
    ingest.parse_pending_files(conn, landing, kinds, submitters, max_bytes)


def _outputs(conn) -> dict[str, list[tuple]]:
    return {t: sorted(conn.execute(f"from {t}").fetchall(), key=repr) for t in OUTPUTS}


def _from_scratch(landing: Path, path: Path, today: date = TODAY, drop_alias: str | None = None):
    with state.connect(path) as conn:
        _load_reference(conn, drop_alias)
        _ingest(conn, landing)
        counts = validation.validate_observations(conn, today)
        assert counts["revalidated_everything"] == 1
        return _outputs(conn)


def test_only_new_files_are_validated_until_the_basis_changes(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    copy_samples(landing)
    with state.connect(tmp_path / "state.duckdb") as conn:
        _load_reference(conn)
        _ingest(conn, landing)
        first = validation.validate_observations(conn, TODAY)
        parsed_files = conn.execute(
            "select count(*) from raw.file_ledger where ingest_status = 'parsed'"
        ).fetchone()[0]
        assert first["files_validated"] == parsed_files > 10
        assert first["revalidated_everything"] == 1

        # the same day, nothing new: nothing validated, nothing changed
        before = _outputs(conn)
        again = validation.validate_observations(conn, TODAY)
        assert (again["files_validated"], again["revalidated_everything"]) == (0, 0)
        assert _outputs(conn) == before

        # one new file (with a duplicate row and a bad one): only that file
        write_file(
            landing,
            "VN-CT/2024-05.csv",
            "region,period,metric,value\nVN-CT,2024-05,online_dossiers,10\n"
            "VN-CT,2024-05,online_dossiers,10\nVN-CT,2024-05,total_dossiers,-3\n",
        )
        _ingest(conn, landing)
        one = validation.validate_observations(conn, TODAY)
        assert (one["files_validated"], one["revalidated_everything"]) == (1, 0)
        assert _outputs(conn) == _from_scratch(landing, tmp_path / "scratch1.duckdb")

        # the registry loses a name that a sample file uses: every file again
        alias = "Ninh Thuận"
        _load_reference(conn, drop_alias=alias)
        changed = validation.validate_observations(conn, TODAY)
        assert changed["revalidated_everything"] == 1
        assert changed["files_validated"] == parsed_files + 1
        assert _outputs(conn) == _from_scratch(
            landing, tmp_path / "scratch2.duckdb", drop_alias=alias
        )

        # a new day (future periods may have become past): every file again
        _load_reference(conn, drop_alias=alias)
        tomorrow = validation.validate_observations(conn, date(2026, 11, 24))
        assert tomorrow["revalidated_everything"] == 1


def test_each_files_rows_lie_together_for_the_checks_to_read_in_row_id_slices(
    tmp_path: Path,
) -> None:
    # a million rows, for DuckDB to validate on several threads (which interleaves files
    # unless the insert orders them): one parsed file of 5,000 rows, cloned in SQL
    landing = tmp_path / "landing"
    rows = "".join(
        f"VN-HN,{2000 + month // 12}-{month % 12 + 1:02d},online_dossiers,{sector},{month}\n"
        for month in range(100)
        for sector in range(50)
    )
    write_file(landing, "VN-HN/big.csv", "region,period,metric,sector,value\n" + rows)
    with state.connect(tmp_path / "state.duckdb") as conn:
        _load_reference(conn)
        _ingest(conn, landing)
        conn.execute(
            "create temp table clones as select i, lpad(to_hex(i), 64, '0') as sha "
            "from range(1, 200) r(i);"
            "insert into raw.file_ledger select f.* replace (c.sha as file_sha256, "
            "file_path || c.i as file_path, file_seq + c.i as file_seq) "
            "from raw.file_ledger f, clones c;"
            "insert into raw.parsed_observations select p.* replace (c.sha as file_sha256) "
            "from raw.parsed_observations p, clones c order by c.i"
        )
        validation.validate_observations(conn, TODAY)
        for table in ("raw.parsed_observations", "raw.validated_observations"):
            ranges = conn.execute(
                f"select min(rowid), max(rowid), count(*) from {table} "
                "group by file_sha256 order by 1"
            ).fetchall()
            assert [count for _, _, count in ranges] == [5_000] * 200, table
            assert all(a[1] < b[0] for a, b in zip(ranges, ranges[1:], strict=False)), table


def test_files_are_cut_into_chunks_of_at_most_so_many_rows() -> None:
    files = [("a", 4), ("b", 4), ("c", 20), ("d", 1), ("e", 0)]
    assert list(validation._chunks(files, 9)) == [["a", "b"], ["c"], ["d", "e"]]
    assert list(validation._chunks(files, 7)) == [["a"], ["b"], ["c"], ["d", "e"]]
    assert list(validation._chunks([], 7)) == []


def test_validating_in_chunks_of_files_gives_the_same_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    copy_samples(landing)
    whole = _from_scratch(landing, tmp_path / "whole.duckdb")
    monkeypatch.setenv("DIGIMETRICS_VALIDATION_CHUNK_ROWS", "7")  # a chunk for every file or two
    chunked = _from_scratch(landing, tmp_path / "chunked.duckdb")
    assert chunked == whole
    assert len(whole["raw.validated_observations"]) > 50
    assert len(whole["raw.row_issues"]) > 10
