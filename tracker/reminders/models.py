"""Reminders (督办提醒): per-plan reminder settings and escalations (督办升级); the outbox they queue into is
``tracker.outbox``."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.tasks.models import Task


class ReminderSettings(db.Model):
    """Per-plan reminder offsets a coordinator can change (defaults apply when no row exists)."""

    __tablename__ = "reminder_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), unique=True)
    report_due_offsets: Mapped[str] = mapped_column(String(60), default="3,0")  # working days before the report day
    deadline_offsets: Mapped[str] = mapped_column(String(60), default="10,5,1")  # working days before the due date
    escalate_after_days: Mapped[int] = mapped_column(default=5)  # working days overdue before 督办升级
    overdue_digest_enabled: Mapped[bool] = mapped_column(default=True)
    sign_within_days: Mapped[int] = mapped_column(default=2, server_default="2")  # 签收时限, working days
    reply_within_days: Mapped[int] = mapped_column(default=5, server_default="5")  # 督办文书反馈时限, working days
    # 印发方式: "auto" (自动印发, the ladder numbers and sends its documents) or "review" (待印发, a
    # coordinator previews and issues each one from the queue).
    document_mode: Mapped[str] = mapped_column(String(12), default="auto", server_default="auto")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Escalation(db.Model):
    """A task escalated to leadership (督办升级) for one overdue episode (its due date at the time)."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("task_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date]
    escalated_on: Mapped[date]
    overdue_days: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped["Task"] = relationship()
