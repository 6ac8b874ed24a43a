"""A real SMTP server (aiosmtpd) on 127.0.0.1 that the tests can stop and start again (the `smtp` fixture of
tests/conftest.py)."""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    to: str
    subject: str
    key: str
    text: str
    html: str


@dataclass
class Inbox:
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for rcpt in envelope.rcpt_tos:
            self.messages.append(Received(rcpt, str(message["Subject"]), str(message["X-Duban-Key"]).strip(), text, html))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if m.to == address]


def free_port() -> int:
    # aiosmtpd's Controller(port=0) does not report the port it got: pick one first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
