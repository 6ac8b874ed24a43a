"""The overdue list kept as rows (逾期清单存表), so that a page of it is one indexed query.

Finding overdue items means looking at every open task of every active plan and, for missing
reports, at the status updates of the latest period due: about 0.2 s for 100,000 tasks, too slow to
do on every page view. ``overdue_entries`` holds the answer of ``tracker.overdue.queries.overdue_selects``
for one day, and the audit log says what changed since:

- another day, an event that may touch many tasks at once (a plan activated or archived, an import
  applied, the working-day calendar saved) or more than ``INCREMENTAL_LIMIT`` changed tasks: the
  whole table is rebuilt by one ``INSERT … SELECT`` (the scheduler does this once a day ahead of the
  first visitor);
- events about single tasks (a report filed, accepted or returned, a task edited or completed):
  only those tasks' rows are recomputed, a few milliseconds;
- nothing written since: nothing to do.

Events are read by id. On PostgreSQL a transaction can take an id from the sequence and commit after
a later one: the ids missing below the version at a refresh (among the last ``GAP_WINDOW``) are
remembered and read again next time, so that such an event is not missed. A change made behind the app's back (SQL typed into the
database, which records no audit event) is seen at the next rebuild: the next day, or
``flask overdue rebuild``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from flask import current_app
from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, delete, or_, select, union_all
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from tracker.audit.models import AuditEvent
from tracker.audit.snapshots import ReportSnapshot, data_version, data_version_query
from tracker.common.upsert import insert
from tracker.extensions import db

STATE_KEY = "overdue-entries"  # the ReportSnapshot row saying which day and data version the rows are for
INCREMENTAL_LIMIT = 2_000  # changed tasks beyond which one rebuild is cheaper than per-task work
GAP_WINDOW = 1_000  # how far back an event id missing at a refresh is still looked for
# Events without a task that cannot change which tasks are overdue; any other one rebuilds.
UNRELATED_ACTIONS = ("user.", "unit.", "api_token.", "webhook.", "proposal.", "reminders.", "group.",
                     "bulletin.", "scoring.",
                     "import.created", "import.edited", "import.discarded")


class OverdueEntry(db.Model):
    """One row of the overdue list: a late task (kind "task") or its missing report (kind "report")."""

    __tablename__ = "overdue_entries"
    __table_args__ = (
        UniqueConstraint("task_id", "kind"),
        # The list order: an unfiltered page is read straight off this index.
        Index("ix_overdue_entries_order", "due_on", "plan_id", "sort_key", "kind", "task_id"),
        Index("ix_overdue_entries_lead_unit", "lead_unit_id", "due_on"),
        Index("ix_overdue_entries_plan", "plan_id", "group_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    period: Mapped[str | None] = mapped_column(String(20))
    plan_id: Mapped[int]
    group_id: Mapped[int | None]
    lead_unit_id: Mapped[int]
    sort_key: Mapped[str] = mapped_column(String(60))


COLUMNS = ("kind", "task_id", "due_on", "period", "plan_id", "sort_key", "group_id", "lead_unit_id")


def _insert_rows(today: date, task_ids: tuple[int, ...] | None) -> None:
    from tracker.overdue.selects import overdue_selects
    from tracker.tasks.queries import OverdueFilters

    selects = overdue_selects(today, OverdueFilters(task_ids=task_ids))
    if selects:
        rows = union_all(*selects) if len(selects) > 1 else selects[0]
        db.session.execute(insert(OverdueEntry.__table__).from_select(list(COLUMNS), rows))


def _changed_tasks(state: ReportSnapshot) -> set[int] | None:
    """Ids of the tasks changed since ``state`` was written, or None when the whole list must be rebuilt."""
    gaps = state.payload.get("gaps", [])
    events = db.session.execute(select(AuditEvent.task_id, AuditEvent.action).where(
        or_(AuditEvent.id > state.data_version, AuditEvent.id.in_(gaps)) if gaps else
        AuditEvent.id > state.data_version))
    task_ids: set[int] = set()
    for task_id, action in events:
        if task_id is not None:
            task_ids.add(task_id)
        elif not action.startswith(UNRELATED_ACTIONS):
            return None
        if len(task_ids) > INCREMENTAL_LIMIT:
            return None
    return task_ids


def _gaps_below(version: int) -> list[int]:
    """Event ids up to ``version`` not visible yet: a transaction that took its id from the sequence
    but had not committed (or was rolled back). The next refresh reads them again."""
    first = max(1, version - GAP_WINDOW + 1)
    present = set(db.session.scalars(select(AuditEvent.id).where(AuditEvent.id >= first, AuditEvent.id <= version)))
    return [event_id for event_id in range(first, version + 1) if event_id not in present]


@dataclass(frozen=True)
class Refresh:
    outcome: str  # "fresh" (nothing to do), "incremental" (only changed tasks) or "rebuilt"
    # What the rows reflect: (data version, when written); None when another process was refreshing.
    stamp: tuple[int, str] | None


def refresh_overdue_entries(today: date, *, rebuild: bool = False) -> Refresh:
    """Brings ``overdue_entries`` up to date for ``today`` and commits. Two refreshers at once (web
    hosts, the scheduler) are serialised by a row lock on PostgreSQL; on SQLite the one that loses
    the write lock gives way and the page reads what the other one wrote."""
    def current(as_of: date, written_version: int, computed_at: datetime, version: int) -> tuple[int, str] | None:
        if rebuild or as_of != today or written_version != version:
            return None
        return version, computed_at.isoformat()

    # The common case: one read (the state's columns and the data version together), no lock, no write.
    found = db.session.execute(select(ReportSnapshot.as_of, ReportSnapshot.data_version, ReportSnapshot.computed_at,
                                      data_version_query().scalar_subquery())
                               .where(ReportSnapshot.key == STATE_KEY)).one_or_none()
    if found is not None and (stamp := current(*found)) is not None:
        return Refresh("fresh", stamp)
    try:
        state = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.key == STATE_KEY).with_for_update()
                                  .execution_options(populate_existing=True))
        version, now = data_version(), datetime.now(timezone.utc)  # read once the row lock is held
        if state is not None and (stamp := current(state.as_of, state.data_version, state.computed_at,
                                                   version)) is not None:
            db.session.commit()  # another process refreshed it while this one waited for the lock
            return Refresh("fresh", stamp)
        changed = None if state is None or rebuild or state.as_of != today else _changed_tasks(state)
        if changed is None:
            db.session.execute(delete(OverdueEntry))
            _insert_rows(today, None)
            outcome = "rebuilt"
        else:
            for start in range(0, len(changed), 500):
                batch = tuple(sorted(changed)[start:start + 500])
                db.session.execute(delete(OverdueEntry).where(OverdueEntry.task_id.in_(batch)))
                _insert_rows(today, batch)
            outcome = "incremental"
        payload = {"gaps": _gaps_below(version)}
        if state is None:
            db.session.add(ReportSnapshot(key=STATE_KEY, as_of=today, data_version=version, computed_at=now,
                                          payload=payload))
        else:
            state.as_of, state.data_version, state.computed_at, state.payload = today, version, now, payload
        db.session.commit()
        return Refresh(outcome, (version, now.isoformat()))
    except (IntegrityError, OperationalError):
        # Another refresher got there first (SQLite's write lock, or the first rows on PostgreSQL).
        db.session.rollback()
        current_app.logger.warning("overdue entries: not refreshed here (another process did)", exc_info=True)
        return Refresh("fresh", None)
