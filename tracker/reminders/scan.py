"""The reminder scan: decides, as of a moment, which emails are due and not yet queued.

It is safe to run again at any time: every email has an idempotency key, so a repeated or racing
run queues nothing twice. After downtime the next run catches up on reminders of the last
``REMINDER_CATCHUP_DAYS`` working days whose period is still open; it never reminds about a
period whose report day (or a task whose due date) has already passed.
"""
from __future__ import annotations

import gc
import logging
import threading
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Integer, String, or_, select, tuple_

from tracker.audit.services import record_many
from tracker.auth.models import Role, User, leader_units
from tracker.common import deadlines, scans
from tracker.common.upsert import among, batches, insert_new_rows
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan, PlanStatus
from tracker.outbox.models import Notification, NotificationKind
from tracker.reminders.models import Escalation
from tracker.outbox.services import Later, Recipient, email_values, insert_many, message_renderer, outbox_row
from tracker.reminders.settings import settings_by_plan, settings_for
from tracker.tasks.models import Task, task_cooperating_units
from tracker.tasks.obligations import lead_assignments
from tracker.overdue.store import refresh_overdue_entries
from tracker.overdue.queries import REPORT_FILED_STATES, overdue_refs
from tracker.tasks.queries import OPEN_STATUSES, TaskCard, task_cards
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate
from tracker.webhooks.outbox import SCOPE_ALL_UNITS, SCOPE_UNITS, WebhookDirectory, publish
from tracker.workcalendar.services import current_calendar

log = logging.getLogger(__name__)
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
            self.overdue = (today, overdue_refs(today, refresh=False))  # refreshed by run_scan
        return self.overdue[1]

    def queue(self, kind: NotificationKind, key: str, recipient: Recipient, *, task_id: int | None = None,
              at: datetime | None = None, **context) -> None:
        self.due.append((kind, key[:200], recipient, task_id, at, context))

    def flush(self, batch: int = 2000) -> None:
        """Renders and adds the emails whose keys are not in the outbox yet, in multi-row INSERTs (… ON
        CONFLICT DO NOTHING still guards against a racing scheduler). An email is rendered once per
        language for all recipients with the same content: an escalation goes to every leader."""
        keys = list(dict.fromkeys(item[1] for item in self.due))
        existing: set[str] = set()
        for part in batches(keys, batch):
            existing.update(db.session.scalars(select(Notification.idempotency_key).where(
                among(Notification.idempotency_key, part, String))))
        new = []
        by_locale: dict[str, dict[tuple, tuple]] = defaultdict(dict)  # content → (kind, context), per language
        for item in self.due:
            kind, key, recipient, _task_id, _at, context = item
            if key in existing:
                continue
            existing.add(key)
            # The context's objects are alive in self.due, so their ids name the same content.
            content = (kind, recipient.locale, tuple((name, id(value)) for name, value in context.items()))
            by_locale[recipient.locale].setdefault(content, (kind, context))
            new.append((item, content))
        rendered: dict[tuple, tuple[str, str, str]] = {}
        for locale, contents in by_locale.items():  # one forced locale, environment and catalogue per language
            with message_renderer(locale) as renderer:
                for content, (kind, context) in contents.items():
                    rendered[content] = renderer.email(kind, context)
        del by_locale
        rows = [outbox_row(key, kind, at=at, **email_values(recipient, task_id, *rendered[content]))
                for (kind, key, recipient, task_id, at, _context), content in new]
        del new
        for kind in insert_many(rows, batch):
            self.queued[kind] += 1
        if rows and not current_app.config.get("MAIL_SERVER"):
            log.info("outbox (no SMTP configured): %d emails queued, %d rendered", len(rows), len(rendered))
        self.due.clear()

    def publish(self, kind: NotificationKind, key: str, **arguments) -> None:
        """Queues the event's webhook calls (see ``tracker.webhooks.outbox.publish``)."""
        self.webhook_calls += publish(kind, key, directory=self.webhooks, **arguments)

    @property
    def total(self) -> int:
        return sum(self.queued.values())


