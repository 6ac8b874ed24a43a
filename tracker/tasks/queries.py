"""Read-side queries for views, exports and jobs: the one definition of the overdue list."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import Date, Integer, String, and_, cast, exists, func, literal, null, or_, select, union, union_all
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.common import deadlines
from tracker.common.pagination import Page, paginate, paginate_rows
from tracker.access.permissions import visible_task_condition
from tracker.common.upsert import among, batches
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import ReportingCycle, Task, TaskStatus, task_cooperating_units
from tracker.units.models import Unit
from tracker.updates.models import ReviewState, StatusUpdate

OPEN_STATUSES = (TaskStatus.not_started, TaskStatus.in_progress)
REPORT_FILED_STATES = (ReviewState.submitted, ReviewState.accepted)
# Kinds of overdue items: a late task, a missing report, a task its lead unit has not signed for (未签收).
OVERDUE_KINDS = ("task", "report", "receipt")


@dataclass(frozen=True)
class OverdueFilters:
    plan_id: int | None = None
    group_id: int | None = None
    unit_id: int | None = None  # lead unit
    task_ids: tuple[int, ...] | None = None  # only these tasks (refreshing the stored list)

    def apply(self, query):
        if self.plan_id:
            query = query.where(Task.plan_id == self.plan_id)
        if self.group_id:
            query = query.where(Task.group_id == self.group_id)
        if self.unit_id:
            query = query.where(Task.lead_unit_id == self.unit_id)
        if self.task_ids is not None:
            query = query.where(Task.id.in_(self.task_ids))
        return query


@dataclass
class OverdueRow:
    """One row of the overdue list (逾期清单): a late task or a missing report."""

    kind: str  # "task" or "report"
    task: Task | TaskCard
    due_on: date
    overdue_days: int
    period: str | None = None
    last_accepted: StatusUpdate | None = field(default=None)


def _open_tasks(filters: OverdueFilters):
    query = (select(Task).join(Plan, Plan.id == Task.plan_id)
             .where(Plan.status == PlanStatus.active, Task.status.in_(OPEN_STATUSES)))
    return filters.apply(query)


def _row_columns(kind: str, due_on, period):
    return (literal(kind).label("kind"), Task.id.label("task_id"), due_on.label("due_on"),
            period.label("period"), Task.plan_id.label("plan_id"), Task.sort_key.label("sort_key"),
            Task.group_id.label("group_id"), Task.lead_unit_id.label("lead_unit_id"))


def _report_filed(period_key):
    return exists().where(
        StatusUpdate.task_id == Task.id,
        StatusUpdate.unit_id == Task.lead_unit_id,
        StatusUpdate.period == period_key,
        StatusUpdate.review_state.in_(REPORT_FILED_STATES),
    )


def overdue_selects(today: date, filters: OverdueFilters = OverdueFilters(), kinds=OVERDUE_KINDS) -> list:
    """The overdue list as SQL: one SELECT of (kind, task_id, due_on, period, plan_id, sort_key, group_id,
    lead_unit_id) for tasks the lead unit has not signed for by the sign-by day (未签收), one for late
    tasks, and one per (reporting cycle, report day) in use for missing lead-unit reports of the latest
    period due. Everything that counts, pages or lists overdue items builds on these."""
    selects = []
    if "receipt" in kinds:
        from tracker.supervision.models import Receipt, ReceiptState

        selects.append(_open_tasks(filters)
                       .join(Receipt, and_(Receipt.task_id == Task.id, Receipt.unit_id == Task.lead_unit_id,
                                           Receipt.role == "lead"))
                       .where(Receipt.state == ReceiptState.pending, Receipt.sign_by < today)
                       .with_only_columns(*_row_columns("receipt", Receipt.sign_by, cast(null(), String(20)))))
    # Obligations start at 交办 (tracker/tasks/obligations.py): a task its lead unit refused owes nothing; a
    # due date or report day before the end of the lead unit's 签收时限 is not missed.
    from tracker.tasks.obligations import deadline_in_force_sql, owed_after_sql, refused_sql

    if "task" in kinds:
        deadline = deadline_in_force_sql()
        selects.append(_open_tasks(filters).where(Task.due_on < today, deadline < today, ~refused_sql())
                       .with_only_columns(*_row_columns("task", deadline, cast(null(), String(20)))))
    if "report" not in kinds:
        return selects
    schedules = db.session.execute(
        _open_tasks(filters).with_only_columns(Task.reporting_cycle, Task.report_day).distinct()).all()
    for cycle, report_day in sorted(schedules, key=lambda row: (row[0].value, row[1])):
        if cycle == ReportingCycle.once:
            selects.append(_open_tasks(filters)
                           .where(Task.reporting_cycle == cycle, Task.report_day == report_day, Task.due_on < today,
                                  deadline_in_force_sql() < today, ~refused_sql(),
                                  ~_report_filed(deadlines.FINAL_PERIOD))
                           .with_only_columns(*_row_columns("report", deadline_in_force_sql(),
                                                            literal(deadlines.FINAL_PERIOD, String(20)))))
            continue
        period = deadlines.latest_due_period(cycle.value, report_day, today)
        if period is None:
            continue
        selects.append(_open_tasks(filters)
                       .where(Task.reporting_cycle == cycle, Task.report_day == report_day,
                              or_(Task.start_on.is_(None), Task.start_on <= period.report_due_on),
                              func.coalesce(owed_after_sql(), literal(date(1900, 1, 1), Date))
                              < literal(period.report_due_on, Date),
                              ~refused_sql(), ~_report_filed(period.key))
                       .with_only_columns(*_row_columns("report", literal(period.report_due_on, Date),
                                                        literal(period.key, String(20)))))
    return selects


def _overdue_rows(selects: list, ids: bool = False):
    """All overdue rows, most days overdue first (earliest due date), then in plan order; with ``ids``
    also each row's plan, group and lead unit."""
    rows = union_all(*selects).subquery() if len(selects) > 1 else selects[0].subquery()
    extra = (rows.c.plan_id, rows.c.group_id, rows.c.lead_unit_id) if ids else ()
    return select(rows.c.kind, rows.c.task_id, rows.c.due_on, rows.c.period, *extra).order_by(
        rows.c.due_on, rows.c.plan_id, rows.c.sort_key, rows.c.kind, rows.c.task_id)


