"""Obligations start at 交办 (the one place that says from when a lead unit owes reports and its due date).

A task is assigned (交办) to its lead unit by a receipt row (``tracker.tasks.models.Receipt``, role
"lead"): made when the task is created, imported or re-assigned in an active plan, or when its plan is
made active. Its ``sign_by`` is the last day of the sign-off window (签收时限). From that row:

- a reporting period is owed only if its report day comes after ``sign_by`` (the first report owed,
  首次报送, is the first period ending after 交办 plus the window); earlier ones never count as missed;
- the task is late only past its due date in force, never before ``sign_by``
  (``deadlines.deadline_in_force``), so nothing escalates before the window has passed;
- a task whose lead unit refused it (退回交办) owes nothing until it is assigned again: it is on no
  overdue list, climbs no ladder and costs that unit no 考评 points;
- a task without a lead receipt (assigned before 签收 existed) owes from its start date, as before.

The overdue list (SQL, ``tracker.overdue.queries.overdue_selects``) uses ``owed_after_sql``,
``refused_sql`` and ``deadline_in_force_sql``; the Python side (reports due, 考评, reminders, the task
page) reads the same receipts through ``lead_assignments``. The pure date rules are in
``tracker.common.deadlines`` (``owes_period``, ``deadline_in_force``, ``first_owed_period``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, case, exists, func, select

from tracker.common.upsert import among, batches
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.tasks.models import Task


def _lead_receipt_of_task(receipt):
    """The receipt rows of a task's current lead unit in its lead role (correlated to ``Task``)."""
    return and_(receipt.task_id == Task.id, receipt.unit_id == Task.lead_unit_id, receipt.role == "lead")


def owed_after_sql():
    """SQL: the end of the current lead unit's 签收时限 (NULL: no receipt, no limit), correlated to ``Task``. A
    unit assigned the task since its earliest receipt not withdrawn (re-assigning withdraws the old ones)."""
    from tracker.tasks.models import Receipt, ReceiptState

    return (select(func.min(Receipt.sign_by))
            .where(_lead_receipt_of_task(Receipt), Receipt.state.in_((ReceiptState.pending, ReceiptState.signed)))
            .correlate(Task).scalar_subquery())


def refused_sql():
    """SQL: the current lead unit has refused the task (退回交办) and it was not assigned again yet."""
    from tracker.tasks.models import Receipt, ReceiptState

    return exists().where(_lead_receipt_of_task(Receipt), Receipt.state == ReceiptState.refused).correlate(Task)


def deadline_in_force_sql():
    """SQL: the due date the overdue rules count from, ``deadlines.deadline_in_force`` of the task."""
    owed_after = owed_after_sql()
    return case((owed_after > Task.due_on, owed_after), else_=Task.due_on)


@dataclass(frozen=True)
class Assignment:
    """The current lead unit's 交办 of a task: when, the end of its 签收时限, refused or not."""

    assigned_on: date | None = None  # Beijing date of 交办 (None: assigned before 签收 existed)
    owed_after: date | None = None  # 签收时限 (sign_by)
    refused: bool = False

    @property
    def counts(self) -> bool:
        """Does the lead unit owe anything on the task (it has not refused it)?"""
        return not self.refused


NO_RECEIPT = Assignment()


def _assignment_of(rows) -> Assignment:
    """The rule of ``owed_after_sql``/``refused_sql`` over (state, assigned_at, sign_by) of a task's current
    lead unit's lead receipts, withdrawn ones left out."""
    from tracker.tasks.models import ReceiptState

    found = NO_RECEIPT
    for state, assigned_at, sign_by in rows:
        if state == ReceiptState.withdrawn:
            continue
        if state == ReceiptState.refused:  # as refused_sql: any refusal of the current lead unit
            found = Assignment(found.assigned_on, found.owed_after, True)
        elif found.owed_after is None or sign_by < found.owed_after:  # as owed_after_sql: the earliest
            found = Assignment(_local_date(assigned_at), sign_by, found.refused)
    return found


def lead_assignments(task_ids, batch: int = 5000) -> dict[int, Assignment]:
    """``Assignment`` of each task (``NO_RECEIPT`` for tasks without a lead receipt), one query per batch."""
    from tracker.tasks.models import Receipt, ReceiptState

    rows_of: dict[int, list] = {}
    ids = sorted(set(task_ids))
    for part in batches(ids, batch):
        for task_id, state, assigned_at, sign_by in db.session.execute(
                select(Receipt.task_id, Receipt.state, Receipt.assigned_at, Receipt.sign_by)
                .join(Task, _lead_receipt_of_task(Receipt))
                .where(among(Receipt.task_id, part, Integer), Receipt.state != ReceiptState.withdrawn)
                .order_by(Receipt.task_id, Receipt.id)):
            rows_of.setdefault(task_id, []).append((state, assigned_at, sign_by))
    return {task_id: _assignment_of(rows_of.get(task_id, ())) for task_id in ids}


def assignment_from_receipts(task: Task, receipts) -> Assignment:
    """The task's ``Assignment`` from its receipts already loaded (the task page's), same rule."""
    return _assignment_of((r.state, r.assigned_at, r.sign_by) for r in sorted(receipts, key=lambda r: r.id)
                          if r.role == "lead" and r.unit_id == task.lead_unit_id)


def _local_date(moment) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        from datetime import timezone

        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING).date()


def lead_assignment(task: Task) -> Assignment:
    return lead_assignments([task.id])[task.id]
