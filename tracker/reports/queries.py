"""Leadership figures (领导驾驶舱): task states, red-amber-green roll-ups, the unit scoreboard (单位排名)
and monthly trends.

Task state (任务研判), one per task, first rule that applies wins:

- completed (已完成): status completed;
- suspended (暂缓): status suspended (never overdue, see ``tracker.common.deadlines``);
- overdue (逾期): open and its due date (完成时限) has passed — the same rule as the overdue list;
- at_risk (存在风险): open, not overdue, and either
    * due within ``AT_RISK_WORKING_DAYS`` working days (工作日, official calendar) with progress below
      ``AT_RISK_PROGRESS_BELOW`` %, or
    * its report is overdue (报送逾期) — exactly the report rows of the overdue list;
- not_started (未开始): status not_started;
- on_track (正常推进): everything else (in progress, nothing late).

This module is the one place that defines "at risk"; it builds on the deadline rules and reuses the
overdue list's report rule instead of restating it.

On-time reporting rate (按期报送率) = reports on time ÷ reports due, for lead-unit reports:

- a report is due for every reporting period of a task whose report day (报送日) lies before today,
  on or after the task's start date, in a period that began before the task was completed
  (the period it was completed in still needs its completion report); suspended tasks owe none;
- it is on time when the lead unit's update for that period was accepted (已采纳) and the accepted
  version was submitted on or before the report day (Beijing date). The submission date counts, not the
  review date, so a slow review does not count against the unit; a report returned (退回) and resubmitted
  after the report day is late; one still awaiting review is not (yet) on time.
"""
from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import selectinload

from tracker.common import deadlines
from tracker.common.clock import utcnow
from tracker.common.pagination import Page, paginate_rows
from tracker.access.permissions import visible_task_condition
from tracker.common.workdays import BEIJING, WorkingCalendar
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan, PlanStatus
from tracker.tasks.models import Task, TaskStatus
from tracker.overdue.queries import overdue_task_ids
from tracker.tasks.queries import OPEN_STATUSES, OverdueFilters
from tracker.updates.queries import last_accepted_updates
from tracker.units.models import Unit
from tracker.updates.models import ReviewState, StatusUpdate

AT_RISK_WORKING_DAYS = 10
AT_RISK_PROGRESS_BELOW = 80

NOT_STARTED, ON_TRACK, AT_RISK, OVERDUE, COMPLETED, SUSPENDED = (
    "not_started", "on_track", "at_risk", "overdue", "completed", "suspended")
STATES = (NOT_STARTED, ON_TRACK, AT_RISK, OVERDUE, COMPLETED, SUSPENDED)
STATE_LABELS = {
    NOT_STARTED: _l("未开始"), ON_TRACK: _l("正常推进"), AT_RISK: _l("存在风险"), OVERDUE: _l("逾期"),
    COMPLETED: _l("已完成"), SUSPENDED: _l("暂缓"),
}
# Colours chosen to stay apart in greyscale print too; every chart also has a table beside it.
STATE_COLORS = {
    NOT_STARTED: "#9aa0a6", ON_TRACK: "#2e7d32", AT_RISK: "#e0a800", OVERDUE: "#b71c1c",
    COMPLETED: "#1565c0", SUSPENDED: "#cfd4da",
}
RED, AMBER, GREEN = "red", "amber", "green"
RAG_LABELS = {RED: _l("红"), AMBER: _l("黄"), GREEN: _l("绿")}

SCOREBOARD_SORTS = ("unit", "tasks_led", "completed_on_time", "overdue", "on_time_rate", "average_returns", "score",
                    "unsigned", "extensions")


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


# ---------------------------------------------------------------------------------------------------------
# Task state: the one definition of "at risk"
# ---------------------------------------------------------------------------------------------------------

working_calendar = deadlines.working_calendar  # the calendar in force, holiday overrides included


def at_risk_due_by(today: date, calendar_in_force: WorkingCalendar | None = None) -> date:
    """Last due date that still counts as "due within AT_RISK_WORKING_DAYS working days" of ``today``.

    A due date ``d`` qualifies when ``working_days_between(today, d) <= AT_RISK_WORKING_DAYS``; that holds up
    to the day before the next working day after the N-th one (so a weekend right after it qualifies too).
    """
    calendar_in_force = calendar_in_force or working_calendar()
    return calendar_in_force.add_working_days(today, AT_RISK_WORKING_DAYS + 1) - timedelta(days=1)


def task_state_expression(today: date, filters: OverdueFilters = OverdueFilters(),
                          calendar_in_force: WorkingCalendar | None = None):
    """SQL CASE giving each task its state (see the module docstring), so states aggregate in SQL. The
    report rule is the overdue list's own SQL (tasks whose latest due report is missing), as a subquery."""
    due_soon = and_(Task.due_on >= today, Task.due_on <= at_risk_due_by(today, calendar_in_force),
                    Task.progress < AT_RISK_PROGRESS_BELOW)
    report_overdue = overdue_task_ids(today, filters, kinds=("report",))
    report_late = Task.id.in_(report_overdue) if report_overdue is not None else literal(False)
    return case(
        (Task.status == TaskStatus.completed, literal(COMPLETED)),
        (Task.status == TaskStatus.suspended, literal(SUSPENDED)),
        (late_task_condition(today), literal(OVERDUE)),
        (or_(due_soon, report_late), literal(AT_RISK)),
        (Task.status == TaskStatus.not_started, literal(NOT_STARTED)),
        else_=literal(ON_TRACK),
    )


