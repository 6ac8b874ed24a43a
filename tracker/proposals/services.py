"""Proposal handling (提案办理): registering proposals, their state, the reply, importing a reply document,
and turning the reply's commitments into follow-up tasks of a plan of kind ``proposal_reply``.

Rules decided here:
- the reply is due (答复期限) ``PROPOSAL_REPLY_MONTHS`` (default 3) months after assignment unless set;
- the state only moves forward: assigned (已交办) → replying (办理中) → replied (已答复) → feedback received
  (已反馈); "replying" may be skipped. Replied needs the reply date and the result category, feedback
  received needs the proposer's feedback;
- result categories and publicity come from configurable lists (``PROPOSAL_RESULT_CATEGORIES``,
  ``PROPOSAL_PUBLICITY``);
- unit users see the proposals their unit handles (主办 or 会办), read-only; coordinators and admins
  manage; leaders read everything.
"""
from __future__ import annotations

import calendar
import copy
import re
from datetime import date

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.orm import selectinload

from tracker.audit.sentences import register_value_labels
from tracker.audit.services import diff, record
from tracker.auth.models import Role
from tracker.common import events
from tracker.access import permissions
from tracker.common.errors import ConflictError, ValidationFailed
from tracker.common.races import check_version
from tracker.common.upsert import on_postgresql
from tracker.extensions import db
from tracker.plans.models import PlanKind, PlanStatus
from tracker.plans.services import save_plan
from tracker.proposals.models import Proposal, ProposalKind, ProposalState, proposal_co_units
from tracker.tasks.models import ReportingCycle, Task
from tracker.tasks.services import save_task
from tracker.units.models import Unit

DEFAULT_RESULT_CATEGORIES = ("解决采纳", "部分采纳或解决", "正在解决", "列入计划", "留作参考", "因条件限制无法解决")
DEFAULT_PUBLICITY = ("主动公开", "依申请公开", "不予公开")
FEEDBACK_CHOICES = ("满意", "基本满意", "不满意")
DEFAULT_REPLY_MONTHS = 3
DEFAULT_DUE_SOON_WORKING_DAYS = 10
FOLLOW_UP_REPORT_DAY = 25

STATE_ORDER = (ProposalState.assigned, ProposalState.replying, ProposalState.replied,
               ProposalState.feedback_received)
OPEN_STATES = (ProposalState.assigned, ProposalState.replying)
STATE_LABELS = {
    ProposalState.assigned: _l("已交办"), ProposalState.replying: _l("办理中"),
    ProposalState.replied: _l("已答复"), ProposalState.feedback_received: _l("已反馈"),
}
register_value_labels("proposals.state", STATE_LABELS)  # the history says 办理中, not replying
STATE_BADGES = {ProposalState.assigned: "secondary", ProposalState.replying: "primary",
                ProposalState.replied: "success", ProposalState.feedback_received: "info"}

FIELDS = ("kind", "meeting", "number", "title", "proposers", "main_unit_id", "co_unit_ids", "assigned_on", "reply_due_on",
          "state", "reply_doc_number", "reply_on", "result_category", "publicity", "contact_name", "contact_phone",
          "contact_address", "postal_code", "feedback")


def _config(name: str, default):
    return current_app.config.get(name, default) if has_app_context() else default


def result_categories() -> tuple[str, ...]:
    return tuple(_config("PROPOSAL_RESULT_CATEGORIES", DEFAULT_RESULT_CATEGORIES))


def publicity_choices() -> tuple[str, ...]:
    return tuple(_config("PROPOSAL_PUBLICITY", DEFAULT_PUBLICITY))


def reply_months() -> int:
    return int(_config("PROPOSAL_REPLY_MONTHS", DEFAULT_REPLY_MONTHS))


def due_soon_working_days() -> int:
    return int(_config("PROPOSAL_DUE_SOON_WORKING_DAYS", DEFAULT_DUE_SOON_WORKING_DAYS))


