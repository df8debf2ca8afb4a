"""The nightly refresh: the job, its schedule, and the sensor that runs it when files land."""

import hashlib
import json
import os

import dagster as dg

from orchestration.lib.landing import LandingZoneMissing, scan
from orchestration.lib.settings import DEFAULT_TIMEZONE, Settings

nightly_refresh = dg.define_asset_job(
    name="nightly_refresh",
    selection=dg.AssetSelection.all(),
    description="Full refresh: ingest new submissions, validate, build the marts, publish.",
    # one process: the imports (dagster, dbt) are paid once, not once per step
    executor_def=dg.in_process_executor,
)

nightly_refresh_schedule = dg.ScheduleDefinition(
    name="nightly_refresh_schedule",
    job=nightly_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone=os.environ.get("DIGIMETRICS_TIMEZONE") or DEFAULT_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="02:00 every night in DIGIMETRICS_TIMEZONE.",
)


def landing_zone_fingerprint(settings: Settings) -> tuple[str, int]:
    """A digest of every file's path, size and modification time, and of every path that
    could not be read, and the file count."""
    digest = hashlib.sha256()
    listing = scan(settings.sources_dir)
    for landed in listing.files:
        digest.update(f"{landed.rel_path}\0{landed.size}\0{landed.mtime_ns}\n".encode())
    for unreadable in listing.unreadable:
        digest.update(f"{unreadable.rel_path}\0unreadable\n".encode())
    return digest.hexdigest(), len(listing.files)


@dg.sensor(
    name="landing_zone_sensor",
    job=nightly_refresh,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when files land in (or change in) the landing zone.",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext):
    try:
        fingerprint, count = landing_zone_fingerprint(Settings.from_env())
    except LandingZoneMissing as missing:
        return dg.SkipReason(str(missing))
    previous = json.loads(context.cursor) if context.cursor else {}
    if previous.get("fingerprint") == fingerprint:
        return dg.SkipReason(f"no change in the landing zone ({count} files)")
    context.update_cursor(json.dumps({"fingerprint": fingerprint, "files": count}))
    return dg.RunRequest(
        run_key=f"landing-zone-{fingerprint[:24]}",
        tags={"digimetrics/trigger": "landing_zone_sensor", "digimetrics/files": str(count)},
    )