def late_task_condition(today: date):
    """SQL: the task is overdue today, as on the overdue list: open, past its due date in force (never
    before its lead unit's 签收时限), not refused by its lead unit (tracker/tasks/obligations.py)."""
    from tracker.tasks.obligations import deadline_in_force_sql, refused_sql

    return and_(Task.status.in_(OPEN_STATUSES), Task.due_on < today, deadline_in_force_sql() < today, ~refused_sql())


@dataclass(frozen=True)
class Scope:
    """Which tasks a figure covers: active plans (实施中), optionally one plan, group or lead unit."""

    plan_id: int | None = None
    group_id: int | None = None
    unit_id: int | None = None  # lead unit
    state: str | None = None
    include_inactive_plan: bool = False  # a plan's own ledger also covers an archived plan
    task_ids: tuple[int, ...] | None = None  # only these tasks (a page of the drill-down)

    @property
    def filters(self) -> OverdueFilters:
        return OverdueFilters(plan_id=self.plan_id, group_id=self.group_id, unit_id=self.unit_id,
                              task_ids=self.task_ids)

    def tasks(self, query):
        query = query.join(Plan, Plan.id == Task.plan_id)
        if self.include_inactive_plan and self.plan_id:
            query = query.where(Plan.status != PlanStatus.draft)
        else:
            query = query.where(Plan.status == PlanStatus.active)
        return self.filters.apply(query)


def _state_rows(today: date, scope: Scope):
    """Subquery: one row per task in scope with its state (and the columns the roll-ups group by)."""
    state = task_state_expression(today, scope.filters).label("state")
    query = scope.tasks(select(Task.id.label("task_id"), Task.plan_id, Task.group_id, Task.lead_unit_id, state))
    subquery = query.subquery()
    if scope.state:
        return select(subquery).where(subquery.c.state == scope.state).subquery()
    return subquery


def task_states(today: date, scope: Scope) -> dict[int, str]:
    """State of every task in scope, by task id."""
    rows = _state_rows(today, scope)
    return dict(db.session.execute(select(rows.c.task_id, rows.c.state)).all())


# ---------------------------------------------------------------------------------------------------------
# Dashboard: counts, shares, red-amber-green
# ---------------------------------------------------------------------------------------------------------

@dataclass
class StateCounts:
    """Task counts by state; ``share`` in percent of the total, one decimal."""

    counts: dict[str, int] = field(default_factory=lambda: {state: 0 for state in STATES})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, state: str) -> float:
        return round(100 * self.counts[state] / self.total, 1) if self.total else 0.0

    @property
    def rag(self) -> str:
        """Red when anything is overdue, amber when anything is at risk, else green."""
        if self.counts[OVERDUE]:
            return RED
        if self.counts[AT_RISK]:
            return AMBER
        return GREEN

    def shown_states(self) -> tuple[str, ...]:
        """The five states always; 暂缓 only when some task is suspended."""
        return STATES if self.counts[SUSPENDED] else STATES[:-1]


@dataclass
class RollUpRow:
    """One line of a red-amber-green roll-up: an action group or a lead unit."""

    key: int | None
    label: str
    plan: Plan | None
    states: StateCounts


def state_counts(today: date, scope: Scope) -> StateCounts:
    rows = _state_rows(today, scope)
    result = StateCounts()
    for state, count in db.session.execute(select(rows.c.state, func.count()).group_by(rows.c.state)):
        result.counts[state] = count
    return result


def _roll_up(today: date, scope: Scope, column_name: str) -> dict[int | None, StateCounts]:
    rows = _state_rows(today, scope)
    column = rows.c[column_name]
    result: dict[int | None, StateCounts] = defaultdict(StateCounts)
    for key, state, count in db.session.execute(
            select(column, rows.c.state, func.count()).group_by(column, rows.c.state)):
        result[key].counts[state] = count
    return result


def rag_by_group(today: date, scope: Scope) -> list[RollUpRow]:
    """Red-amber-green by action group (行动), in plan and group order; ungrouped tasks last."""
    counts = _roll_up(today, scope, "group_id")
    groups = list(db.session.scalars(select(ActionGroup).where(ActionGroup.id.in_([k for k in counts if k]))
                                     .options(selectinload(ActionGroup.plan))
                                     .order_by(ActionGroup.plan_id, ActionGroup.position)))
    rows = [RollUpRow(group.id, group.label, group.plan, counts[group.id]) for group in groups]
    if None in counts:
        rows.append(RollUpRow(None, str(_l("未分组任务")), None, counts[None]))
    return rows


def worst_first(rows: list[RollUpRow]) -> list[RollUpRow]:
    """Red before amber before green; then most overdue, most at risk, by name."""
    order = {RED: 0, AMBER: 1, GREEN: 2}
    return sorted(rows, key=lambda row: (order[row.states.rag], -row.states.counts[OVERDUE],
                                         -row.states.counts[AT_RISK], row.label))


def rag_by_lead_unit(today: date, scope: Scope) -> list[RollUpRow]:
    """Red-amber-green by lead unit (牵头单位), worst first, then by name."""
    counts = _roll_up(today, scope, "lead_unit_id")
    units = db.session.scalars(select(Unit).where(Unit.id.in_(list(counts))))
    return worst_first([RollUpRow(unit.id, unit.short_name, None, counts[unit.id]) for unit in units])


