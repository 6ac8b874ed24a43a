"""kill -9 in the middle of the scan's proposal steps (issue 25): a real process runs the reminders (scan, then
send) and is killed inside the step ``proposal_clock`` (协办意见/会签/答复 reminders and 催办) or
``promise_reminders`` (承诺事项), right after the step queued its first email (tests/proposals/held_scan.py).
The scan is one transaction, so the killed run leaves nothing half-written; the scan run again queues and
sends everything, and every email arrives exactly once (the SMTP server's inbox against the outbox), the ones
sent before the kill included."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from tests.proposals.c2_helpers import answer, item, unit_user
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.proposals.handling import sign
from tracker.proposals.promises import add_promise
from tracker.reminders.jobs import run_reminders
from tracker.outbox.models import DeliveryChannel, DeliveryState, Notification
from tracker.units.models import Unit

ROOT = Path(__file__).resolve().parents[2]
CO_UNITS = ("区发改委", "区财政局")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def killed_inside(app, smtp, step: str, moment: str) -> None:
    """Runs the reminders as of ``moment`` in another process and kills it (SIGKILL) inside ``step``."""
    env = {**os.environ, "TRACKER_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "TRACKER_MAIL_SERVER": "127.0.0.1", "TRACKER_MAIL_PORT": str(smtp.port),
           "TRACKER_INSTANCE_PATH": app.instance_path, "TRACKER_SCHEDULER": "0"}
    process = subprocess.Popen([sys.executable, "-m", "tests.proposals.held_scan", step, moment], cwd=ROOT, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        said = []
        for line in process.stdout:  # until the step holds (or the process ends without getting there)
            said.append(line)
            if line.strip() == f"HOLDING {step}":
                break
        assert said and said[-1].strip() == f"HOLDING {step}", "".join(said)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL


def emails(prefix: str = "") -> list[str]:
    db.session.remove()
    return list(db.session.scalars(select(Notification.idempotency_key).where(
        Notification.channel == DeliveryChannel.email, Notification.idempotency_key.startswith(prefix))))


def assert_every_email_arrived_once(smtp) -> None:
    db.session.remove()
    outbox = emails()
    assert db.session.scalar(select(Notification.id).where(Notification.channel == DeliveryChannel.email,
                                                           Notification.state != DeliveryState.sent).limit(1)) is None
    received = Counter(message.key for message in smtp.inbox.messages)
    assert [key for key, count in received.items() if count > 1] == []
    assert set(received) == set(outbox) and len(outbox) == len(received)


def addresses(short_name: str) -> list[str]:
    return db.session.scalar(select(Unit).where(Unit.short_name == short_name)).email_list


def test_a_scan_killed_inside_the_proposal_clock_step_then_run_again_sends_each_urge_once(seeded, app, smtp):
    ids = []
    for number in ("0301", "0302", "0303"):  # 交办 2026-03-02: the 协办意见 are due 2026-04-02
        proposal = item(number, co_units=CO_UNITS, assigned_on=date(2026, 3, 2))
        for unit in ("区人社局", *CO_UNITS):
            sign(unit_user(unit), proposal, now=at("2026-03-03T10:00"))
        ids.append(proposal.id)
    db.session.commit()
    run_reminders(at("2026-03-30T09:05"))  # 3 working days before: the reminders, sent before the kill
    soon = emails("proposal_urge:")
    assert len(soon) == len(ids) * sum(len(addresses(unit)) for unit in CO_UNITS) > 0

    killed_inside(app, smtp, "proposal_clock", "2026-04-03T09:05")  # the opinions are 1 working day late
    assert emails("proposal_urge:") == soon  # the killed scan wrote nothing
    run_reminders(at("2026-04-03T09:05"))  # run again
    run_reminders(at("2026-04-03T15:00"))  # and once more the same day: nothing new
    urges = [key for key in emails("proposal_urge:") if key.split(":")[5] == "overdue"]
    assert sorted(urges) == sorted(f"proposal_urge:co_opinion:{pid}:{unit.id}:2026-04-02:overdue:{address}"
                                   for pid in ids for unit in db.session.scalars(
                                       select(Unit).where(Unit.short_name.in_(CO_UNITS)))
                                   for address in unit.email_list)
    assert_every_email_arrived_once(smtp)


def test_a_scan_killed_inside_the_promise_step_then_run_again_sends_each_reminder_once(seeded, app, smtp):
    proposal = item("0401", co_units=())
    answer(proposal, reply_on=date(2026, 4, 1), category="正在解决")
    for n, text in enumerate(("人才公寓二期6月底前交付。", "配套公交线路6月底前开通。", "周边学校6月底前完成招生划片。")):
        add_promise(unit_user("区人社局"), proposal, text=text, due_on=date(2026, 6, 30), today=date(2026, 4, 2))
    db.session.commit()
    per_promise = len(addresses("区人社局"))
    killed_inside(app, smtp, "promise_reminders", "2026-06-17T09:05")  # within 10 working days: due soon
    assert emails("promise_due:") == []
    run_reminders(at("2026-06-17T09:05"))
    run_reminders(at("2026-06-18T09:05"))
    assert len(emails("promise_due:")) == 3 * per_promise
    killed_inside(app, smtp, "promise_reminders", "2026-07-02T09:05")  # overdue
    run_reminders(at("2026-07-02T09:05"))
    keys = emails("promise_due:")
    assert len(keys) == 6 * per_promise and sum(key.split(":")[3] == "overdue" for key in keys) == 3 * per_promise
    assert_every_email_arrived_once(smtp)
