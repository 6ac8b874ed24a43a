"""Import drafts (导入草稿): a parsed document waiting for a coordinator's review before anything is created."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.plans.models import Plan


class DraftKind(str, enum.Enum):
    plan = "plan"  # 方案导入
    proposal_reply = "proposal_reply"  # 提案答复导入


class DraftState(str, enum.Enum):
    draft = "draft"  # 待审核
    applied = "applied"  # 已创建
    discarded = "discarded"  # 已放弃


class ImportDraft(db.Model):
    """The parser's output (``payload``, editable on the review screen) for one uploaded or pasted document."""

    __tablename__ = "import_drafts"
    __table_args__ = (Index("ix_import_drafts_state_created_at", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DraftKind] = mapped_column(str_enum(DraftKind, 20))
    filename: Mapped[str] = mapped_column(String(255), default="")
    # None: created by the system (command line).
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[DraftState] = mapped_column(str_enum(DraftState, 16), default=DraftState.draft)
    # The parser's to_dict() plus the review fields (unit choices, dates); replaced, never mutated in place.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_text: Mapped[str] = mapped_column(Text, default="")  # the extracted text, kept as the plan's 原文
    applied_plan_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    applied_proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    created_by: Mapped[Optional["User"]] = relationship()
    applied_plan: Mapped[Optional["Plan"]] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.filename or f"#{self.id}"


class ColumnMapping(db.Model):
    """列对应: what each column of a table with this header set holds, as a coordinator chose it on the review
    screen. Every later import of a table with the same header words is read with it, without a question."""

    __tablename__ = "import_column_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the header cells' words without spaces, joined by | (tracker.imports.tables.header_signature)
    signature: Mapped[str] = mapped_column(String(1000), unique=True)
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)  # one column kind per header cell
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.signature