def state_label(state: ProposalState | str) -> str:
    return str(STATE_LABELS.get(ProposalState(state), state))


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (11-30 + 3 months → 02-28/29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_reply_due_on(assigned_on: date | None) -> date | None:
    return add_months(assigned_on, reply_months()) if assigned_on else None


def normalise_number(number: str) -> str:
    """"0746", "746号" and "第0746号" are written "第0746号"."""
    number = re.sub(r"\s+", "", number or "")
    if not number:
        return ""
    core = re.sub(r"^第|号$", "", number)
    return f"第{core}号"


# ---------------------------------------------------------------------------------------------------------
# Who sees what (built on tracker.access.permissions)
# ---------------------------------------------------------------------------------------------------------

def can_manage_proposals(user) -> bool:
    return permissions.is_manager(user)


def proposal_involvement(user, proposal: Proposal) -> str | None:
    """"main" (主办), "co" (会办) or None for a unit user's relation to a proposal."""
    if not user.is_authenticated or user.role != Role.unit or user.unit_id is None:
        return None
    if proposal.main_unit_id == user.unit_id:
        return "main"
    if any(unit.id == user.unit_id for unit in proposal.co_units):
        return "co"
    return None


def can_view_proposal(user, proposal: Proposal) -> bool:
    return permissions.can_read_everything(user) or proposal_involvement(user, proposal) is not None


def visible_proposal_condition(user):
    if permissions.can_read_everything(user):
        return True
    if user.is_authenticated and user.role == Role.unit and user.unit_id is not None:
        co = exists().where(proposal_co_units.c.proposal_id == Proposal.id,
                            proposal_co_units.c.unit_id == user.unit_id)
        return or_(Proposal.main_unit_id == user.unit_id, co)
    return False


# ---------------------------------------------------------------------------------------------------------
# Creating and editing
# ---------------------------------------------------------------------------------------------------------

def _snapshot(proposal: Proposal) -> dict:
    values = {field: getattr(proposal, field) for field in FIELDS if field != "co_unit_ids"}
    values["co_unit_ids"] = sorted(unit.id for unit in proposal.co_units)
    return values


def hold_item(proposal: Proposal) -> None:
    """Locks the item's row until the transaction ends (办理步骤加锁), then reloads what the session holds, so
    that every check made after it reads what the step before it committed. Each step that changes what
    another step checks holds the item first (签收/退回, 协办意见, 送会签, 会签, 延期申请 and its decision, the
    reply): two of them sent at the same moment run one after the other, never both on the same read.
    SELECT … FOR NO KEY UPDATE on PostgreSQL (the rows that merely refer to the item, a contact record or
    an audit event, are not held up); on SQLite, which has no row locks, its database write lock, taken by an
    UPDATE that changes nothing (a second writer waits for the commit: busy_timeout)."""
    db.session.flush()  # nothing of this transaction is lost by the reload below
    if on_postgresql():
        db.session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update(key_share=True))
    else:
        db.session.execute(text("UPDATE proposals SET version = version WHERE id = :id"), {"id": proposal.id})
    db.session.expire_all()


# Checks run before an open item is recorded as answered (已答复), e.g. every 协办 has 会签'd the draft
# (tracker.proposals.cosign registers its own); each raises ValidationFailed to refuse the reply.
REPLY_GUARDS: list = []


def before_reply(guard):
    """Registers ``guard(proposal)`` to run before an open item is recorded as answered; returns it."""
    REPLY_GUARDS.append(guard)
    return guard


def _check_transition(before: ProposalState | None, after: ProposalState) -> None:
    if before is None or before == after:
        return
    if STATE_ORDER.index(after) < STATE_ORDER.index(before):
        raise ValidationFailed(_("提案状态不能从“%(before)s”退回到“%(after)s”。",
                                 before=state_label(before), after=state_label(after)))
    if before == ProposalState.assigned and after == ProposalState.feedback_received:
        raise ValidationFailed(_("提案尚未答复，不能登记为“已反馈”。"))


