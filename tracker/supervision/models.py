"""The 督办 closed loop's own records: 延期申请 (extension requests), 办结申请 (closure
requests), the graded escalation ladder (催办 → 督办 → 通报) with its numbered documents, and 约谈.

Each record keeps who did what and when (全程留痕); the audit log has an event for every change.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db
from tracker.tasks.models import Receipt, ReceiptState  # noqa: F401 (交办 receipts are the task's: tracker/tasks/models.py)
from tracker.updates.models import StoredFileColumns

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.proposals.models import Proposal
    from tracker.tasks.models import Task
    from tracker.units.models import Unit


class RequestDecision:
    """The shape shared by 延期申请 and 办结申请: a lead unit's request about a task (who asked, when) and a
    coordinator's decision on it (who, when, the comment). The same columns as each table always had (no
    schema change); the opening checks shared by both (one pending request per task) are
    ``tracker.supervision.services.open_request_checks``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str] = mapped_column(Text, default="")

    @declared_attr
    def task(cls) -> Mapped["Task"]:
        return relationship("Task")

    @declared_attr
    def unit(cls) -> Mapped["Unit"]:
        return relationship("Unit")

    @declared_attr
    def requested_by(cls) -> Mapped["User"]:
        return relationship("User", foreign_keys=f"{cls.__name__}.requested_by_id")

    @declared_attr
    def decided_by(cls) -> Mapped[Optional["User"]]:
        return relationship("User", foreign_keys=f"{cls.__name__}.decided_by_id")


class ExtensionState(str, enum.Enum):
    pending = "pending"  # 待审批
    approved = "approved"  # 已批准
    rejected = "rejected"  # 不予批准