def _units(unit_ids: set[int]) -> dict[int, Unit]:
    ordered = sorted(unit_ids)
    return {unit.id: unit for unit in db.session.scalars(select(Unit).where(among(Unit.id, ordered, Integer)))}


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


class _ReminderDays:
    """The reminder arithmetic of one scan, memoised: a city has tens of thousands of tasks but only a
    few dozen (cycle, report day) schedules and due dates."""

    def __init__(self, days: list[date], today: date):
        self.days, self.calendar, self.today = set(days), current_calendar(), today
        self.first, self.last = days[0], days[-1]
        self._periods: dict[tuple, list[deadlines.ReportPeriod]] = {}
        self._fires: dict[tuple[date, int], bool] = {}
        self._report_reminders: dict[tuple, list[tuple[deadlines.ReportPeriod, int]]] = {}
        self._deadline_reminders: dict[tuple, list[int]] = {}

    def periods(self, cycle: str, report_day: int, due_on: date | None) -> list[deadlines.ReportPeriod]:
        """The periods whose reminders may fall on the days: for each of the first and last day, the
        period it falls in and the next one (a one-off report: its due date)."""
        key = (cycle, report_day, due_on if cycle == deadlines.ONCE else None)
        if key not in self._periods:
            found: dict[str, deadlines.ReportPeriod] = {}
            for day in (self.first, self.last):
                if cycle == deadlines.ONCE:
                    candidates = [deadlines.period_of(cycle, report_day, day, due_on)]
                else:
                    current = deadlines.period_of(cycle, report_day, day)
                    candidates = [current, deadlines.period_of(cycle, report_day, current.report_due_on + timedelta(
                        days=35 if cycle == deadlines.MONTHLY else 95))]
                found.update({period.key: period for period in candidates if period})
            self._periods[key] = list(found.values())
        return self._periods[key]

    def fires(self, due_on: date, offset: int, *, on_the_day: bool = False) -> bool:
        """Is ``offset`` working days before ``due_on`` one of the days (or, with ``on_the_day`` and
        offset 0, ``due_on`` itself)?"""
        key = (due_on, offset)
        if key not in self._fires:
            self._fires[key] = self.calendar.add_working_days(due_on, -offset) in self.days
        return self._fires[key] or (on_the_day and offset == 0 and due_on in self.days)

    def report_reminders(self, cycle: str, report_day: int, due_on: date | None,
                         offsets: tuple[int, ...]) -> list[tuple[deadlines.ReportPeriod, int]]:
        """(period, offset) of the report reminders falling on the days for a schedule, periods still
        open today; the same for every task with that schedule (and, one-off, due date)."""
        key = (cycle, report_day, due_on if cycle == deadlines.ONCE else None, offsets)
        if key not in self._report_reminders:
            self._report_reminders[key] = [
                (period, offset) for period in self.periods(cycle, report_day, due_on)
                if period.report_due_on >= self.today
                for offset in offsets if self.fires(period.report_due_on, offset, on_the_day=True)]
        return self._report_reminders[key]

    def deadline_reminders(self, due_on: date, offsets: tuple[int, ...]) -> list[int]:
        """The offsets of the reminders of a due date (not passed today) falling on the days."""
        key = (due_on, offsets)
        if key not in self._deadline_reminders:
            self._deadline_reminders[key] = [offset for offset in offsets if self.fires(due_on, offset)] \
                if due_on >= self.today else []
        return self._deadline_reminders[key]


