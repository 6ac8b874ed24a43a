"""The overdue list (逾期清单), the one definition: late tasks, missing lead-unit reports of the latest
period due and tasks their lead unit has not signed for (未签收), as SQL (``overdue_selects``), computed or
read from the stored rows (``tracker.overdue.store``); and what a unit owes this period (``report_status``,
``reports_due_this_period``). It reads tasks, their 交办 receipts and obligations (tracker/tasks) and the
progress reports filed (tracker/updates)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import Integer, and_, func, or_, select, union_all
from sqlalchemy.orm import joinedload

from tracker.common import deadlines
from tracker.common.pagination import Page, paginate, paginate_rows
from tracker.common.upsert import among
from tracker.extensions import db
from tracker.tasks.models import ReportingCycle, Task
from tracker.overdue.selects import OVERDUE_KINDS, REPORT_FILED_STATES, _overdue_rows, overdue_selects
from tracker.tasks.queries import OPEN_STATUSES, OverdueFilters, TaskCard, _open_unit_tasks, task_cards
from tracker.updates.models import StatusUpdate
from tracker.updates.queries import last_accepted_updates


@dataclass
class OverdueRow:
    """One row of the overdue list (逾期清单): a late task or a missing report."""

    kind: str  # "task" or "report"
    task: Task | TaskCard
    due_on: date
    overdue_days: int
    period: str | None = None
    last_accepted: StatusUpdate | None = field(default=None)


def overdue_kinds(kind: str | None) -> tuple[str, ...]:
    """The kinds of rows the overdue list shows for ``?kind=``: task, report or receipt alone (the 工作台's
    links), anything else the whole list (the page and its exports alike)."""
    return (kind,) if kind in OVERDUE_KINDS else OVERDUE_KINDS


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


def kept(cache, today: date, key: tuple, compute):
    """``compute()``'s result kept in ``cache`` (a ``FragmentCache``, per web process) under the stored overdue
    list's stamp, ``today`` and ``key``: every change the lists, pages and counts kept this way show is an
    audit event, and the stamp carries the newest one. Computed every time when the list is not stored."""
    stamp = overdue_stamp(today)
    return compute() if stamp is None else cache.get_or_render((stamp, today, *key), compute)


def overdue_stamp(today: date) -> tuple | None:
    """What the stored overdue list reflects (data version, when written), once brought up to date for
    ``today`` (``tracker.overdue.store``); None when the list is computed live (``OVERDUE_STORE`` off)."""
    from tracker.overdue.store import refresh_overdue_entries

    return refresh_overdue_entries(today).stamp if _use_store() else None


def _stored_rows(today: date, filters: OverdueFilters, kinds=OVERDUE_KINDS, refresh: bool = True,
                 ids: bool = False):
    """SELECT (kind, task_id, due_on, period) of the stored list in list order, brought up to date first;
    with ``ids`` also each row's plan, group and lead unit."""
    from tracker.overdue.store import OverdueEntry as entry, refresh_overdue_entries

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
    (``tracker.overdue.store``; ``refresh=False`` when the caller has just brought it up to date);
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
