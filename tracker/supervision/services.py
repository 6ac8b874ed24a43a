"""The 督办 closed loop's rules: 签收, 退回交办, 延期申请, 办结申请 → 核查 → 销号, reopening, documents, 约谈.

Services take the actor and ``today`` as arguments, add and flush, write the audit event and queue the
emails and webhook calls in the same transaction; the caller commits (``tracker.common.web.run_service``).
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.auth.models import Role
from tracker.access import permissions
from tracker.common.clock import utcnow
from tracker.common.errors import ConflictError, PermissionDenied, ValidationFailed
from tracker.common.races import add_once, check_version, flush_versioned, index_named
from tracker.extensions import db
from tracker.plans.models import PlanStatus
from tracker.supervision import events
from tracker.supervision.models import (ClosureRequest, ClosureState, ExtensionRequest,
                                        ExtensionState, Interview, LadderStep, Receipt, ReceiptState,
                                        SupervisionDocument, WorkflowEvidenceFile)
from tracker.tasks.models import Task, TaskStatus
from tracker.tasks.services import units_on
from tracker.units.models import Unit
from tracker.updates.evidence import EvidenceStore, IncomingFile, check_file
from tracker.workcalendar.services import current_calendar

MAX_FILES = 10
OPEN = (TaskStatus.not_started, TaskStatus.in_progress)


def loop_settings(plan_id: int):
    """(sign_within_days, reply_within_days) of a plan: its reminder settings, or the defaults 2 and 5."""
    from tracker.reminders.models import ReminderSettings

    row = db.session.scalar(select(ReminderSettings).where(ReminderSettings.plan_id == plan_id))
    return (row.sign_within_days, row.reply_within_days) if row is not None else (2, 5)


def _require_manager(actor) -> None:
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("只有督办人员可以办理此事项。"))


def _require_lead_unit(actor, task: Task) -> None:
    if permissions.unit_involvement(actor, task) != "lead":
        raise PermissionDenied(_("只有该任务的牵头单位可以提出申请。"))


def _require_open(task: Task) -> None:
    if task.status not in OPEN:
        raise ValidationFailed(_("该任务已办结或暂缓，不能办理此事项。"))


# ---------------------------------------------------------------- 签收 (receipts)

def receipts_of(task: Task) -> list[Receipt]:
    """Every receipt of the task, newest first (the history of its assignments)."""
    return list(db.session.scalars(select(Receipt).where(Receipt.task_id == task.id)
                                   .order_by(Receipt.assigned_at.desc(), Receipt.id.desc())))


def refused_lead_receipt(task: Task) -> Receipt | None:
    """The lead unit's latest receipt when it was refused (退回交办), else None: 重新交办 then proposes the
    unit the refusal named (建议责任单位)."""
    latest = db.session.scalar(select(Receipt).where(Receipt.task_id == task.id, Receipt.role == "lead")
                               .order_by(Receipt.assigned_at.desc(), Receipt.id.desc()).limit(1))
    return latest if latest is not None and latest.state == ReceiptState.refused else None


def current_receipts(task: Task) -> dict[int, Receipt]:
    """The latest receipt of each unit on the task (withdrawn ones left out)."""
    latest: dict[int, Receipt] = {}
    for receipt in reversed(receipts_of(task)):
        latest[receipt.unit_id] = receipt
    return {unit_id: r for unit_id, r in latest.items() if r.state != ReceiptState.withdrawn}


def assign_task(actor, task: Task, *, today: date, before: dict[int, str] | None = None) -> list[Receipt]:
    """交办: the units newly on the task (not in ``before``, or in another role) each wait for their
    签收, once its plan is active; a unit no longer on the task has its receipt withdrawn.

    ``before`` None means every unit is new (a task created, a plan made active). Tasks assigned before
    签收 existed have no receipts and count as signed until a unit is added or changed."""
    if task.plan.status != PlanStatus.active or task.status not in OPEN:
        return []
    wanted, before = units_on(task), before or {}
    current = current_receipts(task)
    for unit_id, receipt in list(current.items()):
        if receipt.state in (ReceiptState.pending, ReceiptState.signed) and wanted.get(unit_id) != receipt.role:
            receipt.state = ReceiptState.withdrawn  # the unit is off the task (or in another role): asked again if back
            del current[unit_id]
            record(actor, "receipt.withdrawn", receipt, task_id=task.id,
                   changes={"unit": receipt.unit.short_name, "role": receipt.role}, summary=task.label)
    sign_within, _reply = loop_settings(task.plan_id)
    sign_by = current_calendar().add_working_days(today, sign_within)
    new = []
    for unit_id, role in wanted.items():
        receipt = current.get(unit_id)
        if before.get(unit_id) == role or (receipt is not None and receipt.role == role
                                           and receipt.state != ReceiptState.withdrawn):
            continue
        new.append(_new_receipt(actor, task, unit_id, role, sign_by))
    return new


def _new_receipt(actor, task: Task, unit_id: int, role: str, sign_by: date) -> Receipt:
    receipt = Receipt(task=task, unit_id=unit_id, role=role, sign_by=sign_by, assigned_at=utcnow(),
                      assigned_by_id=getattr(actor, "id", None))
    db.session.add(receipt)
    db.session.flush()
    unit = db.session.get(Unit, unit_id)
    record(actor, "receipt.assigned", receipt, task_id=task.id,
           changes={"unit": unit.short_name, "role": role, "sign_by": sign_by}, summary=task.label)
    events.task_assigned(receipt)
    return receipt


def assign_plan(actor, plan, *, today: date) -> int:
    """A plan made active: every open task of it is assigned (交办). Returns the receipts made."""
    return sum(len(assign_task(actor, task, today=today)) for task in plan.tasks)


def _own_receipt(actor, receipt: Receipt) -> None:
    if actor.role != Role.unit or actor.unit_id != receipt.unit_id:
        raise PermissionDenied(_("只能签收交办给本单位的任务。"))
    if receipt.state != ReceiptState.pending:
        raise ValidationFailed(_("该交办已签收或已退回，不能重复办理。"))


def sign_receipt(actor, receipt: Receipt, *, expected_version: int | None = None) -> Receipt:
    """签收: the unit confirms it has received the task (who and when are kept)."""
    check_version(receipt, expected_version, {"state": receipt.state.value})
    _own_receipt(actor, receipt)
    receipt.state, receipt.answered_at, receipt.answered_by_id = ReceiptState.signed, utcnow(), actor.id
    record(actor, "receipt.signed", receipt, task_id=receipt.task_id,
           changes={"unit": receipt.unit.short_name, "role": receipt.role}, summary=receipt.task.label)
    return receipt


def refuse_receipt(actor, receipt: Receipt, *, reason: str, suggested_unit_id: int | None = None,
                   expected_version: int | None = None) -> Receipt:
    """退回交办: "not our remit", with a reason and optionally the unit believed responsible."""
    check_version(receipt, expected_version, {"state": receipt.state.value})
    _own_receipt(actor, receipt)
    if not reason.strip():
        raise ValidationFailed(_("退回交办时必须说明理由。"))
    suggested = db.session.get(Unit, suggested_unit_id) if suggested_unit_id else None
    if suggested_unit_id and suggested is None:
        raise ValidationFailed(_("所建议的责任单位不存在。"))
    if suggested is not None and suggested.id == receipt.unit_id:
        raise ValidationFailed(_("建议的责任单位不能是本单位。"))
    receipt.state, receipt.answered_at, receipt.answered_by_id = ReceiptState.refused, utcnow(), actor.id
    receipt.refusal_reason, receipt.suggested_unit_id = reason.strip(), suggested.id if suggested else None
    record(actor, "receipt.refused", receipt, task_id=receipt.task_id,
           changes={"unit": receipt.unit.short_name, "reason": receipt.refusal_reason,
                    "suggested_unit": suggested.short_name if suggested else ""}, summary=receipt.task.label)
    events.receipt_refused(receipt)
    return receipt


def reassign(actor, task: Task, *, lead_unit_id: int, today: date, expected_version: int | None = None) -> Task:
    """A coordinator re-assigns (重新交办) the task: to another lead unit, or again to the same one after
    a refusal. The old unit becomes nothing on the task (it may be added as cooperating by editing)."""
    _require_manager(actor)
    check_version(task, expected_version, {"lead_unit_id": task.lead_unit_id})
    _require_open(task)
    unit = db.session.get(Unit, lead_unit_id)
    if unit is None:
        raise ValidationFailed(_("请选择牵头单位。"))
    before, units_before = task.lead_unit.short_name, units_on(task)
    if unit.id != task.lead_unit_id:
        task.cooperating_units = [u for u in task.cooperating_units if u.id != unit.id]
        task.lead_unit_id = unit.id
        task.lead_unit = unit
        record(actor, "task.reassigned", task, task_id=task.id, changes={"lead_unit": [before, unit.short_name]},
               summary=task.label)
    else:
        latest = current_receipts(task).get(unit.id)
        if latest is not None and latest.state != ReceiptState.refused:
            raise ValidationFailed(_("该单位已签收或正在签收，无需重新交办。"))
        if latest is not None:
            latest.state = ReceiptState.withdrawn
        record(actor, "task.reassigned", task, task_id=task.id, changes={"lead_unit": [before, before]},
               summary=task.label)
    db.session.flush()
    sign_within, _reply = loop_settings(task.plan_id)
    current = current_receipts(task)
    if current.get(unit.id) is not None and current[unit.id].state == ReceiptState.refused:
        current[unit.id].state = ReceiptState.withdrawn  # refused earlier, assigned again now: a new 交办
        del current[unit.id]
    if current.get(unit.id) is None or current[unit.id].role != "lead":
        _new_receipt(actor, task, unit.id, "lead", current_calendar().add_working_days(today, sign_within))
    assign_task(actor, task, today=today, before=units_before)
    return task


# ---------------------------------------------------------------- evidence of requests

def _store_files(request_obj, files: list[IncomingFile], store: EvidenceStore, allowed_extensions, max_bytes,
                 field: str) -> None:
    if len(files) > MAX_FILES:
        raise ValidationFailed(_("每次最多上传%(n)d个附件。", n=MAX_FILES))
    extensions = [check_file(incoming, allowed_extensions, max_bytes) for incoming in files]
    db.session.flush()
    try:
        for incoming, extension in zip(files, extensions):
            db.session.add(WorkflowEvidenceFile(**{field: request_obj.id}, **store.save(incoming, extension)))
        db.session.flush()
    except Exception:
        store.discard_saved()
        raise


# ---------------------------------------------------------------- 延期申请 (extensions)

PENDING = {ExtensionRequest: ExtensionState.pending, ClosureRequest: ClosureState.pending}


def pending_request(model, task: Task):
    """The task's request of this kind (``ExtensionRequest`` or ``ClosureRequest``) waiting for a decision."""
    return db.session.scalar(select(model).where(model.task_id == task.id, model.state == PENDING[model]))