def overdue_task_ids(today: date, filters: OverdueFilters = OverdueFilters(), kinds=OVERDUE_KINDS):
    """SQL SELECT of the ids on the overdue list (for ``Task.id.in_(…)``), or None when nothing can be."""
    selects = overdue_selects(today, filters, kinds)
    if not selects:
        return None
    rows = union_all(*selects).subquery() if len(selects) > 1 else selects[0].subquery()
    return select(rows.c.task_id)


def _tasks_shown(task_ids: list[int]) -> dict[int, Task]:
    """The tasks of overdue rows with their plan, group and lead unit, in a fixed number of queries."""
    return {task.id: task for task in db.session.scalars(
        select(Task).where(among(Task.id, task_ids, Integer)).options(
            joinedload(Task.lead_unit), joinedload(Task.group), joinedload(Task.plan)))} if task_ids else {}


def _hydrate(raw_rows, today: date, *, cards: bool = False) -> list[OverdueRow]:
    """OverdueRows for (kind, task_id, due_on, period) tuples: tasks with their plan, group and lead
    unit (or, with ``cards``, their ``TaskCard``: what a page of the list shows), and the latest accepted
    update, in a fixed number of queries."""
    task_ids = list({row.task_id for row in raw_rows})
    tasks, accepted = (task_cards if cards else _tasks_shown)(task_ids), last_accepted_updates(task_ids)
    return [OverdueRow(row.kind, tasks[row.task_id], row.due_on, deadlines.overdue_days(row.due_on, today),
                       row.period, accepted.get(row.task_id)) for row in raw_rows]


@dataclass(frozen=True)
class TaskCard:
    """What a message (email, webhook text) or a page of the overdue list shows of a task: read as plain
    columns, with its plan and lead unit, for the thousands of tasks a city's reminder scan writes
    about. Loading them as ORM entities took 1.0-1.3 s for the 10,000 tasks of the busiest day's scan;
    cards take 0.1-0.4 s."""

    id: int
    number: str
    title: str
    due_on: date | None
    progress: int
    plan: Plan
    lead_unit: Unit

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"


