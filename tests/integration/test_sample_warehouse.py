"""The bundled samples illustrate what the ministry steers by (issue: targets, rankings,
completeness, reconciliation, outliers): after a refresh over sources/ the warehouse shows
targets met and missed, provinces ranked, a schedule with late and on-time reports, a
stated total that disagrees with its parts and an outlier."""

from pathlib import Path

from tests.conftest import query


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


def test_the_samples_hold_a_schedule_with_late_and_on_time_reports(sample_warehouse: Path) -> None:
    # Uzbekistan's five regions sent both halves of 2024 in one file on 15 January 2025:
    # the second half on time (due 15 days after it ended), the first half late
    assert query(
        sample_warehouse,
        "select period, expected_reports, received_reports, on_time_reports "
        "from marts.fct_reporting_completeness where dataset = 'payments' "
        "and region_code = 'UZ' order by period",
    ) == [("2024-H1", 14, 5, 0), ("2024-H2", 14, 5, 5)]
    assert query(
        sample_warehouse,
        "select max(completeness_pct), max(timeliness_pct) from marts.fct_reporting_completeness",
    ) == [(100.0, 100.0)]


def test_the_samples_expect_a_merged_province_only_while_it_existed(
    sample_warehouse: Path,
) -> None:
    # Tay Ninh (VN-37) ended on 30 June 2025 and its territory went to VN-25-37
    periods = dict(
        query(
            sample_warehouse,
            "select region_code, list(period order by period) from "
            "marts.fct_reporting_completeness where dataset = 'dossiers' "
            "and region_code in ('VN-37', 'VN-25-37') group by all",
        )
    )
    assert periods["VN-37"] == ["2024-Q4", "2025-Q1", "2025-Q2"]
    assert periods["VN-25-37"][0] == "2025-Q3"


def test_the_samples_hold_an_outlier_reported_back_to_its_province(
    sample_warehouse: Path,
) -> None:
    message = (
        "VN-37 total_dossiers 2024-05 = 10000; its series median is 1003, modified z-score 505.7"
    )
    assert query(
        sample_warehouse,
        "select file_path, severity, message from marts.data_quality_issues "
        "where rule = 'outlier_value'",
    ) == [("VN-37/2024/dossiers_monthly_2024.csv", "warning", message)]
    # a warning: the value is still published
    assert query(
        sample_warehouse,
        "select value from marts.fct_metrics where geography = 'as_reported' "
        "and region_code = 'VN-37' and period = '2024-05' and metric_code = 'total_dossiers'",
    ) == [(10000,)]
    feedback = sample_warehouse.parent / "feedback" / "VN-37.csv"
    assert message in feedback.read_text(encoding="utf-8-sig")