def open_request_checks(actor, task: Task, model, already_message: str) -> ValidationFailed:
    """The checks a 延期申请 or 办结申请 opens with, the one place for both: the actor's unit leads the task, the
    task is open, and no request of the kind waits for a decision (one pending request per task). Returns
    the error a second request gets, for ``file_request``."""
    _require_lead_unit(actor, task)
    _require_open(task)
    already = ValidationFailed(already_message)
    if pending_request(model, task) is not None:
        raise already
    return already


def file_request(request, already: ValidationFailed) -> None:
    """Adds the request. Two requests at the same moment both pass ``open_request_checks``: the partial
    unique index ``uq_<table>_one_pending`` keeps the second out (``already``)."""
    model = type(request)
    add_once(request, index_named(model, f"uq_{model.__tablename__}_one_pending"), already)


def pending_extension(task: Task) -> ExtensionRequest | None:
    return pending_request(ExtensionRequest, task)


def extensions_of(task: Task) -> list[ExtensionRequest]:
    return list(db.session.scalars(select(ExtensionRequest).where(ExtensionRequest.task_id == task.id)
                                   .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)))


def original_due_on(task: Task) -> date | None:
    """原定时限: the due date before the first approved extension (the task's own one if none)."""
    first = db.session.scalar(select(ExtensionRequest.due_on_before).where(
        ExtensionRequest.task_id == task.id, ExtensionRequest.state == ExtensionState.approved)
        .order_by(ExtensionRequest.decided_at, ExtensionRequest.id).limit(1))
    return first if first is not None else task.due_on


