"""Sending an alert: an e-mail through SMTP and a JSON POST to a webhook, with no Dagster.

Each channel is tried on its own; one that fails is reported back, never raised, so an
unreachable mail server never hides the webhook's message (or crashes the sensor)."""

from __future__ import annotations

import json
import re
import smtplib
import ssl
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import urlparse

TIMEOUT_SECONDS = 15
MAX_LINES = 200  # failures named in one alert: a whole country's communes would flood it
# CSI sequences (colours, cursor moves) and the two-character escapes dbt's logger writes
ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")


def strip_ansi(text: str) -> str:
    """`text` as a person reads it in a mail: without terminal colour codes."""
    return ANSI_ESCAPE.sub("", text)


@dataclass(frozen=True)
class Notification:
    subject: str
    text: str  # the body, plain text
    data: dict[str, object] = field(default_factory=dict)  # the same facts, for machines

    def payload(self) -> dict[str, object]:
        """The webhook's JSON body: `subject` and `text` for chat tools, then the facts."""
        return {"subject": self.subject, "text": self.text, **self.data}


@dataclass(frozen=True)
class SmtpChannel:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    @property
    def name(self) -> str:
        return f"mail to {', '.join(self.recipients)} via {self.host}:{self.port}"


@dataclass(frozen=True)
class WebhookChannel:
    url: str

    @property
    def name(self) -> str:
        # the path of a chat webhook is its secret: name the host only
        return f"webhook at {urlparse(self.url).netloc}"


Channel = SmtpChannel | WebhookChannel


def recipients(text: str | None) -> tuple[str, ...]:
    """A list of addresses separated by commas, semicolons or spaces."""
    return tuple(a for a in re.split(r"[,;\s]+", text or "") if a)


def send_mail(channel: SmtpChannel, notification: Notification) -> None:
    message = EmailMessage()
    message["Subject"] = notification.subject
    message["From"] = channel.sender
    message["To"] = ", ".join(channel.recipients)
    message.set_content(notification.text)
    with smtplib.SMTP(channel.host, channel.port, timeout=TIMEOUT_SECONDS) as server:
        if channel.starttls:
            server.starttls(context=ssl.create_default_context())
        if channel.username:
            server.login(channel.username, channel.password or "")
        server.send_message(message)


def post_webhook(channel: WebhookChannel, notification: Notification) -> None:
    request = urllib.request.Request(
        channel.url,
        data=json.dumps(notification.payload(), default=str).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    # a status of 400 or more raises HTTPError
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        response.read()


def deliver(
    channels: Sequence[Channel],
    notification: Notification,
    log: Callable[[str], None],
    warn: Callable[[str], None],
) -> list[str]:
    """Send `notification` on every channel; returns the names of those that failed, each
    already reported through `warn`. With no channel, `log` records the message alone."""
    if not channels:
        log(f"no alert channel is configured; the alert was: {notification.subject}\n"
            f"{notification.text}")  # fmt: skip
        return []
    failed = []
    for channel in channels:
        try:
            if isinstance(channel, SmtpChannel):
                send_mail(channel, notification)
            else:
                post_webhook(channel, notification)
        except (OSError, smtplib.SMTPException, ValueError) as error:
            # OSError covers refused connections, timeouts, TLS and HTTP errors
            warn(f"could not send the alert '{notification.subject}' by {channel.name}: "
                 f"{type(error).__name__}: {error}")  # fmt: skip
            failed.append(channel.name)
        else:
            log(f"sent the alert '{notification.subject}' by {channel.name}")
    return failed


def run_url(base_url: str | None, run_id: str) -> str | None:
    """The run's page in the Dagster UI, when the UI's address is known."""
    return f"{base_url.rstrip('/')}/runs/{run_id}" if base_url else None


def run_failure_notification(
    job: str, run_id: str, failures: Sequence[tuple[str, str]], url: str | None
) -> Notification:
    """`failures`: (step, error) of each failed step, or ("", message) when the run failed
    outside any step. Errors lose their ANSI codes: dbt colours its output."""
    steps = [(step, strip_ansi(error).strip()) for step, error in failures]
    lines = [f"The run {run_id} of {job} failed."]
    if url:
        lines.append(f"Run: {url}")
    for step, error in steps:
        lines += ["", f"Step {step} failed:" if step else "The run failed:", error]
    first = next((step for step, _ in steps if step), None)
    return Notification(
        subject=f"[digimetrics] {job} failed" + (f" at {first}" if first else ""),
        text="\n".join(lines),
        data={
            "kind": "run_failure",
            "job": job,
            "run_id": run_id,
            "run_url": url,
            "failures": [{"step": step or None, "error": error} for step, error in steps],
        },
    )


def check_notification(
    check: str, asset: str, description: str, new: Sequence[str], still: int
) -> Notification:
    """A check that found something new: `new` has one line per new failure; `still`
    counts those already alerted that persist."""
    lines = [f"The check {check} on {asset} failed: {description}", ""]
    lines += [f"- {line}" for line in new[:MAX_LINES]]
    if len(new) > MAX_LINES:
        lines.append(f"- and {len(new) - MAX_LINES} more (the check's metadata in the UI)")
    if still:
        lines += ["", f"{still} more, already alerted, still fail."]
    return Notification(
        subject=f"[digimetrics] {check} failed: {len(new)} new",
        text="\n".join(lines),
        data={
            "kind": "check_failure",
            "check": check,
            "asset": asset,
            "description": description,
            "new_failures": list(new[:MAX_LINES]),
            "new_failures_count": len(new),
            "still_failing": still,
        },
    )
