"""Emails and webhook calls of the 督办 loop's events, queued in the same transaction as the event.

Every message is one of the generic workflow emails (templates/email/_workflow.*): a line saying what
happened, the reason or decision, and a link; each kind has its own subject template."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.auth.models import Role
from tracker.outbox.models import NotificationKind
from tracker.outbox.services import Recipient, queue
from tracker.reminders.scan import unit_recipients, user_recipient, users_with_role
from tracker.webhooks.outbox import publish


def coordinators() -> list[Recipient]:
    return [user_recipient(user) for user in users_with_role(Role.coordinator)]


def send(kind: NotificationKind, key: str, recipients: list[Recipient], *, task, path: str, lines: list,
         unit_ids: list[int], **context) -> None:
    """Queues the email to each recipient (once per key and address) and the webhook calls."""
    context = dict(task=task, lines=lines, link=path, **context)
    for recipient in recipients:
        queue(kind, f"{key}:{recipient.email}", recipient, task_id=task.id, **context)
    publish(kind, key, unit_ids=unit_ids, path=path, task_id=task.id, **context)


def receipt_refused(receipt) -> None:
    """Coordinators hear that a unit refused an assignment (退回交办), with its reason."""
    lines = [_l("%(unit)s 退回了交办：%(reason)s", unit=receipt.unit.name, reason=receipt.refusal_reason)]
    if receipt.suggested_unit is not None:
        lines.append(_l("建议责任单位：%(unit)s", unit=receipt.suggested_unit.name))
    send(NotificationKind.receipt_refused, f"receipt_refused:{receipt.id}", coordinators(), task=receipt.task,
         path=f"/tasks/{receipt.task_id}", lines=lines, unit_ids=[receipt.unit_id])


def extension_requested(extension) -> None:
    lines = [_l("%(unit)s 申请将完成时限由 %(before)s 调整为 %(after)s。", unit=extension.unit.name,
                before=extension.due_on_before or "—", after=extension.requested_due_on),
             _l("延期理由：%(reason)s", reason=extension.reason)]
    if extension.is_late:
        lines.append(_l("该申请在原完成时限之后提出（逾期申请）。"))
    send(NotificationKind.extension_requested, f"extension_requested:{extension.id}", coordinators(),
         task=extension.task, path=f"/tasks/{extension.task_id}#extensions", lines=lines, unit_ids=[extension.unit_id])


def extension_decided(extension) -> None:
    if extension.approved_due_on is not None:
        lines = [_l("延期申请已批准，完成时限调整为 %(after)s。", after=extension.approved_due_on)]
    else:
        lines = [_l("延期申请未获批准，完成时限仍为 %(before)s。", before=extension.due_on_before or "—")]
    if extension.decision_comment:
        lines.append(_l("审批意见：%(comment)s", comment=extension.decision_comment))
    send(NotificationKind.extension_decided, f"extension_decided:{extension.id}", unit_recipients(extension.unit),
         task=extension.task, path=f"/tasks/{extension.task_id}#extensions", lines=lines, unit_ids=[extension.unit_id],
         approved=extension.approved_due_on is not None)


def closure_requested(closure) -> None:
    lines = [_l("%(unit)s 提交了办结申请，请核查。", unit=closure.unit.name),
             _l("办结报告：%(summary)s", summary=closure.summary)]
    send(NotificationKind.closure_requested, f"closure_requested:{closure.id}", coordinators(), task=closure.task,
         path=f"/tasks/{closure.task_id}#closure", lines=lines, unit_ids=[closure.unit_id])


def closure_decided(closure) -> None:
    """The unit hears that its 办结申请 was returned (退回, with the reason) or verified (销号)."""
    if closure.state.value == "returned":
        kind, lines = NotificationKind.closure_returned, [_l("办结申请被退回，理由：%(reason)s",
                                                               reason=closure.decision_comment)]
    else:
        kind, lines = NotificationKind.closure_verified, [_l("办结申请已核查通过，任务已销号。")]
    send(kind, f"{kind.value}:{closure.id}", unit_recipients(closure.unit), task=closure.task,
         path=f"/tasks/{closure.task_id}#closure", lines=lines, unit_ids=[closure.unit_id])


def task_assigned(receipt) -> None:
    """交办通知: the unit a task is assigned (or re-assigned) to hears it, with its role and 签收时限."""
    from tracker.common.workdays import BEIJING

    lines = [_l("%(unit)s：该任务已于%(day)s交办贵单位（%(role)s），签收时限为%(sign_by)s，请登录系统签收或退回交办。",
                unit=receipt.unit.name, day=receipt.assigned_at.astimezone(BEIJING).date(),
                role=_l("牵头") if receipt.role == "lead" else _l("配合"), sign_by=receipt.sign_by)]
    send(NotificationKind.task_assigned, f"task_assigned:{receipt.task_id}:{receipt.id}", unit_recipients(receipt.unit),
         task=receipt.task, path=f"/tasks/{receipt.task_id}#receipts", lines=lines, unit_ids=[receipt.unit_id])


def document_replied(document) -> None:
    """Coordinators hear each 反馈 to a 催办单/督办通知单, with its text."""
    lines = [_l("%(unit)s 已反馈%(number)s：", unit=document.unit.name, number=document.number), document.reply_text]
    send(NotificationKind.document_replied, f"document_replied:{document.task_id}:{document.id}", coordinators(),
         task=document.task, path=f"/documents/{document.id}", lines=lines, unit_ids=[document.unit_id],
         document_number=document.number)


def document_voided(document) -> None:
    """The unit a document was issued to hears that it is void (作废), with the reason: nothing to reply."""
    lines = [_l("%(number)s已作废，无需再反馈。", number=document.number),
             _l("作废理由：%(reason)s", reason=document.void_reason)]
    send(NotificationKind.document_voided, f"document_voided:{document.task_id}:{document.id}",
         unit_recipients(document.unit), task=document.task, path=f"/tasks/{document.task_id}#ladder", lines=lines,
         unit_ids=[document.unit_id], document_number=document.number)
