"""Being told when something goes wrong (README, Alerts): a real failed nightly_refresh
and a real published warehouse, alerts delivered to a real local SMTP server and a real
local HTTP server, through the sensors as the daemon evaluates them."""

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.sensor_definition import SensorExecutionData

from orchestration.definitions import defs
from orchestration.defs.automation.alerts import alert_channels_from_env
from tests.alert_servers import Inbox, free_port, http_server, smtp_server
from tests.conftest import REPO_ROOT, environment, query, refresh, write_json

DEFS = defs()
UI = "http://dagster.example:3000"
SCHEDULES = (
    "dataset,metrics,country_code,level,period_type,due_days,first_period,last_period\n"
    "payments,cashless_payments;total_payments,UZ,province,half,15,2024-H1,2024-H2\n"
)


def _uz_provinces() -> list[str]:
    path = REPO_ROOT / "sources" / "reference" / "regions" / "countries_and_provinces.csv"
    with path.open(encoding="utf-8") as handle:
        return [r["region_code"] for r in csv.DictReader(handle)
                if r["country_code"] == "UZ" and r["level"] == "province"]  # fmt: skip


@dataclass
class Zone:
    root: Path
    mails: Inbox
    posts: Inbox
    variables: dict[str, str]
    checks: dict[str, tuple[bool, str]]  # the refresh's freshness checks: passed, description

    @property
    def warehouse(self) -> Path:
        return self.root / "bi" / "digimetrics.duckdb"


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zone]:
    """Uzbekistan's provinces report payments by half year; Andijan sent only the first
    half, Bukhara nothing. One refresh publishes it."""
    root = tmp_path_factory.mktemp("alerts")
    shutil.copytree(REPO_ROOT / "sources" / "reference", root / "reference")
    (root / "reference" / "reporting_schedules.csv").write_text(SCHEDULES)
    observations = [
        {"region": region, "period": period, "metric": metric, "value": value}
        for region in _uz_provinces()
        for period in ("2024-H1", "2024-H2")
        for metric, value in (("cashless_payments", 40), ("total_payments", 50))
        if region != "UZ-BU" and (region, period) != ("UZ-AN", "2024-H2")
    ]
    write_json(root / "landing", "UZ/payments.json", {
        "submitter": "UZ", "submitted_at": "2025-01-05T09:00:00+07:00",
        "observations": observations,
    })  # fmt: skip
    with smtp_server() as (smtp_port, mails), http_server() as (url, posts):
        variables = {
            "DIGIMETRICS_SOURCES_DIR": str(root / "landing"),
            "DIGIMETRICS_WAREHOUSE": str(root / "bi" / "digimetrics.duckdb"),
            "DIGIMETRICS_REFERENCE_DIR": str(root / "reference"),
            "DIGIMETRICS_SMTP_HOST": "127.0.0.1",
            "DIGIMETRICS_SMTP_PORT": str(smtp_port),
            "DIGIMETRICS_ALERT_FROM": "digimetrics@example.org",
            "DIGIMETRICS_ALERT_TO": "ops@example.org, dba@example.org",
            "DIGIMETRICS_ALERT_WEBHOOK_URL": f"{url}/alerts",
            "DIGIMETRICS_UI_BASE_URL": UI,
        }
        with environment(**variables):
            result = refresh()
        assert result.success
        checks = {
            e.check_name: (e.passed, e.description)
            for e in result.get_asset_check_evaluations()
            if e.check_name in ("warehouse_is_fresh", "submitters_report_on_schedule")
        }
        yield Zone(root, mails, posts, variables, checks)


def test_the_alert_sensors_are_on_and_watch_the_nightly_refresh() -> None:
    failure = DEFS.resolve_sensor_def("nightly_refresh_failure_alert")
    freshness = DEFS.resolve_sensor_def("freshness_alerts")
    assert failure.default_status == freshness.default_status == dg.DefaultSensorStatus.RUNNING
    assert failure.required_resource_keys == freshness.required_resource_keys == {"alerts"}


def _tick(zone: Zone, cursor: str | None, **variables: str) -> SensorExecutionData:
    """One evaluation of freshness_alerts, as the daemon runs it between refreshes."""
    sensor = DEFS.resolve_sensor_def("freshness_alerts")
    with environment(**{**zone.variables, **variables}):
        resources = {"alerts": alert_channels_from_env()}
        with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
            return sensor.evaluate_tick(context)


def _one_alert(zone: Zone) -> tuple[object, dict]:
    """The alert's mail and POST: exactly one of each."""
    to, mail, _ = zone.mails.next()
    path, _, payload = zone.posts.next()
    assert to == ["ops@example.org", "dba@example.org"] and path == "/alerts"
    assert zone.mails.is_empty() and zone.posts.is_empty()
    return mail, payload