def _candidate_rows(reminder_days: _ReminderDays, today: date, settings) -> list:
    """(id, plan_id, sort_key, lead_unit_id, reporting_cycle, report_day, due_on, start_on) of the open tasks of active plans that
    may have a reminder on one of the days: a due date (or one-off report) within the largest offset in
    use, or a monthly/quarterly schedule with a period some offset in use reminds of. A superset of
    what ``scan_task_reminders`` decides (tests/reminders/test_candidate_tasks.py checks a year of days)."""
    all_settings = [*settings.values(), settings_for(0, {})]
    report_offsets = {offset for plan_settings in all_settings for offset in plan_settings.report_due_offsets}
    largest = max((*report_offsets, *(o for plan_settings in all_settings for o in plan_settings.deadline_offsets)),
                  default=0)
    # A due date on a non-working day is reminded of from the working days before it: a fortnight's
    # margin covers the longest holiday.
    horizon = reminder_days.calendar.add_working_days(reminder_days.last, largest) + timedelta(days=14)
    open_tasks = (select(Task).join(Plan, Plan.id == Task.plan_id)
                  .where(Plan.status == PlanStatus.active, Task.status.in_(OPEN_STATUSES)))
    schedules = db.session.execute(open_tasks.with_only_columns(Task.reporting_cycle, Task.report_day).distinct())
    reminded = [(cycle, report_day) for cycle, report_day in schedules if cycle.value != deadlines.ONCE and any(
        period.report_due_on >= today and reminder_days.fires(period.report_due_on, offset, on_the_day=True)
        for period in reminder_days.periods(cycle.value, report_day, None) for offset in report_offsets)]
    candidates = Task.due_on.between(today, horizon)
    if reminded:
        candidates = or_(candidates, tuple_(Task.reporting_cycle, Task.report_day).in_(reminded))
    return db.session.execute(open_tasks.where(candidates).with_only_columns(
        Task.id, Task.plan_id, Task.sort_key, Task.lead_unit_id, Task.reporting_cycle, Task.report_day, Task.due_on,
        Task.start_on)).all()


def _filed_reports(task_ids: set[int], periods: set[str]) -> set[tuple[int, str]]:
    """(task id, period) of the lead-unit reports filed (submitted or accepted) among ``task_ids``. Read
    for the whole periods, one range of ``ix_status_updates_period_filed``, and matched here: at city
    scale most tasks a scan looks at have filed already (29,000 of 34,000), and one range costs 0.15 s
    where lookups by task id cost 0.5 s."""
    if not task_ids or not periods:
        return set()
    rows = db.session.execute(
        select(StatusUpdate.task_id, StatusUpdate.period).join(Task, Task.id == StatusUpdate.task_id)
        .where(StatusUpdate.period.in_(sorted(periods)), StatusUpdate.unit_id == Task.lead_unit_id,
               StatusUpdate.review_state.in_(REPORT_FILED_STATES)))
    return {(task_id, period) for task_id, period in rows if task_id in task_ids}


