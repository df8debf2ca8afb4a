"""Freshness of what BI reads, as asset checks: the published warehouse's age, and the
scheduled submitters gone silent (orchestration/lib/freshness.py says what that means).

They run after each refresh publishes; the sensor freshness_alerts (automation/alerts.py)
evaluates the same verdicts on the daemon between refreshes, since a stale warehouse is
exactly when no refresh ran. Both read the published file, never the pipeline's state."""

from collections.abc import Callable
from datetime import datetime

import dagster as dg
import duckdb

from orchestration.lib.freshness import Verdict, scheduled_units, silent_units, warehouse_age
from orchestration.lib.settings import Settings, stale_after

PUBLISHED = dg.AssetKey("published_warehouse")
COMPLETENESS = dg.AssetKey(["marts", "fct_reporting_completeness"])


def warehouse_verdict(settings: Settings, now: datetime) -> Verdict:
    return warehouse_age(settings.warehouse_path, now, stale_after())


def schedule_verdict(settings: Settings, now: datetime) -> Verdict:
    schedules = scheduled_units(settings.reference_dir)
    return silent_units(settings.warehouse_path, schedules, settings.timezone, now)


FRESHNESS_CHECKS: dict[dg.AssetCheckKey, Callable[[Settings, datetime], Verdict]] = {
    dg.AssetCheckKey(PUBLISHED, "warehouse_is_fresh"): warehouse_verdict,
    dg.AssetCheckKey(COMPLETENESS, "submitters_report_on_schedule"): schedule_verdict,
}


def judge(key: dg.AssetCheckKey, settings: Settings, now: datetime) -> Verdict:
    """The check's verdict; one that cannot be reached (an unreadable file or schedule)
    is a failure of its own, named by the error."""
    try:
        return FRESHNESS_CHECKS[key](settings, now)
    except (duckdb.Error, OSError, ValueError) as error:
        description = f"could not evaluate {key.name}: {type(error).__name__}: {error}"
        return Verdict(False, description, {f"error:{description}": description})


def _result(key: dg.AssetCheckKey) -> dg.AssetCheckResult:
    settings = Settings.from_env()
    verdict = judge(key, settings, settings.now())
    return dg.AssetCheckResult(
        passed=verdict.passed,
        # a warning: BI keeps the last publish, which is the best there is
        severity=dg.AssetCheckSeverity.WARN,
        description=verdict.description,
        metadata=verdict.metadata,
    )


@dg.asset_check(
    asset=PUBLISHED,
    name="warehouse_is_fresh",
    description="marts.publish_info.published_at is at most DIGIMETRICS_STALE_AFTER_HOURS "
    "(26 by default) old.",
)
def warehouse_is_fresh() -> dg.AssetCheckResult:
    return _result(dg.AssetCheckKey(PUBLISHED, "warehouse_is_fresh"))


@dg.asset_check(
    asset=COMPLETENESS,
    name="submitters_report_on_schedule",
    description="Every unit a reporting schedule names has sent its report for the latest "
    "period whose deadline has passed (read from the published warehouse).",
    # it reads the published file: after this refresh's publish, not the previous one's
    additional_deps=[PUBLISHED],
)
def submitters_report_on_schedule() -> dg.AssetCheckResult:
    return _result(dg.AssetCheckKey(COMPLETENESS, "submitters_report_on_schedule"))
