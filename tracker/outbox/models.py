"""The outbox (发件箱): one row per email to one address, or per webhook call, written in the same
transaction as the decision to send it; the sender (``tracker.reminders.sender``) delivers them. Below
reminders, webhooks, supervision and proposals, which all queue into it."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.common.clock import utcnow
from tracker.common.types import UTCDateTime, str_enum
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.tasks.models import Task


class NotificationKind(str, enum.Enum):
    report_due = "report_due"  # 报送提醒
    deadline = "deadline"  # 到期提醒
    overdue_digest = "overdue_digest"  # 逾期汇总（单位，每工作日）
    weekly_digest = "weekly_digest"  # 每周汇总（督办）
    escalation = "escalation"  # 督办升级（领导）
    update_returned = "update_returned"  # 报送被退回
    update_resubmitted = "update_resubmitted"  # 退回后重新提交
    proposal_due = "proposal_due"  # 提案答复到期提醒
    update_accepted = "update_accepted"  # 报送已采纳 (webhooks only)
    receipt_due = "receipt_due"  # 签收提醒
    receipt_refused = "receipt_refused"  # 退回交办
    extension_requested = "extension_requested"  # 延期申请
    extension_decided = "extension_decided"  # 延期审批结果
    closure_requested = "closure_requested"  # 办结申请
    closure_returned = "closure_returned"  # 办结申请被退回
    closure_verified = "closure_verified"  # 核查销号
    ladder_reached = "ladder_reached"  # 督办等级（提醒、催办、督办、通报）
    document_issued = "document_issued"  # 督办文书已发出（催办单、督办通知单）
    task_assigned = "task_assigned"  # 交办通知（交办、重新交办）
    document_replied = "document_replied"  # 督办文书已反馈（督办人员）
    document_voided = "document_voided"  # 督办文书已作废（主送单位）
    proposal_assigned = "proposal_assigned"  # 建议提案已交办 (webhooks only)
    proposal_received = "proposal_received"  # 建议提案已签收 (webhooks only)
    proposal_returned = "proposal_returned"  # 建议提案被退回 (webhooks only)
    proposal_answered = "proposal_answered"  # 建议提案已答复 (webhooks only)
    proposal_rated = "proposal_rated"  # 提案人已评价 (webhooks only)
    proposal_rehandling = "proposal_rehandling"  # 不满意，重新办理 (webhooks only)
    promise_due = "promise_due"  # 承诺事项到期/逾期提醒（提案办结后再次答复）
    proposal_urge = "proposal_urge"  # 提案办理催办（协办意见、会签将到期，答复、协办意见、会签逾期）
    proposal_co_opinion = "proposal_co_opinion"  # 协办意见已送主办 (webhooks only)
    proposal_cosigned = "proposal_cosigned"  # 协办单位已会签 (webhooks only)
    proposal_extension_requested = "proposal_extension_requested"  # 提案延期申请 (webhooks only)
    proposal_extension_decided = "proposal_extension_decided"  # 提案延期审批结果 (webhooks only)
    promise_answered = "promise_answered"  # 承诺事项再次答复 (webhooks only)
    proposal_key_marked = "proposal_key_marked"  # 确定重点提案、更换督办领导 (webhooks only)
    proposal_key_unmarked = "proposal_key_unmarked"  # 取消重点提案 (webhooks only)
    proposal_supervision_note = "proposal_supervision_note"  # 领导督办意见 (webhooks only)
    proposal_ladder = "proposal_ladder"  # 提案答复逾期的督办等级（催办单、督办通知单、通报）


class DeliveryChannel(str, enum.Enum):
    email = "email"
    webhook = "webhook"  # a group robot or JSON endpoint (tracker.webhooks)


class DeliveryState(str, enum.Enum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the maximum number of attempts


class Notification(db.Model):
    """One email to one address, or one webhook call, written in the same transaction as the decision
    to send it (the outbox).

    ``idempotency_key`` (kind + object + period/offset + recipient) is unique, so a job that runs
    twice, or two schedulers racing, queue each message once. Webhook rows carry their JSON body in
    ``payload`` and name the robot in ``recipient_email``.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind))
    channel: Mapped[DeliveryChannel] = mapped_column(str_enum(DeliveryChannel, 16), default=DeliveryChannel.email,
                                                     server_default=DeliveryChannel.email.value)
    webhook_id: Mapped[Optional[int]] = mapped_column(ForeignKey("webhooks.id", ondelete="SET NULL"), index=True)
    payload: Mapped[Optional[str]] = mapped_column(Text)
    recipient_email: Mapped[str] = mapped_column(String(200))
    recipient_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                             index=True)
    recipient_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"),
                                                             index=True)
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[DeliveryState] = mapped_column(str_enum(DeliveryState, 16), default=DeliveryState.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # 发送中: set (and committed) by the sender that claimed the row, before its SMTP call; cleared with the
    # outcome. A claim older than MAIL_CLAIM_MINUTES is taken again (the sender died mid-send).
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    task: Mapped[Optional["Task"]] = relationship()
    # ``webhook`` (the robot a webhook row calls) is declared by webhooks, above: ``Webhook.notifications``.