def scan_task_reminders(at: datetime, result: ScanResult) -> None:
    """报送提醒 before/on the report day, 到期提醒 before the due date. Decided on plain rows; only the
    tasks with something due are loaded as objects, for the emails."""
    today = at.astimezone(BEIJING).date()
    days = days_to_consider(at)
    if not days:
        return
    settings = settings_by_plan()
    reminder_days = _ReminderDays(days, today)
    due: list[tuple[str, int, deadlines.ReportPeriod, int]] = []
    candidates = _candidate_rows(reminder_days, today, settings)
    assignments = lead_assignments([row.id for row in candidates])

    def after_assignment(due_on: date, offset: int, assigned_on: date | None) -> bool:
        """A reminder falls on a day after 交办: a task assigned today has none in its first scan."""
        return assigned_on is None or (reminder_days.calendar.add_working_days(due_on, -offset)
                                       if offset else due_on) > assigned_on

    for row in candidates:
        plan_settings = settings_for(row.plan_id, settings)
        assignment = assignments[row.id]
        if not assignment.counts:  # refused (退回交办): nothing until it is assigned again
            continue
        due_on = deadlines.deadline_in_force(row.due_on, assignment.owed_after)
        for period, offset in reminder_days.report_reminders(row.reporting_cycle.value, row.report_day, due_on,
                                                             plan_settings.report_due_offsets):
            if (not (row.start_on and period.report_due_on < row.start_on)  # not before the task starts
                    and deadlines.owes_period(period, assignment.owed_after)  # nor before 交办
                    and after_assignment(period.report_due_on, offset, assignment.assigned_on)):
                due.append(("report", row.id, period, offset))
        if due_on:
            for offset in reminder_days.deadline_reminders(due_on, plan_settings.deadline_offsets):
                if after_assignment(due_on, offset, assignment.assigned_on):
                    due.append(("deadline", row.id, deadlines.ReportPeriod("due", due_on), offset))
    filed = _filed_reports({task_id for kind, task_id, _, _ in due if kind == "report"},
                           {period.key for kind, _, period, _ in due if kind == "report"})
    due = [item for item in due if item[0] != "report" or (item[1], item[2].key) not in filed]
    # Keys and recipients come from ids; a task is loaded only if an email or message about it is new.
    due_ids = {task_id for _, task_id, _, _ in due}
    cooperating = _cooperating_units(due_ids)
    rows = {row.id: row for row in candidates if row.id in due_ids}
    units = _units({*(row.lead_unit_id for row in rows.values()), *(u for ids in cooperating.values() for u in ids)})
    on_demand = _RemindedTasks(due_ids)
    for kind, task_id, period, offset in sorted(due, key=lambda item: (rows[item[1]].plan_id,
                                                                       rows[item[1]].sort_key, item[1])):
        row, task = rows[task_id], on_demand.later(task_id)
        if kind == "report":
            result.publish(NotificationKind.report_due, f"report_due:{task_id}:{period.key}:{offset}",
                           unit_ids=[row.lead_unit_id], path=f"/tasks/{task_id}", task_id=task_id, at=at,
                           task=task, period=period, offset=offset)
            for recipient in unit_recipients(units[row.lead_unit_id]):
                result.queue(
                    NotificationKind.report_due, f"report_due:{task_id}:{period.key}:{offset}:{recipient.email}",
                    recipient, task_id=task_id, at=at, task=task, period=period, offset=offset)
        else:
            involved = [row.lead_unit_id, *cooperating.get(task_id, [])]
            result.publish(NotificationKind.deadline, f"deadline:{task_id}:{period.report_due_on}:{offset}", unit_ids=involved,
                           path=f"/tasks/{task_id}", task_id=task_id, at=at, task=task, offset=offset, role="lead")
            for unit_id in involved:
                for recipient in unit_recipients(units[unit_id]):
                    result.queue(
                        NotificationKind.deadline, f"deadline:{task_id}:{period.report_due_on}:{offset}:{recipient.email}",
                        recipient, task_id=task_id, at=at, task=task, offset=offset,
                        role="lead" if unit_id == row.lead_unit_id else "cooperating")


class _RemindedTasks:
    """The tasks reminded of, loaded together (with what the emails show) when the first one is needed."""

    def __init__(self, task_ids: set[int]):
        self.task_ids, self._tasks, self._later = task_ids, None, {}

    def later(self, task_id: int) -> Later:
        if task_id not in self._later:
            self._later[task_id] = Later(lambda: self.task(task_id))
        return self._later[task_id]

    def task(self, task_id: int) -> TaskCard:
        if self._tasks is None:
            self._tasks = task_cards(self.task_ids)
        return self._tasks[task_id]


def _cooperating_units(task_ids: set[int], batch: int = 2000) -> dict[int, list[int]]:
    """Cooperating unit ids per task, in unit id order."""
    found = defaultdict(list)
    for part in batches(sorted(task_ids), batch):
        for task_id, unit_id in db.session.execute(
                select(task_cooperating_units.c.task_id, task_cooperating_units.c.unit_id)
                .where(among(task_cooperating_units.c.task_id, part, Integer))
                .order_by(task_cooperating_units.c.unit_id)):
            found[task_id].append(unit_id)
    return found


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


