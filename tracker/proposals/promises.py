"""承诺事项: the promises of a B (正在解决) or C (列入计划) reply, each tracked with its own due date until the
unit answers again when the work is done (办结后再次答复).

Rules decided here:
- the result class of a reply (A 已解决/采纳, B 正在解决, C 列入计划, D 留作参考) is
  ``tracker.proposals.documents.result_class``, the one mapping of the register's wording (解决采纳, 部分采纳或
  解决 …); only B and C replies carry promises;
- a promise is entered with the reply (text and due date), or derived from the commitments the reply importer
  extracted (``derive_promises``): its due date is the follow-up task's due date when the commitment was made a
  task, else the commitment's written time limit (“2025年二季度” → 2025-06-30), else
  ``PROPOSAL_PROMISE_MONTHS`` (default 12) months after the reply;
- promises and follow-up tasks (tracker.proposals.services.commitment_to_task): the promise is what the unit
  owes the proposer, closed only by the second reply; the task is the government's own tracking of the work,
  with monthly reports, closed by its own 办结. A promise and a task with the same text are linked (``task_id``,
  set here, ``link_task``); closing one never closes the other;
- the 主办 unit's users and coordinators/admins add promises and answer them; leaders and 会办 units read;
- reminders (tracker.reminders.scan, step "promise_reminders"): once when a promise falls due within
  ``PROPOSAL_PROMISE_DUE_SOON_WORKING_DAYS`` (default 10) working days, once when it is overdue.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.access import permissions
from tracker.audit.sentences import Said
from tracker.audit.sentences import register as register_sentence
from tracker.audit.services import record
from tracker.common import deadlines
from tracker.common import events
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.documents import RESULT_CLASSES, result_class
from tracker.proposals.models import PromiseState, Proposal, ProposalPromise, ProposalState
from tracker.proposals.services import _config, add_months, proposal_involvement, tracked_commitments
from tracker.tasks.models import Task

PROMISE_CLASSES = ("B", "C")
DEFAULT_PROMISE_MONTHS = 12
DEFAULT_PROMISE_DUE_SOON_WORKING_DAYS = 10
MAX_TEXT = 5000
ANSWERED_STATES = (ProposalState.replied, ProposalState.feedback_received)
PROMISE_STATE_LABELS = {PromiseState.open: _l("待再次答复"), PromiseState.kept: _l("已再次答复")}
CLASS_LABELS = {"A": _l("已解决/采纳"), "B": _l("正在解决"), "C": _l("列入计划"), "D": _l("留作参考")}
assert set(CLASS_LABELS) == set(RESULT_CLASSES)


def promise_months() -> int:
    return int(_config("PROPOSAL_PROMISE_MONTHS", DEFAULT_PROMISE_MONTHS))


def promise_due_soon_working_days() -> int:
    return int(_config("PROPOSAL_PROMISE_DUE_SOON_WORKING_DAYS", DEFAULT_PROMISE_DUE_SOON_WORKING_DAYS))


def class_label(proposal: Proposal) -> str:
    """“C 列入计划” for the item's result category (the stored wording keeps displaying beside it)."""
    klass = result_class(proposal.result_category)
    return f"{klass} {CLASS_LABELS[klass]}" if klass else ""


def carries_promises(proposal: Proposal) -> bool:
    """An answered item whose result class is B or C."""
    return proposal.reply_on is not None and result_class(proposal.result_category) in PROMISE_CLASSES


def can_handle_promises(user, proposal: Proposal) -> bool:
    return permissions.is_manager(user) or proposal_involvement(user, proposal) == "main"


def promises_of(proposal: Proposal) -> list[ProposalPromise]:
    return list(db.session.scalars(select(ProposalPromise).where(ProposalPromise.proposal_id == proposal.id)
                                   .order_by(ProposalPromise.due_on, ProposalPromise.id)))


def _check(actor, proposal: Proposal) -> None:
    if not can_handle_promises(actor, proposal):
        raise PermissionDenied(_("只有主办单位或交办机构可以登记承诺事项。"))
    if not carries_promises(proposal):
        raise ValidationFailed(_("只有办理结果为B类（正在解决）或C类（列入计划）的答复才登记承诺事项。"))


