"""Is what BI reads still current? Two verdicts over the published warehouse, with no Dagster:
how old the publish is, and which scheduled units have gone silent.

A scheduled unit is *silent* when the report it owes for its latest period whose deadline
has passed has not been received. Its deadline is int_scheduled_reports' (the end of the
schedule's due_days-th day after the period, in DIGIMETRICS_TIMEZONE) and received means
fct_reporting_completeness counts the unit's report as received (every metric of the
dataset has an accepted value, sector `all`). A unit that missed an older report but sent
its latest is not silent: its gap shows in the completeness figures, not as an alert."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from orchestration.lib.reference import SCHEDULE_COLUMNS, read_csv

MAX_NAMED_IN_METADATA = 50


@dataclass(frozen=True)
class Verdict:
    """One check's outcome. `failures` names each thing that is wrong with a stable key, so
    an alert goes out once per new failure, not once per evaluation."""

    passed: bool
    description: str
    failures: dict[str, str] = field(default_factory=dict)  # key -> one line for the alert
    metadata: dict[str, object] = field(default_factory=dict)


@contextmanager
def _read(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    # read-only, closed at once: a refresh can swap the file in between two evaluations
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        yield conn
    finally:
        conn.close()


def _not_published(warehouse: Path) -> Verdict:
    description = f"nothing has been published at {warehouse} yet"
    return Verdict(False, description, {f"missing:{warehouse}": description},
                   metadata={"path": str(warehouse)})  # fmt: skip


def warehouse_age(warehouse: Path, now: datetime, limit: timedelta) -> Verdict:
    """Fails when the publish recorded in marts.publish_info is older than `limit` (or
    there is none): a stale file is what BI shows when the nightly refresh stopped."""
    if not warehouse.exists():
        return _not_published(warehouse)
    with _read(warehouse) as conn:
        run_id, published_at = conn.execute(
            "select run_id, published_at from marts.publish_info"
        ).fetchone()
    age = now - published_at
    metadata = {
        "path": str(warehouse),
        "published_at": published_at.astimezone(now.tzinfo).isoformat(timespec="seconds"),
        "run_id": run_id,
        "age_hours": round(age.total_seconds() / 3600, 2),
        "limit_hours": round(limit.total_seconds() / 3600, 2),
    }
    hours = f"{age.total_seconds() / 3600:.1f} h"
    if age <= limit:
        return Verdict(True, f"published {hours} ago by run {run_id}", metadata=metadata)
    description = (
        f"{warehouse} was last published {hours} ago ({metadata['published_at']}, run "
        f"{run_id}), more than the {metadata['limit_hours']} h allowed: no refresh has "
        "published since"
    )
    # one alert per stale publish: the next publish that goes stale alerts again
    return Verdict(False, description, {f"stale:{run_id}": description}, metadata)


def scheduled_units(reference_dir: Path) -> list[tuple[str, str, str, str]]:
    """(dataset, country_code, level, period_type) of every reporting schedule (contract
    section 7): which rows of the mart are those of units that must report themselves.
    The refresh validates the file; a malformed one raises here too."""
    path = reference_dir / "reporting_schedules.csv"
    if not path.exists():
        return []
    return [
        (row["dataset"], row["country_code"].upper(), row["level"], row["period_type"])
        for row in read_csv(path, SCHEDULE_COLUMNS)
    ]


# Per unit that must report (its own row of the mart: the schedule's country, level and
# period type), the reports due by ?now, and among them the latest and the trailing run of
# missing ones. The deadline is the mart's (int_scheduled_reports').
OVERDUE_REPORTS = """
with due as (
    select
        report.dataset,
        report.region_code,
        report.period,
        report.period_end,
        report.received_reports = report.expected_reports as is_received,
        report.due_at
    from marts.fct_reporting_completeness as report
    inner join schedules as schedule
        on schedule.dataset = report.dataset
        and schedule.country_code = report.country_code
        and schedule.level = report.region_level
        and schedule.period_type = report.period_type
),

overdue as (
    select * from due where due_at <= $now
)
"""

SILENT_UNITS_SQL = (
    OVERDUE_REPORTS
    + """,

units as (
    select
        dataset,
        region_code,
        arg_max(is_received, period_end) as latest_received,
        max(period_end) filter (where is_received) as last_received_end,
        arg_max(period, period_end) filter (where is_received) as last_received_period
    from overdue
    group by all
)

select
    overdue.dataset,
    overdue.region_code,
    any_value(units.last_received_period) as last_received_period,
    arg_min(overdue.period, overdue.period_end) as first_missed,
    arg_max(overdue.period, overdue.period_end) as last_missed,
    count(*) as missed,
    min(overdue.due_at) as silent_since
from overdue
inner join units using (dataset, region_code)
where not units.latest_received
    and overdue.period_end > coalesce(units.last_received_end, date '0001-01-01')
group by all
order by overdue.dataset, overdue.region_code
"""
)
# the units that owe at least one report by now
DUE_UNITS_SQL = OVERDUE_REPORTS + "select count(distinct (dataset, region_code)) from overdue"


def silent_units(
    warehouse: Path, schedules: list[tuple[str, str, str, str]], timezone: str,
    now: datetime,
) -> Verdict:  # fmt: skip
    """Fails naming every scheduled unit that is silent (see the module's docstring)."""
    if not warehouse.exists():
        return _not_published(warehouse)
    if not schedules:
        return Verdict(True, "no reporting schedule: no unit owes a report",
                       metadata={"schedules": 0, "silent_units": 0})  # fmt: skip
    with _read(warehouse) as conn:
        conn.execute(
            "create temp table schedules (dataset varchar, country_code varchar, "
            "level varchar, period_type varchar)"
        )
        conn.executemany("insert into schedules values (?, ?, ?, ?)", schedules)
        rows = conn.execute(SILENT_UNITS_SQL, {"now": now}).fetchall()
        (units,) = conn.execute(DUE_UNITS_SQL, {"now": now}).fetchone()
    zone = ZoneInfo(timezone)
    failures = {}
    for dataset, region, last_received, first, last, missed, since in rows:
        span = first if missed == 1 else f"{first} to {last}"
        # a unit that misses one more period is a new failure: it alerts again
        failures[f"silent:{dataset}:{region}:{last}"] = (
            f"{dataset} {region}: no report for {span} ({missed} overdue), silent since "
            f"{since.astimezone(zone):%Y-%m-%d %H:%M %Z}; last report received: "
            f"{last_received or 'none'}"
        )
    metadata = {
        "schedules": len(schedules),
        "units_with_a_report_due": units,
        "silent_units": len(rows),
        "silent": [f"{d} {r} since {f}" for d, r, _, f, *_ in rows[:MAX_NAMED_IN_METADATA]],
    }
    if not units:  # said as such: a pass over nothing would read as "all reported"
        return Verdict(True, "no unit has a report due yet", metadata=metadata)
    if not rows:
        return Verdict(True, f"each of {units} scheduled units sent its latest due report",
                       metadata=metadata)  # fmt: skip
    return Verdict(
        False,
        f"{len(rows)} of {units} scheduled units have not sent the latest report due: "
        + ", ".join(f"{r[0]} {r[1]}" for r in rows[:MAX_NAMED_IN_METADATA])
        + (" …" if len(rows) > MAX_NAMED_IN_METADATA else ""),
        failures,
        metadata,
    )
