"""The overdue list as SQL (``overdue_selects``): what is late today, the one definition that the computed
list (``tracker.overdue.queries``) and the stored one (``tracker.overdue.store``) both run."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, and_, cast, exists, func, literal, null, or_, select, union_all

from tracker.common import deadlines
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import ReportingCycle, Task
from tracker.tasks.queries import OPEN_STATUSES, OverdueFilters
from tracker.updates.models import ReviewState, StatusUpdate

REPORT_FILED_STATES = (ReviewState.submitted, ReviewState.accepted)

# Kinds of overdue items: a late task, a missing report, a task its lead unit has not signed for (未签收).
OVERDUE_KINDS = ("task", "report", "receipt")


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
        from tracker.tasks.models import Receipt, ReceiptState

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
