"""The clock of an item (办理时限): the reply's deadline and its extension (延期), and the deadlines due soon
or overdue — the reply, each 协办's opinion (协办意见) and each 会签.

Rules decided here:
- the reply is due ``PROPOSAL_REPLY_MONTHS`` (default 3) months after 交办 (tracker.proposals.services);
  the 主办 may ask for a later date with a reason (延期申请), one request at a time; a coordinator approves
  or refuses it (a refusal says why); the approved date becomes the item's ``reply_due_on``; the reply is
  never due later than ``PROPOSAL_MAX_REPLY_MONTHS`` (default 6) months after 交办, extensions included;
- a request and a decision hold the item first (``hold_item``): of two requests sent at once one is saved, the
  other refused as a later one is; of two decisions at once (one approves, one refuses) the first is saved
  and the second is a conflict that says who decided what, so the deadline moves at most once;
- a deadline is due soon from ``PROPOSAL_DUE_SOON_WORKING_DAYS`` (default 10) working days before it, and
  overdue the day after it, counted in working days (tracker.common.deadlines) — the reply of an open item
  (its 主办, or each 分办 unit), the opinion of a 协办 that has not returned the item and not yet sent it,
  the 会签 of a signed 协办 on the latest draft;
- the reminder scan (``scan_proposal_clock`` in tracker.reminders.scan) writes to a unit
  ``PROPOSAL_OBLIGATION_REMINDER_DAYS`` (default 3) working days before its opinion or 会签 is due, and a
  催办 once a deadline (reply, opinion, 会签) has passed: once per item, unit, deadline and event (the reply's
  reminders 10, 5 and 1 working days before are the ``proposal_reminders`` step's).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, exists, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.access import permissions
from tracker.audit.sentences import Said
from tracker.audit.sentences import register as register_sentence
from tracker.audit.services import record
from tracker.auth.models import Role, User
from tracker.common import deadlines
from tracker.common import events
from tracker.common.errors import ConflictError, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.common.upsert import among, batches
from tracker.proposals.cosign import co_opinion_months
from tracker.proposals.models import (CoOpinion, Cosign, CosignDraft, ExtensionState, Proposal, ProposalReceipt,
                                      ReceiptRole, ReplyExtension)
from tracker.proposals.services import OPEN_STATES, _config, add_months, due_soon_working_days, hold_item
from tracker.units.models import Unit

DEFAULT_MAX_REPLY_MONTHS = 6
DEFAULT_OBLIGATION_REMINDER_DAYS = 3
MAX_REASON_CHARS = 2000

REPLY, CO_OPINION, COSIGN = "reply", "co_opinion", "cosign"
KIND_LABELS = {REPLY: _l("答复"), CO_OPINION: _l("协办意见"), COSIGN: _l("会签")}
OVERDUE_LABELS = {REPLY: _l("答复逾期"), CO_OPINION: _l("协办意见逾期"), COSIGN: _l("会签逾期")}  # the exports' 类型
EXTENSION_LABELS = {ExtensionState.pending: _l("待审批"), ExtensionState.approved: _l("已批准"),
                    ExtensionState.refused: _l("未批准")}


def max_reply_months() -> int:
    return int(_config("PROPOSAL_MAX_REPLY_MONTHS", DEFAULT_MAX_REPLY_MONTHS))


def obligation_reminder_days() -> int:
    return int(_config("PROPOSAL_OBLIGATION_REMINDER_DAYS", DEFAULT_OBLIGATION_REMINDER_DAYS))


def latest_reply_due_on(proposal: Proposal) -> date | None:
    """The latest a reply may be due, extensions included: ``PROPOSAL_MAX_REPLY_MONTHS`` after 交办."""
    return add_months(proposal.assigned_on, max_reply_months()) if proposal.assigned_on else None


# ---------------------------------------------------------------------------------------------------------
# 延期: requested by the 主办, decided by a coordinator
# ---------------------------------------------------------------------------------------------------------

def pending_extension(proposal: Proposal) -> ReplyExtension | None:
    return db.session.scalar(select(ReplyExtension).where(ReplyExtension.proposal_id == proposal.id,
                                                          ReplyExtension.state == ExtensionState.pending))


def can_view_extensions(user, proposal: Proposal) -> bool:
    """延期申请 of an item are read by readers of every item and by the 主办's users (not 协办 or 分办 units)."""
    return permissions.can_read_everything(user) or (
        user.is_authenticated and user.role == Role.unit and user.unit_id is not None
        and user.unit_id == proposal.main_unit_id)


