"""A scan renders its emails together, a language at a time, and each task's box (``_task.*``) once per
language: every recipient still reads their own task, in their own language, with what a unit typed
escaped in the HTML part only."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from tracker.common import deadlines
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.outbox.models import Notification, NotificationKind
from tracker.outbox.services import Later, Recipient
from tracker.reminders.scan import ScanResult
from tracker.tasks.models import Task, TaskStatus


def test_two_tasks_to_two_languages_each_email_shows_its_own_task(seeded):
    first, second = db.session.scalars(select(Task).where(Task.status.in_([TaskStatus.not_started,
                                                                           TaskStatus.in_progress]))
                                       .order_by(Task.id).limit(2)).all()
    first.title, second.title = "<b>R&D</b> 平台", "第二项任务"
    db.session.flush()
    at = datetime(2026, 9, 21, 9, 30, tzinfo=BEIJING)
    period = deadlines.ReportPeriod("2026-09", date(2026, 9, 24))
    result = ScanResult()
    for task in (first, second):
        later = Later(lambda task=task: task)
        for address, locale in (("zh@example.gov.cn", "zh_CN"), ("en@example.gov.cn", "en")):
            recipient = Recipient(email=address, locale=locale, unit_id=task.lead_unit_id)
            result.queue(NotificationKind.report_due, f"report_due:{task.id}:test:{address}", recipient, task_id=task.id,
                         at=at, task=later, period=period, offset=3)
            result.queue(NotificationKind.deadline, f"deadline:{task.id}:test:{address}", recipient, task_id=task.id,
                         at=at, task=later, offset=3, role="lead")
    result.flush()

    rows = db.session.scalars(select(Notification).where(Notification.idempotency_key.like("%:test:%"))).all()
    assert len(rows) == 8
    for row in rows:
        task, other = (first, second) if row.task_id == first.id else (second, first)
        assert f"/tasks/{task.id}\n" in row.body_text + "\n" and f"/tasks/{other.id}\n" not in row.body_text + "\n"
        assert task.lead_unit.name in row.body_text
        if row.locale == "en":
            assert "Lead unit" in row.body_text and "牵头单位" not in row.body_text and "Lead unit" in row.body_html
        else:
            assert "牵头单位" in row.body_text and "Lead unit" not in row.body_text and "牵头单位" in row.body_html
        if task is first:
            assert "<b>R&D</b> 平台" in row.body_text and "<b>R&D</b> 平台" in row.subject
            assert "&lt;b&gt;R&amp;D&lt;/b&gt; 平台" in row.body_html and "<b>R&D" not in row.body_html
        else:
            assert "第二项任务" in row.body_text and "R&D" not in row.body_text + row.body_html