ROLL_UP_ROWS = 20  # a city has ~14,000 action groups and ~2,000 lead units: the dashboard shows the worst


@dataclass
class DashboardFigures:
    """Everything the dashboard shows for one scope; roll-ups longer than ``ROLL_UP_ROWS`` keep their
    worst rows (``groups_total``/``units_total`` say how many there are)."""

    counts: StateCounts
    by_group: list[RollUpRow]
    by_unit: list[RollUpRow]
    groups_total: int
    units_total: int
    trend: list["TrendPoint"]
    computed_at: datetime


def dashboard_figures(today: date, scope: Scope) -> DashboardFigures:
    by_group, by_unit = rag_by_group(today, scope), rag_by_lead_unit(today, scope)
    shown_groups = by_group if len(by_group) <= ROLL_UP_ROWS else worst_first(by_group)[:ROLL_UP_ROWS]
    return DashboardFigures(state_counts(today, scope), shown_groups, by_unit[:ROLL_UP_ROWS], len(by_group),
                            len(by_unit), trend(today, scope), utcnow())


# ---------------------------------------------------------------------------------------------------------
# Reports due and on time (按期报送)
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueReport:
    """One lead-unit report that was due: the task, its period and whether it came in on time."""

    task_id: int
    lead_unit_id: int
    period: str
    report_due_on: date
    on_time: bool


def _month_starts(first: date, last: date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _period_start(period: deadlines.ReportPeriod) -> date:
    """First day of a monthly ("2026-06") or quarterly ("2026-Q2") period; from the key, because the report
    day itself may have moved into another month to fall on a working day."""
    if "-Q" in period.key:
        year, quarter = map(int, period.key.split("-Q"))
        return date(year, quarter * 3 - 2, 1)
    year, month = map(int, period.key.split("-"))
    return date(year, month, 1)


def _start_of(task: Task) -> date:
    """Where a task's reporting starts: its start date, else the plan's, else the day it was created."""
    return (task.start_on or task.plan.period_start or task.plan.issued_on
            or task.created_at.astimezone(BEIJING).date())


LOOK_BACK_DAYS = 130  # from a report day back to the first day of its period, with room to spare


def periods_due(task: Task, today: date, memo: dict | None = None,
                since: date | None = None, assignment=None) -> list[deadlines.ReportPeriod]:
    """The lead unit's reporting periods for ``task`` whose report day lies before ``today`` (and on or
    after ``since``) and that it owes (obligations start at 交办: ``assignment``, see
    ``tracker.tasks.obligations``; None: read it). ``memo`` keeps the periods of each (cycle, report
    day, month) across tasks: computing one means calendar arithmetic, and a city's 100,000 tasks share a
    handful of schedules."""
    from tracker.tasks.obligations import lead_assignment

    memo = {} if memo is None else memo
    if task.status == TaskStatus.suspended:
        return []
    assignment = lead_assignment(task) if assignment is None else assignment
    if not assignment.counts:
        return []
    owed_after = assignment.owed_after
    cycle = task.reporting_cycle.value
    if cycle == deadlines.ONCE:
        due_on = deadlines.deadline_in_force(task.due_on, owed_after)
        return [deadlines.ReportPeriod(deadlines.FINAL_PERIOD, due_on)] if (
            due_on and due_on < today and (since is None or due_on >= since)) else []
    start = _start_of(task)
    seen: dict[str, deadlines.ReportPeriod] = {}
    # A quarter's report day can fall up to a quarter after its first month: look back that far from ``since``.
    first_month = max(start, since - timedelta(days=LOOK_BACK_DAYS)) if since else start
    for month_start in _month_starts(first_month, today):
        period = memo.get((cycle, task.report_day, month_start))
        if period is None:
            period = memo[(cycle, task.report_day, month_start)] = deadlines.period_of(cycle, task.report_day,
                                                                                       month_start)
        if period.key in seen or not start <= period.report_due_on < today or (since and period.report_due_on < since):
            continue
        if not deadlines.owes_period(period, owed_after):
            continue
        if task.completed_on is not None and _period_start(period) > task.completed_on:
            continue
        seen[period.key] = period
    return list(seen.values())


def _end_of_beijing_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), BEIJING).astimezone(timezone.utc)


