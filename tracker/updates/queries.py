"""Read-side queries for status updates."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, selectinload

from tracker.extensions import db
from tracker.tasks.models import Task
from tracker.updates.models import ReviewState, StatusUpdate


def not_resubmitted():
    later = aliased(StatusUpdate)
    return ~exists().where(later.resubmission_of_id == StatusUpdate.id)


def returned_awaiting_resubmission(unit_id: int) -> list[StatusUpdate]:
    """The unit's returned (退回) updates that it has not resubmitted yet."""
    return list(db.session.scalars(
        select(StatusUpdate)
        .where(StatusUpdate.unit_id == unit_id, StatusUpdate.review_state == ReviewState.returned,
               not_resubmitted())
        .options(selectinload(StatusUpdate.task))
        .order_by(StatusUpdate.reviewed_at.desc())))


def review_queue(plan_id: int | None = None):
    """Submitted updates awaiting review (待审核), oldest first: a query, to page or list."""
    query = (select(StatusUpdate).where(StatusUpdate.review_state == ReviewState.submitted)
             .options(selectinload(StatusUpdate.task).selectinload(Task.plan), selectinload(StatusUpdate.unit),
                      selectinload(StatusUpdate.author), selectinload(StatusUpdate.evidence),
                      selectinload(StatusUpdate.resubmission_of))
             .order_by(StatusUpdate.submitted_at, StatusUpdate.id))
    if plan_id:
        query = query.join(Task, Task.id == StatusUpdate.task_id).where(Task.plan_id == plan_id)
    return query
