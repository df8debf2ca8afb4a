"""Being told when something goes wrong: a failed nightly_refresh, a stale warehouse, a
submitter gone silent. Alerts go by e-mail and to a webhook, each configured from the
environment (README, Configuration); with neither, they are only logged by the daemon."""

import json
import os
import socket

import dagster as dg

from orchestration.defs.automation.jobs import nightly_refresh
from orchestration.defs.quality.freshness_checks import FRESHNESS_CHECKS, judge
from orchestration.lib.notify import (
    Channel,
    Notification,
    SmtpChannel,
    WebhookChannel,
    check_notification,
    deliver,
    recipients,
    run_failure_notification,
    run_url,
)
from orchestration.lib.settings import Settings

FRESHNESS_INTERVAL_SECONDS = 600


class AlertChannels(dg.ConfigurableResource):
    """Where alerts go. Mail needs a host and at least one recipient; the webhook a URL.
    The UI's base URL, when set, puts a link to the failed run in its alert."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: str = "false"  # true: STARTTLS before login and sending
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str | None = None
    mail_to: str | None = None  # addresses separated by commas
    webhook_url: str | None = None
    ui_base_url: str | None = None

    def channels(self) -> list[Channel]:
        channels: list[Channel] = []
        to = recipients(self.mail_to)
        if self.smtp_host and to:
            channels.append(
                SmtpChannel(
                    host=self.smtp_host,
                    port=self.smtp_port,
                    sender=self.mail_from or f"digimetrics@{socket.gethostname()}",
                    recipients=to,
                    starttls=self.smtp_starttls.strip().lower() in ("1", "true", "yes", "on"),
                    username=self.smtp_username,
                    password=self.smtp_password,
                )
            )
        if self.webhook_url:
            channels.append(WebhookChannel(self.webhook_url))
        return channels

    def send(self, notification: Notification, log: dg.DagsterLogManager) -> list[str]:
        """Send on every channel; the names of those that failed (logged, never raised)."""
        return deliver(self.channels(), notification, log.info, log.warning)


# resource field -> environment variable
ALERT_VARIABLES = {
    "smtp_host": "DIGIMETRICS_SMTP_HOST",
    "smtp_port": "DIGIMETRICS_SMTP_PORT",
    "smtp_starttls": "DIGIMETRICS_SMTP_STARTTLS",
    "smtp_username": "DIGIMETRICS_SMTP_USERNAME",
    "smtp_password": "DIGIMETRICS_SMTP_PASSWORD",
    "mail_from": "DIGIMETRICS_ALERT_FROM",
    "mail_to": "DIGIMETRICS_ALERT_TO",
    "webhook_url": "DIGIMETRICS_ALERT_WEBHOOK_URL",
    "ui_base_url": "DIGIMETRICS_UI_BASE_URL",
}


def alert_channels_from_env() -> AlertChannels:
    """An EnvVar for each variable that is set: Dagster resolves them when the resource is
    used (the UI shows the variable's name, never a password), and an EnvVar of an unset
    variable would fail the sensor, where every channel is optional."""
    values = {
        field: dg.EnvVar.int(variable) if field == "smtp_port" else dg.EnvVar(variable)
        for field, variable in ALERT_VARIABLES.items()
        if os.environ.get(variable)
    }
    return AlertChannels(**values)


def _error_text(error: object) -> str:
    """A SerializableErrorInfo's message and those of its causes, without the stacks."""
    messages = []
    while error is not None:
        messages.append(error.message.strip())
        error = error.cause
    return "\n".join(messages)


@dg.run_failure_sensor(
    name="nightly_refresh_failure_alert",
    monitored_jobs=[nightly_refresh],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alerts (mail, webhook) when a run of nightly_refresh fails: the run, the "
    "failed steps and their errors, and a link to the run.",
)
def nightly_refresh_failure_alert(context: dg.RunFailureSensorContext, alerts: AlertChannels):
    run = context.dagster_run
    failures = [
        (event.step_key or "", _error_text(event.step_failure_data.error))
        for event in context.get_step_failure_events()
    ]
    if not failures:  # the run failed outside any step (it could not start, say)
        failures = [("", context.failure_event.message or "no error was recorded")]
    notification = run_failure_notification(
        run.job_name, run.run_id, failures, run_url(alerts.ui_base_url, run.run_id)
    )
    alerts.send(notification, context.log)


@dg.sensor(
    name="freshness_alerts",
    minimum_interval_seconds=FRESHNESS_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 10 minutes, whether or not a refresh runs: the checks warehouse_is_fresh "
    "and submitters_report_on_schedule, recorded when their outcome changes, and an alert "
    "for each failure not alerted before.",
)
def freshness_alerts(context: dg.SensorEvaluationContext, alerts: AlertChannels):
    settings = Settings.from_env()
    now = settings.now()
    # check -> the outcome last recorded: passed and the keys of its failures, all alerted
    previous = json.loads(context.cursor) if context.cursor else {}
    current, events, alerted = {}, [], []
    for key in FRESHNESS_CHECKS:
        verdict = judge(key, settings, now)
        name = key.to_user_string()
        outcome = {"passed": verdict.passed, "failures": sorted(verdict.failures)}
        current[name] = outcome
        if previous.get(name) != outcome:
            events.append(
                dg.AssetCheckEvaluation(
                    asset_key=key.asset_key,
                    check_name=key.name,
                    passed=verdict.passed,
                    metadata=verdict.metadata,
                    severity=dg.AssetCheckSeverity.WARN,
                    description=verdict.description,
                )
            )
        known = set(previous.get(name, {}).get("failures", []))
        new = {failure: line for failure, line in verdict.failures.items() if failure not in known}
        if new:
            notification = check_notification(
                key.name, key.asset_key.to_user_string(), verdict.description,
                [new[failure] for failure in sorted(new)], len(verdict.failures) - len(new),
            )  # fmt: skip
            channels = alerts.channels()
            if channels and len(alerts.send(notification, context.log)) == len(channels):
                # nothing went out: the next evaluation tries these failures again
                outcome["failures"] = sorted(known & set(verdict.failures))
            alerted.append(f"{key.name} ({len(new)} new)")
    return dg.SensorResult(
        asset_events=events,
        cursor=json.dumps(current, sort_keys=True),
        # no run to start: the tick says what it did
        skip_reason=f"alerted: {', '.join(alerted)}" if alerted else "no new failure",
    )


@dg.definitions
def alerts() -> dg.Definitions:
    # a module with a Definitions function contributes only what it returns
    return dg.Definitions(
        sensors=[nightly_refresh_failure_alert, freshness_alerts],
        resources={"alerts": alert_channels_from_env()},
    )