def extensions(proposal: Proposal) -> list[ReplyExtension]:
    return list(db.session.scalars(select(ReplyExtension).where(ReplyExtension.proposal_id == proposal.id)
                                   .order_by(ReplyExtension.id)))


def _check_new_due(proposal: Proposal, requested_due_on: date) -> None:
    if proposal.reply_due_on is not None and requested_due_on <= proposal.reply_due_on:
        raise ValidationFailed(_("延期后的答复期限须晚于现在的答复期限（%(day)s）。",
                                 day=proposal.reply_due_on.isoformat()))
    limit = latest_reply_due_on(proposal)
    if limit is not None and requested_due_on > limit:
        raise ValidationFailed(_("答复期限最长为交办后%(months)d个月，不能晚于%(day)s。", months=max_reply_months(),
                                 day=limit.isoformat()))


def request_extension(actor, proposal: Proposal, *, requested_due_on: date | None, reason: str,
                      now: datetime) -> ReplyExtension:
    """延期申请 by a user of the 主办 (not a 协办 or 分办 unit), with a reason, one at a time."""
    if not actor.is_authenticated or actor.role != Role.unit or actor.unit_id != proposal.main_unit_id:
        raise PermissionDenied(_("只有主办单位可以申请延期。"))
    main = next((r for r in proposal.receipts if r.unit_id == actor.unit_id), None)
    if main is not None and main.role != ReceiptRole.main:
        raise PermissionDenied(_("只有主办单位可以申请延期。"))
    hold_item(proposal)  # a second request sent at the same moment waits, then sees this one pending
    if proposal.state not in OPEN_STATES or proposal.assigned_on is None:
        raise ValidationFailed(_("只有交办后尚未答复的件可以申请延期。"))
    if pending_extension(proposal) is not None:
        raise ValidationFailed(_("已有待审批的延期申请。"))
    if requested_due_on is None:
        raise ValidationFailed(_("请填写申请延至的日期。"))
    _check_new_due(proposal, requested_due_on)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("申请延期须说明理由。"))
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationFailed(_("理由不能超过%(count)d字。", count=MAX_REASON_CHARS))
    extension = ReplyExtension(proposal_id=proposal.id, previous_due_on=proposal.reply_due_on,
                               requested_due_on=requested_due_on, reason=reason, requested_at=now,
                               requested_by_id=actor.id)
    db.session.add(extension)
    record(actor, "proposal.extension_requested", proposal, summary=str(proposal),
           changes={"requested_due_on": requested_due_on.isoformat(), "reason": reason,
                    "reply_due_on": proposal.reply_due_on.isoformat() if proposal.reply_due_on else ""})
    events.proposal_extension_requested.send(proposal, actor=actor, extension=extension)
    return extension


def decide_extension(actor, extension: ReplyExtension, *, approve: bool, note: str, now: datetime) -> ReplyExtension:
    """A coordinator approves (the requested date becomes the reply's deadline) or refuses (with a reason)."""
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("只有交办机构可以审批延期。"))
    proposal = extension.proposal
    hold_item(proposal)  # a second decision sent at the same moment waits, then finds this one
    if extension.state != ExtensionState.pending:
        decider = db.session.get(User, extension.decided_by_id) if extension.decided_by_id else None
        raise ConflictError(_("该延期申请已由%(who)s审批为“%(state)s”，本次审批未保存。",
                              who=decider.display_name if decider else _("他人"),
                              state=EXTENSION_LABELS[extension.state]))
    note = (note or "").strip()
    if len(note) > MAX_REASON_CHARS:
        raise ValidationFailed(_("审批意见不能超过%(count)d字。", count=MAX_REASON_CHARS))
    if approve:
        if proposal.state not in OPEN_STATES:
            raise ValidationFailed(_("该件已答复，无需延期。"))
        _check_new_due(proposal, extension.requested_due_on)
    elif not note:
        raise ValidationFailed(_("不予批准须说明理由。"))
    before = proposal.reply_due_on
    extension.state = ExtensionState.approved if approve else ExtensionState.refused
    extension.decided_at, extension.decided_by_id, extension.decision_note = now, actor.id, note
    if approve:
        proposal.reply_due_on = extension.requested_due_on
    record(actor, "proposal.extension_decided", proposal, summary=str(proposal),
           changes={"approved": approve, "note": note, "requested_due_on": extension.requested_due_on.isoformat(),
                    "reply_due_on": [before.isoformat() if before else "", proposal.reply_due_on.isoformat()
                                     if proposal.reply_due_on else ""]})
    events.proposal_extension_decided.send(proposal, actor=actor, extension=extension)
    return extension