def save_proposal(actor, proposal: Proposal | None, *, meeting: str, number: str, title: str,
                  main_unit_id: int | None, proposers: str = "", co_unit_ids=(), assigned_on: date | None = None,
                  reply_due_on: date | None = None, state: ProposalState | str = ProposalState.assigned,
                  reply_doc_number: str = "", reply_on: date | None = None, result_category: str = "",
                  publicity: str = "", contact_name: str = "", contact_phone: str = "", contact_address: str = "",
                  postal_code: str = "", reply_text: str | None = None, feedback: str = "",
                  commitments: list[dict] | None = None, expected_version: int | None = None,
                  kind: ProposalKind | str | None = None) -> Proposal:
    """Creates (``proposal`` None) or edits a proposal with its audit event; refuses invalid data."""
    try:
        state = ProposalState(state)
    except ValueError:
        raise ValidationFailed(_("提案状态无效。")) from None
    try:
        kind = ProposalKind(kind) if kind else (proposal.kind if proposal is not None else ProposalKind.cppcc)
    except ValueError:
        raise ValidationFailed(_("类别须为政协提案或人大建议。")) from None
    meeting, number, title = (meeting or "").strip(), normalise_number(number), (title or "").strip()
    if not meeting or not number or not title:
        raise ValidationFailed(_("请填写会议、提案编号和提案标题。"))
    clash = db.session.scalar(select(Proposal.id).where(Proposal.meeting == meeting, Proposal.number == number))
    if clash is not None and (proposal is None or clash != proposal.id):
        raise ValidationFailed(_("%(meeting)s%(number)s提案已登记。", meeting=meeting, number=number))
    if main_unit_id is None or db.session.get(Unit, main_unit_id) is None:
        raise ValidationFailed(_("请选择主办单位。"))
    co_unit_ids = sorted({int(uid) for uid in co_unit_ids})
    if main_unit_id in co_unit_ids:
        raise ValidationFailed(_("主办单位不能同时作为会办单位。"))
    co_units = list(db.session.scalars(select(Unit).where(Unit.id.in_(co_unit_ids)))) if co_unit_ids else []
    if len(co_units) != len(co_unit_ids):
        raise ValidationFailed(_("会办单位选择无效。"))
    if state in OPEN_STATES and assigned_on is None:
        raise ValidationFailed(_("请填写交办日期。"))
    if reply_due_on is None:
        reply_due_on = default_reply_due_on(assigned_on)
    if assigned_on and reply_due_on and reply_due_on < assigned_on:
        raise ValidationFailed(_("答复期限不能早于交办日期。"))
    if assigned_on and reply_on and reply_on < assigned_on:
        raise ValidationFailed(_("答复日期不能早于交办日期。"))
    result_category, publicity, feedback = (result_category or "").strip(), (publicity or "").strip(), \
        (feedback or "").strip()
    if result_category and result_category not in result_categories():
        raise ValidationFailed(_("办理结果“%(value)s”不在可选类别中（%(choices)s）。", value=result_category,
                                 choices="、".join(result_categories())))
    if publicity and publicity not in publicity_choices():
        raise ValidationFailed(_("公开属性“%(value)s”不在可选项中（%(choices)s）。", value=publicity,
                                 choices="、".join(publicity_choices())))
    if feedback and feedback not in FEEDBACK_CHOICES:
        raise ValidationFailed(_("提案人反馈须为满意、基本满意或不满意。"))
    if state in (ProposalState.replied, ProposalState.feedback_received):
        if reply_on is None or not result_category:
            raise ValidationFailed(_("登记为已答复须填写答复日期和办理结果。"))
    if state == ProposalState.feedback_received and not feedback:
        raise ValidationFailed(_("登记为已反馈须填写提案人反馈意见。"))
    if feedback and state in OPEN_STATES:
        raise ValidationFailed(_("答复前不能登记提案人反馈。"))
    _check_transition(proposal.state if proposal is not None else None, state)
    if proposal is not None and proposal.state in OPEN_STATES and state not in OPEN_STATES:
        # The reply and the steps its guards check (会签, a new draft …) never pass on the same read.
        seen = proposal.version
        hold_item(proposal)
        if proposal.version != seen:  # changed since it was read (answered, its deadline moved …)
            raise ConflictError(_("该记录已被他人修改，请查看最新内容后重新提交。"), current=_snapshot(proposal))
        for guard in REPLY_GUARDS:
            guard(proposal)

    values = {"meeting": meeting[:100], "number": number[:40], "title": title[:300], "proposers": proposers.strip()[:300],
              "main_unit_id": main_unit_id, "assigned_on": assigned_on, "reply_due_on": reply_due_on,
              "state": state, "reply_doc_number": reply_doc_number.strip()[:80], "reply_on": reply_on,
              "result_category": result_category, "publicity": publicity, "contact_name": contact_name.strip()[:60],
              "contact_phone": contact_phone.strip()[:40], "contact_address": contact_address.strip()[:200],
              "postal_code": postal_code.strip()[:10], "feedback": feedback, "kind": kind}
    if reply_text is not None:
        values["reply_text"] = reply_text.strip()
    if commitments is not None:
        values["commitments"] = [{"text": str(c.get("text") or "").strip(), "due_hint": c.get("due_hint")}
                                 for c in commitments if str(c.get("text") or "").strip()]
    if proposal is None:
        proposal = Proposal(**values)
        proposal.co_units = co_units
        db.session.add(proposal)
        record(actor, "proposal.created", proposal, changes=_snapshot(proposal), summary=str(proposal))
        _answered(actor, proposal, None)
        return proposal
    before = _snapshot(proposal)
    check_version(proposal, expected_version, before)
    for field, value in values.items():
        setattr(proposal, field, value)
    proposal.co_units = co_units
    record(actor, "proposal.updated", proposal, changes=diff(before, _snapshot(proposal)), summary=str(proposal))
    _answered(actor, proposal, before["state"])
    return proposal


