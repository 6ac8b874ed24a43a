"""Must show 3: two scheduler processes against the same database; every email arrives exactly once.

Runs on PostgreSQL in CI (FOR UPDATE SKIP LOCKED, INSERT … ON CONFLICT DO NOTHING) and on SQLite
(lease claims) locally; both processes run the very command the scheduled job runs."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.outbox.models import DeliveryState, Notification

ROOT = Path(__file__).resolve().parents[2]


def _run_pair(app, smtp, moment: str) -> None:
    env = {**os.environ, "TRACKER_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "TRACKER_MAIL_SERVER": "127.0.0.1", "TRACKER_MAIL_PORT": str(smtp.port),
           "TRACKER_INSTANCE_PATH": app.instance_path, "TRACKER_SCHEDULER": "0"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "run", "--at", moment]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    for process, output in zip(processes, outputs):
        assert process.returncode == 0, output
        assert "queued:" in output and "sent:" in output


def test_two_schedulers_racing_send_each_email_once(seeded, smtp, app):
    for moment in ("2026-09-21T09:05", "2026-09-22T09:05", "2026-09-24T09:05"):
        _run_pair(app, smtp, moment)
    db.session.remove()
    queued = db.session.scalar(select(func.count(Notification.id)))
    sent = db.session.scalar(select(func.count(Notification.id)).where(Notification.state == DeliveryState.sent))
    assert queued > 60 and sent == queued
    delivered = [(message.key, message.to) for message in smtp.inbox.messages]
    assert len(delivered) == queued
    assert len(set(delivered)) == queued
