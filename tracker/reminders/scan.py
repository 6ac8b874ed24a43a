"""The reminder scan: decides, as of a moment, which emails are due and not yet queued.

It is safe to run again at any time: every email has an idempotency key, so a repeated or racing
run queues nothing twice. After downtime the next run catches up on reminders of the last
``REMINDER_CATCHUP_DAYS`` working days whose period is still open; it never reminds about a
period whose report day (or a task whose due date) has already passed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.auth.models import Role, User
from tracker.common import deadlines
from tracker.common.clock import utcnow
from tracker.common.upsert import insert
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.reminders.models import Escalation, Notification, NotificationKind
from tracker.reminders.outbox import Recipient, queue
from tracker.reminders.settings import settings_by_plan, settings_for
from tracker.tasks.models import Task
from tracker.tasks.queries import OPEN_STATUSES, REPORT_FILED_STATES, OverdueFilters, overdue_list
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate
from tracker.webhooks.outbox import SCOPE_ALL_UNITS, SCOPE_UNITS, WebhookDirectory, publish
from tracker.workcalendar.services import current_calendar

SEND_AT = time(9, 0)  # reminders and digests go out at 09:00 Beijing time
DEADLINE_OFFSETS = (10, 5, 1)  # proposals: working days before the reply is due


@dataclass
class ScanResult:
    """What a scan queued. Emails are collected first and written by ``flush``: the keys already in the
    outbox are looked up in batches, so a repeated run (every run after a day's first) renders nothing."""

    queued: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # emails by kind
    webhook_calls: int = 0
    webhooks: WebhookDirectory = field(default_factory=WebhookDirectory)
    due: list[tuple] = field(default_factory=list)  # (kind, key, recipient, task_id, at, context)
    overdue: tuple = field(default=(None, []), repr=False)  # (day, overdue list of that day)

    def overdue_rows(self, today: date) -> list:
        """The overdue list as of ``today``, built once for the digests and the escalations."""
        if self.overdue[0] != today:
            self.overdue = (today, overdue_list(today, OverdueFilters()))
        return self.overdue[1]

    def queue(self, kind: NotificationKind, key: str, recipient: Recipient, *, task_id: int | None = None,
              at: datetime | None = None, **context) -> None:
        self.due.append((kind, key[:200], recipient, task_id, at, context))

    def flush(self, batch: int = 500) -> None:
        """Renders and adds the emails whose keys are not in the outbox yet (INSERT … ON CONFLICT DO
        NOTHING still guards against a racing scheduler)."""
        keys = list(dict.fromkeys(item[1] for item in self.due))
        existing: set[str] = set()
        for start in range(0, len(keys), batch):
            existing.update(db.session.scalars(select(Notification.idempotency_key)
                                               .where(Notification.idempotency_key.in_(keys[start:start + batch]))))
        for kind, key, recipient, task_id, at, context in self.due:
            if key not in existing and queue(kind, key, recipient, task_id=task_id, at=at, **context):
                self.queued[kind.value] += 1
            existing.add(key)
        self.due.clear()

    def publish(self, kind: NotificationKind, key: str, **arguments) -> None:
        """Queues the event's webhook calls (see ``tracker.webhooks.outbox.publish``)."""
        self.webhook_calls += publish(kind, key, directory=self.webhooks, **arguments)

    @property
    def total(self) -> int:
        return sum(self.queued.values())


def unit_recipients(unit: Unit) -> list[Recipient]:
    return [Recipient(email=email, unit_id=unit.id) for email in unit.email_list]


def users_with_role(role: Role) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == role, User.is_active_user.is_(True),
                                                      User.email != "").order_by(User.id)))


def user_recipient(user: User) -> Recipient:
    return Recipient(email=user.email, locale=user.locale or "zh_CN", user_id=user.id)


def days_to_consider(at: datetime) -> list[date]:
    """Working days whose 09:00 send time has come, within the catch-up window, oldest first."""
    calendar = current_calendar()
    local = at.astimezone(BEIJING)
    today = local.date()
    window = current_app.config.get("REMINDER_CATCHUP_DAYS", 5)
    first = calendar.add_working_days(today, -window)
    days = [day for day in calendar.working_days_in(first, today)]
    if local.time() < SEND_AT and days and days[-1] == today:
        days.pop()
    return days


def _open_tasks() -> list[Task]:
    return list(db.session.scalars(
        select(Task).join(Plan, Plan.id == Task.plan_id)
        .where(Plan.status == PlanStatus.active, Task.status.in_(OPEN_STATUSES))
        .options(selectinload(Task.lead_unit), selectinload(Task.cooperating_units), selectinload(Task.plan))
        .order_by(Task.plan_id, Task.sort_key)))


def _candidate_periods(task: Task, day: date) -> list[deadlines.ReportPeriod]:
    cycle = task.reporting_cycle.value
    if cycle == deadlines.ONCE:
        period = deadlines.period_of(cycle, task.report_day, day, task.due_on)
        return [period] if period else []
    current = deadlines.period_of(cycle, task.report_day, day)
    following = deadlines.period_of(cycle, task.report_day, current.report_due_on + timedelta(days=35 if cycle ==
                                                                                               "monthly" else 95))
    return [current, following]