def task_cards(task_ids: list[int], batch: int = 5000) -> dict[int, TaskCard]:
    """The ``TaskCard`` of each task, one query per ``batch`` tasks."""
    return {row.id: TaskCard(*row) for part in batches(sorted(task_ids), batch) for row in db.session.execute(
        select(Task.id, Task.number, Task.title, Task.due_on, Task.progress, Plan, Unit)
        .join(Plan, Plan.id == Task.plan_id).join(Unit, Unit.id == Task.lead_unit_id)
        .where(among(Task.id, part, Integer)))}


class _TasksOnDemand:
    """Loads the task cards and latest accepted updates of a whole list of ``OverdueRef`` on first use."""

    def __init__(self, task_ids: list[int]):
        self.task_ids, self._tasks, self._accepted = task_ids, None, None

    def task(self, task_id: int) -> TaskCard:
        if self._tasks is None:
            self._tasks = task_cards(self.task_ids)
        return self._tasks[task_id]

    def accepted(self, task_id: int) -> StatusUpdate | None:
        if self._accepted is None:
            self._accepted = last_accepted_updates(self.task_ids)
        return self._accepted.get(task_id)


@dataclass(eq=False)
class OverdueRef:
    """A row of the overdue list as stored: ids and dates, with the task's card and its latest accepted
    update loaded (for the whole list at once) only when used. The reminder scan decides from the ids which
    digests and escalations are new and loads tasks only to render those."""

    kind: str
    task_id: int
    due_on: date
    period: str | None
    plan_id: int
    group_id: int | None
    lead_unit_id: int
    overdue_days: int
    on_demand: _TasksOnDemand = field(repr=False)

    @property
    def task(self) -> TaskCard:
        return self.on_demand.task(self.task_id)

    @property
    def last_accepted(self) -> StatusUpdate | None:
        return self.on_demand.accepted(self.task_id)


def overdue_refs(today: date, *, refresh: bool = True) -> list[OverdueRef]:
    """The whole overdue list (no filters) as ``OverdueRef``, in list order."""
    if _use_store():
        rows = db.session.execute(_stored_rows(today, OverdueFilters(), refresh=refresh, ids=True)).all()
    else:
        selects = overdue_selects(today)
        rows = db.session.execute(_overdue_rows(selects, ids=True)).all() if selects else []
    on_demand = _TasksOnDemand(list({row.task_id for row in rows}))
    return [OverdueRef(row.kind, row.task_id, row.due_on, row.period, row.plan_id, row.group_id, row.lead_unit_id,
                       deadlines.overdue_days(row.due_on, today), on_demand) for row in rows]


def overdue_tasks(today: date, filters: OverdueFilters = OverdueFilters()) -> list[OverdueRow]:
    return overdue_list(today, filters, kinds=("task",))


def overdue_reports(today: date, filters: OverdueFilters = OverdueFilters()) -> list[OverdueRow]:
    """Missing lead-unit reports for the latest period due; one SELECT per (cycle, report day) in use."""
    return overdue_list(today, filters, kinds=("report",))


def last_accepted_updates(task_ids: list[int]) -> dict[int, StatusUpdate]:
    """The latest accepted lead-unit update per task, in one query: a correlated MAX(id) per task that
    the database reads backwards off ``ix_status_updates_latest_accepted``."""
    if not task_ids:
        return {}
    latest = (select(func.max(StatusUpdate.id))
              .where(StatusUpdate.task_id == Task.id, StatusUpdate.unit_id == Task.lead_unit_id,
                     StatusUpdate.review_state == ReviewState.accepted)
              .correlate(Task).scalar_subquery())
    newest = select(latest).where(among(Task.id, task_ids, Integer))
    updates = db.session.scalars(select(StatusUpdate).where(StatusUpdate.id.in_(newest)))
    return {update.task_id: update for update in updates}


def overdue_list(today: date, filters: OverdueFilters = OverdueFilters(),
                 kinds=OVERDUE_KINDS, *, refresh: bool = True) -> list[OverdueRow]:
    """Overdue tasks and overdue reports, most days overdue first (digests, exports, the scan): from the
    stored list when ``OVERDUE_STORE`` is on (brought up to date first, which commits, unless
    ``refresh`` is False: the reminder scan refreshes before it starts its own transaction), else computed."""
    if _use_store() and filters.task_ids is None:
        return _hydrate(db.session.execute(_stored_rows(today, filters, kinds, refresh)).all(), today)
    selects = overdue_selects(today, filters, kinds)
    return _hydrate(db.session.execute(_overdue_rows(selects)).all(), today) if selects else []