def scan_promise_reminders(at: datetime, result: ScanResult) -> None:
    """承诺事项提醒: the 主办 unit hears once when a promise of a B/C reply falls due soon and once when it is
    overdue, until it answers again (办结后再次答复). Which promises, tracker.proposals.promises decides."""
    from tracker.proposals.promises import promise_events

    local = at.astimezone(BEIJING)
    today = local.date()
    if not current_calendar().is_working_day(today) or local.time() < SEND_AT:
        return
    for event in promise_events(today):
        promise, proposal = event.promise, event.promise.proposal
        key = f"promise_due:{promise.id}:{promise.due_on}:{event.event}"
        link = f"/proposals/{proposal.id}#promises"
        result.publish(NotificationKind.promise_due, key, unit_ids=[proposal.main_unit_id], path=link, at=at,
                       promise=promise, proposal=proposal, event=event.event, days=event.days, link=link)
        for recipient in unit_recipients(proposal.main_unit):
            result.queue(NotificationKind.promise_due, f"{key}:{recipient.email}", recipient, at=at,
                         promise=promise, proposal=proposal, event=event.event, days=event.days, link=link)


def scan_proposal_clock(at: datetime, result: ScanResult) -> None:
    """提案办理催办 (tracker/proposals/clock.py): a unit hears ``PROPOSAL_OBLIGATION_REMINDER_DAYS`` working
    days before its 协办意见 or 会签 is due, and gets a 催办 once its reply, opinion or 会签 is overdue; once
    per item, unit, deadline and event (the idempotency key); group robots subscribed to it hear the same."""
    from tracker.proposals.clock import REPLY, clock_rows, obligation_reminder_days

    days = days_to_consider(at)
    today = at.astimezone(BEIJING).date()
    if not days:
        return
    calendar, before = current_calendar(), obligation_reminder_days()
    for row in clock_rows(today, soon_days=before):
        if row.overdue:
            if today not in days:  # a 催办 goes out on a working day, from 09:00
                continue
            event = "overdue"
        elif row.kind != REPLY and calendar.add_working_days(row.due_on, -before) in days:
            event = "soon"
        else:
            continue
        key = f"proposal_urge:{row.kind}:{row.proposal.id}:{row.unit.id}:{row.due_on}:{event}"
        result.publish(NotificationKind.proposal_urge, key, unit_ids=[row.unit.id],  # subscribed group robots
                       path=f"/proposals/{row.proposal.id}", at=at, row=row, overdue=row.overdue)
        for recipient in unit_recipients(row.unit):
            result.queue(NotificationKind.proposal_urge, f"{key}:{recipient.email}", recipient, at=at, row=row,
                         overdue=row.overdue)


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
        if settings_for(row.plan_id, settings).overdue_digest_enabled:
            by_unit[row.lead_unit_id].append(row)
    from tracker.proposals.queries import overdue_proposals

    late_replies: dict[int, list] = defaultdict(list)
    for proposal_row in overdue_proposals(today):
        late_replies[proposal_row.proposal.main_unit_id].append(proposal_row)
    unit_ids = set(by_unit) | set(late_replies)
    units = _units({*unit_ids, *(row.lead_unit_id for row in rows)})
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
        counts = Counter(units[row.lead_unit_id].short_name for row in digest_rows)
        result.publish(NotificationKind.overdue_digest, f"overdue_digest:all:{today}", scope=SCOPE_ALL_UNITS,
                       path="/overdue", at=at, template="webhooks/overdue_summary.txt", today=today,
                       rows=sorted(digest_rows, key=lambda row: -row.overdue_days),
                       proposals=[row for unit_rows in late_replies.values() for row in unit_rows],
                       by_unit=sorted(counts.items(), key=lambda item: -item[1]))
    monday = today - timedelta(days=today.weekday())
    first_working_day = calendar.shift_to_working_day(monday, "next")
    if today >= first_working_day and first_working_day >= monday:
        week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
        digest = dict(rows=rows, summary=Later(lambda: weekly_summary(rows, units)), today=today, week=week)
        result.publish(NotificationKind.weekly_digest, f"weekly_digest:{week}", scope=SCOPE_ALL_UNITS,
                       path="/overdue", at=at, **digest)
        for user in users_with_role(Role.coordinator):
            result.queue(
                NotificationKind.weekly_digest, f"weekly_digest:{user.id}:{week}", user_recipient(user), at=at,
                **digest)


