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
from tracker.updates.models import StoredFileColumns

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.plans.models import Plan


class ProposalState(str, enum.Enum):
    assigned = "assigned"  # 已交办
    replying = "replying"  # 办理中
    replied = "replied"  # 已答复
    feedback_received = "feedback_received"  # 已反馈


class ProposalKind(str, enum.Enum):
    """Which body the item comes from: 政协提案 (CPPCC proposal) or 人大建议 (NPC deputies' suggestion)."""

    cppcc = "cppcc"  # 政协提案, 委员, 界别
    npc = "npc"  # 人大代表建议, 代表, 代表团


class ReceiptRole(str, enum.Enum):
    main = "main"  # 主办
    co = "co"  # 协办/会办
    split = "split"  # 分办: answers on its own


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
    kind: Mapped[ProposalKind] = mapped_column(str_enum(ProposalKind, 10), default=ProposalKind.cppcc,
                                               server_default="cppcc")
    meeting: Mapped[str] = mapped_column(String(100))  # 届次会议: 市政协十四届三次会议
    number: Mapped[str] = mapped_column(String(40))  # 第0746号
    title: Mapped[str] = mapped_column(String(300))
    # The points of the proposal (建议内容, one per item of 具体建议), each answered in the reply (逐条答复).
    points: Mapped[list[str]] = mapped_column(JSON, default=list)
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
    rehandling_count: Mapped[int] = mapped_column(default=0, server_default="0")  # 重新办理 times
    follow_up_plan_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    main_unit: Mapped[Unit] = relationship(foreign_keys=[main_unit_id])
    co_units: Mapped[list[Unit]] = relationship(secondary=proposal_co_units, order_by=Unit.id)
    follow_up_plan: Mapped[Optional["Plan"]] = relationship()
    people: Mapped[list["Proposer"]] = relationship(back_populates="proposal", order_by="Proposer.position",
                                                    cascade="all, delete-orphan")
    receipts: Mapped[list["ProposalReceipt"]] = relationship(back_populates="proposal",
                                                             order_by="ProposalReceipt.id",
                                                             cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        return f"{self.meeting}{self.number}"

    def __str__(self) -> str:
        return f"{self.label} {self.title}"


class Proposer(db.Model):
    """A proposer (提案人/领衔人/附议人) as a person: a 委员 of a 界别 or a 代表 of a 代表团, with a contact.

    A joint proposal (联名提案) has several; ``position`` 1 is the lead proposer (领衔)."""

    __tablename__ = "proposal_proposers"
    __table_args__ = (UniqueConstraint("proposal_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(60))
    group: Mapped[str] = mapped_column(String(100), default="")  # 界别 (委员) or 代表团 (代表)
    contact: Mapped[str] = mapped_column(String(100), default="")  # phone or address

    proposal: Mapped[Proposal] = relationship(back_populates="people")


class ProposalReceipt(db.Model):
    """One unit's receipt of an assigned item (交办签收): signed (签收) or returned (退回) with a reason within
    the window (``sign_due_on``, working days after 交办)."""

    __tablename__ = "proposal_receipts"
    __table_args__ = (UniqueConstraint("proposal_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    role: Mapped[ReceiptRole] = mapped_column(str_enum(ReceiptRole, 10))
    assigned_on: Mapped[date]
    sign_due_on: Mapped[date]
    signed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    returned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    acted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship(back_populates="receipts")
    unit: Mapped[Unit] = relationship()

    @property
    def pending(self) -> bool:
        return self.signed_at is None and self.returned_at is None


class RatingLink(db.Model):
    """A proposer's personal, expiring, single-use link to rate a reply (满意/基本满意/不满意). Only the hash
    of the token is kept; ``round`` is 1 for the first reply, 2 after 重新办理, …"""

    __tablename__ = "proposal_rating_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("proposal_proposers.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    round: Mapped[int] = mapped_column(default=1)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    rating: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship()
    proposer: Mapped[Proposer] = relationship()


# ---------------------------------------------------------------------------------------------------------
# Entry (c3): 并案 — items on one subject handled as one
# ---------------------------------------------------------------------------------------------------------

class ProposalMerge(db.Model):
    """并案: ``proposal`` (a merged item) is handled together with ``handled`` (the item the units answer).
    The merged item keeps its own proposers, who are each answered and rate the reply themselves."""

    __tablename__ = "proposal_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    handled_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    merged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship(foreign_keys=[proposal_id])
    handled: Mapped[Proposal] = relationship(foreign_keys=[handled_id])
# c2: 沟通协商 (contact records) and 承诺事项 (promises of B/C replies, answered again when done)
# ---------------------------------------------------------------------------------------------------------

class ContactStage(str, enum.Enum):
    before = "before"  # 办前
    during = "during"  # 办中
    after = "after"  # 办后


class ProposalContact(db.Model):
    """One contact of a handling unit with the proposers (沟通协商): when, how (见面/电话/座谈/书面…), at
    which stage (办前/办中/办后), with which proposers, who from the unit, and what was agreed."""

    __tablename__ = "proposal_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    contact_on: Mapped[date]
    way: Mapped[str] = mapped_column(String(20))  # 见面 / 电话 / 座谈 / 书面 / 视频 / 其他
    stage: Mapped[ContactStage] = mapped_column(str_enum(ContactStage, 10))
    proposer_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit_people: Mapped[str] = mapped_column(String(200), default="")
    agreed: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship()
    unit: Mapped[Unit] = relationship()


class PromiseState(str, enum.Enum):
    open = "open"  # 待兑现
    kept = "kept"  # 已再次答复


class ProposalPromise(db.Model):
    """A promise (承诺事项) of a B (正在解决) or C (列入计划) reply, with its own due date; the unit answers
    again when the work is done (办结后再次答复), which closes it. ``task_id`` is the follow-up task made
    from the same commitment, when there is one."""

    __tablename__ = "proposal_promises"
    __table_args__ = (Index("ix_proposal_promises_state_due_on", "state", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    state: Mapped[PromiseState] = mapped_column(str_enum(PromiseState, 10), default=PromiseState.open)
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    answer_text: Mapped[str] = mapped_column(Text, default="")  # 再次答复
    answered_on: Mapped[Optional[date]]
    answered_by: Mapped[str] = mapped_column(String(60), default="")  # the person who signs the second reply
    answered_by_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship()


# ---------------------------------------------------------------------------------------------------------
# Part c1 (issue 25): 协办意见 and 会签, the clock's extensions (延期), 重点提案 with the leader's 督办意见
# (rules in tracker/proposals/cosign.py, clock.py, key_items.py)
# ---------------------------------------------------------------------------------------------------------

class CoOpinion(db.Model):
    """A 协办 unit's written opinion (协办意见) to the 主办, due within ``PROPOSAL_CO_OPINION_MONTHS`` of
    交办; sent again it replaces the text (the history keeps every sending)."""

    __tablename__ = "proposal_co_opinions"
    __table_args__ = (UniqueConstraint("proposal_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    unit: Mapped[Unit] = relationship()


class CosignDraft(db.Model):
    """A draft reply (答复稿) the 主办 sends to its 协办 units for 会签; ``round`` is 1 for the first reply,
    2 after 重新办理, …; a later draft of the same round needs every 会签 again."""

    __tablename__ = "proposal_cosign_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text, default="")
    sent_on: Mapped[date]
    due_on: Mapped[date]  # 会签期限
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cosigns: Mapped[list["Cosign"]] = relationship(back_populates="draft", order_by="Cosign.id",
                                                   cascade="all, delete-orphan")


class Cosign(db.Model):
    """One 协办 unit's 会签 of a draft: agreed, or disagreed with a reason the 主办 sees."""

    __tablename__ = "proposal_cosigns"
    __table_args__ = (UniqueConstraint("draft_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("proposal_cosign_drafts.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    agreed: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    draft: Mapped[CosignDraft] = relationship(back_populates="cosigns")
    unit: Mapped[Unit] = relationship()


class ExtensionState(str, enum.Enum):
    pending = "pending"  # 待审批
    approved = "approved"  # 已批准
    refused = "refused"  # 未批准


class ReplyExtension(db.Model):
    """The 主办's request to answer later (延期申请) with a reason, approved or refused by a coordinator; the
    approved date becomes the item's ``reply_due_on`` (never beyond ``PROPOSAL_MAX_REPLY_MONTHS`` of 交办)."""

    __tablename__ = "proposal_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    state: Mapped[ExtensionState] = mapped_column(str_enum(ExtensionState, 12), default=ExtensionState.pending)
    previous_due_on: Mapped[Optional[date]]
    requested_due_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    proposal: Mapped[Proposal] = relationship()


class KeyProposal(db.Model):
    """重点提案: an item a coordinator marked key, supervised by a leader (a user with the leader role)."""

    __tablename__ = "proposal_key_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship()
    leader: Mapped["User"] = relationship(foreign_keys=[leader_id])


class SupervisionNote(db.Model):
    """The supervising leader's 督办意见 on a key item."""

    __tablename__ = "proposal_supervision_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    leader_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    leader: Mapped[Optional["User"]] = relationship(foreign_keys=[leader_id])


class SignedReplyLetter(StoredFileColumns, db.Model):
    """The signed and sealed 答复函 (已盖章答复函) as uploaded by the 主办 unit or a coordinator: a PDF, a scan
    (JPG/PNG) or the signed .docx/.ofd. One row per upload; the newest is the item's letter, the earlier ones
    stay as the record of what was replaced (their events stay in the history)."""

    __tablename__ = "proposal_signed_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    uploaded_by: Mapped[Optional["User"]] = relationship(foreign_keys=[uploaded_by_id])