def request_extension(actor, task: Task, *, requested_due_on: date | None, reason: str, today: date,
                      files: list[IncomingFile] = (), store: EvidenceStore | None = None,
                      allowed_extensions: tuple[str, ...] = (), max_bytes: int = 0) -> ExtensionRequest:
    """延期申请 by the lead unit; one open request per task; a request after the due date is marked late."""
    already = open_request_checks(actor, task, ExtensionRequest, _("该任务已有待审批的延期申请，请等待审批结果。"))
    if requested_due_on is None:
        raise ValidationFailed(_("请填写申请调整后的完成时限。"))
    if requested_due_on <= today or (task.due_on and requested_due_on <= task.due_on):
        raise ValidationFailed(_("申请的完成时限须晚于今天和现行完成时限。"))
    if not reason.strip():
        raise ValidationFailed(_("请说明延期理由。"))
    extension = ExtensionRequest(task=task, unit_id=actor.unit_id, requested_by_id=actor.id, requested_at=utcnow(),
                                 due_on_before=task.due_on, requested_due_on=requested_due_on,
                                 reason=reason.strip(), is_late=bool(task.due_on and today > task.due_on))
    file_request(extension, already)
    if files:
        _store_files(extension, list(files), store, allowed_extensions, max_bytes, "extension_id")
    record(actor, "extension.requested", extension, task_id=task.id,
           changes={"due_on": [task.due_on, requested_due_on], "late": extension.is_late}, summary=extension.reason[:200])
    events.extension_requested(extension)
    return extension