def pending_extension_count() -> int:
    """How many 延期申请 wait for a coordinator (the 工作台's count of ``pending_extensions``)."""
    return db.session.scalar(select(func.count()).select_from(ReplyExtension)
                             .where(ReplyExtension.state == ExtensionState.pending))


def pending_extensions() -> list[ReplyExtension]:
    """延期申请 waiting for a coordinator, oldest first."""
    return list(db.session.scalars(select(ReplyExtension).where(ReplyExtension.state == ExtensionState.pending)
                                   .options(selectinload(ReplyExtension.proposal))
                                   .order_by(ReplyExtension.requested_at, ReplyExtension.id)))


# ---------------------------------------------------------------------------------------------------------
# Deadlines due soon and overdue: the reply, 协办意见, 会签
# ---------------------------------------------------------------------------------------------------------

@dataclass
class ClockRow:
    """One unit's deadline on an item: ``kind`` reply / co_opinion / cosign, due ``due_on``; ``days`` is
    the working days overdue when ``overdue``, else the working days left."""

    proposal: Proposal
    kind: str
    unit: Unit
    due_on: date
    days: int
    overdue: bool

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def overdue_label(self) -> str:
        return str(OVERDUE_LABELS[self.kind])


def _days(due_on: date, today: date, memo: dict) -> int:
    """Working days late (past ``due_on``) or left; memoised: many deadlines share a date."""
    if due_on not in memo:
        memo[due_on] = deadlines.overdue_days(due_on, today) if due_on < today else deadlines.due_in_days(due_on, today)
    return memo[due_on]


def _open_items(unit_id: int | None, proposal_ids):
    """SELECT of the open items' ids, of one unit (主办, or a receipt of its own: 协办, 分办) or all."""
    query = select(Proposal.id).where(Proposal.state.in_(OPEN_STATES))
    if proposal_ids is not None:
        query = query.where(among(Proposal.id, sorted(proposal_ids), Integer))
    if unit_id is not None:
        query = query.where(or_(Proposal.main_unit_id == unit_id, exists().where(
            ProposalReceipt.proposal_id == Proposal.id, ProposalReceipt.unit_id == unit_id)))
    return query


def _deadlines(today: date, horizon: date, unit_id: int | None, proposal_ids) -> list[tuple]:
    """(proposal id, kind, unit id, due on) of every deadline of the open items up to ``horizon``, read as
    plain columns (no ORM objects: 2,000 items are 10,000 receipts, opinions, drafts and 会签): the reply
    (its 主办, or each 分办 unit that has not returned the item), the opinion of each 协办 still on the item
    that has not sent it, the 会签 of each signed 协办 on the latest draft of the current round."""
    items = _open_items(unit_id, proposal_ids)
    found = db.session.execute(select(Proposal.id, Proposal.main_unit_id, Proposal.reply_due_on,
                                      Proposal.rehandling_count).where(Proposal.id.in_(items))).all()
    if not found:
        return []
    receipts = db.session.execute(
        select(ProposalReceipt.proposal_id, ProposalReceipt.unit_id, ProposalReceipt.role, ProposalReceipt.assigned_on,
               ProposalReceipt.signed_at.is_not(None))
        .where(ProposalReceipt.proposal_id.in_(items), ProposalReceipt.returned_at.is_(None))
        .order_by(ProposalReceipt.id)).all()
    opinions = set(db.session.execute(select(CoOpinion.proposal_id, CoOpinion.unit_id)
                                      .where(CoOpinion.proposal_id.in_(items))).all())
    drafts: dict[int, tuple] = {}
    for draft_id, proposal_id, round_, due_on in db.session.execute(
            select(CosignDraft.id, CosignDraft.proposal_id, CosignDraft.round, CosignDraft.due_on)
            .where(CosignDraft.proposal_id.in_(items)).order_by(CosignDraft.id)):
        drafts[proposal_id] = (draft_id, round_, due_on)  # the latest wins
    cosigned = set(db.session.execute(select(Cosign.draft_id, Cosign.unit_id).where(Cosign.draft_id.in_(
        select(CosignDraft.id).where(CosignDraft.proposal_id.in_(items))))).all())
    by_item: dict[int, list] = {}
    for receipt in receipts:
        by_item.setdefault(receipt[0], []).append(receipt)
    months, found_deadlines = co_opinion_months(), []
    for proposal_id, main_unit_id, reply_due_on, rehandling_count in found:
        mine = by_item.get(proposal_id, [])
        if reply_due_on is not None and reply_due_on <= horizon:
            split = [unit for _pid, unit, role, _on, _signed in mine if role == ReceiptRole.split]
            found_deadlines += [(proposal_id, REPLY, unit, reply_due_on) for unit in split or [main_unit_id]]
        co = [(unit, assigned_on, signed) for _pid, unit, role, assigned_on, signed in mine if role == ReceiptRole.co]
        found_deadlines += [(proposal_id, CO_OPINION, unit, add_months(assigned_on, months))
                            for unit, assigned_on, _signed in co if (proposal_id, unit) not in opinions]
        draft = drafts.get(proposal_id)
        if draft is not None and draft[1] == (rehandling_count or 0) + 1:
            found_deadlines += [(proposal_id, COSIGN, unit, draft[2]) for unit, _on, signed in co
                                if signed and (draft[0], unit) not in cosigned]
    return found_deadlines


