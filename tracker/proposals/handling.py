"""The handling flow of an item (建议提案办理), first slice: the two kinds of item and their words, proposers
as people, and 交办 with 签收/退回 by the 主办, 协办 and 分办 units.

Rules decided here:
- an item is a 政协提案 (proposers are 委员 of a 界别) or a 人大建议 (代表 of a 代表团), each with its own word
  for itself and its number (第0746号提案 / 第0746号建议);
- a joint item has several proposers, the first one leads (领衔);
- 交办 gives every assigned unit a receipt; the unit signs (签收) it or returns (退回) it with a reason
  within ``PROPOSAL_SIGN_WORKING_DAYS`` (default 10) working days of 交办, on the working-day calendar;
  only a user of that unit acts on its receipt; a returned 协办 unit leaves the item, a returned 主办
  leaves it for the coordinator to re-assign (the unit never passes it on itself);
- the reply is due ``PROPOSAL_REPLY_MONTHS`` (default 3) months after 交办 (tracker.proposals.services).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.audit.sentences import Said
from tracker.audit.sentences import register as register_sentence
from tracker.audit.services import record
from tracker.auth.models import Role
from tracker.common import events
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.common.plain_text import clean_text
from tracker.extensions import db
from tracker.proposals.models import (Proposal, ProposalKind, ProposalReceipt, ProposalState, Proposer, RatingLink,
                                      ReceiptRole)
from tracker.proposals.services import _config, add_months, default_reply_due_on, hold_item
from tracker.units.models import Unit
from tracker.workcalendar.services import current_calendar

DEFAULT_SIGN_WORKING_DAYS = 10
MAX_PROPOSERS = 50

KIND_LABELS = {ProposalKind.cppcc: _l("政协提案"), ProposalKind.npc: _l("人大建议")}
ITEM_WORDS = {ProposalKind.cppcc: _l("提案"), ProposalKind.npc: _l("建议")}
PROPOSER_WORDS = {ProposalKind.cppcc: _l("委员"), ProposalKind.npc: _l("代表")}
GROUP_WORDS = {ProposalKind.cppcc: _l("界别"), ProposalKind.npc: _l("代表团")}
ROLE_LABELS = {ReceiptRole.main: _l("主办"), ReceiptRole.co: _l("协办"), ReceiptRole.split: _l("分办")}


def sign_working_days() -> int:
    return int(_config("PROPOSAL_SIGN_WORKING_DAYS", DEFAULT_SIGN_WORKING_DAYS))


def item_number(proposal: Proposal) -> str:
    """第0746号提案 / 第0746号建议: the number in the item's own words."""
    return f"{proposal.number}{ITEM_WORDS[ProposalKind(proposal.kind)]}"


# ---------------------------------------------------------------------------------------------------------
# Proposers (提案人/代表) as people
# ---------------------------------------------------------------------------------------------------------

def set_proposers(actor, proposal: Proposal, people: list[dict]) -> list[Proposer]:
    """Replaces the item's proposers by ``people`` ([{name, group, contact}], the lead first) and keeps the
    one-line ``proposers`` text (池洪、卢薪等委员) in step."""
    cleaned = []
    for person in people:
        name = clean_text(str(person.get("name") or "")).strip()
        group = clean_text(str(person.get("group") or "")).strip()
        contact = clean_text(str(person.get("contact") or "")).strip()
        if not name:
            if group or contact:
                raise ValidationFailed(_("请填写提案人姓名。"))
            continue
        if len(name) > 60 or len(group) > 100 or len(contact) > 100:
            raise ValidationFailed(_("提案人姓名、界别或联系方式过长。"))
        cleaned.append((name, group, contact))
    if not cleaned:
        raise ValidationFailed(_("请至少填写一位提案人。"))
    if len(cleaned) > MAX_PROPOSERS:
        raise ValidationFailed(_("提案人不能超过%(count)d位。", count=MAX_PROPOSERS))
    if len({name for name, _group, _contact in cleaned}) != len(cleaned):
        raise ValidationFailed(_("同一提案人不能重复填写。"))
    before = [person.name for person in proposal.people]
    proposal.people.clear()
    db.session.flush()
    proposal.people.extend(Proposer(position=index, name=name, group=group, contact=contact)
                           for index, (name, group, contact) in enumerate(cleaned, start=1))
    names = [name for name, _group, _contact in cleaned]
    word = PROPOSER_WORDS[ProposalKind(proposal.kind)]
    proposal.proposers = ("、".join(names[:3]) + ("等" if len(names) > 1 else "") + str(word))[:300]
    record(actor, "proposal.proposers_set", proposal, changes={"proposers": [before, names]}, summary=str(proposal))
    return proposal.people