def decide_extension(actor, extension: ExtensionRequest, *, approve: bool, due_on: date | None = None,
                     comment: str = "", today: date, expected_version: int | None = None) -> ExtensionRequest:
    """A coordinator approves (optionally a different date) or refuses (with a reason) a request. An
    approval changes the task's 完成时限: overdue days count from the new date and the ladder stops."""
    _require_manager(actor)
    check_version(extension, expected_version, {"state": extension.state.value})
    if extension.state != ExtensionState.pending:
        raise ValidationFailed(_("该延期申请已审批，不能重复审批。"))
    task = extension.task
    if approve:
        new_due = due_on or extension.requested_due_on
        if new_due <= today or (extension.due_on_before and new_due <= extension.due_on_before):
            raise ValidationFailed(_("批准的完成时限须晚于今天和原完成时限。"))
        _require_open(task)
        extension.state, extension.approved_due_on = ExtensionState.approved, new_due
        before = task.due_on
        task.due_on = new_due
        record(actor, "task.due_date_extended", task, task_id=task.id, changes={"due_on": [before, new_due]},
               summary=task.label)
    else:
        if not comment.strip():
            raise ValidationFailed(_("不予批准时必须填写理由。"))
        extension.state = ExtensionState.rejected
    extension.decided_by_id, extension.decided_at = actor.id, utcnow()
    extension.decision_comment = comment.strip()
    record(actor, f"extension.{extension.state.value}", extension, task_id=task.id,
           changes={"due_on": [extension.due_on_before, extension.approved_due_on]} if approve else {},
           summary=extension.decision_comment[:200])
    events.extension_decided(extension)
    return extension


# ---------------------------------------------------------------- 办结申请 → 核查 → 销号 (closure)

def pending_closure(task: Task) -> ClosureRequest | None:
    return pending_request(ClosureRequest, task)


def closures_of(task: Task) -> list[ClosureRequest]:
    return list(db.session.scalars(select(ClosureRequest).where(ClosureRequest.task_id == task.id)
                                   .order_by(ClosureRequest.requested_at, ClosureRequest.id)))


def request_closure(actor, task: Task, *, summary: str, today: date, files: list[IncomingFile] = (),
                    store: EvidenceStore | None = None, allowed_extensions: tuple[str, ...] = (),
                    max_bytes: int = 0) -> ClosureRequest:
    """办结申请: the lead unit's closing report (what was done, evidence)."""
    already = open_request_checks(actor, task, ClosureRequest, _("该任务已有待核查的办结申请。"))
    if not summary.strip():
        raise ValidationFailed(_("请填写办结报告（完成情况）。"))
    closure = ClosureRequest(task=task, unit_id=actor.unit_id, requested_by_id=actor.id, requested_at=utcnow(),
                             due_on=task.due_on, summary=summary.strip())
    file_request(closure, already)
    if files:
        _store_files(closure, list(files), store, allowed_extensions, max_bytes, "closure_id")
    record(actor, "closure.requested", closure, task_id=task.id, changes={"late": bool(task.due_on and today > task.due_on)},
           summary=closure.summary[:200])
    events.closure_requested(closure)
    return closure


