"""Scheduler heartbeat, so /healthz can tell how long ago the jobs last ran."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime
from tracker.extensions import db


class Heartbeat(db.Model):
    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def beat(name: str) -> None:
    row = db.session.get(Heartbeat, name)
    if row is None:
        db.session.add(Heartbeat(name=name, beat_at=utcnow()))
    else:
        row.beat_at = utcnow()
    db.session.commit()


def last_beat(name: str) -> datetime | None:
    row = db.session.get(Heartbeat, name)
    return row.beat_at if row else None