@dataclass(frozen=True)
class CountLine:
    """A line of the weekly digest: a lead unit or an action group, its overdue items, and the overdue
    list filtered to it."""

    label: str
    count: int
    path: str


@dataclass(frozen=True)
class WeeklySummary:
    """每周汇总 by lead unit and by action group, most overdue first: the first ``WEEKLY_DIGEST_LINES``
    of each with links, and what the rest adds up to (a city has 2,000 lead units)."""

    by_unit: list[CountLine]
    more_units: tuple[int, int]  # (lines left out, their items)
    by_group: list[CountLine]
    more_groups: tuple[int, int]


def weekly_summary(rows: list, units: dict[int, Unit]) -> WeeklySummary:
    lines = current_app.config["WEEKLY_DIGEST_LINES"]
    unit_counts = Counter(row.lead_unit_id for row in rows)
    ranked_units = sorted(unit_counts.items(), key=lambda item: (-item[1], units[item[0]].short_name))
    group_counts = Counter((row.plan_id, row.group_id) for row in rows)
    ranked_groups = sorted(group_counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or 0))
    shown_groups = ranked_groups[:lines]
    plans = {plan.id: plan for plan in db.session.scalars(
        select(Plan).where(Plan.id.in_({plan_id for (plan_id, _group), _count in shown_groups})))}
    groups = {group.id: group for group in db.session.scalars(
        select(ActionGroup).where(ActionGroup.id.in_({group_id for (_plan, group_id), _count in shown_groups})))}

    def rest(ranked: list) -> tuple[int, int]:
        return len(ranked) - lines if len(ranked) > lines else 0, sum(count for _key, count in ranked[lines:])

    return WeeklySummary(
        [CountLine(units[unit_id].short_name, count, f"/overdue?unit_id={unit_id}")
         for unit_id, count in ranked_units[:lines]], rest(ranked_units),
        [CountLine(f"{plans[plan_id].title} · {groups[group_id].label if group_id else '—'}", count,
                   f"/overdue?plan_id={plan_id}" + (f"&group_id={group_id}" if group_id else ""))
         for (plan_id, group_id), count in shown_groups], rest(ranked_groups))


def scan_escalations(at: datetime, result: ScanResult) -> None:
    """督办升级: a task overdue by more than the plan's limit is recorded as escalated (the task page's
    badge and history), once per overdue episode, and group robots subscribed to it hear of it. It emails
    nobody: the leaders overseeing the unit hear of the task once, from the ladder's 督办 level (a copy
    of the 督办通知单, for information), so nobody gets two emails about one step
    (tracker/supervision/ladder.py)."""
    local = at.astimezone(BEIJING)
    today = local.date()
    if not current_calendar().is_working_day(today) or local.time() < SEND_AT:
        return
    settings = settings_by_plan()
    escalated = [row for row in result.overdue_rows(today)
                 if row.kind == "task" and row.overdue_days > settings_for(row.plan_id, settings).escalate_after_days]
    _record_new_escalations(escalated, today, at)
    for row in escalated:  # group robots subscribed to 督办升级 still hear of it (webhooks, not email)
        task, last_accepted = Later(lambda row=row: row.task), Later(lambda row=row: row.last_accepted)
        result.publish(NotificationKind.escalation, f"escalation:{row.task_id}:{row.due_on}",
                       unit_ids=[row.lead_unit_id], path=f"/tasks/{row.task_id}", task_id=row.task_id, at=at,
                       task=task, overdue_days=row.overdue_days, last_accepted=last_accepted)