def decide_closure(actor, closure: ClosureRequest, *, verify: bool, comment: str = "", today: date,
                   expected_version: int | None = None) -> ClosureRequest:
    """核查: verified → the task is signed off (销号: completed, 100 %), or returned with a reason."""
    _require_manager(actor)
    check_version(closure, expected_version, {"state": closure.state.value})
    if closure.state != ClosureState.pending:
        raise ValidationFailed(_("该办结申请已核查，不能重复办理。"))
    task = closure.task
    if verify:
        _require_open(task)
        closure.state = ClosureState.verified
        before = {"status": task.status.value, "progress": task.progress}
        task.status, task.progress, task.completed_on = TaskStatus.completed, 100, today
        record(actor, "task.closed", task, task_id=task.id,
               changes={"status": [before["status"], "completed"], "progress": [before["progress"], 100]},
               summary=task.label)
        if task.parent is not None:
            from tracker.tasks.services import roll_up_progress

            roll_up_progress(actor, task.parent)
    else:
        if not comment.strip():
            raise ValidationFailed(_("退回办结申请时必须说明理由。"))
        closure.state = ClosureState.returned
    closure.decided_by_id, closure.decided_at, closure.decision_comment = actor.id, utcnow(), comment.strip()
    record(actor, f"closure.{closure.state.value}", closure, task_id=task.id, summary=closure.decision_comment[:200])
    events.closure_decided(closure)
    return closure


def reopen_task(actor, task: Task, *, reason: str, expected_version: int | None = None) -> Task:
    """A signed-off task reopened (重新打开): needs a reason; audited. It undoes what closing did: the
    status before the closure, the progress of the last accepted lead-unit report before it (the progress
    before the closure when none was accepted), no completion date; its verified closure no longer counts
    (``tracker.supervision.queries.closure_in_force``: 考评, the 通报's closed tasks), and the ledger, the public page and the scoreboard
    read the task as open again."""
    from tracker.audit.models import AuditEvent
    from tracker.updates.models import ReviewState, StatusUpdate

    _require_manager(actor)
    check_version(task, expected_version, {"status": task.status.value})
    if task.status != TaskStatus.completed:
        raise ValidationFailed(_("只有已办结的任务可以重新打开。"))
    if not reason.strip():
        raise ValidationFailed(_("重新打开任务时必须说明理由。"))
    closure = latest_verified_closure(task)
    closed = db.session.scalar(select(AuditEvent).where(AuditEvent.task_id == task.id, AuditEvent.action == "task.closed")
                               .order_by(AuditEvent.id.desc()).limit(1))
    before = (closed.changes or {}) if closed is not None else {}
    accepted = select(StatusUpdate.percent).where(
        StatusUpdate.task_id == task.id, StatusUpdate.unit_id == task.lead_unit_id,
        StatusUpdate.review_state == ReviewState.accepted)
    if closure is not None and closure.decided_at is not None:
        accepted = accepted.where(StatusUpdate.submitted_at <= closure.decided_at)
    percent = db.session.scalar(accepted.order_by(StatusUpdate.submitted_at.desc(), StatusUpdate.id.desc()).limit(1))
    if percent is None:
        percent = (before.get("progress") or [0])[0] or 0
    status_before = (before.get("status") or ["in_progress"])[0]
    status = TaskStatus(status_before) if status_before in ("not_started", "in_progress") else TaskStatus.in_progress
    if status == TaskStatus.not_started and percent > 0:
        status = TaskStatus.in_progress
    progress_before = task.progress
    task.status, task.completed_on, task.progress = status, None, percent
    record(actor, "task.reopened", task, task_id=task.id,
           changes={"status": ["completed", status.value], "progress": [progress_before, percent],
                    "reason": reason.strip()}, summary=reason.strip()[:200])
    if task.parent is not None:
        from tracker.tasks.services import roll_up_progress

        roll_up_progress(actor, task.parent)
    return task