def _use_store() -> bool:
    return current_app.config.get("OVERDUE_STORE", True)


def overdue_stamp(today: date) -> tuple | None:
    """What the stored overdue list reflects (data version, when written), once brought up to date for
    ``today`` (``tracker.tasks.overdue_store``); None when the list is computed live (``OVERDUE_STORE`` off)."""
    from tracker.tasks.overdue_store import refresh_overdue_entries

    return refresh_overdue_entries(today).stamp if _use_store() else None


def _stored_rows(today: date, filters: OverdueFilters, kinds=OVERDUE_KINDS, refresh: bool = True,
                 ids: bool = False):
    """SELECT (kind, task_id, due_on, period) of the stored list in list order, brought up to date first;
    with ``ids`` also each row's plan, group and lead unit."""
    from tracker.tasks.overdue_store import OverdueEntry as entry, refresh_overdue_entries

    if refresh:
        refresh_overdue_entries(today)
    query = select(entry.kind, entry.task_id, entry.due_on, entry.period,
                   *((entry.plan_id, entry.group_id, entry.lead_unit_id) if ids else ()))
    for column, value in ((entry.plan_id, filters.plan_id), (entry.group_id, filters.group_id),
                          (entry.lead_unit_id, filters.unit_id)):
        if value:
            query = query.where(column == value)
    if set(kinds) != set(OVERDUE_KINDS):
        query = query.where(entry.kind.in_(kinds))
    return query.order_by(entry.due_on, entry.plan_id, entry.sort_key, entry.kind, entry.task_id)


def overdue_page(today: date, filters: OverdueFilters = OverdueFilters(), *, refresh: bool = True,
                 kinds=OVERDUE_KINDS) -> Page:
    """One page (``?page=N``) of the overdue list. Finding the rows scans every open task (about 0.2 s at
    city scale), so with ``OVERDUE_STORE`` on (the default) the page is read from the stored list
    (``tracker.tasks.overdue_store``; ``refresh=False`` when the caller has just brought it up to date);
    without it, computed in full."""
    if _use_store():
        return _hydrate_page(paginate(_stored_rows(today, filters, kinds, refresh=refresh), rows=True), today)
    selects = overdue_selects(today, filters, kinds)
    if not selects:
        return Page([], 1, current_app.config.get("PAGE_SIZE", 50), 0)
    return _hydrate_page(paginate_rows(_overdue_rows(selects)), today)


def _hydrate_page(page: Page, today: date) -> Page:
    page.items = _hydrate(page.items, today, cards=True)
    return page


def tasks_for_unit(unit_id: int):
    """SELECT the tasks where the unit leads or cooperates (我的任务), in plan order (a city bureau has
    hundreds: the page shows them a page at a time)."""
    # The union reads two indexes (lead_unit_id, and the cooperation table's unit_id). "leads OR
    # cooperates" in one WHERE made PostgreSQL filter all 100,000 tasks: 39 ms, now 2 ms.
    involved = union(select(Task.id).where(Task.lead_unit_id == unit_id),
                     select(task_cooperating_units.c.task_id).where(task_cooperating_units.c.unit_id == unit_id))
    query = (select(Task).join(Plan, Plan.id == Task.plan_id)
             .where(Plan.status != PlanStatus.draft, Task.id.in_(involved))
             .options(selectinload(Task.lead_unit), selectinload(Task.cooperating_units), selectinload(Task.plan))
             .order_by(Task.plan_id, Task.sort_key, Task.id))
    return query