def link_task(promise: ProposalPromise, tasks: dict[str, Task]) -> None:
    """Links the promise to the follow-up task made from the same commitment text (if any)."""
    task = tasks.get(promise.text)
    if task is not None and promise.task_id is None:
        promise.task_id = task.id


def promise_tasks(proposal: Proposal, promises: list[ProposalPromise]) -> dict[int, Task]:
    """Promise id → its follow-up task: the linked one, or one made later from the same commitment text."""
    tasks = tracked_commitments(proposal)
    by_id = {task.id: task for task in tasks.values()}
    found = {}
    for promise in promises:
        task = by_id.get(promise.task_id) if promise.task_id else tasks.get(promise.text)
        if task is not None:
            found[promise.id] = task
    return found


def add_promise(actor, proposal: Proposal, *, text: str, due_on: date | None, today: date) -> ProposalPromise:
    """A promise entered with the reply (承诺事项, with its due date)."""
    _check(actor, proposal)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写承诺事项。"))
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_("承诺事项不能超过%(count)d字。", count=MAX_TEXT))
    if due_on is None:
        raise ValidationFailed(_("请填写承诺完成时限。"))
    if due_on < proposal.reply_on:
        raise ValidationFailed(_("承诺完成时限不能早于答复日期。"))
    if due_on > proposal.reply_on + timedelta(days=366 * 5):
        raise ValidationFailed(_("承诺完成时限不能超过答复后五年。"))
    if db.session.scalar(select(ProposalPromise.id).where(ProposalPromise.proposal_id == proposal.id,
                                                          ProposalPromise.text == text)) is not None:
        raise ValidationFailed(_("该承诺事项已登记。"))
    promise = ProposalPromise(proposal_id=proposal.id, text=text, due_on=due_on)
    link_task(promise, tracked_commitments(proposal))
    db.session.add(promise)
    db.session.flush()
    record(actor, "proposal.promise_added", proposal, summary=str(proposal),
           changes={"promise_id": promise.id, "text": text, "due_on": due_on.isoformat()})
    return promise


def commitment_due_on(proposal: Proposal, commitment: dict, tasks: dict[str, Task]) -> date:
    """The due date of a promise derived from a commitment: its task's, its written limit, or the default."""
    from tracker.imports.drafts import date_from_hint

    text = str(commitment.get("text") or "").strip()
    if text in tasks and tasks[text].due_on:
        return tasks[text].due_on
    hinted = date_from_hint(commitment.get("due_hint"), proposal.reply_on.year)
    if hinted is not None and hinted >= proposal.reply_on:
        return hinted
    return add_months(proposal.reply_on, promise_months())


def derive_promises(actor, proposal: Proposal, *, today: date) -> list[ProposalPromise]:
    """Promises from the commitments the reply importer extracted, those not yet promised."""
    _check(actor, proposal)
    tasks = tracked_commitments(proposal)
    existing = set(db.session.scalars(select(ProposalPromise.text).where(ProposalPromise.proposal_id == proposal.id)))
    created = []
    for commitment in proposal.commitments or []:
        text = str(commitment.get("text") or "").strip()[:MAX_TEXT]
        if not text or text in existing:
            continue
        existing.add(text)
        promise = ProposalPromise(proposal_id=proposal.id, text=text,
                                  due_on=commitment_due_on(proposal, commitment, tasks))
        link_task(promise, tasks)
        db.session.add(promise)
        created.append(promise)
    if not created:
        raise ValidationFailed(_("答复中没有尚未登记的承诺事项。"))
    db.session.flush()
    record(actor, "proposal.promises_derived", proposal, summary=str(proposal),
           changes={"count": len(created), "texts": [p.text for p in created]})
    return created


