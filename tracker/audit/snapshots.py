"""Stored results of expensive read-only computations (统计快照), shared by every web host; kept by the
audit domain because their data version is the newest audit event.

A result is stored with the day it is for and the data version it saw: the id of the newest audit
event (every change to plans, tasks, updates, proposals, calendars and settings records one). It is
served again while it is for today and, as the caller asks, either nothing was written since or it
is younger than a given age. The age bound also covers the one race: an earlier-numbered change
committing after a later one."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from flask import current_app
from sqlalchemy import JSON, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from tracker.audit.models import AuditEvent
from tracker.common.types import UTCDateTime
from tracker.common.upsert import insert
from tracker.extensions import db


class ReportSnapshot(db.Model):
    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    as_of: Mapped[date]
    data_version: Mapped[int]  # the newest audit event id when computed
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(JSON)


def data_version_query():
    """SELECT the data version: the newest audit event id, 0 before the first event."""
    return select(func.coalesce(func.max(AuditEvent.id), 0))


def data_version() -> int:
    return db.session.scalar(data_version_query())


def cached(key: str, today: date, compute: Callable[[], Any], *, to_json: Callable[[Any], Any],
           from_json: Callable[[Any], Any], unchanged_for: timedelta, any_within: timedelta = timedelta(0),
           refresh: bool = False):
    """``compute()``'s result for ``key`` and ``today``: the stored one when it is for today and either
    (nothing changed since and it is younger than ``unchanged_for``) or it is younger than
    ``any_within``; else computed, stored (its own commit) and returned."""
    version, now = data_version(), datetime.now(timezone.utc)
    row = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.key == key))
    if row is not None and not refresh and row.as_of == today and (
            (row.data_version == version and row.computed_at >= now - unchanged_for)
            or row.computed_at >= now - any_within):
        return from_json(row.payload)
    result = compute()
    if not unchanged_for and not any_within:
        return result  # caching switched off (0 seconds): nothing to store
    values = dict(key=key, as_of=today, data_version=version, computed_at=now, payload=to_json(result))
    statement = insert(ReportSnapshot.__table__).values(**values)
    try:
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["key"], set_={name: statement.excluded[name] for name in values if name != "key"}))
        db.session.commit()
    except Exception:  # a cache: a failed write (a read-only replica, a race) leaves the page working
        db.session.rollback()
        current_app.logger.warning("snapshot %s not stored", key, exc_info=True)
    return result