def _filed_reports(tasks: list[Task], periods: set[str]) -> set[tuple[int, str]]:
    if not tasks or not periods:
        return set()
    rows = db.session.execute(
        select(StatusUpdate.task_id, StatusUpdate.period).join(Task, Task.id == StatusUpdate.task_id)
        .where(StatusUpdate.task_id.in_([t.id for t in tasks]), StatusUpdate.period.in_(periods),
               StatusUpdate.unit_id == Task.lead_unit_id, StatusUpdate.review_state.in_(REPORT_FILED_STATES)))
    return {tuple(row) for row in rows}


def scan_task_reminders(at: datetime, result: ScanResult) -> None:
    """报送提醒 before/on the report day, 到期提醒 before the due date."""
    calendar = current_calendar()
    today = at.astimezone(BEIJING).date()
    days = days_to_consider(at)
    if not days:
        return
    tasks = _open_tasks()
    settings = settings_by_plan()
    due: list[tuple[str, Task, deadlines.ReportPeriod, int]] = []
    for task in tasks:
        plan_settings = settings_for(task.plan_id, settings)
        for period in {p for day in (days[0], days[-1]) for p in _candidate_periods(task, day)}:
            if period.report_due_on < today or (task.start_on and period.report_due_on < task.start_on):
                continue  # closed period, or before the task starts
            for offset in plan_settings.report_due_offsets:
                if calendar.add_working_days(period.report_due_on, -offset) in days or (
                        offset == 0 and period.report_due_on in days):
                    due.append(("report", task, period, offset))
        if task.due_on and task.due_on >= today:
            for offset in plan_settings.deadline_offsets:
                if calendar.add_working_days(task.due_on, -offset) in days:
                    due.append(("deadline", task, deadlines.ReportPeriod("due", task.due_on), offset))
    filed = _filed_reports(tasks, {period.key for kind, _, period, _ in due if kind == "report"})
    for kind, task, period, offset in due:
        if kind == "report":
            if (task.id, period.key) in filed:
                continue
            result.publish(NotificationKind.report_due, f"report_due:{task.id}:{period.key}:{offset}",
                           unit_ids=[task.lead_unit_id], path=f"/tasks/{task.id}", task_id=task.id, at=at,
                           task=task, period=period, offset=offset)
            for recipient in unit_recipients(task.lead_unit):
                result.queue(
                    NotificationKind.report_due, f"report_due:{task.id}:{period.key}:{offset}:{recipient.email}",
                    recipient, task_id=task.id, at=at, task=task, period=period, offset=offset)
        else:
            result.publish(NotificationKind.deadline, f"deadline:{task.id}:{task.due_on}:{offset}",
                           unit_ids=[task.lead_unit_id, *(u.id for u in task.cooperating_units)],
                           path=f"/tasks/{task.id}", task_id=task.id, at=at, task=task, offset=offset, role="lead")
            for unit in [task.lead_unit, *task.cooperating_units]:
                for recipient in unit_recipients(unit):
                    result.queue(
                        NotificationKind.deadline, f"deadline:{task.id}:{task.due_on}:{offset}:{recipient.email}",
                        recipient, task_id=task.id, at=at, task=task, offset=offset,
                        role="lead" if unit.id == task.lead_unit_id else "cooperating")


def scan_proposal_reminders(at: datetime, result: ScanResult) -> None:
    """提案答复提醒: the main handling unit (主办) hears 10, 5 and 1 working days before the reply is due."""
    from tracker.proposals.queries import proposals_due_soon

    calendar = current_calendar()
    today = at.astimezone(BEIJING).date()
    days = days_to_consider(at)
    if not days:
        return
    offsets = DEADLINE_OFFSETS
    for row in proposals_due_soon(today, max(offsets)):
        for offset in offsets:
            if calendar.add_working_days(row.due_on, -offset) not in days:
                continue
            result.publish(NotificationKind.proposal_due, f"proposal_due:{row.proposal.id}:{row.due_on}:{offset}",
                           unit_ids=[row.proposal.main_unit_id], path=f"/proposals/{row.proposal.id}", at=at,
                           proposal=row.proposal, offset=offset)
            for recipient in unit_recipients(row.proposal.main_unit):
                result.queue(
                    NotificationKind.proposal_due,
                    f"proposal_due:{row.proposal.id}:{row.due_on}:{offset}:{recipient.email}", recipient, at=at,
                    proposal=row.proposal, offset=offset)


