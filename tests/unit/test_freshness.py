"""The freshness verdicts (orchestration/lib/freshness.py) over a small published file."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.freshness import silent_units, warehouse_age

TZ = "Asia/Ho_Chi_Minh"  # UTC+7
SCHEDULES = [("dossiers", "VN", "province", "quarter")]
QUARTERS = {"2024-Q3": "2024-09-30", "2024-Q4": "2024-12-31", "2025-Q1": "2025-03-31"}
# the 2025-Q1 report is due by the end of 20 April 2025 in Ho Chi Minh City
Q1_DEADLINE = datetime(2025, 4, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """VN-01 reports every quarter; VN-02 missed 2024-Q3 only; VN-03 stopped after 2024-Q3;
    VN-04 never reported; VN's own row (a country) is not a scheduled unit."""
    path = tmp_path / "digimetrics.duckdb"
    received = {
        "VN-01": {"2024-Q3", "2024-Q4", "2025-Q1"},
        "VN-02": {"2024-Q4", "2025-Q1"},
        "VN-03": {"2024-Q3"},
        "VN-04": set(),
    }
    conn = duckdb.connect(str(path))
    conn.execute("create schema marts")
    conn.execute(
        "create table marts.publish_info as select 'run-1' as run_id, "
        "timestamptz '2025-04-21 01:00:00+00' as published_at"
    )
    conn.execute(
        "create table marts.fct_reporting_completeness (dataset varchar, region_code varchar, "
        "region_level varchar, country_code varchar, period varchar, period_type varchar, "
        "period_end date, expected_reports integer, received_reports integer, "
        "due_at timestamptz)"
    )
    # as the mart publishes it: due 20 days after the quarter, by the end of the day in TZ
    due_at = f"timezone('{TZ}', cast(cast(? as date) + 21 as timestamp))"
    for region, periods in received.items():
        for period, end in QUARTERS.items():
            conn.execute(
                "insert into marts.fct_reporting_completeness values "
                f"('dossiers', ?, 'province', 'VN', ?, 'quarter', ?, 1, ?, {due_at})",
                [region, period, end, int(period in periods), end],
            )
    for period, end in QUARTERS.items():
        conn.execute(
            "insert into marts.fct_reporting_completeness values "
            f"('dossiers', 'VN', 'country', 'VN', ?, 'quarter', ?, 4, 1, {due_at})",
            [period, end, end],
        )
    conn.close()
    return path


def test_silent_means_the_latest_due_report_is_missing(warehouse: Path) -> None:
    verdict = silent_units(warehouse, SCHEDULES, TZ, Q1_DEADLINE)
    assert not verdict.passed
    assert sorted(verdict.failures) == [
        "silent:dossiers:VN-03:2025-Q1",
        "silent:dossiers:VN-04:2025-Q1",
    ]
    assert verdict.failures["silent:dossiers:VN-03:2025-Q1"] == (
        "dossiers VN-03: no report for 2024-Q4 to 2025-Q1 (2 overdue), silent since "
        "2025-01-21 00:00 +07; last report received: 2024-Q3"
    )
    assert "(3 overdue)" in verdict.failures["silent:dossiers:VN-04:2025-Q1"]
    assert verdict.failures["silent:dossiers:VN-04:2025-Q1"].endswith("received: none")
    assert (
        verdict.metadata["units_with_a_report_due"] == 4 and verdict.metadata["silent_units"] == 2
    )


def test_a_report_not_yet_due_is_not_missed(warehouse: Path) -> None:
    # one second before 2025-Q1's deadline the latest due report is 2024-Q4's
    verdict = silent_units(warehouse, SCHEDULES, TZ, Q1_DEADLINE - timedelta(seconds=1))
    assert sorted(verdict.failures) == [
        "silent:dossiers:VN-03:2024-Q4",
        "silent:dossiers:VN-04:2024-Q4",
    ]
    before_any = silent_units(warehouse, SCHEDULES, TZ, datetime(2024, 10, 1, tzinfo=UTC))
    assert before_any.passed and before_any.description == "no unit has a report due yet"


def test_no_schedule_and_no_file(warehouse: Path, tmp_path: Path) -> None:
    assert silent_units(warehouse, [], TZ, Q1_DEADLINE).passed
    missing = silent_units(tmp_path / "none.duckdb", SCHEDULES, TZ, Q1_DEADLINE)
    assert not missing.passed and "nothing has been published" in missing.description


def test_the_warehouse_is_stale_past_the_limit(warehouse: Path, tmp_path: Path) -> None:
    published = datetime(2025, 4, 21, 1, 0, tzinfo=UTC)
    limit = timedelta(hours=26)
    assert warehouse_age(warehouse, published + limit, limit).passed
    stale = warehouse_age(warehouse, published + limit + timedelta(seconds=1), limit)
    assert not stale.passed and list(stale.failures) == ["stale:run-1"]
    assert "run run-1" in stale.description and stale.metadata["age_hours"] == 26.0
    assert list(warehouse_age(tmp_path / "none.duckdb", published, limit).failures) == [
        f"missing:{tmp_path / 'none.duckdb'}"
    ]
