"""Tasks (任务): the numbered work items of a plan, and their 交办 receipts (签收: who must sign for a task,
by when; tracker/tasks/obligations.py reads from them when a lead unit owes; tracker/supervision runs them)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import DDL, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db
from tracker.units.models import Unit

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.plans.models import ActionGroup, Plan


class TaskStatus(str, enum.Enum):
    not_started = "not_started"
    in_progress = "in_progress"
    completed = "completed"
    suspended = "suspended"


class ReportingCycle(str, enum.Enum):
    monthly = "monthly"
    quarterly = "quarterly"
    once = "once"


task_cooperating_units = Table(
    "task_cooperating_units",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("report_day >= 1 AND report_day <= 31", name="report_day_range"),
        Index("ix_tasks_status_due_on", "status", "due_on"),
        # Search (/search, tracker/search/): on PostgreSQL trigram GIN indexes (pg_trgm) answer
        # ``LIKE '%term%'`` for terms of 3 characters and more; the migration and ``create_all`` create the
        # extension first (below). SQLite has no trigram index: it gets plain indexes of the same names
        # (unused by LIKE; they keep the two schemas alike) and scans.
        Index("ix_tasks_title_trgm", "title", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}),
        Index("ix_tasks_text_trgm", "text", postgresql_using="gin", postgresql_ops={"text": "gin_trgm_ops"}),
        Index("ix_tasks_number", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[Optional[int]] = mapped_column(ForeignKey("action_groups.id", ondelete="SET NULL"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))  # as written: "1", "16", "2.1"
    sort_key: Mapped[str] = mapped_column(String(60), default="")
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    start_on: Mapped[Optional[date]]
    due_on: Mapped[Optional[date]]  # 完成时限
    reporting_cycle: Mapped[ReportingCycle] = mapped_column(
        str_enum(ReportingCycle, 16), default=ReportingCycle.monthly
    )
    report_day: Mapped[int] = mapped_column(default=25)
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus, 16), default=TaskStatus.not_started)
    progress: Mapped[int] = mapped_column(default=0)
    completed_on: Mapped[Optional[date]]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    plan: Mapped["Plan"] = relationship(back_populates="tasks")
    group: Mapped[Optional["ActionGroup"]] = relationship()
    parent: Mapped[Optional["Task"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Task"]] = relationship(back_populates="parent", order_by="Task.sort_key")
    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    cooperating_units: Mapped[list[Unit]] = relationship(
        secondary=task_cooperating_units, order_by=Unit.id
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"

    def __str__(self) -> str:
        return self.label


def number_sort_key(number: str) -> str:
    """Sorts "2" before "10" and "2.1" after "2": each numeric part zero-padded."""
    parts = []
    for part in number.replace("．", ".").split("."):
        parts.append(part.zfill(6) if part.isdigit() else part)
    return ".".join(parts)


# The trigram indexes above need pg_trgm: ``create_all`` (tests, bench fallback) creates it as the
# migration does (CREATE EXTENSION needs a role allowed to; pg_trgm is a "trusted" extension since
# PostgreSQL 13, so the database owner may).
event.listen(Task.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


def _create_search_grams(target, connection, **kw) -> None:
    """The bigram index of task words for /search (tracker/tasks/search_grams.py), created with the tasks
    table by ``create_all`` as the migrations create it: SQLite's FTS5 table and its triggers, PostgreSQL's
    expression index."""
    if connection.dialect.name == "sqlite":
        from tracker.tasks import search_grams
        search_grams.install(connection.exec_driver_sql)
    elif connection.dialect.name == "postgresql":
        from tracker.tasks import search_grams
        search_grams.install_postgresql(connection.exec_driver_sql)


def _drop_search_grams(target, connection, **kw) -> None:
    if connection.dialect.name == "sqlite":
        from tracker.tasks import search_grams
        search_grams.uninstall(connection.exec_driver_sql)


event.listen(Task.__table__, "after_create", _create_search_grams)
event.listen(Task.__table__, "before_drop", _drop_search_grams)


class ReceiptState(str, enum.Enum):
    pending = "pending"  # 待签收
    signed = "signed"  # 已签收
    refused = "refused"  # 退回交办
    withdrawn = "withdrawn"  # 已改派 (the unit is no longer on the task)


class Receipt(db.Model):
    """One unit's 签收 of a task assigned (交办) to it, as lead (牵头) or cooperating (配合) unit.

    A task assigned again (another lead unit, a unit added) gets a new row; the old ones stay."""

    __tablename__ = "task_receipts"
    __table_args__ = (
        Index("ix_task_receipts_task_unit", "task_id", "unit_id"),
        Index("ix_task_receipts_state_sign_by", "state", "sign_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(12))  # "lead" or "cooperating"
    state: Mapped[ReceiptState] = mapped_column(str_enum(ReceiptState, 16), default=ReceiptState.pending)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sign_by: Mapped[date]  # 签收时限: N working days after assignment
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    suggested_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    task: Mapped["Task"] = relationship()
    unit: Mapped["Unit"] = relationship(foreign_keys=[unit_id])
    suggested_unit: Mapped[Optional["Unit"]] = relationship(foreign_keys=[suggested_unit_id])
    assigned_by: Mapped[Optional["User"]] = relationship(foreign_keys=[assigned_by_id])
    answered_by: Mapped[Optional["User"]] = relationship(foreign_keys=[answered_by_id])

    __mapper_args__ = {"version_id_col": version}
