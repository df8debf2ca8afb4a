"""Parsing over a pool of processes (large landing zones) stores exactly what parsing in
one process stores: the same rows, findings and statuses, recorded in ledger order."""

import time
from datetime import datetime
from pathlib import Path

import pytest

from orchestration.lib import ingest, ledger, state
from orchestration.lib.reference import load_metrics, load_registry
from tests.conftest import REPO_ROOT, copy_samples

TABLES = {
    "raw.parsed_observations": "select * exclude (raw_record), raw_record",
    "raw.file_issues": "select *",
    "raw.file_ledger": "select * exclude (first_seen_at)",
}


def _ingest(landing: Path, state_db: Path) -> tuple[ingest.ParseSummary, dict[str, list]]:
    reference = REPO_ROOT / "sources" / "reference"
    kinds = {m["metric_code"]: m["kind"] for m in load_metrics(reference)}
    submitters = {str(r["region_code"]) for r in load_registry(reference).regions}
    with state.connect(state_db) as conn:
        ledger.record_landed_files(conn, landing, datetime(2026, 1, 1))
        summary = ingest.parse_pending_files(conn, landing, kinds, submitters, 2_500)
        stored = {
            table: sorted(conn.execute(f"{select} from {table}").fetchall(), key=repr)
            for table, select in TABLES.items()
        }
    return summary, stored


def test_a_pool_of_processes_stores_what_one_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    copy_samples(landing)  # includes rejected files, and one over the 2,500-byte limit below
    serial_summary, serial = _ingest(landing, tmp_path / "serial.duckdb")
    assert serial_summary.files_rejected >= 5 and serial_summary.rows_parsed > 100

    started = []
    real_pool = ingest.ProcessPoolExecutor
    monkeypatch.setenv("DIGIMETRICS_PARALLEL_PARSE_MIN_BYTES", "1")
    monkeypatch.setenv("DIGIMETRICS_PARSE_COMMIT_ROWS", "20")  # and many small transactions
    monkeypatch.setattr(
        ingest, "ProcessPoolExecutor", lambda **kw: started.append(kw) or real_pool(**kw)
    )
    pooled_summary, pooled = _ingest(landing, tmp_path / "pooled.duckdb")

    assert started, "the pool was used"
    assert (serial_summary.processes, pooled_summary.processes) == (1, 2)
    serial_summary.processes = pooled_summary.processes
    assert pooled_summary == serial_summary
    assert pooled == serial


def test_files_in_flight_are_bounded_and_outcomes_come_in_order() -> None:
    """However slowly outcomes are recorded, at most `ahead` more files are being parsed
    or waiting: their rows never pile up in memory."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    started: list[int] = []
    lock = threading.Lock()

    def parse(item: int) -> int:
        with lock:
            started.append(item)
        return item * 10

    consumed, most_ahead = [], 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        for outcome in ingest._map_ahead(pool, parse, list(range(50)), ahead=3):
            time.sleep(0.002)  # recording is the slow side
            with lock:
                most_ahead = max(most_ahead, len(started) - len(consumed))
            consumed.append(outcome)
    assert consumed == [item * 10 for item in range(50)]
    assert 1 < most_ahead <= 4, most_ahead  # the one being recorded and three ahead


def test_files_are_recorded_in_groups_cut_after_so_many_rows() -> None:
    import pyarrow as pa

    def parsed(rows: int) -> ingest._ParsedFile:
        return ingest._ParsedFile(None, pa.table({"row_number": list(range(rows))}))  # type: ignore[arg-type]

    rejected = ingest.FileRejected("empty_file", "the file is empty")
    outcomes = [
        (n, o) for n, o in enumerate([parsed(5), parsed(5), rejected, parsed(30), parsed(1)])
    ]
    groups = [[n for n, _ in group] for group in ingest._groups(iter(outcomes), 10)]
    assert groups == [[0, 1], [2, 3], [4]]
    assert list(ingest._groups(iter([]), 10)) == []