def due_reports(today: date, scope: Scope, since: date | None = None) -> list[DueReport]:
    """Every lead-unit report due in scope (with its report day on or after ``since``, when given),
    marked on time or not (see the module docstring)."""
    query = scope.tasks(select(Task)).options(selectinload(Task.plan))
    if since is not None:  # tasks completed well before ``since`` owe nothing from then on (no period starts
        query = query.where(or_(Task.completed_on.is_(None),  # after completion): a quarter and a month back
                                Task.completed_on >= since - timedelta(days=LOOK_BACK_DAYS)))
    tasks = list(db.session.scalars(query))
    from tracker.tasks.obligations import lead_assignments

    assignments = lead_assignments([task.id for task in tasks])
    memo: dict = {}
    due = [(task, period) for task in tasks
           for period in periods_due(task, today, memo, since, assignments[task.id])]
    if not due:
        return []
    # One row per (task, period) due: when the earliest accepted lead-unit version came in.
    accepted_at = {
        (task_id, period): submitted_at
        for task_id, period, submitted_at in db.session.execute(
            select(StatusUpdate.task_id, StatusUpdate.period, func.min(StatusUpdate.submitted_at))
            .join(Task, Task.id == StatusUpdate.task_id)
            .where(StatusUpdate.task_id.in_(scope.tasks(select(Task.id))),
                   StatusUpdate.period.in_(sorted({period.key for _task, period in due})),
                   StatusUpdate.unit_id == Task.lead_unit_id, StatusUpdate.review_state == ReviewState.accepted)
            .group_by(StatusUpdate.task_id, StatusUpdate.period))
    }
    day_ends: dict[date, datetime] = {}
    result = []
    for task, period in due:
        submitted_at = accepted_at.get((task.id, period.key))
        if submitted_at is not None and submitted_at.tzinfo is None:  # SQLite drops the zone of MIN()
            submitted_at = submitted_at.replace(tzinfo=timezone.utc)
        end = day_ends.get(period.report_due_on) or day_ends.setdefault(period.report_due_on,
                                                                         _end_of_beijing_day(period.report_due_on))
        on_time = submitted_at is not None and submitted_at < end
        result.append(DueReport(task.id, task.lead_unit_id, period.key, period.report_due_on, on_time))
    return result


# The same reports due, counted in SQL (set operations, no walk over tasks × periods in Python): the
# scoreboard, 考评, the trend and the 通报 read these counts. ``due_reports`` above stays the definition
# the counts are checked against (tests/test_scoreboard_facts.py).

DUE_GROUPS = ("lead_unit_id", "plan_id", "month")


def _beijing_date_sql(column):
    """SQL: the Beijing calendar date of a UTC timestamp column."""
    from tracker.common.upsert import on_postgresql

    if on_postgresql():
        return func.cast(func.timezone("Asia/Shanghai", column), db.Date)
    return func.date(column, "+8 hours")


