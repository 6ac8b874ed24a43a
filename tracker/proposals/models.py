"""Proposals (提案) assigned to a main handling unit (主办) and co-handling units (会办), and their replies."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db
from tracker.units.models import Unit

if TYPE_CHECKING:
    from tracker.plans.models import Plan


class ProposalState(str, enum.Enum):
    assigned = "assigned"  # 已交办
    replying = "replying"  # 办理中
    replied = "replied"  # 已答复
    feedback_received = "feedback_received"  # 已反馈


proposal_co_units = Table(
    "proposal_co_units",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Proposal(db.Model):
    """A proposal (提案) of a meeting, e.g. 市政协十四届三次会议第0746号."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("meeting", "number"),
        Index("ix_proposals_state_reply_due_on", "state", "reply_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting: Mapped[str] = mapped_column(String(100))  # 市政协十四届三次会议
    number: Mapped[str] = mapped_column(String(40))  # 第0746号
    title: Mapped[str] = mapped_column(String(300))
    proposers: Mapped[str] = mapped_column(String(300), default="")  # 池洪、卢薪、曹卫东等委员
    main_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)  # 主办
    assigned_on: Mapped[Optional[date]]  # 交办日期
    reply_due_on: Mapped[Optional[date]]  # 答复期限
    state: Mapped[ProposalState] = mapped_column(str_enum(ProposalState, 20), default=ProposalState.assigned)
    reply_doc_number: Mapped[str] = mapped_column(String(80), default="")  # 沪科提复〔2025〕53号
    reply_on: Mapped[Optional[date]]  # 答复日期
    result_category: Mapped[str] = mapped_column(String(40), default="")  # 办理结果: 解决采纳 …
    publicity: Mapped[str] = mapped_column(String(20), default="")  # 公开属性: 主动公开 …
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    reply_text: Mapped[str] = mapped_column(Text, default="")
    # Promises of further work in the reply ("下一步将…"): [{"text": …, "due_hint": "2025年二季度" | None}].
    commitments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    feedback: Mapped[str] = mapped_column(String(10), default="")  # 提案人反馈: 满意 / 基本满意 / 不满意
    follow_up_plan_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    main_unit: Mapped[Unit] = relationship(foreign_keys=[main_unit_id])
    co_units: Mapped[list[Unit]] = relationship(secondary=proposal_co_units, order_by=Unit.id)
    follow_up_plan: Mapped[Optional["Plan"]] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        return f"{self.meeting}{self.number}"

    def __str__(self) -> str:
        return f"{self.label} {self.title}"