def latest_verified_closure(task: Task) -> ClosureRequest | None:
    return db.session.scalar(select(ClosureRequest).where(ClosureRequest.task_id == task.id,
                                                          ClosureRequest.state == ClosureState.verified)
                             .order_by(ClosureRequest.decided_at.desc(), ClosureRequest.id.desc()).limit(1))


# ---------------------------------------------------------------- documents (催办单, 督办通知单)


def reply_document(actor, document: SupervisionDocument, *, text: str) -> SupervisionDocument:
    """反馈: the lead unit answers a 催办单/督办通知单 (reasons, measures, expected completion), once: a second
    reply, made later or at the same moment (the version column), is a conflict and changes nothing."""
    if actor.role != Role.unit or actor.unit_id != document.unit_id:
        raise PermissionDenied(_("只能反馈发给本单位的督办文书。"))
    already = ConflictError(_("该文书已被他人反馈，本次反馈未保存。"))
    if document.replied_at is not None:
        raise already
    if not document.is_issued:
        raise ValidationFailed(_("该文书尚未印发或已作废，无需反馈。"))
    if document.task_id is None:  # a notice about an item's reply: the reply itself answers it
        raise ValidationFailed(_("该文书督促的是提案答复，请在提案页面办理答复，无需在此反馈。"))
    if not text.strip():
        raise ValidationFailed(_("请填写反馈内容。"))
    document.reply_text, document.replied_at, document.replied_by_id = text.strip(), utcnow(), actor.id
    flush_versioned(already)
    record(actor, "document.replied", document, task_id=document.task_id, changes={"number": document.number},
           summary=document.reply_text[:200])
    events.document_replied(document)
    return document


def documents_of(task: Task) -> list[SupervisionDocument]:
    """The task's documents in the register (proposed, issued, void), in the order drafted."""
    return list(db.session.scalars(select(SupervisionDocument).where(SupervisionDocument.task_id == task.id)
                                   .order_by(SupervisionDocument.id)))


def ladder_of(task: Task, *, with_documents: bool = True) -> list[LadderStep]:
    """The task's ladder steps; ``with_documents`` False when the caller has loaded the task's documents
    (``documents_of``): the steps find them in the session."""
    query = select(LadderStep).where(LadderStep.task_id == task.id)
    if with_documents:
        query = query.options(selectinload(LadderStep.document))
    return list(db.session.scalars(query.order_by(LadderStep.due_on, LadderStep.kind, LadderStep.level)))


def current_level(task: Task) -> int:
    """The highest level reached in the task's current episode (its due date in force, never before its
    lead unit's 签收时限: tracker/tasks/obligations.py), 0 if none."""
    from tracker.common.deadlines import deadline_in_force
    from tracker.tasks.obligations import lead_assignment

    if task.status not in OPEN:
        return 0
    due_on = deadline_in_force(task.due_on, lead_assignment(task).owed_after)  # the episode's due date
    return db.session.scalar(select(func.max(LadderStep.level)).where(
        LadderStep.task_id == task.id, LadderStep.kind == "task", LadderStep.due_on == due_on)) or 0


# ---------------------------------------------------------------- 约谈 (interviews)

def record_interview(actor, task: Task, *, held_on: date | None, attendees: str, agreed: str,
                     follow_up_on: date | None, today: date) -> Interview:
    """约谈 at level 4: date, attendees, what was agreed, follow-up date."""
    _require_manager(actor)
    if current_level(task) < 4 and not any(step.level >= 4 for step in ladder_of(task)):
        raise ValidationFailed(_("任务达到第四级（通报）后才可以记录约谈。"))
    if held_on is None or held_on > today:
        raise ValidationFailed(_("请填写约谈日期（不晚于今天）。"))
    if not attendees.strip() or not agreed.strip():
        raise ValidationFailed(_("请填写参加人员和约谈议定事项。"))
    if follow_up_on is not None and follow_up_on < held_on:
        raise ValidationFailed(_("跟踪日期不能早于约谈日期。"))
    interview = Interview(task_id=task.id, held_on=held_on, attendees=attendees.strip(), agreed=agreed.strip(),
                          follow_up_on=follow_up_on, recorded_by_id=actor.id, recorded_at=utcnow())
    db.session.add(interview)
    record(actor, "interview.recorded", interview, task_id=task.id,
           changes={"held_on": held_on, "follow_up_on": follow_up_on}, summary=interview.agreed[:200])
    return interview