def report_status(tasks: list[Task], today: date, assignments: dict | None = None) -> dict[int, dict]:
    """For each task: the latest due period, whether the lead unit filed it, and days late."""
    if not tasks:
        return {}
    from tracker.tasks.obligations import lead_assignments

    assignments = assignments if assignments is not None else lead_assignments([task.id for task in tasks])
    periods, first_owed = {}, {}
    for task in tasks:
        assignment = assignments[task.id]
        due_on = deadlines.deadline_in_force(task.due_on, assignment.owed_after)
        if task.reporting_cycle == ReportingCycle.once:
            period = deadlines.latest_due_period("once", task.report_day, today, due_on=due_on)
        else:
            period = deadlines.latest_due_period(task.reporting_cycle.value, task.report_day, today,
                                                 start_on=task.start_on)
        if period is not None and (not assignment.counts or (task.reporting_cycle != ReportingCycle.once and not
                                                             deadlines.owes_period(period, assignment.owed_after))):
            period = None  # fell due before 交办 (or the unit refused the task): not owed
        periods[task.id] = period
        if assignment.owed_after is not None:  # 首次报送, shown on the task page
            first_owed[task.id] = deadlines.first_owed_period(task.reporting_cycle.value, task.report_day,
                                                              assignment.owed_after, start_on=task.start_on,
                                                              due_on=task.due_on)
    # The lead unit's filed report of each task's own period: one indexed range (task, period) per
    # period key. Asking for every task with every key, joined to tasks, made PostgreSQL scan the
    # (period, …) index of a whole period instead: 54 ms for 我的任务's 227 tasks, now 2 ms.
    by_key: dict[str, list[int]] = defaultdict(list)
    for task_id, period in periods.items():
        if period:
            by_key[period.key].append(task_id)
    lead_unit = {task.id: task.lead_unit_id for task in tasks}
    filed = set()
    if by_key:
        rows = db.session.execute(
            select(StatusUpdate.task_id, StatusUpdate.period, StatusUpdate.unit_id)
            .where(or_(*(and_(StatusUpdate.period == key, among(StatusUpdate.task_id, ids, Integer))
                         for key, ids in by_key.items())),
                   StatusUpdate.review_state.in_(REPORT_FILED_STATES)))
        filed = {(task_id, period) for task_id, period, unit_id in rows if unit_id == lead_unit[task_id]}
    result = {}
    for task in tasks:
        period = periods[task.id]
        is_open = task.status in OPEN_STATUSES
        assignment = assignments[task.id]
        common = {"first_owed": first_owed.get(task.id), "assigned_on": assignment.assigned_on,
                  "owed_after": assignment.owed_after, "refused": assignment.refused,
                  "deadline": None if assignment.refused else deadlines.deadline_in_force(task.due_on,
                                                                                          assignment.owed_after)}
        if period is None or not is_open:
            result[task.id] = {"period": period, "filed": None, "overdue_days": 0, **common}
            continue
        is_filed = (task.id, period.key) in filed
        result[task.id] = {"period": period, "filed": is_filed, **common,
                           "overdue_days": 0 if is_filed else deadlines.overdue_days(period.report_due_on, today)}
    return result


def visible_tasks(user, plan_id: int | None = None):
    query = select(Task).where(visible_task_condition(user))
    if plan_id:
        query = query.where(Task.plan_id == plan_id)
    return query



# ---------------------------------------------------------------------------------------------------------
# 我的任务 filtered (?show=…): the lists a unit's 工作台 links to, and the counts it shows, decided here
# ---------------------------------------------------------------------------------------------------------

REPORT_DUE, DUE_SOON, OVERDUE_TASKS, MISSING_REPORTS = "report_due", "due_soon", "overdue", "unreported"
TO_SIGN, TO_ANSWER = "to_sign", "to_answer"  # 待签收; 督办文书待反馈 (tracker/supervision)
CLOSURE_RETURNED = "closure_returned"  # 办结申请被退回 (tracker/supervision)
UNIT_TASK_LISTS = (REPORT_DUE, DUE_SOON, OVERDUE_TASKS, MISSING_REPORTS, TO_SIGN, TO_ANSWER, CLOSURE_RETURNED)


def _open_unit_tasks(unit_id: int, lead_only: bool):
    """SELECT the unit's open tasks (led, or also cooperated on) in active plans; the cooperation as a
    union of two index reads, as in ``tasks_for_unit`` ("leads OR cooperates" filtered every task)."""
    if lead_only:
        involved = Task.lead_unit_id == unit_id
    else:
        led = aliased(Task)
        involved = Task.id.in_(union(select(led.id).where(led.lead_unit_id == unit_id),
                                     select(task_cooperating_units.c.task_id)
                                     .where(task_cooperating_units.c.unit_id == unit_id)))
    return (select(Task).join(Plan, Plan.id == Task.plan_id)
            .where(Plan.status == PlanStatus.active, Task.status.in_(OPEN_STATUSES), involved))


