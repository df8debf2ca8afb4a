"""The bundled samples illustrate what the ministry steers by (issue: targets, rankings,
reconciliation): after a refresh over sources/ the warehouse shows targets met and
missed, provinces ranked, and a stated total that disagrees with its parts."""

from pathlib import Path

import pytest

from tests.conftest import copy_samples, environment, query, refresh


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("samples")
    root, warehouse = base / "landing", base / "bi" / "digimetrics.duckdb"
    copy_samples(root)
    with environment(DIGIMETRICS_SOURCES_DIR=str(root), DIGIMETRICS_WAREHOUSE=str(warehouse)):
        assert refresh().success
    return warehouse


def test_the_samples_show_targets_met_and_missed(sample_warehouse: Path) -> None:
    verdicts = query(
        sample_warehouse,
        "select target_met, count(*) from marts.fct_indicators "
        "where target_pct is not null group by all order by all",
    )
    assert [met for met, _ in verdicts] == [False, True]


def test_the_samples_rank_provinces_within_their_country(sample_warehouse: Path) -> None:
    ranked = query(
        sample_warehouse,
        "select max(units_ranked) from marts.fct_indicators "
        "where region_level = 'province' and geography = 'as_reported'",
    )
    assert ranked[0][0] > 1


def test_the_samples_hold_a_total_that_disagrees_with_its_parts(sample_warehouse: Path) -> None:
    assert query(
        sample_warehouse,
        "select message from marts.data_quality_issues where rule = 'total_mismatch'",
    ) == [
        ("MN digitized_services 2024: reported 540; the 8 of 22 provinces below it that "
         "reported sum to 535",)
    ]  # fmt: skip
