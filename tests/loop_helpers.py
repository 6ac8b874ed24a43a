"""Closing a task as the 督办 loop does it (办结申请 by its lead unit, 核查销号 by a coordinator), for tests
that need a completed task: the edit form no longer completes tasks."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.supervision.services import decide_closure, request_closure
from tracker.tasks.models import Task


def close_task(task: Task, today: date, summary: str = "全部完成。") -> None:
    """Files the lead unit's closing report and verifies it (flushes; the caller commits)."""
    unit_user = db.session.scalar(select(User).where(User.unit_id == task.lead_unit_id, User.role == Role.unit)
                                  .order_by(User.id))
    coordinator = db.session.scalar(select(User).where(User.role == Role.coordinator).order_by(User.id))
    closure = request_closure(unit_user, task, summary=summary, today=today)
    decide_closure(coordinator, closure, verify=True, today=today)
