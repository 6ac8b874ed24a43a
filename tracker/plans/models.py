"""Plans (文件/方案) and their action groups (行动)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db


class PlanKind(str, enum.Enum):
    action_plan = "action_plan"  # 行动方案
    proposal_reply = "proposal_reply"  # 提案答复
    meeting_decision = "meeting_decision"  # 会议决定
    other = "other"


class PlanStatus(str, enum.Enum):
    draft = "draft"
    active = "active"
    archived = "archived"


class Plan(db.Model):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(40), default="")  # e.g. "西岑园", used in email subjects
    doc_number: Mapped[str] = mapped_column(String(80), default="")  # 文号
    issuer: Mapped[str] = mapped_column(String(120), default="")  # 发文机关
    issued_on: Mapped[Optional[date]]
    period_start: Mapped[Optional[date]]
    period_end: Mapped[Optional[date]]
    kind: Mapped[PlanKind] = mapped_column(str_enum(PlanKind), default=PlanKind.action_plan)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, 16), default=PlanStatus.draft)
    # 主动公开: an active or archived plan with this set is shown to anybody, without login, on /public
    # (tracker/public/): its tasks' progress, never comments, returned reports, names or contacts.
    is_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The document's full text (up to 500,000 characters), loaded only when used: every list that joins
    # tasks to their plans would otherwise carry it once per row (5 KB × 50 rows a page at city scale).
    source_text: Mapped[Optional[str]] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    groups: Mapped[list["ActionGroup"]] = relationship(
        back_populates="plan", order_by="ActionGroup.position", cascade="all, delete-orphan"
    )
    tasks: Mapped[list["Task"]] = relationship(back_populates="plan", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        return self.short_name or self.title[:12]

    def __str__(self) -> str:
        return self.title


class ActionGroup(db.Model):
    """An action group of a plan, e.g. "（一）体制机制优化行动"."""

    __tablename__ = "action_groups"
    __table_args__ = (UniqueConstraint("plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    number: Mapped[str] = mapped_column(String(20), default="")  # "（一）"
    title: Mapped[str] = mapped_column(String(200))

    plan: Mapped[Plan] = relationship(back_populates="groups")

    @property
    def label(self) -> str:
        return f"{self.number}{self.title}"

    def __str__(self) -> str:
        return self.label