def _answered(actor, proposal: Proposal, before: ProposalState | None) -> None:
    """The reply recorded (已答复): subscribers hear of it once per reply (a second one after 重新办理 too)."""
    if proposal.state == ProposalState.replied and before != ProposalState.replied:
        db.session.flush()  # a new item has its id for the event's subscribers
        events.proposal_answered.send(proposal, actor=actor)


def record_reply(actor, proposal: Proposal, *, reply_on: date, result_category: str, reply_doc_number: str = "",
                 publicity: str = "", reply_text: str | None = None,
                 expected_version: int | None = None) -> Proposal:
    """答复: the unit's reply recorded on the item (答复日期, 办理结果, 文号, 公开属性, text), which makes it 已答复.
    The other fields stay as they are; every rule is save_proposal's (the edit form's)."""
    return save_proposal(
        actor, proposal, meeting=proposal.meeting, number=proposal.number, title=proposal.title,
        main_unit_id=proposal.main_unit_id, proposers=proposal.proposers,
        co_unit_ids=[unit.id for unit in proposal.co_units], assigned_on=proposal.assigned_on,
        reply_due_on=proposal.reply_due_on, state=ProposalState.replied,
        reply_doc_number=reply_doc_number or proposal.reply_doc_number, reply_on=reply_on,
        result_category=result_category, publicity=publicity or proposal.publicity,
        contact_name=proposal.contact_name, contact_phone=proposal.contact_phone,
        contact_address=proposal.contact_address, postal_code=proposal.postal_code, reply_text=reply_text,
        feedback="", expected_version=expected_version, kind=proposal.kind)


# ---------------------------------------------------------------------------------------------------------
# Importing a reply document
# ---------------------------------------------------------------------------------------------------------