def _report_calendar(cycles_days, today: date, since: date | None):
    """Rows (cycle, report_day, key, due, period_start, period_end): every monthly or quarterly period of the
    given schedules whose report day lies before ``today`` (and on or after ``since``), from the earliest
    start in scope; ``period_end`` is the first day after the period's last month."""
    rows, seen = [], set()
    for cycle, report_day, earliest in cycles_days:
        if earliest is None:
            continue
        first_month = max(earliest, since - timedelta(days=LOOK_BACK_DAYS)) if since else earliest
        for month_start in _month_starts(first_month, today):
            period = deadlines.period_of(cycle, report_day, month_start)
            if (cycle, report_day, period.key) in seen:
                continue
            seen.add((cycle, report_day, period.key))
            if not period.report_due_on < today or (since and period.report_due_on < since):
                continue
            start = _period_start(period)
            months = 3 if cycle == deadlines.QUARTERLY else 1
            end_month = start.month - 1 + months
            end = date(start.year + end_month // 12, end_month % 12 + 1, 1)
            rows.append((cycle, report_day, period.key, period.report_due_on, start, end,
                         _end_of_beijing_day(period.report_due_on), period.report_due_on.strftime("%Y-%m")))
    return rows


def due_report_counts(today: date, scope: Scope, by: tuple[str, ...] = ("lead_unit_id",),
                      since: date | None = None) -> dict[tuple, list[int]]:
    """{(values of ``by``): [reports due, reports on time]} for the lead-unit reports ``due_reports`` lists
    (same rule: periods before ``today``, owed after 交办, none for suspended or refused tasks, none that
    start after completion), counted by SQL in two statements plus one for the schedules; ``by`` among
    lead_unit_id, plan_id and month (of the report day, "2026-06")."""
    from sqlalchemy import Date, Integer, String, column, values

    from tracker.common.types import UTCDateTime
    from tracker.tasks.models import ReportingCycle
    from tracker.supervision.models import Receipt, ReceiptState
    from tracker.tasks.obligations import refused_sql

    assert all(name in DUE_GROUPS for name in by)
    start = func.coalesce(Task.start_on, Plan.period_start, Plan.issued_on, _beijing_date_sql(Task.created_at))
    # owed_after_sql (the earliest sign-by of the lead unit's receipts not withdrawn) as one grouped join
    # instead of a subquery per task and period
    signs = (select(Receipt.task_id, Receipt.unit_id, func.min(Receipt.sign_by).label("sign_by"))
             .where(Receipt.role == "lead", Receipt.state.in_((ReceiptState.pending, ReceiptState.signed)))
             .group_by(Receipt.task_id, Receipt.unit_id).subquery("signs"))
    tasks = (scope.tasks(select(Task.id.label("task_id"), Task.lead_unit_id, Task.plan_id,
                                Task.reporting_cycle.label("cycle"), Task.report_day, Task.due_on,
                                Task.completed_on, start.label("start_on"), signs.c.sign_by.label("owed_after"))
                         .outerjoin(signs, and_(signs.c.task_id == Task.id, signs.c.unit_id == Task.lead_unit_id))
                         .where(Task.status != TaskStatus.suspended, ~refused_sql()))
             .subquery("owing"))
    accepted = (select(StatusUpdate.task_id, StatusUpdate.period, func.min(StatusUpdate.submitted_at).label("first_at"))
                .join(Task, Task.id == StatusUpdate.task_id)
                .where(StatusUpdate.unit_id == Task.lead_unit_id, StatusUpdate.review_state == ReviewState.accepted,
                       StatusUpdate.task_id.in_(select(tasks.c.task_id)))
                .group_by(StatusUpdate.task_id, StatusUpdate.period).subquery("accepted"))
    result: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])

    schedules = db.session.execute(
        select(tasks.c.cycle, tasks.c.report_day, func.min(tasks.c.start_on))
        .where(tasks.c.cycle != ReportingCycle.once).group_by(tasks.c.cycle, tasks.c.report_day)).all()
    calendar_rows = _report_calendar([(getattr(cycle, "value", cycle), day, earliest)
                                      for cycle, day, earliest in schedules], today, since)
    if calendar_rows:
        cal = values(column("cycle", String), column("report_day", Integer), column("key", String),
                     column("due", Date), column("period_start", Date), column("period_end", Date),
                     column("day_end", UTCDateTime), column("month", String), name="cal").data(calendar_rows).cte("cal")
        groups = [cal.c.month if name == "month" else tasks.c[name] for name in by]
        on_time = case((accepted.c.first_at < cal.c.day_end, 1), else_=0)
        query = (select(*groups, func.count(), func.sum(on_time))
                 .select_from(tasks.join(cal, and_(cal.c.cycle == tasks.c.cycle, cal.c.report_day == tasks.c.report_day)))
                 .outerjoin(accepted, and_(accepted.c.task_id == tasks.c.task_id, accepted.c.period == cal.c.key))
                 .where(tasks.c.start_on <= cal.c.due, tasks.c.start_on < cal.c.period_end,
                        or_(tasks.c.owed_after.is_(None), cal.c.due > tasks.c.owed_after),
                        or_(tasks.c.completed_on.is_(None), cal.c.period_start <= tasks.c.completed_on))
                 .group_by(*groups))
        for *key, due, in_time in db.session.execute(query):
            figures = result[tuple(key)]
            figures[0] += due
            figures[1] += in_time or 0

    # One-off tasks: one report, due on the due date in force (never before 签收时限).
    due_in_force = case((tasks.c.owed_after > tasks.c.due_on, tasks.c.owed_after), else_=tasks.c.due_on)
    once_groups = [tasks.c[name] for name in by if name != "month"]
    query = (select(*once_groups, due_in_force.label("due"), accepted.c.first_at)
             .select_from(tasks).outerjoin(accepted, and_(accepted.c.task_id == tasks.c.task_id,
                                                         accepted.c.period == deadlines.FINAL_PERIOD))
             .where(tasks.c.cycle == ReportingCycle.once, tasks.c.due_on.is_not(None), due_in_force < today))
    if since is not None:
        query = query.where(due_in_force >= since)
    ends: dict[date, datetime] = {}
    for *key, due, first_at in db.session.execute(query):
        if isinstance(due, str):  # SQLite: CASE loses the column type
            due = date.fromisoformat(due[:10])
        if isinstance(first_at, str):
            first_at = datetime.fromisoformat(first_at)
        if first_at is not None and first_at.tzinfo is None:
            first_at = first_at.replace(tzinfo=timezone.utc)
        end = ends.get(due) or ends.setdefault(due, _end_of_beijing_day(due))
        values_of = iter(key)
        full_key = tuple(due.strftime("%Y-%m") if name == "month" else next(values_of) for name in by)
        figures = result[full_key]
        figures[0] += 1
        figures[1] += first_at is not None and first_at < end
    return dict(result)


def rate(part: int, whole: int) -> float | None:
    """Percentage with one decimal; None when nothing was due."""
    return round(100 * part / whole, 1) if whole else None


# ---------------------------------------------------------------------------------------------------------
# Unit scoreboard (单位排名)
# ---------------------------------------------------------------------------------------------------------

@dataclass
class ScoreRow:
    """One unit's line on the scoreboard; it counts only the tasks the unit leads (牵头)."""

    unit: Unit
    tasks_led: int = 0
    completed: int = 0
    completed_on_time: int = 0
    overdue: int = 0
    reports_due: int = 0
    reports_on_time: int = 0
    reports_filed: int = 0  # distinct (task, period) the unit reported on as lead unit
    returns: int = 0  # its lead-unit updates sent back (退回)
    unsigned: int = 0  # its receipts (签收) still pending after their sign-by day (未签收)
    extensions: int = 0  # extensions approved on its requests (延期)
    score: "Score | None" = None  # 考评 (tracker/reports/scoring.py)

    @property
    def score_total(self) -> float:
        return self.score.total if self.score is not None else 0.0

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.reports_on_time, self.reports_due)

    @property
    def average_returns(self) -> float | None:
        """Returns per report filed (平均退回次数), two decimals."""
        return round(self.returns / self.reports_filed, 2) if self.reports_filed else None

    def sort_value(self, key: str):
        if key == "unit":
            return self.unit.short_name
        value = self.score_total if key == "score" else getattr(self, key)
        return -1 if value is None else value


