"""The nightly refresh: the job, its schedule, and the sensor that runs it when files land."""

import hashlib
import os

import dagster as dg

from orchestration.lib.landing import LandingZoneMissing
from orchestration.lib.settings import DEFAULT_TIMEZONE, Settings
from orchestration.lib.whats_new import unrecorded_files

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


# how often the sensor looks at the landing zone (the tests shorten it)
SENSOR_INTERVAL_SECONDS = int(os.environ.get("DIGIMETRICS_SENSOR_INTERVAL_SECONDS") or 60)


@dg.sensor(
    name="landing_zone_sensor",
    job=nightly_refresh,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when files land in the landing zone that the ledger has "
    "not recorded (new files, or files overwritten since).",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext):
    try:
        unrecorded = unrecorded_files(Settings.from_env())
    except LandingZoneMissing as missing:
        return dg.SkipReason(str(missing))
    if not unrecorded:
        return dg.SkipReason("every file in the landing zone is recorded")
    # the same unrecorded files give the same run key, so Dagster starts one run for them
    digest = hashlib.sha256()
    for landed in sorted(unrecorded, key=lambda f: f.rel_path):
        digest.update(f"{landed.rel_path}\0{landed.size}\0{landed.mtime_ns}\n".encode())
    return dg.RunRequest(
        run_key=f"landing-zone-{digest.hexdigest()[:24]}",
        tags={"digimetrics/trigger": "landing_zone_sensor",
              "digimetrics/files": str(len(unrecorded))},
    )  # fmt: skip
