"""The reminder scan only looks at the tasks that may have a reminder on the days it considers
(``tracker.reminders.scan._candidate_rows``). That narrowing must never drop a reminder: on every day of
2026 (every third day, each scan covering 5 working days) the scan queues exactly what it queues when it looks at every open task."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.reminders import scan
from tracker.reminders.settings import save_settings
from tracker.tasks.models import ReportingCycle, Task
from tracker.tasks.queries import OPEN_STATUSES


def _every_open_task(reminder_days, today, settings):
    return db.session.execute(
        select(Task.id, Task.plan_id, Task.sort_key, Task.lead_unit_id, Task.reporting_cycle, Task.report_day,
               Task.due_on, Task.start_on)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Plan.status == PlanStatus.active, Task.status.in_(OPEN_STATUSES))).all()


def _due_keys(at: datetime) -> list[str]:
    result = scan.ScanResult()
    scan.scan_task_reminders(at, result)
    return [item[1] for item in result.due]  # in the order they are queued


def test_narrowing_drops_no_reminder_on_any_day_of_the_year(seeded, monkeypatch):
    from tracker.auth.models import User

    # Variety: a one-off report, a quarterly task on the 31st, and a plan reminding 30 working days ahead.
    tasks = list(db.session.scalars(select(Task).order_by(Task.id)))
    tasks[0].reporting_cycle, tasks[0].report_day = ReportingCycle.once, 1
    tasks[1].reporting_cycle, tasks[1].report_day = ReportingCycle.quarterly, 31
    tasks[2].due_on = date(2026, 10, 10)  # a Saturday (调休 workday in 2025, not in 2026)
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    save_settings(coordinator, tasks[3].plan, report_due_offsets="30,3,0", deadline_offsets="30,10,1",
                  escalate_after_days=5, overdue_digest_enabled=True)
    db.session.commit()

    day, checked, reminders = date(2026, 1, 1), 0, 0
    while day <= date(2026, 12, 31):
        at = datetime.combine(day, time(9, 30), BEIJING)
        narrowed = _due_keys(at)
        with monkeypatch.context() as patch:
            patch.setattr(scan, "_candidate_rows", _every_open_task)
            everything = _due_keys(at)
        assert narrowed == everything, day
        checked, reminders = checked + 1, reminders + len(everything)
        day += timedelta(days=3)  # with the 5-day catch-up window every day is still looked at
    assert checked == 122 and reminders > 100  # the year did have reminders to compare
