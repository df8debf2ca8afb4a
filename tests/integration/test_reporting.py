"""Reporting completeness and timeliness (contract sections 7 and 9) through the real
nightly_refresh: who must report, who did and who did so on time, judged by the end of the
due day in DIGIMETRICS_TIMEZONE; a late correction leaves an on-time report on time, and
an edit of the schedules shows after the next refresh. The same refreshes change the
outlier rule's settings, which apply at the next refresh."""

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, environment, query, refresh, write_json

SCHEDULES = "dataset,metrics,country_code,level,period_type,due_days,first_period,last_period\n"
PAYMENTS = "payments,cashless_payments;total_payments,UZ,province,half,15,2024-H1,2024-H2\n"


def _payments(at: str, *rows: tuple[str, str, int, int]) -> dict:
    """A JSON submission of Uzbekistan's ministry stating when it was submitted."""
    observations = []
    for region, period, cashless, total in rows:
        for metric, value in (("cashless_payments", cashless), ("total_payments", total)):
            if value is not None:
                observations.append(
                    {"region": region, "period": period, "metric": metric, "value": value}
                )
    return {"submitter": "UZ", "submitted_at": at, "observations": observations}


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reporting")
    shutil.copytree(REPO_ROOT / "sources" / "reference", root / "reference")
    (root / "reference" / "reporting_schedules.csv").write_text(SCHEDULES + PAYMENTS)
    landing = root / "landing"
    # the first half is due by the end of 15 July 2024 in Asia/Ho_Chi_Minh (UTC+7)
    write_json(landing, "UZ/h1.json", _payments(
        "2024-07-15T23:30:00+07:00", ("UZ-AN", "2024-H1", 10, 20), ("UZ-BU", "2024-H1", 30, 60),
    ))  # fmt: skip
    # half an hour after midnight in Ho Chi Minh City, still 15 July in UTC
    write_json(landing, "UZ/h1_fergana.json", _payments(
        "2024-07-16T00:30:00+07:00", ("UZ-FA", "2024-H1", 5, 10),
    ))  # fmt: skip
    # Samarkand sends only one of the two metrics
    write_json(landing, "UZ/h1_samarkand.json", _payments(
        "2024-07-01T09:00:00+07:00", ("UZ-SA", "2024-H1", 7, None),
    ))  # fmt: skip
    write_json(landing, "UZ/h2.json", _payments(
        "2025-01-10T09:00:00+07:00", ("UZ-TK", "2024-H2", 40, 50),
    ))  # fmt: skip
    # Andijan's services by month: median 100, MAD 1; June's 1100 scores 674.5, and
    # May's 102 and July's 98 score 1.3
    write_json(landing, "UZ/services.json", {"submitter": "UZ", "observations": [
        {"region": "UZ-AN", "period": f"2024-0{month}", "metric": "digitized_services",
         "value": value}
        for month, value in zip(range(1, 8), (100, 101, 99, 100, 102, 1100, 98), strict=True)
    ]})  # fmt: skip
    return root


def _refresh(zone: Path, **variables: str) -> None:
    with environment(
        DIGIMETRICS_SOURCES_DIR=str(zone / "landing"),
        DIGIMETRICS_WAREHOUSE=str(zone / "bi" / "digimetrics.duckdb"),
        DIGIMETRICS_REFERENCE_DIR=str(zone / "reference"),
        **variables,
    ):
        assert refresh().success


def _completeness(zone: Path, dataset: str = "payments") -> dict[tuple[str, str], tuple]:
    rows = query(
        zone / "bi" / "digimetrics.duckdb",
        "select region_code, period, region_level, expected_reports, received_reports, "
        "on_time_reports, completeness_pct, timeliness_pct "
        "from marts.fct_reporting_completeness where dataset = ?",
        [dataset],
    )
    return {(region, period): tuple(rest) for region, period, *rest in rows}


def _outliers(zone: Path) -> list[tuple[str, str]]:
    return query(
        zone / "bi" / "digimetrics.duckdb",
        "select file_path, message from marts.data_quality_issues "
        "where rule = 'outlier_value' order by message",
    )


