"""Status updates (进展报送): submit, resubmit after 退回, review (accept / return)."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.access import permissions
from tracker.common import deadlines, events
from tracker.common.clock import utcnow
from tracker.common.errors import ConflictError, PermissionDenied, ValidationFailed
from tracker.common.races import add_once, check_version, index_named
from tracker.extensions import db
from tracker.tasks.models import Task, TaskStatus
from tracker.tasks.services import apply_accepted_report
from tracker.updates.evidence import EvidenceStore, IncomingFile, check_file
from tracker.updates.models import EvidenceFile, ReviewState, StatusUpdate

MAX_FILES_PER_UPDATE = 10
UPDATE_FIELDS = ("period", "progress_text", "percent", "problems", "next_steps", "review_state", "review_comment")


def reportable_periods(task: Task, today: date, count: int = 6) -> list[deadlines.ReportPeriod]:
    """Periods a unit may report on: the current one and a few before it, newest first."""
    cycle = task.reporting_cycle.value
    if cycle == deadlines.ONCE:
        period = deadlines.period_of(cycle, task.report_day, today, task.due_on)
        return [period] if period else []
    periods = [deadlines.period_of(cycle, task.report_day, today)]
    while len(periods) < count:
        periods.append(deadlines.previous_period(cycle, task.report_day, periods[-1]))
    return periods


def submit_update(actor, task: Task, *, period: str, progress_text: str, percent: int, problems: str = "",
                  next_steps: str = "", files: list[IncomingFile] = (), today: date, store: EvidenceStore,
                  allowed_extensions: tuple[str, ...], max_bytes: int,
                  resubmission_of: StatusUpdate | None = None) -> StatusUpdate:
    """A unit reports progress on a task; evidence files are stored and removed again if anything fails."""
    involvement = permissions.unit_involvement(actor, task)
    if involvement is None:
        raise PermissionDenied(_("您的单位不是该任务的牵头或配合单位。"))
    _check_report(task, period, progress_text, percent, resubmission=resubmission_of is not None)
    if len(files) > MAX_FILES_PER_UPDATE:
        raise ValidationFailed(_("每次最多上传%(n)d个附件。", n=MAX_FILES_PER_UPDATE))
    if resubmission_of is not None:
        if resubmission_of.task_id != task.id or resubmission_of.unit_id != actor.unit_id:
            raise PermissionDenied(_("只能重新提交本单位被退回的报送。"))
        if resubmission_of.review_state != ReviewState.returned:
            raise ValidationFailed(_("只有被退回的报送可以重新提交。"))
        if any(later.resubmission_of_id == resubmission_of.id for later in task_updates(task)):
            raise ValidationFailed(_("该退回的报送已重新提交过。"))
        # Two resubmissions at the same moment both pass the check: the unique index keeps one.
        already = ValidationFailed(_("该退回的报送已重新提交过。"))
    extensions = [check_file(incoming, allowed_extensions, max_bytes) for incoming in files]

    update = StatusUpdate(task=task, unit_id=actor.unit_id, author_id=actor.id, period=period,
                          progress_text=progress_text.strip(), percent=percent, problems=problems.strip(),
                          next_steps=next_steps.strip(), submitted_at=utcnow(),
                          resubmission_of=resubmission_of)
    if resubmission_of is not None:
        add_once(update, index_named(StatusUpdate, "ix_status_updates_resubmission_of_id"), already)
    else:
        db.session.add(update)
    try:
        for incoming, extension in zip(files, extensions):
            update.evidence.append(EvidenceFile(**store.save(incoming, extension)))
        action = "update.resubmitted" if resubmission_of is not None else "update.submitted"
        record(actor, action, update, task_id=task.id,
               changes={"period": period, "percent": percent, "unit": actor.unit.short_name,
                        "evidence": [e.original_name for e in update.evidence]},
               summary=progress_text.strip()[:200])
    except Exception:
        store.discard_saved()
        raise
    if resubmission_of is not None:
        db.session.flush()
        events.update_resubmitted.send(update)
    return update


def _check_report(task: Task, period: str, progress_text: str, percent: int, *, resubmission: bool = False) -> None:
    """What every report must be, whoever enters it: an open task, a period of its cycle, words, 0-100 %."""
    if task.status in (TaskStatus.completed, TaskStatus.suspended) and not resubmission:
        raise ValidationFailed(_("该任务已完成或暂缓，无需报送。"))
    if deadlines.period_by_key(task.reporting_cycle.value, task.report_day, period, task.due_on) is None:
        raise ValidationFailed(_("报送周期“%(period)s”不正确。", period=period))
    if not progress_text.strip():
        raise ValidationFailed(_("请填写工作进展。"))
    if not 0 <= percent <= 100:
        raise ValidationFailed(_("完成进度须在0至100之间。"))


def submit_update_on_behalf(actor, task: Task, *, period: str, progress_text: str, percent: int,
                            problems: str = "", next_steps: str = "", today: date) -> StatusUpdate:
    """督办代报: a coordinator enters the lead unit's (牵头单位) report on its behalf, from a 进展报送表 the units
    filled. Checked as the unit's own web submission; the update is the lead unit's, its author the coordinator
    (shown as 代报 in the task's history, recorded with ``on_behalf`` in the audit log) and it waits for review."""
    if not permissions.can_report_on_behalf(actor):
        raise PermissionDenied(_("只有督办人员可以代单位报送进展。"))
    _check_report(task, period, progress_text, percent)
    update = StatusUpdate(task=task, unit_id=task.lead_unit_id, author_id=actor.id, period=period,
                          progress_text=progress_text.strip(), percent=percent, problems=problems.strip(),
                          next_steps=next_steps.strip(), submitted_at=utcnow())
    db.session.add(update)
    record(actor, "update.submitted", update, task_id=task.id,
           changes={"period": period, "percent": percent, "unit": task.lead_unit.short_name, "on_behalf": True,
                    "evidence": []},
           summary=progress_text.strip()[:200])
    return update


def review_update(actor, update: StatusUpdate, *, decision: str, comment: str = "", today: date,
                  expected_version: int | None = None) -> StatusUpdate:
    """A coordinator accepts an update, or returns it (退回) with a required comment."""
    if not permissions.can_review_updates(actor):
        raise PermissionDenied(_("只有督办人员可以审核报送。"))
    check_version(update, expected_version, {field: getattr(update, field) for field in UPDATE_FIELDS})
    if update.review_state != ReviewState.submitted:
        raise ValidationFailed(_("该报送已审核，不能重复审核。"))
    if decision not in ("accept", "return"):
        raise ValidationFailed(_("请选择采纳或退回。"))
    if decision == "return" and not comment.strip():
        raise ValidationFailed(_("退回时必须填写审核意见。"))
    update.review_state = ReviewState.accepted if decision == "accept" else ReviewState.returned
    update.review_comment = comment.strip()
    update.reviewer_id = actor.id
    update.reviewed_at = utcnow()
    record(actor, f"update.{update.review_state.value}", update, task_id=update.task_id,
           changes={"review_state": ["submitted", update.review_state.value], "comment": update.review_comment},
           summary=update.review_comment)
    if update.review_state == ReviewState.returned:
        events.update_returned.send(update)
    else:
        events.update_accepted.send(update)
    task = update.task
    if update.review_state == ReviewState.accepted and update.unit_id == task.lead_unit_id:
        apply_accepted_report(actor, task, update.percent, today)
    return update


def accept_updates(actor, selected: list[tuple[StatusUpdate, int | None]], *, today: date) -> list[StatusUpdate]:
    """批量采纳: accepts each selected update with its own version check, in the caller's one transaction,
    each audited as a single acceptance is. One that another person changed or reviewed meanwhile stops
    the whole batch (the caller rolls back): nothing is half done."""
    if not permissions.can_review_updates(actor):
        raise PermissionDenied(_("只有督办人员可以审核报送。"))
    if not selected:
        raise ValidationFailed(_("请先勾选要采纳的报送。"))
    for update, version in selected:
        where = _("%(task)s %(period)s %(unit)s的报送", task=update.task.label, period=update.period,
                  unit=update.unit.short_name)
        try:
            review_update(actor, update, decision="accept", today=today, expected_version=version)
        except ConflictError:
            raise ConflictError(_("%(where)s已被他人修改或审核，本次批量采纳未执行，请刷新后重试。", where=where)) from None
        except ValidationFailed as error:
            raise ValidationFailed(_("%(where)s：%(error)s本次批量采纳未执行。", where=where, error=error.message)) from None
    return [update for update, _version in selected]


def task_updates(task: Task, limit: int | None = None) -> list[StatusUpdate]:
    """The task's updates, newest first (the latest ``limit`` of them when given)."""
    query = (select(StatusUpdate).where(StatusUpdate.task_id == task.id)
             .options(selectinload(StatusUpdate.evidence), selectinload(StatusUpdate.unit),
                      selectinload(StatusUpdate.author), selectinload(StatusUpdate.reviewer))
             .order_by(StatusUpdate.submitted_at.desc(), StatusUpdate.id.desc()))
    return list(db.session.scalars(query.limit(limit) if limit is not None else query))
