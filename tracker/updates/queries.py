"""Read-side queries for status updates."""
from __future__ import annotations

from sqlalchemy import Integer, exists, func, literal_column, select
from sqlalchemy.orm import aliased, selectinload

from tracker.common.upsert import among
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


def review_queue(plan_id: int | None = None, unit_id: int | None = None, period: str | None = None):
    """Submitted updates awaiting review (待审核), oldest first: a query, to page or list; filtered by plan,
    by the reporting unit (报送单位) and by period when given."""
    query = (select(StatusUpdate).where(StatusUpdate.review_state == ReviewState.submitted)
             .options(selectinload(StatusUpdate.task).selectinload(Task.plan), selectinload(StatusUpdate.unit),
                      selectinload(StatusUpdate.author), selectinload(StatusUpdate.evidence),
                      selectinload(StatusUpdate.resubmission_of))
             .order_by(StatusUpdate.submitted_at, StatusUpdate.id))
    if plan_id:
        query = query.join(Task, Task.id == StatusUpdate.task_id).where(Task.plan_id == plan_id)
    if unit_id:
        query = query.where(StatusUpdate.unit_id == unit_id)
    if period:
        query = query.where(StatusUpdate.period == period)
    return query


def review_periods() -> list[str]:
    """The periods that have updates awaiting review, newest first (the queue's period menu)."""
    # The state as a literal: the planners use the partial index ix_status_updates_submitted_period only when
    # the query's condition is the index's own, known when the statement is planned.
    return list(db.session.scalars(select(StatusUpdate.period).distinct()
                                   .where(StatusUpdate.review_state == literal_column("'submitted'"))
                                   .order_by(StatusUpdate.period.desc())))


def previous_accepted_percents(updates: list[StatusUpdate]) -> dict[int, int]:
    """For each update, the percentage of the latest accepted update of the same task and unit (上次采纳的进度),
    in one statement; an update with none is left out."""
    keys = {(update.task_id, update.unit_id) for update in updates}
    if not keys:
        return {}
    rows = db.session.execute(
        select(StatusUpdate.task_id, StatusUpdate.unit_id, StatusUpdate.percent)
        .where(StatusUpdate.review_state == ReviewState.accepted,
               StatusUpdate.task_id.in_({task_id for task_id, _unit in keys}))
        .order_by(StatusUpdate.reviewed_at, StatusUpdate.id))
    latest = {(task_id, unit_id): percent for task_id, unit_id, percent in rows}  # the last one wins
    return {update.id: latest[(update.task_id, update.unit_id)] for update in updates
            if (update.task_id, update.unit_id) in latest}


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