def ranking_basis(plan_id: int | None) -> str:
    """What "单位排名" ranks by unless the reader sorts otherwise: the 考评 score ("score") when the plan
    (without one: any active plan) has scoring rules (考评规则, ``/plans/<id>/scoring``), else the on-time
    reporting rate ("on_time_rate")."""
    from tracker.reports.models import ScoringRule

    query = select(ScoringRule.id).join(Plan, Plan.id == ScoringRule.plan_id)
    query = query.where(Plan.id == plan_id) if plan_id else query.where(Plan.status == PlanStatus.active)
    return "score" if db.session.scalar(query.limit(1)) is not None else "on_time_rate"


def scoreboard(today: date, scope: Scope, sort: str = "on_time_rate", descending: bool = True) -> list[ScoreRow]:
    """The unit scoreboard; every aggregate but the report periods is a GROUP BY in SQL."""
    completed = Task.status == TaskStatus.completed
    on_time = and_(completed, or_(Task.due_on.is_(None), Task.completed_on <= Task.due_on))
    task_figures = db.session.execute(scope.tasks(
        select(Task.lead_unit_id, func.count(Task.id),
               func.sum(case((completed, 1), else_=0)), func.sum(case((on_time, 1), else_=0)),
               func.sum(case((late_task_condition(today), 1), else_=0)))
    ).group_by(Task.lead_unit_id)).all()
    if not task_figures:
        return []
    rows = {unit.id: ScoreRow(unit) for unit in db.session.scalars(
        select(Unit).where(Unit.id.in_([figures[0] for figures in task_figures])))}
    for unit_id, led, done, done_on_time, late in task_figures:
        row = rows[unit_id]
        row.tasks_led, row.completed, row.completed_on_time, row.overdue = led, done or 0, done_on_time or 0, late or 0

    lead_updates = scope.tasks(select(Task.lead_unit_id, StatusUpdate.task_id, StatusUpdate.period)
                               .select_from(StatusUpdate).join(Task, Task.id == StatusUpdate.task_id)
                               .where(StatusUpdate.unit_id == Task.lead_unit_id))
    filed = lead_updates.distinct().subquery()
    for unit_id, count in db.session.execute(select(filed.c.lead_unit_id, func.count())
                                             .group_by(filed.c.lead_unit_id)):
        rows[unit_id].reports_filed = count
    returned = lead_updates.where(StatusUpdate.review_state == ReviewState.returned).subquery()
    for unit_id, count in db.session.execute(select(returned.c.lead_unit_id, func.count())
                                             .group_by(returned.c.lead_unit_id)):
        rows[unit_id].returns = count

    reports = due_report_counts(today, scope, by=("lead_unit_id", "plan_id"))
    for (unit_id, _plan_id), (due, on_time) in reports.items():
        if unit_id not in rows:
            continue  # only units leading a task in scope report as its lead unit
        rows[unit_id].reports_due += due
        rows[unit_id].reports_on_time += on_time

    _loop_figures(today, scope, rows, reports)
    return sort_scoreboard(list(rows.values()), sort, descending)


def sort_scoreboard(rows: list[ScoreRow], sort: str = "on_time_rate", descending: bool = True) -> list[ScoreRow]:
    """The scoreboard's rows in the reader's order (``SCOREBOARD_SORTS``), ties by unit name."""
    key = sort if sort in SCOREBOARD_SORTS else "on_time_rate"
    ordered = sorted(rows, key=lambda row: row.unit.short_name)  # stable tie-break by name
    return sorted(ordered, key=lambda row: row.sort_value(key), reverse=descending)


def _loop_figures(today: date, scope: Scope, rows: dict[int, ScoreRow], reports: dict[tuple, list[int]]) -> None:
    """签收 still pending past the sign-by day, approved extensions and the 考评 score of each unit; a unit
    that no longer leads a task in scope but has figures there (a former lead unit) gets a row too."""
    from tracker.reports.scoring import Score
    from tracker.supervision.models import ExtensionRequest, ExtensionState, Receipt, ReceiptState

    in_scope = scope.tasks(select(Task.id))
    unsigned = db.session.execute(select(Receipt.unit_id, func.count()).where(
        Receipt.state == ReceiptState.pending, Receipt.sign_by < today, Receipt.task_id.in_(in_scope))
        .group_by(Receipt.unit_id)).all()
    extensions = db.session.execute(select(ExtensionRequest.unit_id, func.count()).where(
        ExtensionRequest.state == ExtensionState.approved, ExtensionRequest.task_id.in_(in_scope))
        .group_by(ExtensionRequest.unit_id)).all()
    scores = unit_scores(today, scope, reports)
    missing = ({unit_id for unit_id, _n in unsigned} | {unit_id for unit_id, _n in extensions} | set(scores)) - set(rows)
    for unit in db.session.scalars(select(Unit).where(Unit.id.in_(missing))) if missing else ():
        rows[unit.id] = ScoreRow(unit)
    for unit_id, count in unsigned:
        rows[unit_id].unsigned = count
    for unit_id, count in extensions:
        rows[unit_id].extensions = count
    for unit_id, row in rows.items():
        row.score = scores.get(unit_id) or Score()


# ---------------------------------------------------------------------------------------------------------
# Trend (趋势)
# ---------------------------------------------------------------------------------------------------------

