"""The figure models rebuild by (region, year): a refresh after one new file, after a
resubmission and after a registry edit publishes relations identical, row for row, to a
refresh of the same landing zone and reference data from scratch. The new file and the
resubmission reach the units above theirs, the longer periods around theirs and, in the
current geography, the units that hold their territory today; the publish after a build
by key replaces those keys in a copy of the published file."""

import shutil
from pathlib import Path

import pytest
from dagster import AssetKey

from tests.conftest import (
    REPO_ROOT,
    copy_samples,
    environment,
    published_tables,
    query,
    refresh,
    write_file,
    write_json,
)

HEADER = "region,period,metric,value,submitted_at\n"


def _month(region: str, period: str, online: int, total: int, at: str) -> str:
    return (
        HEADER
        + f"{region},{period},online_dossiers,{online},{at}\n"
        + f"{region},{period},total_dossiers,{total},{at}\n"
    )


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples, Khanh Hoa (VN-34) and Ninh Thuan (VN-36, merged into VN-25-34 in July
    2025) reporting months of 2024, and rows for communes the registry does not hold yet."""
    root = tmp_path_factory.mktemp("by_key")
    landing, reference = root / "landing", root / "reference"
    copy_samples(landing)
    shutil.copytree(REPO_ROOT / "sources" / "reference", reference)
    at = "2024-04-05T09:00:00+07:00"
    write_file(landing, "VN-34/2024-01.csv", _month("VN-34", "2024-01", 40, 100, at))
    write_file(landing, "VN-34/2024-02.csv", _month("VN-34", "2024-02", 45, 100, at))
    write_file(landing, "VN-36/2024-01.csv", _month("VN-36", "2024-01", 10, 50, at))
    write_file(landing, "VN-34/communes_2024-03.csv",
               _month("VN-34-001", "2024-03", 7, 20, at) + "VN-34-002,2024-03,online_dossiers,8,"
               + at + "\nVN-34-002,2024-03,total_dossiers,30," + at + "\n")  # fmt: skip
    return root


def _refresh(zone: Path, warehouse: Path) -> str:
    """One refresh; how it published ("by key" or "whole")."""
    with environment(
        DIGIMETRICS_SOURCES_DIR=str(zone / "landing"),
        DIGIMETRICS_WAREHOUSE=str(warehouse),
        DIGIMETRICS_REFERENCE_DIR=str(zone / "reference"),
    ):
        result = refresh()
    assert result.success
    [published] = [
        event.materialization
        for event in result.get_asset_materialization_events()
        if event.materialization.asset_key == AssetKey("published_warehouse")
    ]
    return published.metadata["publish"].value


def _refresh_both(zone: Path, step: str, publish: str) -> tuple[dict, dict]:
    """Refresh the kept warehouse (by key, over every earlier step; it publishes as
    `publish` says) and a new one from scratch over the same files; both publishes'
    tables."""
    kept, scratch = zone / "kept" / "digimetrics.duckdb", zone / step / "digimetrics.duckdb"
    assert _refresh(zone, kept) == publish
    assert _refresh(zone, scratch) == "whole"
    return published_tables(kept, arrival=False), published_tables(scratch, arrival=False)


def _assert_identical(kept: dict, scratch: dict) -> None:
    assert kept.keys() == scratch.keys()
    for table in scratch:
        assert kept[table] == scratch[table], table


def test_a_refresh_by_key_equals_one_from_scratch_after_each_kind_of_change(zone: Path) -> None:
    warehouse = zone / "kept" / "digimetrics.duckdb"
    assert _refresh(zone, warehouse) == "whole"
    restated_q1 = (
        "select value, derivation, contributing, expected from marts.fct_metrics "
        "where metric_code = 'online_dossiers' and geography = 'current' "
        "and region_code = 'VN-25-34' and period = '2024-Q1' and sector = 'all'"
    )
    # Khanh Hoa's two months (its communes are not in the registry yet) and Ninh Thuan's one
    assert query(warehouse, restated_q1) == [(95, "restated", 2, 2)]

    # one new file: Ninh Thuan's February, reaching its quarter, half and year, the
    # country's, and the new Khanh Hoa's in the current geography
    write_file(zone / "landing", "VN-36/2024-02.csv",
               _month("VN-36", "2024-02", 20, 50, "2024-04-06T09:00:00+07:00"))  # fmt: skip
    kept, scratch = _refresh_both(zone, "new_file", "by key")
    _assert_identical(kept, scratch)
    assert query(warehouse, restated_q1) == [(115, "restated", 2, 2)]

    # one new file of 2025 only, sent in April: Tay Ninh's months and its first quarter (a
    # scheduled report). Its 2024 series gains six values near 3000: May 2024's 10000 is no
    # outlier any more, a row of a year the new file does not touch
    outlier = (
        "select count(*) from marts.data_quality_issues "
        "where rule = 'outlier_value' and message like 'VN-37 total_dossiers 2024-05 %'"
    )
    assert query(warehouse, outlier) == [(1,)]
    months = [
        {"period": f"2025-0{m}", "metric": "total_dossiers", "value": v}
        for m, v in zip(range(1, 7), (2950, 3000, 3000, 3020, 3050, 3100), strict=True)
    ]
    quarter = [
        {"period": "2025-Q1", "metric": "online_dossiers", "value": 900},
        {"period": "2025-Q1", "metric": "total_dossiers", "value": 9000},
    ]
    write_json(zone / "landing", "VN-37/2025-H1.json", {
        "submitter": "VN-37", "submitted_at": "2025-04-10T09:00:00+07:00",
        "observations": [{"region": "VN-37", **row} for row in months + quarter],
    })  # fmt: skip
    kept, scratch = _refresh_both(zone, "new_series_values", "by key")
    _assert_identical(kept, scratch)
    assert query(warehouse, outlier) == [(0,)]
    assert query(
        warehouse,
        "select received_reports, on_time_reports from marts.fct_reporting_completeness "
        "where dataset = 'dossiers' and region_code = 'VN-37' and period = '2025-Q1'",
    ) == [(1, 1)]

    # a resubmission: Khanh Hoa corrects January
    write_file(zone / "landing", "VN-34/2024-01_v2.csv",
               _month("VN-34", "2024-01", 50, 100, "2024-04-20T09:00:00+07:00"))  # fmt: skip
    kept, scratch = _refresh_both(zone, "resubmission", "by key")
    _assert_identical(kept, scratch)
    assert query(warehouse, restated_q1) == [(125, "restated", 2, 2)]

    # a registry edit: Khanh Hoa's communes, whose rows were unknown_region until now
    write_file(zone / "reference", "regions/vn_34_communes.csv",
               "region_code,level,parent_code,country_code,name_en,name_local,aliases,"
               "valid_from,valid_to,successor_code\n"
               "VN-34-001,commune,VN-34,VN,Nha Trang,Nha Trang,,,2025-06-30,\n"
               "VN-34-002,commune,VN-34,VN,Cam Ranh,Cam Ranh,,,2025-06-30,\n")  # fmt: skip
    kept, scratch = _refresh_both(zone, "registry_edit", "whole")
    _assert_identical(kept, scratch)
    march = query(
        warehouse,
        "select value, derivation, contributing, expected from marts.fct_metrics "
        "where metric_code = 'online_dossiers' and geography = 'as_reported' "
        "and region_code = 'VN-34' and period = '2024-03' and sector = 'all'",
    )
    assert march == [(15, "children_sum", 2, 2)]