def set_points(actor, proposal: Proposal, text: str) -> list[str]:
    """The points of the proposal (one a line), each answered in its own section of the 答复函."""
    points = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if any(len(point) > 500 for point in points) or len(points) > 30:
        raise ValidationFailed(_("建议要点每条不超过500字，最多30条。"))
    before, proposal.points = list(proposal.points or []), points
    record(actor, "proposal.points_set", proposal, changes={"points": [before, points]}, summary=str(proposal))
    return points


# ---------------------------------------------------------------------------------------------------------
# 交办 and the receipts (签收 / 退回)
# ---------------------------------------------------------------------------------------------------------

def assign(actor, proposal: Proposal, *, today: date, main_unit_id: int | None = None, co_unit_ids=(),
           split_unit_ids=()) -> list[ProposalReceipt]:
    """交办: the item goes to one 主办 with 协办 units, or 分办 to several units that each answer
    (``split_unit_ids``, no 主办 then). Every unit gets a receipt due within the signing window; the reply is
    due 3 months (configurable) after ``today``."""
    co_unit_ids, split_unit_ids = [int(u) for u in co_unit_ids], [int(u) for u in split_unit_ids]
    if proposal.state.value not in ("assigned", "replying"):
        raise ValidationFailed(_("已答复的件不能再交办。"))
    if any(not receipt.pending for receipt in proposal.receipts):
        raise ValidationFailed(_("已有单位签收或退回，不能重新交办。"))
    if split_unit_ids and (main_unit_id or co_unit_ids):
        raise ValidationFailed(_("分办时不设主办和协办单位。"))
    if not split_unit_ids and main_unit_id is None:
        raise ValidationFailed(_("请选择主办单位。"))
    roles = {uid: ReceiptRole.split for uid in split_unit_ids}
    if main_unit_id is not None:
        roles[int(main_unit_id)] = ReceiptRole.main
        for uid in co_unit_ids:
            if uid in roles:
                raise ValidationFailed(_("主办单位不能同时作为会办单位。"))
            roles[uid] = ReceiptRole.co
    if len(roles) != len(co_unit_ids) + len(split_unit_ids) + (1 if main_unit_id is not None else 0):
        raise ValidationFailed(_("同一单位不能重复交办。"))
    units = {unit.id: unit for unit in db.session.scalars(select(Unit).where(Unit.id.in_(list(roles))))}
    if len(units) != len(roles):
        raise ValidationFailed(_("会办单位选择无效。"))
    due = current_calendar().add_working_days(today, sign_working_days())
    proposal.receipts.clear()
    db.session.flush()
    proposal.main_unit_id = main_unit_id if main_unit_id is not None else split_unit_ids[0]
    proposal.co_units = [units[uid] for uid, role in roles.items() if uid != proposal.main_unit_id]
    proposal.assigned_on = today
    proposal.reply_due_on = default_reply_due_on(today)
    proposal.receipts.extend(ProposalReceipt(unit_id=uid, role=role, assigned_on=today, sign_due_on=due)
                             for uid, role in roles.items())
    record(actor, "proposal.assigned", proposal, summary=str(proposal),
           changes={"units": {units[uid].short_name: role.value for uid, role in roles.items()},
                    "sign_due_on": due.isoformat(), "reply_due_on": proposal.reply_due_on.isoformat()})
    db.session.flush()  # the receipts have their ids for the event's subscribers
    events.proposal_assigned.send(proposal, actor=actor, receipts=list(proposal.receipts))
    return proposal.receipts


def _receipt_for(actor, proposal: Proposal) -> ProposalReceipt:
    if not actor.is_authenticated or actor.role != Role.unit or actor.unit_id is None:
        raise PermissionDenied(_("只有承办单位本身可以签收或退回。"))
    hold_item(proposal)  # a second 签收 of the unit, or the reply, sent at the same moment waits
    receipt = next((r for r in proposal.receipts if r.unit_id == actor.unit_id), None)
    if receipt is None:
        raise PermissionDenied(_("只有承办单位本身可以签收或退回。"))
    if not receipt.pending:
        raise ValidationFailed(_("本单位已签收或退回该件。"))
    return receipt


