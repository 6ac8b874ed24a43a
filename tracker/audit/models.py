"""Audit events (全程留痕)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime
from tracker.extensions import db



class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))  # e.g. "update.returned"
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    # The task an event concerns, so the task page shows its whole trail in one query.
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {field: [before, after]}
    summary: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[Optional["User"]] = relationship("User")  # tracker.auth.models.User (auth sits above audit)

