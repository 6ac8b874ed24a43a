"""Delivery through the outbox: retries across an SMTP outage, nothing lost, nothing sent twice."""
import html
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tracker.common.clock import utcnow
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.reminders.jobs import run_reminders
from tracker.outbox.models import DeliveryState, Notification
from tracker.reminders.sender import send_pending


def beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def _states():
    return dict(db.session.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())


def test_smtp_down_for_a_day_then_back(seeded, smtp):
    smtp.stop()
    first = run_reminders(beijing("2026-09-21T09:05"))
    queued = first.scan.total
    assert queued > 20 and first.send.sent == 0 and first.send.retried == queued
    # The sender keeps trying through the day while the server is down.
    moment = beijing("2026-09-21T09:05")
    while moment < beijing("2026-09-22T08:00"):
        moment += timedelta(minutes=30)
        assert send_pending(moment).sent == 0
    assert _states() == {DeliveryState.pending: queued}
    attempts = db.session.scalars(select(Notification.attempts)).all()
    assert min(attempts) >= 8  # 1, 2, 4 … minutes, then hourly
    errors = set(db.session.scalars(select(Notification.last_error)))
    assert all("Connection" in error or "refused" in error for error in errors)

    smtp.start()
    back = send_pending(beijing("2026-09-22T09:00"))
    assert back.sent == queued
    assert _states() == {DeliveryState.sent: queued}
    assert len(smtp.inbox.messages) == queued
    assert len({(m.key, m.to) for m in smtp.inbox.messages}) == queued  # each email once
    assert send_pending(beijing("2026-09-22T10:00")).sent == 0  # and never again
    assert len(smtp.inbox.messages) == queued


def test_gives_up_after_the_maximum_attempts_and_an_admin_can_retry(seeded, smtp, app, browser):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp.stop()
    moment = beijing("2026-09-21T09:05")
    queued = run_reminders(moment).scan.total
    for _ in range(4):
        moment += timedelta(hours=2)
        send_pending(moment)
    assert _states() == {DeliveryState.failed: queued}
    admin = browser("admin")
    page = admin.get("/admin/outbox?state=failed").text
    assert "发送失败" in page and "ConnectionRefusedError" in page
    failed_id = db.session.scalar(select(Notification.id).order_by(Notification.id))
    admin.post(f"/admin/outbox/{failed_id}/retry", {}, token_from="/admin/outbox?state=failed")
    assert _states() == {DeliveryState.failed: queued - 1, DeliveryState.pending: 1}
    smtp.start()
    assert send_pending(utcnow()).sent == 1  # the retry is queued as of the moment the admin clicked
    assert len(smtp.inbox.messages) == 1


def test_without_smtp_mail_stays_in_the_outbox_and_is_shown(seeded, app, browser):
    app.config["MAIL_SERVER"] = ""
    result = run_reminders(beijing("2026-09-21T09:05"))
    assert result.scan.total > 0 and result.send.sent == 0
    assert _states() == {DeliveryState.pending: result.scan.total}
    newest = db.session.scalar(select(Notification.subject).order_by(Notification.id.desc()).limit(1))
    page = browser("coordinator").get("/admin/outbox?state=pending").text
    assert "未配置SMTP服务器" in page and html.escape(newest, quote=False) in page