def answer_promise(actor, proposal: Proposal, promise: ProposalPromise, *, text: str, answered_on: date | None,
                   answered_by: str, today: date) -> ProposalPromise:
    """办结后再次答复: the unit tells the proposer the promised work is done; the promise is kept."""
    if promise.proposal_id != proposal.id:
        raise ValidationFailed(_("承诺事项不属于该件。"))
    if not can_handle_promises(actor, proposal):
        raise PermissionDenied(_("只有主办单位或交办机构可以登记再次答复。"))
    if promise.state == PromiseState.kept:
        raise ValidationFailed(_("该承诺事项已再次答复。"))
    text, answered_by = (text or "").strip(), (answered_by or "").strip()
    if not text:
        raise ValidationFailed(_("请填写再次答复的内容。"))
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_("再次答复不能超过%(count)d字。", count=MAX_TEXT))
    if answered_on is None:
        raise ValidationFailed(_("请填写再次答复日期。"))
    if answered_on > today:
        raise ValidationFailed(_("再次答复日期不能晚于今天。"))
    if proposal.reply_on and answered_on < proposal.reply_on:
        raise ValidationFailed(_("再次答复日期不能早于答复日期。"))
    if not answered_by:
        raise ValidationFailed(_("请填写再次答复的签发人或经办人。"))
    if len(answered_by) > 60:
        raise ValidationFailed(_("签发人或经办人不能超过60字。"))
    promise.state, promise.answer_text, promise.answered_on = PromiseState.kept, text, answered_on
    promise.answered_by, promise.answered_by_user_id = answered_by, getattr(actor, "id", None)
    late = deadlines.overdue_days(promise.due_on, answered_on) if answered_on > promise.due_on else 0
    record(actor, "proposal.promise_answered", proposal, summary=str(proposal),
           changes={"promise_id": promise.id, "text": promise.text, "answered_on": answered_on.isoformat(),
                    "answered_by": answered_by, "late_days": late})
    events.promise_answered.send(proposal, actor=actor, promise=promise)
    return promise


# ---------------------------------------------------------------------------------------------------------
# Reminders: which promises are due soon or overdue on a day (the scan queues the emails)
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PromiseEvent:
    """``event`` "due_soon" (``days`` working days left) or "overdue" (``days`` working days late)."""

    promise: ProposalPromise
    event: str
    days: int


def promise_events(today: date, working_days: int | None = None) -> list[PromiseEvent]:
    """Open promises due within ``working_days`` working days, or overdue, as of ``today``."""
    working_days = promise_due_soon_working_days() if working_days is None else working_days
    horizon = today + timedelta(days=working_days * 2 + 21)  # a calendar superset, then the exact rule
    query = (select(ProposalPromise).where(ProposalPromise.state == PromiseState.open,
                                           ProposalPromise.due_on <= horizon)
             .options(selectinload(ProposalPromise.proposal).selectinload(Proposal.main_unit))
             .order_by(ProposalPromise.due_on, ProposalPromise.id))
    events = []
    for promise in db.session.scalars(query):
        if promise.due_on < today:
            events.append(PromiseEvent(promise, "overdue", deadlines.overdue_days(promise.due_on, today)))
            continue
        left = deadlines.due_in_days(promise.due_on, today)
        if left is not None and left <= working_days:
            events.append(PromiseEvent(promise, "due_soon", left))
    return events


# ---------------------------------------------------------------------------------------------------------
# History sentences
# ---------------------------------------------------------------------------------------------------------

def _said_promise(event, names):
    changes = event.changes or {}
    if event.action == "proposal.promise_added":
        return Said(_("%(actor)s 登记了承诺事项，完成时限 %(due)s", actor=event.actor, due=changes.get("due_on", "")),
                    note=changes.get("text", ""))
    if event.action == "proposal.promises_derived":
        return Said(_("%(actor)s 由答复中的承诺生成了%(count)s项承诺事项", actor=event.actor,
                      count=changes.get("count", 0)), details=list(changes.get("texts") or []))
    return Said(_("%(actor)s 登记了办结后再次答复（%(day)s，%(person)s）", actor=event.actor,
                  day=changes.get("answered_on", ""), person=changes.get("answered_by", "")),
                note=changes.get("text", ""))


for _action in ("proposal.promise_added", "proposal.promises_derived", "proposal.promise_answered"):
    register_sentence(_action, _said_promise)
