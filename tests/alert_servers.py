"""Real local servers an alert is delivered to: SMTP (aiosmtpd) and HTTP (http.server)."""

import json
import queue
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

WAIT_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """What a server received, in order; `next()` waits for the next one."""

    received: queue.Queue = field(default_factory=queue.Queue)

    def next(self):
        return self.received.get(timeout=WAIT_SECONDS)

    def is_empty(self) -> bool:
        return self.received.empty()


class _MailHandler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        # as a mail client shows it: lines end in \n, not SMTP's \r\n
        content = envelope.original_content.replace(b"\r\n", b"\n")
        message = message_from_bytes(content, policy=policy.default)
        self.inbox.received.put((envelope.rcpt_tos, message, session.authenticated))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(**options: object) -> Iterator[tuple[int, Inbox]]:
    """An SMTP server on 127.0.0.1; its inbox holds (recipients, EmailMessage, logged in)."""
    inbox = Inbox()
    controller = Controller(_MailHandler(inbox), hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@contextmanager
def http_server(status: int = 204) -> Iterator[tuple[str, Inbox]]:
    """An HTTP server on 127.0.0.1 answering every POST with `status`; its inbox holds
    (path, content type, parsed JSON body)."""
    inbox = Inbox()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            inbox.received.put((self.path, self.headers["Content-Type"], json.loads(body)))
            self.send_response(status)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep pytest's output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    # polls for shutdown every 50 ms (the default 0.5 s would slow each test down)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", inbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