def sign(actor, proposal: Proposal, *, now: datetime) -> ProposalReceipt:
    """签收 by the actor's unit."""
    receipt = _receipt_for(actor, proposal)
    receipt.signed_at, receipt.acted_by_id = now, actor.id
    record(actor, "proposal.signed", proposal, summary=str(proposal),
           changes={"unit": receipt.unit.short_name, "role": receipt.role.value})
    events.proposal_received.send(proposal, actor=actor, receipt=receipt)
    return receipt


def act_on_receipt(actor, proposal: Proposal, *, step: str, reason: str, today: date,
                   now: datetime) -> ProposalReceipt:
    """签收 (``step`` "sign") or 退回 ("return") by the actor's unit."""
    if step == "sign":
        return sign(actor, proposal, now=now)
    if step == "return":
        return return_item(actor, proposal, reason=reason, today=today, now=now)
    raise ValidationFailed(_("请选择签收或退回。"))


def return_item(actor, proposal: Proposal, *, reason: str, today: date, now: datetime) -> ProposalReceipt:
    """退回 by the actor's unit, with a reason, within the window; never passed on to another unit."""
    receipt = _receipt_for(actor, proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("退回须说明理由。"))
    if len(reason) > 2000:
        raise ValidationFailed(_("退回理由不能超过2000字。"))
    if today > receipt.sign_due_on:
        raise ValidationFailed(_("已超过退回期限（%(day)s），请与交办机构联系。", day=receipt.sign_due_on.isoformat()))
    receipt.returned_at, receipt.return_reason, receipt.acted_by_id = now, reason, actor.id
    if receipt.role != ReceiptRole.main and receipt.unit_id != proposal.main_unit_id:
        proposal.co_units = [unit for unit in proposal.co_units if unit.id != receipt.unit_id]
    record(actor, "proposal.returned", proposal, summary=str(proposal),
           changes={"unit": receipt.unit.short_name, "role": receipt.role.value, "reason": reason})
    events.proposal_returned.send(proposal, actor=actor, receipt=receipt)
    return receipt


def pending_receipts(unit_id: int) -> list[ProposalReceipt]:
    """The items waiting for a unit's 签收 (for its 工作台)."""
    return list(db.session.scalars(select(ProposalReceipt).where(
        ProposalReceipt.unit_id == unit_id, ProposalReceipt.signed_at.is_(None),
        ProposalReceipt.returned_at.is_(None)).order_by(ProposalReceipt.sign_due_on)))


# ---------------------------------------------------------------------------------------------------------
# The proposer's own rating (提案人评价) through a personal link; 不满意 → 重新办理
# ---------------------------------------------------------------------------------------------------------

DEFAULT_RATING_LINK_DAYS = 30
DEFAULT_REHANDLING_MONTHS = 1
RATINGS = ("满意", "基本满意", "不满意")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_rating_link(actor, proposal: Proposal, proposer: Proposer, *, now: datetime) -> str:
    """A new personal link for ``proposer`` to rate the reply; returns the token (only its hash is kept).
    The item must have been answered (已答复)."""
    if proposal.state != ProposalState.replied:
        raise ValidationFailed(_("答复后才能请提案人评价。"))
    if proposer.proposal_id != proposal.id:
        raise ValidationFailed(_("提案人不属于该件。"))
    token = secrets.token_urlsafe(32)
    days = int(_config("PROPOSAL_RATING_LINK_DAYS", DEFAULT_RATING_LINK_DAYS))
    db.session.add(RatingLink(proposal_id=proposal.id, proposer_id=proposer.id, token_hash=_token_hash(token),
                              round=proposal.rehandling_count + 1, expires_at=now + timedelta(days=days)))
    record(actor, "proposal.rating_link_issued", proposal, changes={"proposer": proposer.name},
           summary=str(proposal))
    return token


def issue_rating_links(actor, proposal: Proposal, *, now: datetime) -> list[tuple[str, str]]:
    """A personal link for every proposer of the item: [(name, token)]."""
    if not proposal.people:
        raise ValidationFailed(_("请先登记提案人。"))
    return [(person.name, issue_rating_link(actor, proposal, person, now=now)) for person in proposal.people]


def rating_link(token: str, *, now: datetime) -> RatingLink:
    """The link for ``token``; refuses an unknown, used or expired one."""
    link = db.session.scalar(select(RatingLink).where(RatingLink.token_hash == _token_hash(token or "")))
    if link is None:
        raise ValidationFailed(_("评价链接无效。"))
    if link.used_at is not None:
        raise ValidationFailed(_("该评价链接已使用，每个链接只能评价一次。"))
    if now >= link.expires_at:
        raise ValidationFailed(_("该评价链接已过期，请联系交办机构重新发送。"))
    return link