def test_reports_are_counted_judged_corrected_and_rescheduled(zone: Path) -> None:
    _refresh(zone)
    first = _completeness(zone)
    # every region of Uzbekistan for both halves, and the country above them
    assert len(first) == 2 * 14 + 2
    assert first["UZ-AN", "2024-H1"] == ("province", 1, 1, 1, 100.0, 100.0)
    assert first["UZ-FA", "2024-H1"] == ("province", 1, 1, 0, 100.0, 0.0)  # 00:30 the day after
    assert first["UZ-SA", "2024-H1"] == ("province", 1, 0, 0, 0.0, 0.0)  # one metric of two
    assert first["UZ-NG", "2024-H1"] == ("province", 1, 0, 0, 0.0, 0.0)  # nothing sent
    assert first["UZ", "2024-H1"] == ("country", 14, 3, 2, 300 / 14, 200 / 14)
    assert first["UZ", "2024-H2"] == ("country", 14, 1, 1, 100 / 14, 100 / 14)
    # the deadline each row was judged by: the end of 15 July 2024 in Ho Chi Minh City
    assert query(
        zone / "bi" / "digimetrics.duckdb",
        "select distinct due_at at time zone 'UTC' from marts.fct_reporting_completeness "
        "where dataset = 'payments' and period = '2024-H1'",
    ) == [(datetime(2024, 7, 15, 17, 0),)]
    assert _outliers(zone) == [("UZ/services.json", "UZ-AN digitized_services 2024-06 = "
                                "1100; its series median is 100, modified z-score 674.5")]  # fmt: skip

    # Andijan corrects its on-time first half in September; Samarkand completes its report
    write_json(zone / "landing", "UZ/h1_corrections.json", _payments(
        "2024-09-01T09:00:00+07:00", ("UZ-AN", "2024-H1", 11, 20), ("UZ-SA", "2024-H1", None, 9),
    ))  # fmt: skip
    # seven values are too few for a series that needs eight
    _refresh(zone, DIGIMETRICS_OUTLIER_MIN_VALUES="8")
    assert _outliers(zone) == []
    second = _completeness(zone)
    assert second["UZ-AN", "2024-H1"] == ("province", 1, 1, 1, 100.0, 100.0)  # still on time
    assert second["UZ-SA", "2024-H1"] == ("province", 1, 1, 0, 100.0, 0.0)  # received, late
    assert second["UZ", "2024-H1"] == ("country", 14, 4, 2, 400 / 14, 200 / 14)
    assert {k: v for k, v in second.items() if k[1] == "2024-H2"} == {
        k: v for k, v in first.items() if k[1] == "2024-H2"
    }

    # judged in UTC, Fergana's 17:30 on 15 July is on time; a schedule added to the file
    # (open: up to the last year that has ended) shows after the next refresh
    with (zone / "reference" / "reporting_schedules.csv").open("a") as schedules:
        schedules.write("services,digitized_services,UZ,province,year,30,2024,\n")
    _refresh(zone, DIGIMETRICS_TIMEZONE="UTC", DIGIMETRICS_OUTLIER_THRESHOLD="1")
    assert [message for _, message in _outliers(zone)] == [
        f"UZ-AN digitized_services 2024-0{month} = {value}; its series median is 100, "
        f"modified z-score {score}"
        for month, value, score in ((5, 102, 1.3), (6, 1100, 674.5), (7, 98, -1.3))
    ]
    third = _completeness(zone)
    assert third["UZ-FA", "2024-H1"] == ("province", 1, 1, 1, 100.0, 100.0)
    assert third["UZ", "2024-H1"] == ("country", 14, 4, 3, 400 / 14, 300 / 14)
    services = _completeness(zone, "services")
    assert services["UZ", "2024"] == ("country", 14, 0, 0, 0.0, 0.0)
    assert services.keys() >= {("UZ", "2025"), ("UZ-TO", "2025")}
