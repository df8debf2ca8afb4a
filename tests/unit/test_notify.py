"""Sending alerts (orchestration/lib/notify.py) to real local SMTP and HTTP servers."""

import ssl
from pathlib import Path

import pytest
import trustme

from orchestration.lib.notify import (
    Notification,
    SmtpChannel,
    WebhookChannel,
    deliver,
    recipients,
    run_failure_notification,
    strip_ansi,
)
from tests.alert_servers import free_port, http_server, smtp_server

NOTE = Notification("[digimetrics] test", "line one\nline two", {"kind": "test", "n": 1})


def _logs() -> tuple[list[str], list[str]]:
    return [], []


def test_mail_and_webhook_both_arrive() -> None:
    info, warnings = _logs()
    with smtp_server() as (port, mails), http_server() as (url, posts):
        channel = SmtpChannel("127.0.0.1", port, "alerts@example.org",
                              recipients("ops@example.org; dba@example.org"))  # fmt: skip
        failed = deliver([channel, WebhookChannel(f"{url}/hook")], NOTE, info.append,
                         warnings.append)  # fmt: skip
        to, message, _ = mails.next()
        path, content_type, payload = posts.next()
    assert failed == [] and warnings == []
    assert to == ["ops@example.org", "dba@example.org"]
    assert message["Subject"] == "[digimetrics] test"
    assert message["From"] == "alerts@example.org"
    assert message.get_content().strip() == "line one\nline two"
    assert (path, content_type) == ("/hook", "application/json")
    assert payload == {"subject": "[digimetrics] test", "text": "line one\nline two",
                       "kind": "test", "n": 1}  # fmt: skip
    assert len(info) == 2


def test_login_is_used_when_configured() -> None:
    def accept(server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        return AuthResult(success=(auth_data.login, auth_data.password) == (b"bot", b"s3cret"))

    with smtp_server(authenticator=accept, auth_require_tls=False) as (port, mails):
        channel = SmtpChannel("127.0.0.1", port, "a@example.org", ("b@example.org",),
                              username="bot", password="s3cret")  # fmt: skip
        assert deliver([channel], NOTE, print, print) == []
        _, _, logged_in = mails.next()
    assert logged_in


def test_starttls_then_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that takes logins only over TLS: the client upgrades with STARTTLS and
    verifies the server's certificate (issued by a test CA the client is told to trust)."""
    from aiosmtpd.smtp import AuthResult

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # OpenSSL's trust store

    def accept(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"bot", b"s3cret"))

    options = {"tls_context": server_context, "require_starttls": True, "authenticator": accept}
    with smtp_server(**options) as (port, mails):
        plain, secure = (
            SmtpChannel(
                "127.0.0.1",
                port,
                "a@example.org",
                ("b@example.org",),
                starttls=tls,
                username="bot",
                password="s3cret",
            )
            for tls in (False, True)
        )
        warnings: list[str] = []
        assert deliver([plain], NOTE, print, warnings.append) == [plain.name]
        # in clear text the server does not even offer to log in
        assert "SMTP AUTH extension not supported" in warnings[0]
        assert deliver([secure], NOTE, print, warnings.append) == []
        _, message, logged_in = mails.next()
    assert logged_in and message["Subject"] == NOTE.subject


def test_a_failing_channel_is_logged_and_the_others_still_deliver() -> None:
    info, warnings = _logs()
    closed = free_port()  # nothing listens there
    with http_server(status=500) as (broken_url, _), http_server() as (url, posts):
        channels = [SmtpChannel("127.0.0.1", closed, "a@example.org", ("b@example.org",)),
                    WebhookChannel(f"{broken_url}/secret-token"), WebhookChannel(url)]  # fmt: skip
        failed = deliver(channels, NOTE, info.append, warnings.append)
        assert posts.next()[2]["subject"] == NOTE.subject
    assert failed == [channels[0].name, channels[1].name]
    assert "ConnectionRefusedError" in warnings[0]
    assert "HTTP Error 500" in warnings[1]
    assert all("secret-token" not in w for w in warnings)  # a webhook's path is its secret


def test_no_channel_logs_the_alert() -> None:
    info, warnings = _logs()
    assert deliver([], NOTE, info.append, warnings.append) == []
    assert warnings == [] and "no alert channel" in info[0] and "line two" in info[0]


def test_a_run_failure_reads_without_ansi_codes() -> None:
    dbt_error = "\x1b[31mFailure in test not_null_x (models/_models.yml)\x1b[0m\n  Got 2 results"
    assert (
        strip_ansi(dbt_error) == "Failure in test not_null_x (models/_models.yml)\n  Got 2 results"
    )
    note = run_failure_notification("nightly_refresh", "abc-123", [("warehouse_models", dbt_error)],
                                    "http://ui.example:3000/runs/abc-123")  # fmt: skip
    assert "\x1b" not in note.text and "\x1b" not in str(note.data)
    assert note.subject == "[digimetrics] nightly_refresh failed at warehouse_models"
    assert "abc-123" in note.text and "http://ui.example:3000/runs/abc-123" in note.text
    assert note.data["failures"] == [
        {"step": "warehouse_models", "error": strip_ansi(dbt_error).strip()}
    ]