def test_stale_warehouse_and_silent_submitters_alert_once_each(zone: Zone) -> None:
    (run_id,) = query(zone.warehouse, "select run_id from marts.publish_info")[0]

    # every channel down (nothing listens on the mail port, the webhook answers 500): the
    # sensor logs it and goes on, and keeps the failures to alert at the next evaluation
    with http_server(status=500) as (broken_url, refused):
        down = _tick(zone, None, DIGIMETRICS_SMTP_PORT=str(free_port()),
                     DIGIMETRICS_ALERT_WEBHOOK_URL=broken_url)  # fmt: skip
        assert refused.next()[2]["check"] == "submitters_report_on_schedule"
    assert zone.mails.is_empty() and zone.posts.is_empty()
    outcomes = {(e.check_name, e.passed) for e in down.asset_events}
    assert outcomes == {("warehouse_is_fresh", True), ("submitters_report_on_schedule", False)}

    # just published, within 26 h: only the two silent provinces alert
    first = _tick(zone, down.cursor)
    mail, payload = _one_alert(zone)
    assert payload["check"] == "submitters_report_on_schedule"
    assert payload["asset"] == "marts/fct_reporting_completeness"
    named = {line.split(":")[0] for line in payload["new_failures"]}
    assert named == {"payments UZ-AN", "payments UZ-BU"}  # the twelve that reported are not
    assert (
        "payments UZ-AN: no report for 2024-H2 (1 overdue), silent since 2025-01-16 00:00"
        in payload["new_failures"][0]
    )
    assert (
        "payments UZ-BU: no report for 2024-H1 to 2024-H2 (2 overdue)" in payload["new_failures"][1]
    )
    assert "UZ-AN" in mail["Subject"] + mail.get_content() and "UZ-BU" in mail.get_content()
    assert first.skip_message == "alerted: submitters_report_on_schedule (2 new)"

    # the limit shrunk to nothing: the publish is stale, one alert with its run id; the
    # silent provinces were already alerted and are not again
    second = _tick(zone, first.cursor, DIGIMETRICS_STALE_AFTER_HOURS="0")
    mail, payload = _one_alert(zone)
    assert payload["check"] == "warehouse_is_fresh" and run_id in payload["new_failures"][0]
    assert run_id in mail.get_content()
    assert [(e.check_name, e.passed) for e in second.asset_events] == [
        ("warehouse_is_fresh", False)
    ]

    # the next evaluation finds nothing new: no alert, nothing recorded again
    third = _tick(zone, second.cursor, DIGIMETRICS_STALE_AFTER_HOURS="0")
    assert zone.mails.is_empty() and zone.posts.is_empty()
    assert third.asset_events == [] and third.skip_message == "no new failure"


def test_the_refresh_runs_the_checks_on_what_it_has_just_published(zone: Zone) -> None:
    """Before this publish there was no file: a check that read too early would say so."""
    assert zone.checks["warehouse_is_fresh"][0]
    passed, description = zone.checks["submitters_report_on_schedule"]
    assert not passed
    assert description.startswith(
        f"2 of {len(_uz_provinces())} scheduled units have not sent the latest report due"
    )
    assert description.endswith("payments UZ-AN, payments UZ-BU")


def test_a_failed_refresh_alerts_with_its_run_step_and_error(zone: Zone, tmp_path: Path) -> None:
    broken = tmp_path / "reference"
    shutil.copytree(zone.root / "reference", broken)
    (broken / "reporting_schedules.csv").write_text(SCHEDULES.replace(",15,", ",soon,"))
    with (
        dg.DagsterInstance.ephemeral() as instance,
        environment(**{**zone.variables, "DIGIMETRICS_REFERENCE_DIR": str(broken)}),
    ):
        result = refresh(raise_on_error=False, instance=instance)
        assert not result.success
        context = dg.build_run_status_sensor_context(
            sensor_name="nightly_refresh_failure_alert",
            dagster_event=result.get_run_failure_event(),
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            resources={"alerts": alert_channels_from_env()},
        )
        DEFS.resolve_sensor_def("nightly_refresh_failure_alert")(context)
    run_id = result.dagster_run.run_id
    (failed_step,) = [e.step_key for e in result.get_step_failure_events()]
    mail, payload = _one_alert(zone)
    assert payload["kind"] == "run_failure" and payload["run_id"] == run_id
    assert payload["run_url"] == f"{UI}/runs/{run_id}"
    assert [f["step"] for f in payload["failures"]] == [failed_step]
    error = "reporting_schedules.csv line 2, column due_days: 'soon' is not a number of days"
    assert error in payload["failures"][0]["error"]
    text = mail.get_content()
    assert run_id in text and f"{UI}/runs/{run_id}" in text and failed_step in text
    assert error in text and "\x1b" not in text
    # a long subject is folded onto a line of its own: its leading space is the fold's
    assert mail["Subject"].strip() == f"[digimetrics] nightly_refresh failed at {failed_step}"
