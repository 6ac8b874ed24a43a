"""Status updates (进展报送) and their evidence files (佐证材料)."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.tasks.models import Task
    from tracker.units.models import Unit


class ReviewState(str, enum.Enum):
    submitted = "submitted"  # 待审核
    accepted = "accepted"  # 已采纳
    returned = "returned"  # 退回修改


class StatusUpdate(db.Model):
    __tablename__ = "status_updates"
    __table_args__ = (
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        Index("ix_status_updates_task_period", "task_id", "period"),
        # Missing reports of a period (the overdue list's report rows, the dashboard's at-risk state): with
        # all filed reports of the period in one index range, PostgreSQL hashes them and anti-joins the open
        # tasks instead of probing once per task. EXPLAIN ANALYZE at city scale (100,000 tasks, 1M updates),
        # monthly tasks reporting on the 25th: Nested Loop Anti Join, 18,924 index probes, 104 ms →
        # Parallel Hash Anti Join over an Index Only Scan of 35,000 entries, 41 ms.
        Index("ix_status_updates_period_filed", "period", "task_id", "unit_id", "review_state"),
        # The review queue (待审核, oldest first) reads this index in order and stops after one page.
        Index("ix_status_updates_review_state_submitted_at", "review_state", "submitted_at"),
        # The queue's period menu (the periods with updates awaiting review, ``review_periods``): read in order
        # off the submitted updates' entries only. Without it SQLite scanned the covering period index over the
        # city's 1M updates for the 5 periods of its 10,177 submitted ones: 43 ms a view → 2 ms. Partial, so
        # that no query on another state (the previous accepted percents) can pick it over the task indexes.
        Index("ix_status_updates_submitted_period", "period", "review_state", sqlite_where=text("review_state = 'submitted'"),
              postgresql_where=text("review_state = 'submitted'")),
        # The latest accepted lead-unit update of each task on a page (the overdue list, digests): one
        # MAX(id) per task read backwards off this index. EXPLAIN ANALYZE on PostgreSQL at city scale,
        # a page of 50 tasks: GroupAggregate over 2,516 accepted updates joined to their tasks, 11.3 ms →
        # 50 × Index Only Scan Backward (LIMIT 1), 1.8 ms.
        Index("ix_status_updates_latest_accepted", "task_id", "unit_id", "review_state", "id"),
        # A unit's returned updates (我的任务's "returned, not resubmitted"). With an index on unit_id
        # alone PostgreSQL ANDed it with a bitmap of all 22,000 returned updates of the city: 4.9 ms.
        # EXPLAIN ANALYZE at city scale with this one: Bitmap Index Scan on it, 22 rows, 0.3 ms in all.
        Index("ix_status_updates_unit_state", "unit_id", "review_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))  # ix_status_updates_unit_state
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(String(10))  # "2026-03", "2026-Q1" or "final"
    progress_text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int]
    problems: Mapped[str] = mapped_column(Text, default="")  # 存在问题
    next_steps: Mapped[str] = mapped_column(Text, default="")  # 下一步计划
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review_state: Mapped[ReviewState] = mapped_column(str_enum(ReviewState, 16), default=ReviewState.submitted)
    reviewer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    # A resubmission after 退回 is a new row pointing at the returned one, so history stays whole.
    # Indexed for "returned and not yet resubmitted" (NOT EXISTS … WHERE resubmission_of_id = id): without
    # it 我的任务 scanned every status update once per returned one (2.4 s at city scale, 1M updates).
    # Unique: a returned update is resubmitted once (NULLs, the first submissions, are distinct on both
    # databases), so two resubmissions sent at the same moment cannot both be saved.
    resubmission_of_id: Mapped[Optional[int]] = mapped_column(ForeignKey("status_updates.id", ondelete="SET NULL"),
                                                              index=True, unique=True)
    version: Mapped[int] = mapped_column(default=1)

    task: Mapped["Task"] = relationship()
    unit: Mapped["Unit"] = relationship()
    author: Mapped["User"] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[Optional["User"]] = relationship(foreign_keys=[reviewer_id])
    evidence: Mapped[list["EvidenceFile"]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )
    resubmission_of: Mapped[Optional["StatusUpdate"]] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def on_behalf(self) -> bool:
        """督办代报: entered by a coordinator for the unit (its author belongs to no such unit), not by the unit."""
        return self.author is not None and self.author.unit_id != self.unit_id


class StoredFileColumns:
    """What is recorded of a file kept in the evidence store (``tracker/updates/evidence.py``): the name
    it was uploaded under, the generated name it is stored under, its type, size and checksum."""

    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvidenceFile(StoredFileColumns, db.Model):
    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("status_updates.id", ondelete="CASCADE"), index=True)

    update: Mapped[StatusUpdate] = relationship(back_populates="evidence")