def unit_scores(today: date, scope, due_counts=None) -> dict[int, Score]:
    """考评: {unit id: Score} for the tasks in ``scope`` (a ``Scope``); ``due_counts``: the
    reports due by (lead unit, plan), ``due_report_counts(today, scope, by=("lead_unit_id", "plan_id"))``,
    when the caller has them already."""
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))  # (unit, plan) → counts
    task_plan = dict(db.session.execute(scope.tasks(select(Task.id, Task.plan_id))).all())
    if not task_plan:
        return {}
    in_scope = scope.tasks(select(Task.id))

    if due_counts is None:
        due_counts = due_report_counts(today, scope, by=("lead_unit_id", "plan_id"))
    for (unit_id, plan_id), (_due, on_time) in due_counts.items():
        if on_time:
            counts[(unit_id, plan_id)]["on_time_reports"] += on_time

    from tracker.reports.scoring import COMPONENTS, Score, _beijing_date, counted_ladder_steps, weights_by_plan, weights_of
    from tracker.supervision.models import ClosureRequest, ExtensionRequest, ExtensionState
    from tracker.supervision.queries import closure_in_force
    from tracker.tasks.obligations import deadline_in_force_sql

    calendar = deadlines.working_calendar()
    for unit_id, plan_id, due_on in db.session.execute(scope.tasks(  # as the overdue list: from 交办 on
            select(Task.lead_unit_id, Task.plan_id, deadline_in_force_sql()).where(late_task_condition(today)))):
        counts[(unit_id, plan_id)]["overdue_days"] += calendar.working_days_between(due_on, today)

    for unit_id, plan_id in db.session.execute(scope.tasks(
            select(Task.lead_unit_id, Task.plan_id).select_from(StatusUpdate).join(Task, Task.id == StatusUpdate.task_id)
            .where(StatusUpdate.unit_id == Task.lead_unit_id, StatusUpdate.review_state == ReviewState.returned))):
        counts[(unit_id, plan_id)]["returns"] += 1

    for unit_id, task_id in db.session.execute(select(ExtensionRequest.unit_id, ExtensionRequest.task_id).where(
            ExtensionRequest.state == ExtensionState.approved, ExtensionRequest.task_id.in_(in_scope))):
        counts[(unit_id, task_plan[task_id])]["extensions"] += 1

    for unit_id, task_id in counted_ladder_steps(in_scope):
        counts[(unit_id, task_plan[task_id])]["levels"] += 1

    for unit_id, task_id, decided_at, due_on in db.session.execute(
            select(ClosureRequest.unit_id, ClosureRequest.task_id, ClosureRequest.decided_at, ClosureRequest.due_on)
            .where(and_(closure_in_force(), ClosureRequest.task_id.in_(in_scope)))):  # reopened: not counted
        if decided_at is not None and (due_on is None or _beijing_date(decided_at) <= due_on):
            counts[(unit_id, task_plan[task_id])]["closures_on_time"] += 1

    rules = weights_by_plan()
    scores: dict[int, Score] = defaultdict(Score)
    for (unit_id, plan_id), unit_counts in counts.items():
        weights = weights_of(plan_id, rules)
        for component, weight_name, sign, _label in COMPONENTS:
            scores[unit_id].add(component, unit_counts.get(component, 0), weights[weight_name], sign)
    return dict(scores)


@dataclass
class TrendPoint:
    """One month: tasks overdue at its end (today for the running month) and its reporting record."""

    month: str  # "2026-06"
    as_of: date
    overdue: int
    reports_due: int
    reports_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.reports_on_time, self.reports_due)


def trend_months(today: date, scope: Scope, count: int = 12) -> list[date]:
    """First days of the months to show: at most ``count``, not before the earliest start in scope."""
    earliest = db.session.scalar(scope.tasks(select(func.min(func.coalesce(Task.start_on, Plan.period_start)))))
    first = date(today.year, today.month, 1)
    for _ in range(count - 1):
        previous = (first - timedelta(days=1)).replace(day=1)
        if earliest is not None and previous < date(earliest.year, earliest.month, 1):
            break
        first = previous
    return list(_month_starts(first, today))


def trend(today: date, scope: Scope, count: int = 12) -> list[TrendPoint]:
    """Overdue count at each month end and on-time reporting rate per month (by report day).

    History is reconstructed from due and completion dates: a task counts as overdue at a month end when it
    was due before that day and not completed by then. Suspended tasks are left out (no history of when).
    """
    months = trend_months(today, scope, count)
    ends = [min(today, date(m.year, m.month, calendar.monthrange(m.year, m.month)[1])) for m in months]
    from tracker.tasks.obligations import deadline_in_force_sql, refused_sql

    not_suspended = and_(Task.status != TaskStatus.suspended, ~refused_sql())
    columns = [func.sum(case((and_(not_suspended, deadline_in_force_sql() < end,
                                   or_(Task.completed_on.is_(None), Task.completed_on > end)), 1), else_=0))
               for end in ends]
    overdue_at = db.session.execute(scope.tasks(select(*columns))).one() if columns else ()
    due_by_month = {month: figures for (month,), figures in
                    due_report_counts(today, scope, by=("month",), since=months[0] if months else None).items()}
    points = []
    for month, end, overdue in zip(months, ends, overdue_at):
        key = month.strftime("%Y-%m")
        points.append(TrendPoint(key, end, overdue or 0, *due_by_month.get(key, (0, 0))))
    return points


# ---------------------------------------------------------------------------------------------------------
# Task lists: drill-down and the task ledger (任务台账)
# ---------------------------------------------------------------------------------------------------------