def clock_rows(today: date, *, unit_id: int | None = None, soon_days: int | None = None,
               proposal_ids=None, kinds=None) -> list[ClockRow]:
    """Every deadline due within ``soon_days`` working days (default ``PROPOSAL_DUE_SOON_WORKING_DAYS``) or
    overdue on ``today``, of one unit or all (of ``kinds`` only, when given), overdue first (most days
    first), then soonest first. The deadlines are read as plain columns; only the items and units of the
    rows found are loaded as objects."""
    soon_days = due_soon_working_days() if soon_days is None else soon_days
    horizon = today + timedelta(days=soon_days * 2 + 21)  # working days never outnumber calendar days
    found, memo = [], {}
    for proposal_id, kind, owner, due_on in _deadlines(today, horizon, unit_id, proposal_ids):
        if unit_id is not None and owner != unit_id or due_on > horizon or kinds is not None and kind not in kinds:
            continue
        days = _days(due_on, today, memo)
        if due_on < today:
            found.append((proposal_id, kind, owner, due_on, days, True))
        elif days is not None and days <= soon_days:
            found.append((proposal_id, kind, owner, due_on, days, False))
    if not found:
        return []
    proposals = {proposal.id: proposal for part in batches(sorted({row[0] for row in found}), 5000)
                 for proposal in db.session.scalars(select(Proposal).where(among(Proposal.id, part, Integer)))}
    unit_ids = {row[2] for row in found} | {proposal.main_unit_id for proposal in proposals.values()}
    units = {unit.id: unit for unit in db.session.scalars(select(Unit).where(among(Unit.id, sorted(unit_ids),
                                                                                   Integer)))}
    rows = [ClockRow(proposals[pid], kind, units[owner], due_on, days, overdue)
            for pid, kind, owner, due_on, days, overdue in found]
    rows.sort(key=lambda r: (not r.overdue, -r.days if r.overdue else r.days, r.due_on, r.proposal.meeting,
                             r.proposal.number, r.kind, r.unit.id))
    return rows


def rows_for(user, today: date) -> list[ClockRow]:
    """The deadlines ``user`` follows: a unit user its own unit's; readers of every item all of them."""
    if permissions.can_read_everything(user):
        return clock_rows(today)
    if user.is_authenticated and user.role == Role.unit and user.unit_id is not None:
        return clock_rows(today, unit_id=user.unit_id)
    return []


def overdue_obligations(today: date, unit_id: int | None = None) -> list[ClockRow]:
    """协办意见 and 会签 past their deadline (the overdue list's section; replies have their own table)."""
    return [row for row in clock_rows(today, unit_id=unit_id, soon_days=0, kinds=(CO_OPINION, COSIGN))
            if row.overdue]


# ---------------------------------------------------------------------------------------------------------
# The steps in the item's history (tracker.audit.sentences)
# ---------------------------------------------------------------------------------------------------------

def _said(event, names):
    changes = event.changes or {}
    if event.action == "proposal.extension_requested":
        return Said(_("%(actor)s 申请将答复期限由 %(before)s 延至 %(after)s", actor=event.actor,
                      before=changes.get("reply_due_on") or "—", after=changes.get("requested_due_on", "")),
                    note=changes.get("reason", ""))
    if changes.get("approved"):
        return Said(_("%(actor)s 批准延期，答复期限改为 %(day)s", actor=event.actor,
                      day=(changes.get("reply_due_on") or ["", ""])[1]), note=changes.get("note", ""))
    return Said(_("%(actor)s 不予批准延期至 %(day)s", actor=event.actor, day=changes.get("requested_due_on", "")),
                note=changes.get("note", ""))


for _action in ("proposal.extension_requested", "proposal.extension_decided"):
    register_sentence(_action, _said)