def _iso(value, label: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(_("%(field)s“%(value)s”不是有效日期（应为YYYY-MM-DD）。", field=label,
                                 value=value)) from None


def find_by_meeting_and_number(meeting: str | None, number: str | None) -> Proposal | None:
    if not meeting or not number:
        return None
    return db.session.scalar(select(Proposal).where(Proposal.meeting == meeting.strip(),
                                                    Proposal.number == normalise_number(number)))


def import_reply(actor, draft, edited: dict | None = None, *, today: date) -> Proposal:
    """Fills a new proposal, or the one with the same meeting and number, from a reply draft."""
    from tracker.imports.drafts import resolve_unit_refs
    from tracker.imports.models import DraftState

    payload = copy.deepcopy(edited if edited is not None else draft.payload)
    if not str(payload.get("meeting") or "").strip() or not str(payload.get("proposal_number") or "").strip():
        raise ValidationFailed(_("未识别到会议名称或提案编号，请在审核页填写后再导入。"))
    if not payload.get("main_unit"):
        raise ValidationFailed(_("请选择主办单位。"))
    units = resolve_unit_refs(actor, payload.get("new_units") or [],
                              {_("主办单位"): payload.get("main_unit") or "",
                               _("会办单位"): list(payload.get("co_units") or [])})
    main_unit_id, co_unit_ids = list(units.values())
    existing = find_by_meeting_and_number(payload["meeting"], payload["proposal_number"])
    reply_on = _iso(payload.get("reply_date"), _("答复日期"))
    state = ProposalState.replied if reply_on else ProposalState.assigned
    if existing is not None and STATE_ORDER.index(existing.state) > STATE_ORDER.index(state):
        state = existing.state
    proposal = save_proposal(
        actor, existing, meeting=payload["meeting"], number=payload["proposal_number"],
        title=str(payload.get("title") or "").strip() or (existing.title if existing else ""),
        proposers=existing.proposers if existing is not None and existing.people else
        str(payload.get("proposers") or ""), main_unit_id=main_unit_id,
        co_unit_ids=[uid for uid in co_unit_ids if uid and uid != main_unit_id],
        assigned_on=_iso(payload.get("assigned_on"), _("交办日期")),
        reply_due_on=_iso(payload.get("reply_due_on"), _("答复期限")), state=state,
        reply_doc_number=str(payload.get("reply_doc_number") or ""), reply_on=reply_on,
        result_category=str(payload.get("result_category") or ""), publicity=str(payload.get("publicity") or ""),
        contact_name=str(payload.get("contact_name") or ""), contact_phone=str(payload.get("contact_phone") or ""),
        contact_address=str(payload.get("contact_address") or ""), postal_code=str(payload.get("postal_code") or ""),
        reply_text=str(payload.get("body") or ""), feedback=existing.feedback if existing else "",
        commitments=payload.get("commitments") or [])
    draft.state = DraftState.applied
    if proposal.id is None:
        db.session.flush()
    draft.applied_proposal_id = proposal.id
    draft.payload = payload
    record(actor, "import.applied", draft, changes={"proposal_id": proposal.id, "matched": existing is not None},
           summary=str(proposal))
    return proposal


# ---------------------------------------------------------------------------------------------------------
# Commitments → follow-up tasks
# ---------------------------------------------------------------------------------------------------------

_LEAD_IN = re.compile(r"^(?:下一步|下阶段|今后|后续|同时|此外|另外|另一方面|一方面|线上|线下|如|近期|目前)[，,：:]?\s*")
_SUBJECT = re.compile(r"^[^，。；]{1,12}?(?:将|拟|计划)(?=[\u4e00-\u9fff])")


def commitment_title(text: str) -> str:
    """A short task title from a commitment sentence: its first clause without the lead-in."""
    title = _LEAD_IN.sub("", text.strip())
    title = _SUBJECT.sub("", title) or title
    clause = re.split(r"[，。；;！？]", title, maxsplit=1)[0].strip()
    if 4 <= len(clause) <= 40:
        return clause
    return title[:40].rstrip("，。；") + ("…" if len(title) > 40 else "")


def follow_up_plan(actor, proposal: Proposal, today: date):
    """The proposal's follow-up plan (kind proposal_reply, active), created on first use."""
    if proposal.follow_up_plan is not None:
        return proposal.follow_up_plan
    plan = save_plan(actor, None, title=f"提案办理跟踪：{proposal.title}"[:300], doc_number=proposal.reply_doc_number,
                     issuer=proposal.main_unit.name[:120], issued_on=proposal.reply_on or today,
                     kind=PlanKind.proposal_reply, status=PlanStatus.active)
    proposal.follow_up_plan = plan
    return plan


def commitment_to_task(actor, proposal: Proposal, text: str, lead_unit_id: int | None = None,
                       due_on: date | None = None, today: date | None = None, *, title: str | None = None,
                       cooperating_unit_ids=()) -> Task:
    """Turns a commitment of the reply into a monthly-reported task of the proposal's follow-up plan, led by
    the main handling unit unless another unit is chosen; it then shows on that unit's 我的任务, on the
    overdue list and in the reminders like every task."""
    if today is None:
        raise ValueError("today is required")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写承诺事项。"))
    if due_on is None:
        raise ValidationFailed(_("请填写完成时限。"))
    plan = follow_up_plan(actor, proposal, today)
    duplicate = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.text == text))
    if duplicate is not None:
        raise ValidationFailed(_("该承诺事项已转为跟踪任务（%(task)s）。", task=duplicate.label))
    numbers = [int(n) for n in db.session.scalars(select(Task.number).where(Task.plan_id == plan.id)) if n.isdigit()]
    task = save_task(actor, plan, None, number=str(max(numbers, default=0) + 1),
                     title=(title or "").strip() or commitment_title(text), text=text,
                     lead_unit_id=lead_unit_id or proposal.main_unit_id,
                     cooperating_unit_ids=[uid for uid in cooperating_unit_ids if uid],
                     start_on=today if due_on >= today else None, due_on=due_on,
                     reporting_cycle=ReportingCycle.monthly, report_day=FOLLOW_UP_REPORT_DAY, today=today)
    record(actor, "proposal.commitment_tracked", proposal, task_id=task.id,
           changes={"task_id": task.id, "lead_unit_id": task.lead_unit_id, "due_on": due_on}, summary=task.title)
    return task


def tracked_commitments(proposal: Proposal) -> dict[str, Task]:
    """Commitment text → the follow-up task made from it."""
    if proposal.follow_up_plan_id is None:
        return {}
    tasks = db.session.scalars(select(Task).where(Task.plan_id == proposal.follow_up_plan_id)
                               .options(selectinload(Task.lead_unit), selectinload(Task.cooperating_units)))
    return {task.text: task for task in tasks}


def count_by_state() -> dict[ProposalState, int]:
    rows = db.session.execute(select(Proposal.state, func.count()).group_by(Proposal.state)).all()
    counts = {state: 0 for state in STATE_ORDER}
    counts.update({state: count for state, count in rows})
    return counts