def _record_new_escalations(escalated: list, today: date, at: datetime, batch: int = 1000) -> None:
    """Escalation rows (and their audit events) for the episodes not escalated before, in multi-row
    INSERTs. ON CONFLICT: a scheduler racing this one may have escalated the same episode meanwhile, and
    only the rows this scan inserted (RETURNING) get an audit event. Both are stamped with the scan's
    moment ``at``, the day they are about, whenever the scan is run."""
    existing = set(db.session.execute(select(Escalation.task_id, Escalation.due_on)).all())
    new = {(row.task_id, row.due_on): row for row in escalated if (row.task_id, row.due_on) not in existing}
    rows = [dict(task_id=task_id, due_on=due_on, escalated_on=today, overdue_days=row.overdue_days,
                 created_at=at) for (task_id, due_on), row in new.items()]
    table = Escalation.__table__
    inserted = insert_new_rows(table, rows, unique=["task_id", "due_on"],
                               returning=[table.c.id, table.c.task_id, table.c.due_on], batch=batch)
    record_many(None, "task.escalated", Escalation.__tablename__, at=at, events=[
        dict(object_id=escalation_id, task_id=task_id, changes={"overdue_days": new[task_id, due_on].overdue_days},
             summary=new[task_id, due_on].task.label) for escalation_id, task_id, due_on in inserted])


_collections = {"deferring": 0, "previous": None, "lock": threading.Lock()}


@contextmanager
def fewer_collections(first_generation: int = 100_000):
    """Python's cycle collector runs less often meanwhile. A city's scan allocates millions of short-lived
    objects (rows, contexts, strings); with the default of a pass per 700 new objects the collector took
    1.4-1.9 s of each scan (15-30% of it, three or four of the passes over everything alive), and
    0.2-0.5 s with this. The peak RSS of a scan is the same either way (258 MB at city scale). Scans
    overlapping in one process's threads share the setting: the last one out restores what the first
    one in found."""
    with _collections["lock"]:
        if _collections["deferring"] == 0:
            _collections["previous"] = gc.get_threshold()
            gc.set_threshold(first_generation, *_collections["previous"][1:])
        _collections["deferring"] += 1
    try:
        yield
    finally:
        with _collections["lock"]:
            _collections["deferring"] -= 1
            if _collections["deferring"] == 0:
                gc.set_threshold(*_collections["previous"])


# The scan's steps, in order. Reminders registers its own (``register_steps``); supervision registers
# 签收 reminders, the 督办 ladder and the ladder of items whose reply is overdue (tracker/supervision/handlers.py),
# which read the escalations first.
SCAN_ORDER = ("task_reminders", "proposal_reminders", "proposal_clock", "promise_reminders", "digests", "escalations",
              "receipts", "ladder", "proposal_ladder")


def register_steps() -> None:
    scans.register("task_reminders", scan_task_reminders)
    scans.register("proposal_reminders", scan_proposal_reminders)
    scans.register("promise_reminders", scan_promise_reminders)
    scans.register("proposal_clock", scan_proposal_clock)
    scans.register("digests", scan_digests)
    scans.register("escalations", scan_escalations)


def run_scan(at: datetime) -> ScanResult:
    """One full scan as of ``at`` (aware). Adds outbox rows; the caller commits."""
    with fewer_collections():
        if current_app.config.get("OVERDUE_STORE", True):
            # The stored overdue list is brought up to date (and committed) first, so that nothing in the
            # scan's own transaction commits early (tracker/overdue/store.py).
            refresh_overdue_entries(at.astimezone(BEIJING).date())
        result = ScanResult()
        for _name, step in scans.steps(SCAN_ORDER):
            step(at, result)
        result.flush()
    return result