@dataclass
class LedgerRow:
    """One task of the ledger with what a coordinator hands upwards about it."""

    task: Task
    state: str
    overdue_days: int
    latest_accepted: StatusUpdate | None
    original_due_on: date | None = None  # 原定时限, when an approved extension changed the due date
    loop: Any = None  # the 督办 loop (签收, 督办等级, 文书, 延期, 办结): tracker.supervision.queries.LedgerLoop

    @property
    def extended(self) -> bool:
        return self.original_due_on is not None and self.original_due_on != self.task.due_on


def _ledger_query(today: date, scope: Scope, user=None):
    states = _state_rows(today, scope)
    query = (select(Task, states.c.state).join(states, states.c.task_id == Task.id)
             .options(selectinload(Task.lead_unit), selectinload(Task.cooperating_units),
                      selectinload(Task.group), selectinload(Task.plan))
             .order_by(Task.plan_id, Task.sort_key, Task.id))
    return query.where(visible_task_condition(user)) if user is not None else query


def _ledger_entries(found, today: date) -> list[LedgerRow]:
    from tracker.supervision.queries import ledger_loops

    tasks = [row[0] for row in found]
    accepted, loops = last_accepted_updates([task.id for task in tasks]), ledger_loops(tasks, today)
    return [LedgerRow(task, state, deadlines.overdue_days(task.due_on, today) if state == OVERDUE else 0,
                      accepted.get(task.id), loops[task.id].original_due_on, loops[task.id])
            for task, state, *_total in found]


def ledger_rows(today: date, scope: Scope, user=None) -> list[LedgerRow]:
    """Tasks in scope in plan order with state, days overdue and latest accepted lead-unit update.

    With ``user`` the rows are limited to the tasks that user may see (a unit user's own tasks).
    """
    return _ledger_entries(db.session.execute(_ledger_query(today, scope, user)).all(), today)


def ledger_page(today: date, scope: Scope) -> Page:
    """One page of ``ledger_rows`` (the dashboard's drill-down can cover every task of a city). Without a
    state filter the page's tasks are found first (plan order, counted apart) and only their states are
    computed: a city's 100,000 states are not worked out to show 50 (the scope narrowed to the page's ids
    reaches the report-overdue subquery inside the state too: it read the whole city's reports, 276 of
    the page's 395 ms on SQLite)."""
    if scope.state:
        page = paginate_rows(_ledger_query(today, scope))
        page.items = _ledger_entries(page.items, today)
        return page
    from tracker.common.pagination import paginate

    page = paginate(scope.tasks(select(Task.id)).order_by(Task.plan_id, Task.sort_key, Task.id))
    ids = list(page.items)
    found = db.session.execute(_ledger_query(today, replace(scope, task_ids=tuple(ids)))).all() if ids else []
    page.items = _ledger_entries(found, today)
    return page


# ---------------------------------------------------------------------------------------------------------
# Progress report (推进情况报告) of a plan for one month
# ---------------------------------------------------------------------------------------------------------

@dataclass
class ReportEntry:
    """A task in the progress report: its state and the lead unit's report for the period."""

    task: Task
    state: str
    overdue_days: int
    period_key: str
    update: StatusUpdate | None  # the accepted report for the period, else the latest one filed
    latest_accepted: StatusUpdate | None


def parse_month(key: str | None) -> date | None:
    """``"2026-06"`` → 2026-06-01; None for anything else (years 2000–2099 only)."""
    if not key or len(key) != 7 or key[4] != "-" or not (key[:4] + key[5:]).isdigit():
        return None
    year, month = int(key[:4]), int(key[5:])
    if not (2000 <= year <= 2099 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def progress_report(plan: Plan, month: date, today: date) -> list[tuple[ActionGroup | None, list[ReportEntry]]]:
    """Tasks of ``plan`` grouped by action group, with each lead unit's report for the month's period."""
    rows = ledger_rows(today, Scope(plan_id=plan.id, include_inactive_plan=True))
    keys = {}
    for row in rows:
        task = row.task
        period = deadlines.period_of(task.reporting_cycle.value, task.report_day, month, task.due_on)
        keys[task.id] = period.key if period else deadlines.FINAL_PERIOD
    updates: dict[int, StatusUpdate] = {}
    if rows:
        rank = {ReviewState.accepted: 2, ReviewState.submitted: 1, ReviewState.returned: 0}
        candidates = db.session.scalars(
            select(StatusUpdate).join(Task, Task.id == StatusUpdate.task_id)
            .where(Task.plan_id == plan.id, StatusUpdate.unit_id == Task.lead_unit_id,
                   StatusUpdate.period.in_(set(keys.values())))
            .order_by(StatusUpdate.id))
        for update in candidates:
            if keys[update.task_id] != update.period:
                continue
            best = updates.get(update.task_id)
            if best is None or (rank[update.review_state], update.id) >= (rank[best.review_state], best.id):
                updates[update.task_id] = update
    by_group: dict[int | None, list[ReportEntry]] = defaultdict(list)
    for row in rows:
        by_group[row.task.group_id].append(ReportEntry(row.task, row.state, row.overdue_days, keys[row.task.id],
                                                       updates.get(row.task.id), row.latest_accepted))
    sections = [(group, by_group[group.id]) for group in plan.groups if by_group.get(group.id)]
    if by_group.get(None):
        sections.append((None, by_group[None]))
    return sections