def interviews_of(task: Task) -> list[Interview]:
    return list(db.session.scalars(select(Interview).where(Interview.task_id == task.id)
                                   .order_by(Interview.held_on, Interview.id)))


# ---------------------------------------------------------------- a plan's ladder (settings)

def save_ladder_settings(actor, plan, *, sign_within_days: int, reply_within_days: int,
                         levels: list[tuple[int, object, bool]], document_mode: str | None = None) -> None:
    """签收 and reply limits, the 印发方式 (自动印发 / 待印发, unchanged when None), and each level's
    (working days, recipient groups, document?) of a plan's ladder; the days must rise with the level.
    Recipient groups are names of ``RECIPIENT_GROUPS`` (a list, or a comma list); the unit's contacts are
    always among them (the unit a level concerns always hears)."""
    from tracker.reminders.models import ReminderSettings
    from tracker.reminders.settings import DEFAULTS
    from tracker.supervision.ladder import DEFAULT_RULES, GROUP_LABELS, RECIPIENT_GROUPS, rules_for
    from tracker.supervision.models import EscalationRule
    from tracker.supervision.numbering import DOCUMENT_MODES

    _require_manager(actor)
    if not (1 <= sign_within_days <= 30 and 1 <= reply_within_days <= 30):
        raise ValidationFailed(_("签收时限和反馈时限须在1至30个工作日之间。"))
    if document_mode is not None and document_mode not in DOCUMENT_MODES:
        raise ValidationFailed(_("请选择督办文书的印发方式。"))
    days = [level_days for level_days, _recipients, _document in levels]
    if len(levels) != len(DEFAULT_RULES) or any(not 0 <= d <= 250 for d in days) or days != sorted(set(days)):
        raise ValidationFailed(_("各级督办的逾期工作日须逐级递增（0至250）。"))
    cleaned = []
    for level_days, recipients, document in levels:
        if isinstance(recipients, str):
            recipients = recipients.replace("，", ",").split(",")
        groups = [group.strip() for group in recipients if group and group.strip()]
        if any(group not in RECIPIENT_GROUPS for group in groups):
            raise ValidationFailed(_("接收人须为以下一项或多项：%(groups)s。",
                                     groups="、".join(str(GROUP_LABELS[group]) for group in RECIPIENT_GROUPS)))
        groups = [group for group in RECIPIENT_GROUPS if group == "unit" or group in groups]
        cleaned.append((level_days, ",".join(groups), document))
    before = {rule.level: (rule.after_days, ",".join(rule.recipients), rule.issues_document)
              for rule in rules_for(plan.id)}
    settings = db.session.scalar(select(ReminderSettings).where(ReminderSettings.plan_id == plan.id))
    if settings is None:
        settings = ReminderSettings(plan_id=plan.id, **DEFAULTS)
        db.session.add(settings)
    limits_before = (settings.sign_within_days or 2, settings.reply_within_days or 5)
    mode_before = settings.document_mode or "auto"
    settings.sign_within_days, settings.reply_within_days = sign_within_days, reply_within_days
    if document_mode is not None:
        settings.document_mode = document_mode
    rows = {row.level: row for row in db.session.scalars(select(EscalationRule).where(EscalationRule.plan_id == plan.id))}
    for level, (level_days, recipients, document) in enumerate(cleaned, start=1):
        row = rows.get(level) or EscalationRule(plan_id=plan.id, level=level)
        row.after_days, row.recipients, row.issues_document = level_days, recipients, bool(document and level in (2, 3))
        db.session.add(row)
    db.session.flush()
    after = {rule.level: (rule.after_days, ",".join(rule.recipients), rule.issues_document)
             for rule in rules_for(plan.id)}
    changes = {f"level{level}": [list(before[level]), list(after[level])] for level in after if before[level] != after[level]}
    if limits_before != (sign_within_days, reply_within_days):
        changes["limits"] = [list(limits_before), [sign_within_days, reply_within_days]]
    if document_mode is not None and mode_before != document_mode:
        changes["document_mode"] = [mode_before, document_mode]
    record(actor, "reminders.ladder", settings, changes=changes, summary=plan.title)