class ExtensionRequest(RequestDecision, db.Model):
    """延期申请: the lead unit asks for a new 完成时限; a coordinator approves (maybe another date) or refuses."""

    __tablename__ = "extension_requests"
    __table_args__ = (
        # One open (待审批) request per task, held by the database: two requests filed at the same moment
        # both passed the check before the insert, and approving both in turn shortened the extension.
        Index("uq_extension_requests_one_pending", "task_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
    )

    due_on_before: Mapped[Optional[date]]  # the 完成时限 in force when asked
    requested_due_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    is_late: Mapped[bool] = mapped_column(default=False)  # asked after the due date had passed
    state: Mapped[ExtensionState] = mapped_column(str_enum(ExtensionState, 16), default=ExtensionState.pending)
    approved_due_on: Mapped[Optional[date]]
    version: Mapped[int] = mapped_column(default=1)

    evidence: Mapped[list["WorkflowEvidenceFile"]] = relationship(
        primaryjoin="WorkflowEvidenceFile.extension_id == ExtensionRequest.id", cascade="all, delete-orphan",
        order_by="WorkflowEvidenceFile.id")

    __mapper_args__ = {"version_id_col": version}


class ClosureState(str, enum.Enum):
    pending = "pending"  # 待核查
    verified = "verified"  # 已核查销号
    returned = "returned"  # 退回


class ClosureRequest(RequestDecision, db.Model):
    """办结申请: the lead unit's 办结报告; a coordinator verifies it (核查) and signs the task off (销号),
    or returns it with a reason."""

    __tablename__ = "closure_requests"
    __table_args__ = (
        # One 办结申请 waiting for 核查 per task (a second one would stay pending forever once the first
        # is verified).
        Index("uq_closure_requests_one_pending", "task_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
    )

    due_on: Mapped[Optional[date]]  # the 完成时限 in force when filed (closures verified on time, 考评)
    summary: Mapped[str] = mapped_column(Text)  # what was done
    state: Mapped[ClosureState] = mapped_column(str_enum(ClosureState, 16), default=ClosureState.pending)
    version: Mapped[int] = mapped_column(default=1)

    evidence: Mapped[list["WorkflowEvidenceFile"]] = relationship(
        primaryjoin="WorkflowEvidenceFile.closure_id == ClosureRequest.id", cascade="all, delete-orphan",
        order_by="WorkflowEvidenceFile.id")

    __mapper_args__ = {"version_id_col": version}


class WorkflowEvidenceFile(StoredFileColumns, db.Model):
    """A file attached to an extension request or a closure report (佐证材料)."""

    __tablename__ = "workflow_evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    extension_id: Mapped[Optional[int]] = mapped_column(ForeignKey("extension_requests.id", ondelete="CASCADE"),
                                                        index=True)
    closure_id: Mapped[Optional[int]] = mapped_column(ForeignKey("closure_requests.id", ondelete="CASCADE"),
                                                      index=True)


class LadderLevel(int, enum.Enum):
    """The graded escalation ladder (督办等级)."""

    remind = 1  # 提醒: the unit's contacts
    urge = 2  # 催办: 催办单 to the lead unit (contacts and head)
    supervise = 3  # 督办: 督办通知单 to the lead unit, copied to the leaders overseeing it (分管领导)
    bulletin = 4  # 通报: listed in the next 督查通报


class EscalationRule(db.Model):
    """One level of a plan's ladder as a coordinator set it; the defaults apply without a row."""

    __tablename__ = "escalation_rules"
    __table_args__ = (UniqueConstraint("plan_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    level: Mapped[int]
    after_days: Mapped[int]  # working days past the due date (or since the report was due)
    recipients: Mapped[str] = mapped_column(String(80))  # comma list of RECIPIENT_GROUPS
    issues_document: Mapped[bool] = mapped_column(default=False)


class DocumentKind(str, enum.Enum):
    urge_notice = "urge_notice"  # 催办单
    supervision_notice = "supervision_notice"  # 督办通知单
    bulletin = "bulletin"  # 督查通报


# One sequence per kind per year: each kind has its own prefix (督办〔2026〕12号, 催办〔2026〕3号, 督查通报〔2026〕1号).
PREFIX_OF_KIND = {DocumentKind.urge_notice: "催办", DocumentKind.supervision_notice: "督办",
                  DocumentKind.bulletin: "督查通报"}


class DocumentState(str, enum.Enum):
    proposed = "proposed"  # 待印发: drafted by the ladder, waiting for a coordinator (no number yet)
    issued = "issued"  # 已印发: numbered
    void = "void"  # 已作废: its number stays used, never given again


class SupervisionDocument(db.Model):
    """The register of numbered documents (发文登记): every 催办单, 督办通知单 and 督查通报 the office sends.

    A number comes from the per-kind, per-year sequence (``DocumentSequence``) when the document is
    issued (印发); a document the ladder proposes (待印发) has none until a coordinator issues it. A
    voided (作废) document keeps its number, which is never given again. The facts a notice states are
    frozen when it is drafted and its dates when it is issued; the Word file is built from them. A
    bulletin's row names the bulletin (``bulletin_id``) and no task."""

    __tablename__ = "supervision_documents"
    __table_args__ = (
        UniqueConstraint("prefix", "year", "serial"),
        # A unit's documents still to answer (督办文书待反馈, on its 工作台 at every view): without it the
        # city's 工作台 of a unit read every document, 24 ms on SQLite.
        Index("ix_supervision_documents_unit_unanswered", "unit_id", "replied_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, 24))
    state: Mapped[DocumentState] = mapped_column(str_enum(DocumentState, 12), default=DocumentState.issued,
                                                 server_default=DocumentState.issued.value)
    prefix: Mapped[str] = mapped_column(String(12))  # 督办, 催办, 督查通报
    year: Mapped[Optional[int]]
    serial: Mapped[Optional[int]]
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    bulletin_id: Mapped[Optional[int]] = mapped_column(ForeignKey("bulletins.id", ondelete="SET NULL"), index=True)
    # An item's reply overdue (建议提案答复逾期, tracker/supervision/proposal_ladder.py): the item; no task.
    proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    level: Mapped[int]
    proposed_on: Mapped[Optional[date]]
    issued_on: Mapped[Optional[date]]
    issued_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reply_by: Mapped[Optional[date]]  # 反馈时限
    overdue_days: Mapped[int] = mapped_column(default=0)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)  # what the document says, as issued
    replied_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    replied_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reply_text: Mapped[str] = mapped_column(Text, default="")
    voided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    void_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    task: Mapped[Optional["Task"]] = relationship()
    proposal: Mapped[Optional["Proposal"]] = relationship()
    unit: Mapped[Optional["Unit"]] = relationship()
    replied_by: Mapped[Optional["User"]] = relationship(foreign_keys=[replied_by_id])
    issued_by: Mapped[Optional["User"]] = relationship(foreign_keys=[issued_by_id])
    voided_by: Mapped[Optional["User"]] = relationship(foreign_keys=[voided_by_id])

    __mapper_args__ = {"version_id_col": version}  # of two 反馈 sent at the same moment only the first is saved

    @property
    def number(self) -> str:
        """督办〔2026〕12号 once issued; "（待印发）" before."""
        if self.serial is None:
            from flask_babel import gettext

            return gettext("（待印发）")
        return f"{self.prefix}〔{self.year}〕{self.serial}号"

    @property
    def is_issued(self) -> bool:
        return self.state == DocumentState.issued

    @property
    def is_proposed(self) -> bool:
        return self.state == DocumentState.proposed

    @property
    def is_void(self) -> bool:
        return self.state == DocumentState.void


class LadderStep(db.Model):
    """A level of the ladder reached by a task in one overdue episode: the task late against the due
    date in force (kind "task"), or one missing report (kind "report", ``due_on`` its report day).
    Reached once per (task, kind, due_on, level)."""

    __tablename__ = "ladder_steps"
    __table_args__ = (UniqueConstraint("task_id", "kind", "due_on", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    due_on: Mapped[date]
    period: Mapped[Optional[str]] = mapped_column(String(20))
    level: Mapped[int]
    reached_on: Mapped[date]
    overdue_days: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20), default="days")  # "days" or "no_reply" (反馈逾期)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    document_id: Mapped[Optional[int]] = mapped_column(ForeignKey("supervision_documents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Optional[SupervisionDocument]] = relationship()


class ProposalLadderStep(db.Model):
    """A level of the ladder reached by an item whose reply is overdue (建议提案答复逾期), for one unit that
    owes the reply (the 主办, or each 分办 unit) against the reply deadline in force (``due_on``): reached
    once per (item, unit, due_on, level); an approved extension is a new ``due_on``, a new episode."""

    __tablename__ = "proposal_ladder_steps"
    __table_args__ = (UniqueConstraint("proposal_id", "unit_id", "due_on", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    due_on: Mapped[date]
    level: Mapped[int]
    reached_on: Mapped[date]
    overdue_days: Mapped[int]
    document_id: Mapped[Optional[int]] = mapped_column(ForeignKey("supervision_documents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped["Unit"] = relationship()
    document: Mapped[Optional[SupervisionDocument]] = relationship()


class DocumentSequence(db.Model):
    """The last serial issued per (prefix, year), one prefix per kind (``PREFIX_OF_KIND``): 督办〔2026〕12号
    is followed by 13号, whether 12号 is in force or void."""

    __tablename__ = "document_sequences"
    __table_args__ = (UniqueConstraint("prefix", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(12))
    year: Mapped[int]
    last_serial: Mapped[int] = mapped_column(default=0)


class Interview(db.Model):
    """约谈: an interview with the lead unit's responsible people, recorded by a coordinator at level 4."""

    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    attendees: Mapped[str] = mapped_column(Text)
    agreed: Mapped[str] = mapped_column(Text)  # what was agreed
    follow_up_on: Mapped[Optional[date]]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[Optional["User"]] = relationship()