def scan_digests(at: datetime, result: ScanResult) -> None:
    """逾期汇总 to each unit every working day; 每周汇总 to coordinators on the week's first working day."""
    calendar = current_calendar()
    local = at.astimezone(BEIJING)
    today = local.date()
    if not calendar.is_working_day(today) or local.time() < SEND_AT:
        return
    rows = result.overdue_rows(today)
    settings = settings_by_plan()
    by_unit: dict[int, list] = defaultdict(list)
    for row in rows:
        if settings_for(row.task.plan_id, settings).overdue_digest_enabled:
            by_unit[row.task.lead_unit_id].append(row)
    from tracker.proposals.queries import overdue_proposals

    late_replies: dict[int, list] = defaultdict(list)
    for proposal_row in overdue_proposals(today):
        late_replies[proposal_row.proposal.main_unit_id].append(proposal_row)
    unit_ids = set(by_unit) | set(late_replies)
    units = {unit.id: unit for unit in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    for unit_id in sorted(unit_ids):
        result.publish(NotificationKind.overdue_digest, f"overdue_digest:{unit_id}:{today}", unit_ids=[unit_id],
                       scope=SCOPE_UNITS, path="/overdue", at=at, unit=units[unit_id],
                       rows=by_unit.get(unit_id, []), proposals=late_replies.get(unit_id, []), today=today)
        for recipient in unit_recipients(units[unit_id]):
            result.queue(
                NotificationKind.overdue_digest, f"overdue_digest:{unit_id}:{today}:{recipient.email}", recipient,
                at=at, unit=units[unit_id], rows=by_unit.get(unit_id, []), proposals=late_replies.get(unit_id, []),
                today=today)
    digest_rows = [row for unit_rows in by_unit.values() for row in unit_rows]
    if digest_rows or late_replies:
        counts: dict[str, int] = defaultdict(int)
        for row in digest_rows:
            counts[row.task.lead_unit.short_name] += 1
        result.publish(NotificationKind.overdue_digest, f"overdue_digest:all:{today}", scope=SCOPE_ALL_UNITS,
                       path="/overdue", at=at, template="webhooks/overdue_summary.txt", today=today,
                       rows=sorted(digest_rows, key=lambda row: -row.overdue_days),
                       proposals=[row for unit_rows in late_replies.values() for row in unit_rows],
                       by_unit=sorted(counts.items(), key=lambda item: -item[1]))
    monday = today - timedelta(days=today.weekday())
    first_working_day = calendar.shift_to_working_day(monday, "next")
    if today >= first_working_day and first_working_day >= monday:
        week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
        by_group: dict[str, int] = defaultdict(int)
        by_lead_unit: dict[str, int] = defaultdict(int)
        for row in rows:
            by_lead_unit[row.task.lead_unit.short_name] += 1
            by_group[f"{row.task.plan.title} · {row.task.group.label if row.task.group else '—'}"] += 1
        digest = dict(rows=rows, by_unit=sorted(by_lead_unit.items(), key=lambda item: -item[1]),
                      by_group=sorted(by_group.items()), today=today, week=week)
        result.publish(NotificationKind.weekly_digest, f"weekly_digest:{week}", scope=SCOPE_ALL_UNITS,
                       path="/overdue", at=at, **digest)
        for user in users_with_role(Role.coordinator):
            result.queue(
                NotificationKind.weekly_digest, f"weekly_digest:{user.id}:{week}", user_recipient(user), at=at,
                **digest)


def scan_escalations(at: datetime, result: ScanResult) -> None:
    """督办升级: a task overdue by more than the plan's limit goes to leadership, once per overdue episode."""
    local = at.astimezone(BEIJING)
    today = local.date()
    if not current_calendar().is_working_day(today) or local.time() < SEND_AT:
        return
    settings = settings_by_plan()
    leaders = users_with_role(Role.leader)
    existing = set(db.session.execute(select(Escalation.task_id, Escalation.due_on)).all())
    for row in result.overdue_rows(today):
        if row.kind != "task" or row.overdue_days <= settings_for(row.task.plan_id, settings).escalate_after_days:
            continue
        task = row.task
        if (task.id, task.due_on) not in existing:
            # ON CONFLICT: a scheduler racing this one may have escalated the same episode meanwhile.
            escalation_id = db.session.execute(
                insert(Escalation.__table__).values(task_id=task.id, due_on=task.due_on, escalated_on=today,
                                                    overdue_days=row.overdue_days, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["task_id", "due_on"])
                .returning(Escalation.__table__.c.id)).scalar()
            if escalation_id is not None:
                record(None, "task.escalated", db.session.get(Escalation, escalation_id), task_id=task.id,
                       changes={"overdue_days": row.overdue_days}, summary=task.label)
            existing.add((task.id, task.due_on))
        result.publish(NotificationKind.escalation, f"escalation:{task.id}:{task.due_on}", unit_ids=[task.lead_unit_id],
                       path=f"/tasks/{task.id}", task_id=task.id, at=at, task=task, overdue_days=row.overdue_days,
                       last_accepted=row.last_accepted)
        for leader in leaders:
            result.queue(
                NotificationKind.escalation, f"escalation:{task.id}:{task.due_on}:{leader.id}",
                user_recipient(leader), task_id=task.id, at=at, task=task, overdue_days=row.overdue_days,
                last_accepted=row.last_accepted)


def run_scan(at: datetime) -> ScanResult:
    """One full scan as of ``at`` (aware). Adds outbox rows; the caller commits."""
    result = ScanResult()
    scan_task_reminders(at, result)
    scan_proposal_reminders(at, result)
    scan_digests(at, result)
    scan_escalations(at, result)
    result.flush()
    return result