def reports_due_this_period(unit_id: int, today: date) -> list[tuple[int, deadlines.ReportPeriod]]:
    """(task id, period) of the unit's open lead tasks whose report for the period ``today`` falls in
    (this month, this quarter) is not filed yet (本期应报送); one-off reports are not periodic and are
    left out. A period whose report day has passed is also on the unit's overdue reports."""
    tasks = list(db.session.scalars(_open_unit_tasks(unit_id, lead_only=True)
                                    .where(Task.reporting_cycle != ReportingCycle.once)))
    from tracker.tasks.obligations import lead_assignments

    assignments = lead_assignments([task.id for task in tasks])
    wanted = {}
    for task in tasks:
        period = deadlines.period_of(task.reporting_cycle.value, task.report_day, today)
        assignment = assignments[task.id]
        if (task.start_on is None or task.start_on <= period.report_due_on) and assignment.counts \
                and deadlines.owes_period(period, assignment.owed_after):
            wanted[task.id] = period
    if not wanted:
        return []
    filed = {(task_id, key) for task_id, key in db.session.execute(
        select(StatusUpdate.task_id, StatusUpdate.period)
        .where(among(StatusUpdate.task_id, list(wanted), Integer), StatusUpdate.unit_id == unit_id,
               StatusUpdate.review_state.in_(REPORT_FILED_STATES)))}
    return sorted(((task_id, period) for task_id, period in wanted.items() if (task_id, period.key) not in filed),
                  key=lambda item: (item[1].report_due_on, item[0]))


def unit_task_ids(unit_id: int, name: str, today: date) -> list[int]:
    """The ids of the unit's tasks on one of its lists (``UNIT_TASK_LISTS``): reports due this period,
    tasks due within the at-risk horizon (10 working days, ``tracker.reports.queries.at_risk_due_by``), its
    overdue tasks and its missing reports (the overdue list's own rows, ``overdue_list``)."""
    if name == REPORT_DUE:
        return [task_id for task_id, _period in reports_due_this_period(unit_id, today)]
    if name == DUE_SOON:
        from tracker.reports.queries import at_risk_due_by

        return list(db.session.scalars(_open_unit_tasks(unit_id, lead_only=False)
                                       .where(Task.due_on >= today, Task.due_on <= at_risk_due_by(today))
                                       .with_only_columns(Task.id)))
    if name in (TO_SIGN, TO_ANSWER, CLOSURE_RETURNED):
        from tracker.supervision.queries import tasks_closure_returned, tasks_to_answer, tasks_to_sign

        return {TO_SIGN: tasks_to_sign, TO_ANSWER: tasks_to_answer,
                CLOSURE_RETURNED: tasks_closure_returned}[name](unit_id)
    if name in (OVERDUE_TASKS, MISSING_REPORTS):
        kind = "task" if name == OVERDUE_TASKS else "report"
        return [row.task_id for row in overdue_ids(today, OverdueFilters(unit_id=unit_id), kind)]
    raise ValueError(f"unknown list {name!r}")


def overdue_ids(today: date, filters: OverdueFilters, kind: str):
    """The (kind, task_id, due_on, period) rows of one kind of the overdue list, in list order."""
    if _use_store():
        return db.session.execute(_stored_rows(today, filters, (kind,))).all()
    selects = overdue_selects(today, filters, (kind,))
    return db.session.execute(_overdue_rows(selects)).all() if selects else []


def overdue_count(today: date, filters: OverdueFilters, kind: str) -> int:
    """How many rows ``overdue_ids`` gives (what a page of the list counts as its total), in one COUNT."""
    if _use_store():
        return db.session.scalar(select(func.count()).select_from(
            _stored_rows(today, filters, (kind,)).order_by(None).subquery()))
    selects = overdue_selects(today, filters, (kind,))
    return db.session.scalar(select(func.count()).select_from(_overdue_rows(selects).order_by(None).subquery())) \
        if selects else 0
