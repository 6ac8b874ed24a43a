"""One clock (tracker/common/clock.py): with the demo date set, nothing the seeded demo shows is dated
after it; without it, the seed's history still reads in order."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from seeds.xicen_plan import CREATED_AT
from tracker.audit.models import AuditEvent
from tracker.common.clock import today, utcnow
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.outbox.models import Notification
from tracker.reminders.models import Escalation
from tracker.tasks.models import Task
from tracker.updates.models import StatusUpdate

DEMO_NOW = datetime(2026, 6, 30, 10, 0, tzinfo=BEIJING)
MOMENT = re.compile(r"\b(20\d\d-\d\d-\d\d) (\d\d:\d\d)\b")  # the |datetime filter's format
ESCALATION_LINE = re.compile(r"<li>(20\d\d-\d\d-\d\d)：")


def _moments(html: str) -> list[datetime]:
    return [datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BEIJING) for day, clock in MOMENT.findall(html)]


def test_tracker_now_fixes_the_day_and_the_time_of_day(app):
    app.config["NOW"] = "2026-06-30T10:00"
    assert utcnow() == datetime(2026, 6, 30, 2, 0, tzinfo=timezone.utc)
    assert today() == date(2026, 6, 30)
    app.config["NOW"] = "2026-06-30T23:30"  # Beijing time: still the 30th there, the 30th 15:30 in UTC
    assert today() == date(2026, 6, 30) and utcnow().hour == 15


def test_tracker_today_keeps_the_time_of_day_running_on_that_day(app, on_date):
    on_date(date(2026, 6, 30))
    first = utcnow()
    assert first.astimezone(BEIJING).date() == date(2026, 6, 30) == today()
    assert utcnow() >= first


def test_with_the_demo_date_set_nothing_shown_is_dated_after_it(app, seeded, browser):
    app.config["NOW"] = DEMO_NOW.isoformat()
    from tracker.reminders.jobs import run_reminders

    result = run_reminders()  # the scheduler's job, as of the app's now: escalations, digests
    assert result.scan.total > 0
    unit = browser("kejiwei")
    # a report filed on the demo day is stamped with it
    reportable = db.session.scalar(select(Task).where(Task.number == "10"))
    url = f"/tasks/{reportable.id}/updates/new"
    response = unit.post(url, {"period": "2026-06", "progress_text": "演示日报送。", "percent": "60"}, token_from=url)
    assert response.status_code == 302, response.text[:500]
    filed = db.session.scalar(select(StatusUpdate).order_by(StatusUpdate.id.desc()))
    assert filed.progress_text == "演示日报送。" and filed.submitted_at == DEMO_NOW

    limit = DEMO_NOW
    for column in (AuditEvent.at, StatusUpdate.submitted_at, StatusUpdate.reviewed_at, Notification.created_at,
                   Escalation.created_at, Task.created_at, Task.updated_at):
        latest = db.session.scalar(select(func.max(column)))
        assert latest is not None and latest.replace(tzinfo=latest.tzinfo or timezone.utc) <= limit, column
    assert {e.escalated_on for e in db.session.scalars(select(Escalation))} == {date(2026, 6, 30)}

    coordinator, leader = browser("coordinator"), browser("leader")
    dashboard = leader.get("/dashboard").text
    assert "截至 2026-06-30" in dashboard and "统计于2026-06-30 10:00" in dashboard
    pages = {"/dashboard": dashboard, "/notifications (leader)": leader.get("/notifications").text,
             "/notifications (unit)": unit.get("/notifications").text,
             "/admin/outbox": coordinator.get("/admin/outbox").text}
    for task_id in db.session.scalars(select(Task.id).order_by(Task.id)):
        pages[f"/tasks/{task_id}"] = coordinator.get(f"/tasks/{task_id}").text
    seen = 0
    for url, html in pages.items():
        moments = _moments(html)
        seen += len(moments)
        assert all(moment <= limit for moment in moments), (url, [m for m in moments if m > limit])
        for day in ESCALATION_LINE.findall(html):
            assert date.fromisoformat(day) <= limit.date(), (url, day)
    assert seen > 100  # the history's timestamps were found, not a page without any
    escalated = db.session.scalar(select(Escalation.task_id).limit(1))
    assert "2026-06-30：逾期" in pages[f"/tasks/{escalated}"]


def test_without_the_demo_date_the_seeds_history_still_reads_in_order(app, seeded):
    assert not app.config.get("NOW") and not app.config.get("TODAY")
    created = datetime.combine(CREATED_AT.date(), CREATED_AT.time(), BEIJING)
    first_report = db.session.scalar(select(func.min(StatusUpdate.submitted_at)))
    creations = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("%.created"))).all()
    assert creations and {event.at for event in creations} == {created}
    assert created < first_report
    for column in (Task.created_at, Task.updated_at):
        assert db.session.scalar(select(func.max(column))) == created
    # and the newest thing the seed records is its last review, not the day the seed ran
    assert db.session.scalar(select(func.max(AuditEvent.at))) < datetime(2026, 6, 30, tzinfo=BEIJING)
    assert utcnow() - db.session.scalar(select(func.max(AuditEvent.at))) > timedelta(days=1)


def test_a_mistyped_override_stops_the_start_with_its_name(tmp_path, monkeypatch):
    import pytest

    from tracker import create_app

    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    for setting in ({"TODAY": "30.06.2026"}, {"NOW": "2026-06-30 ten o'clock"}):
        with pytest.raises(ValueError, match=f"TRACKER_{next(iter(setting))}="):
            create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **setting})
