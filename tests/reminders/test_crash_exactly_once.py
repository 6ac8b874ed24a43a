"""Mail exactly once, as far as SMTP allows (issue 22): the sender, a real ``flask reminders run`` process,
is killed with SIGKILL while the SMTP server holds its K-th message, then run again.

Each message is claimed (committed) before its SMTP call and its outcome committed right after, so at the
kill exactly one message is in flight: received by the server, not yet recorded. The rerun (after the claim
lease) sends it again, with the same Message-ID (derived from its idempotency key), and nothing else twice:
received − outbox ≤ in flight. Before, outcomes were committed per batch of 200, and a kill after 307
messages re-sent 107, each with a new Message-ID."""
from __future__ import annotations

import asyncio
import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tests.smtp_server import free_port
from tracker.extensions import db
from tracker.outbox.models import DeliveryChannel, DeliveryState, Notification

ROOT = Path(__file__).resolve().parents[2]
KILL_AT = 12  # the server holds its 12th message while the sender is killed


class HoldingInbox:
    """Records every message (idempotency key, Message-ID); holds the ``hold_at``-th one until released,
    having said so, without answering the SMTP client."""

    def __init__(self, hold_at: int):
        self.hold_at = hold_at
        self.messages: list[tuple[str, str]] = []
        self.holding, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((str(message["X-Duban-Key"]).strip(), str(message["Message-ID"]).strip()))
        if len(self.messages) == self.hold_at and not self.holding.is_set():
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return "250 OK"


def sender_process(app, port: int, moment: str) -> subprocess.Popen:
    env = {**os.environ, "TRACKER_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "TRACKER_MAIL_SERVER": "127.0.0.1", "TRACKER_MAIL_PORT": str(port),
           "TRACKER_INSTANCE_PATH": app.instance_path, "TRACKER_SCHEDULER": "0"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "run", "--at", moment]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def email_rows(state: DeliveryState | None = None) -> int:
    query = select(func.count(Notification.id)).where(Notification.channel == DeliveryChannel.email)
    if state is not None:
        query = query.where(Notification.state == state)
    return db.session.scalar(query)


def test_a_sender_killed_mid_run_duplicates_at_most_the_message_in_flight_with_its_message_id(seeded, app, browser):
    inbox = HoldingInbox(KILL_AT)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        first = sender_process(app, port, "2026-09-21T09:05")
        try:
            assert inbox.holding.wait(timeout=180), "the sender never reached the server"
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
            first.communicate()
        assert first.returncode == -signal.SIGKILL
        received_at_kill = len(inbox.messages)
        db.session.remove()
        recorded_at_kill = email_rows(DeliveryState.sent)
        in_flight = received_at_kill - recorded_at_kill
        assert received_at_kill == KILL_AT and in_flight == 1  # recorded one by one, not per batch
        # 发送中: the claimed rows not yet recorded (the held one among them) wait for the claim lease.
        claimed = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.state == DeliveryState.pending, Notification.claimed_at.is_not(None)))
        assert claimed >= in_flight
        assert "发送中" in browser("admin").get("/admin/outbox").text  # what the outbox page shows meanwhile
        inbox.release.set()

        # Rerun after the claim lease (10 minutes): everything goes out.
        second = sender_process(app, port, "2026-09-21T09:20")
        output = second.communicate(timeout=300)[0]
        assert second.returncode == 0, output
    finally:
        inbox.release.set()
        controller.stop()

    db.session.remove()
    outbox = email_rows()
    assert outbox > KILL_AT and email_rows(DeliveryState.sent) == outbox
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.claimed_at.is_not(None))) == 0
    received = len(inbox.messages)
    assert 0 <= received - outbox <= in_flight
    copies: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for key, message_id in inbox.messages:
        copies[key].add(message_id)
        counts[key] += 1
    keys = set(db.session.scalars(select(Notification.idempotency_key)
                                  .where(Notification.channel == DeliveryChannel.email)))
    assert set(copies) == keys  # every email arrived
    duplicated = [key for key, n in counts.items() if n > 1]
    assert len(duplicated) == received - outbox
    for key, ids in copies.items():
        assert len(ids) == 1, (key, ids)  # every copy carries its original's Message-ID
        [message_id] = ids
        assert re.fullmatch(r"<[0-9a-f]{32}@duban\.[^>]+>", message_id)
        assert message_id[1:33] == hashlib.sha256(key.encode()).hexdigest()[:32]