def rate(actor, token: str, rating: str, *, now: datetime, today: date) -> RatingLink:
    """The proposer rates through the personal link. Staff users (a unit, a coordinator…) never rate in the
    proposer's place. 不满意 sends the item back to the 主办 for 重新办理 with a new deadline."""
    if actor is not None and actor.is_authenticated:
        raise PermissionDenied(_("评价只能由提案人本人通过个人链接填写。"))
    link = rating_link(token, now=now)
    if rating not in RATINGS:
        raise ValidationFailed(_("请选择满意、基本满意或不满意。"))
    proposal = link.proposal
    if proposal.state != ProposalState.replied or link.round != proposal.rehandling_count + 1:
        raise ValidationFailed(_("该件当前不在评价阶段。"))
    link.used_at, link.rating = now, rating
    if rating == "不满意":
        months = int(_config("PROPOSAL_REHANDLING_MONTHS", DEFAULT_REHANDLING_MONTHS))
        proposal.state, proposal.feedback = ProposalState.replying, ""
        proposal.rehandling_count += 1
        proposal.reply_due_on = add_months(today, months)
        changes = {"rating": rating, "proposer": link.proposer.name, "rehandling": proposal.rehandling_count,
                   "reply_due_on": proposal.reply_due_on.isoformat()}
        record(None, "proposal.rated", proposal, changes=changes, summary=str(proposal))
    else:
        proposal.state, proposal.feedback = ProposalState.feedback_received, rating
        record(None, "proposal.rated", proposal, summary=str(proposal),
               changes={"rating": rating, "proposer": link.proposer.name})
    events.proposal_rated.send(proposal, link=link)
    if rating == "不满意":
        events.proposal_rehandling.send(proposal, link=link)
    return link


# ---------------------------------------------------------------------------------------------------------
# The steps in the item's history (tracker.audit.sentences)
# ---------------------------------------------------------------------------------------------------------

def _said_assigned(event, names):
    units = "、".join(f"{name}（{ROLE_LABELS[ReceiptRole(role)]}）" for name, role in
                     (event.changes.get("units") or {}).items())
    return Said(_("%(actor)s 交办给 %(units)s，签收/退回期限 %(sign)s，答复期限 %(reply)s", actor=event.actor,
                  units=units, sign=event.changes.get("sign_due_on", ""), reply=event.changes.get("reply_due_on", "")))


def _said_receipt(event, names):
    values = dict(actor=event.actor, unit=event.changes.get("unit", ""))
    if event.action == "proposal.signed":
        return Said(_("%(actor)s 代表%(unit)s签收", **values))
    return Said(_("%(actor)s 代表%(unit)s退回", **values), note=event.changes.get("reason", ""))


def _said_people(event, names):
    if event.action == "proposal.points_set":
        return Said(_("%(actor)s 登记了建议要点", actor=event.actor), details=list((event.changes.get("points")
                                                                               or [[], []])[1]))
    return Said(_("%(actor)s 登记了提案人：%(names)s", actor=event.actor,
                  names="、".join((event.changes.get("proposers") or [[], []])[1])))


def _said_rating(event, names):
    proposer = event.changes.get("proposer", "")
    if event.action == "proposal.rating_link_issued":
        return Said(_("%(actor)s 向%(proposer)s发送了评价链接", actor=event.actor, proposer=proposer))
    if event.changes.get("rehandling"):
        return Said(_("%(proposer)s 评价为“%(rating)s”，退回重新办理（第%(count)s次），新的答复期限 %(due)s",
                      proposer=proposer, rating=event.changes.get("rating", ""),
                      count=event.changes.get("rehandling"), due=event.changes.get("reply_due_on", "")))
    return Said(_("%(proposer)s 评价为“%(rating)s”", proposer=proposer, rating=event.changes.get("rating", "")))


for _action, _builder in (("proposal.assigned", _said_assigned), ("proposal.signed", _said_receipt),
                          ("proposal.returned", _said_receipt), ("proposal.proposers_set", _said_people),
                          ("proposal.points_set", _said_people), ("proposal.rating_link_issued", _said_rating),
                          ("proposal.rated", _said_rating)):
    register_sentence(_action, _builder)
