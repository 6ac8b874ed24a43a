"""协办意见 and 会签: the 协办 units' written opinions to the 主办, and their 会签 of the 主办's draft reply.

Rules decided here:
- each 协办 unit (receipt role co) that has not returned the item sends its written opinion (协办意见) to
  the 主办 within ``PROPOSAL_CO_OPINION_MONTHS`` (default 1) calendar months of 交办 (the same month
  arithmetic as the reply's 3 months: 01-31 + 1 month → 02-28); it must have signed (签收) first; sending
  again replaces the text, and every sending is in the history;
- the 主办 (a user of the main unit, its own receipt signed) sends a draft reply (答复稿) for 会签; each
  协办 that has signed and not returned the item 会签s it within ``PROPOSAL_COSIGN_WORKING_DAYS``
  (default 5) working days: it agrees, or disagrees with a reason the 主办 sees; a new draft of the same
  round (or a new round after 重新办理) needs every 会签 again;
- an open item is not recorded as answered (已答复) while a 协办 that has signed has not 会签'd the latest
  draft of the current round (``require_cosigned``, registered with ``services.before_reply``). A 协办
  that returned the item (退回) is excluded; 分办 units answer on their own, without 会签.
- every step here and the reply hold the item first (``hold_item``): a 会签, a new draft and the reply sent at
  the same moment run one after the other, so the reply never passes while a 会签 is missing, a draft
  sent as the item is answered is refused, and one unit's 会签 sent twice is saved once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit.sentences import Said
from tracker.audit.sentences import register as register_sentence
from tracker.audit.services import record
from tracker.auth.models import Role
from tracker.common import events
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.models import (CoOpinion, Cosign, CosignDraft, Proposal, ProposalReceipt, ReceiptRole)
from tracker.proposals.services import OPEN_STATES, _config, add_months, before_reply, hold_item
from tracker.units.models import Unit
from tracker.workcalendar.services import current_calendar

DEFAULT_CO_OPINION_MONTHS = 1
DEFAULT_COSIGN_WORKING_DAYS = 5
MAX_OPINION_CHARS = 5000
MAX_DRAFT_CHARS = 50_000
MAX_REASON_CHARS = 2000


def co_opinion_months() -> int:
    return int(_config("PROPOSAL_CO_OPINION_MONTHS", DEFAULT_CO_OPINION_MONTHS))


def cosign_working_days() -> int:
    return int(_config("PROPOSAL_COSIGN_WORKING_DAYS", DEFAULT_COSIGN_WORKING_DAYS))


def current_round(proposal: Proposal) -> int:
    """1 for the first reply, 2 after the first 重新办理, …"""
    return (proposal.rehandling_count or 0) + 1


def opinion_due_on(receipt: ProposalReceipt) -> date:
    """协办意见期限: ``PROPOSAL_CO_OPINION_MONTHS`` after 交办."""
    return add_months(receipt.assigned_on, co_opinion_months())


def co_receipts(proposal: Proposal, *, signed_only: bool = False) -> list[ProposalReceipt]:
    """The 协办 receipts still on the item (not returned); with ``signed_only`` those signed (签收)."""
    return [r for r in proposal.receipts if r.role == ReceiptRole.co and r.returned_at is None
            and (r.signed_at is not None or not signed_only)]


def latest_draft(proposal: Proposal) -> CosignDraft | None:
    """The latest draft of the current round, or None."""
    return db.session.scalar(select(CosignDraft).where(
        CosignDraft.proposal_id == proposal.id, CosignDraft.round == current_round(proposal))
        .order_by(CosignDraft.id.desc()).limit(1))


def missing_cosigns(proposal: Proposal) -> list[Unit]:
    """The 协办 units that have signed and not yet 会签'd the latest draft of the current round."""
    draft = latest_draft(proposal)
    done = {c.unit_id for c in draft.cosigns} if draft is not None else set()
    return [r.unit for r in co_receipts(proposal, signed_only=True) if r.unit_id not in done]


@before_reply
def require_cosigned(proposal: Proposal) -> None:
    """Refuses the reply (已答复) of an item whose signed 协办 units have not all 会签'd the draft."""
    missing = missing_cosigns(proposal)
    if missing:
        raise ValidationFailed(_("以下协办单位尚未会签答复稿，不能答复：%(units)s。请主办单位先送会签。",
                                 units="、".join(unit.short_name for unit in missing)))


def _unit_receipt(actor, proposal: Proposal, role: ReceiptRole, refusal: str) -> ProposalReceipt:
    """The actor's own unit's receipt of ``role`` on the item, still on it; PermissionDenied otherwise."""
    if not actor.is_authenticated or actor.role != Role.unit or actor.unit_id is None:
        raise PermissionDenied(refusal)
    hold_item(proposal)  # the reply, a new draft or the unit's own second 会签 sent at the same moment waits
    receipt = next((r for r in proposal.receipts if r.unit_id == actor.unit_id and r.role == role
                    and r.returned_at is None), None)
    if receipt is None:
        raise PermissionDenied(refusal)
    if proposal.state not in OPEN_STATES:
        raise ValidationFailed(_("该件已答复，不能再办理此步骤。"))
    if receipt.signed_at is None:
        raise ValidationFailed(_("请先签收该件。"))
    return receipt


def _text(value: str, *, limit: int, empty: str, too_long: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(empty)
    if len(value) > limit:
        raise ValidationFailed(too_long)
    return value


def send_opinion(actor, proposal: Proposal, text: str, *, now: datetime) -> CoOpinion:
    """协办意见: the actor's 协办 unit sends (or sends again) its written opinion to the 主办."""
    receipt = _unit_receipt(actor, proposal, ReceiptRole.co, _("只有协办单位本身可以提出协办意见。"))
    text = _text(text, limit=MAX_OPINION_CHARS, empty=_("请填写协办意见。"),
                 too_long=_("协办意见不能超过%(count)d字。", count=MAX_OPINION_CHARS))
    opinion = db.session.scalar(select(CoOpinion).where(CoOpinion.proposal_id == proposal.id,
                                                        CoOpinion.unit_id == receipt.unit_id))
    again = opinion is not None
    if opinion is None:
        opinion = CoOpinion(proposal_id=proposal.id, unit_id=receipt.unit_id)
        db.session.add(opinion)
    elif opinion.text == text:
        raise ValidationFailed(_("协办意见没有变化。"))
    opinion.text, opinion.sent_at, opinion.sent_by_id = text, now, actor.id
    record(actor, "proposal.co_opinion_sent", proposal, summary=str(proposal),
           changes={"unit": receipt.unit.short_name, "text": text, "again": again})
    events.proposal_co_opinion.send(proposal, actor=actor, opinion=opinion)
    return opinion


def send_draft(actor, proposal: Proposal, text: str, *, today: date, now: datetime) -> CosignDraft:
    """The 主办 sends its draft reply (答复稿) to the 协办 units that have signed, for 会签."""
    _unit_receipt(actor, proposal, ReceiptRole.main, _("只有主办单位本身可以送会签。"))
    text = _text(text, limit=MAX_DRAFT_CHARS, empty=_("请填写答复稿。"),
                 too_long=_("答复稿不能超过%(count)d字。", count=MAX_DRAFT_CHARS))
    units = [r.unit for r in co_receipts(proposal, signed_only=True)]
    if not units:
        raise ValidationFailed(_("本件没有已签收的协办单位，无需会签。"))
    draft = CosignDraft(proposal_id=proposal.id, round=current_round(proposal), text=text, sent_on=today,
                        due_on=current_calendar().add_working_days(today, cosign_working_days()), sent_at=now,
                        sent_by_id=actor.id)
    db.session.add(draft)
    record(actor, "proposal.cosign_draft_sent", proposal, summary=str(proposal),
           changes={"units": [unit.short_name for unit in units], "due_on": draft.due_on.isoformat(),
                    "round": draft.round})
    return draft


def cosign(actor, proposal: Proposal, *, agreed: bool, reason: str, now: datetime) -> Cosign:
    """会签 of the latest draft by the actor's 协办 unit: agree, or disagree with a reason."""
    receipt = _unit_receipt(actor, proposal, ReceiptRole.co, _("只有协办单位本身可以会签。"))
    draft = latest_draft(proposal)
    if draft is None:
        raise ValidationFailed(_("主办单位尚未送来答复稿，暂不能会签。"))
    if any(c.unit_id == receipt.unit_id for c in draft.cosigns):
        raise ValidationFailed(_("本单位已会签该答复稿。"))
    reason = (reason or "").strip()
    if not agreed and not reason:
        raise ValidationFailed(_("不同意须说明理由。"))
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationFailed(_("理由不能超过%(count)d字。", count=MAX_REASON_CHARS))
    signed = Cosign(unit_id=receipt.unit_id, agreed=agreed, reason=reason, signed_at=now, signed_by_id=actor.id)
    draft.cosigns.append(signed)
    record(actor, "proposal.cosigned", proposal, summary=str(proposal),
           changes={"unit": receipt.unit.short_name, "agreed": agreed, "reason": reason, "draft_id": draft.id})
    events.proposal_cosigned.send(proposal, actor=actor, cosign=signed)
    return signed


# ---------------------------------------------------------------------------------------------------------
# The item page's section (templates/proposals/_cosign.html)
# ---------------------------------------------------------------------------------------------------------

@dataclass
class OpinionLine:
    unit: Unit
    due_on: date
    opinion: CoOpinion | None


@dataclass
class CosignSection:
    opinions: list[OpinionLine] = field(default_factory=list)
    draft: CosignDraft | None = None
    missing: list[Unit] = field(default_factory=list)
    own_role: str = ""  # "main" / "co" when the user's unit may act here
    own_opinion: CoOpinion | None = None
    own_cosign: Cosign | None = None
    co_signed: bool = False  # some 协办 has signed: a draft can go out for 会签 (again after a 不同意)

    @property
    def shown(self) -> bool:
        return bool(self.opinions or self.draft or self.own_role)


def section(user, proposal: Proposal, *, can_read_all: bool) -> CosignSection:
    """What the item page shows of 协办意见 and 会签 to ``user``: everything to the 主办 and to readers of
    every item; a 协办 unit sees its own opinion and the draft it is to 会签."""
    receipts = co_receipts(proposal)
    if not receipts:
        return CosignSection()
    opinions = {o.unit_id: o for o in db.session.scalars(select(CoOpinion).where(CoOpinion.proposal_id == proposal.id))}
    own_unit = user.unit_id if user.is_authenticated and user.role == Role.unit else None
    own_role = ""
    if own_unit is not None and proposal.state in OPEN_STATES:
        mine = next((r for r in proposal.receipts if r.unit_id == own_unit and r.returned_at is None
                     and r.signed_at is not None), None)
        own_role = mine.role.value if mine is not None and mine.role in (ReceiptRole.main, ReceiptRole.co) else ""
    sees_all = can_read_all or own_unit == proposal.main_unit_id
    lines = [OpinionLine(r.unit, opinion_due_on(r), opinions.get(r.unit_id)) for r in receipts
             if sees_all or r.unit_id == own_unit]
    draft = latest_draft(proposal)
    result = CosignSection(opinions=lines, draft=draft, missing=missing_cosigns(proposal), own_role=own_role,
                           own_opinion=opinions.get(own_unit) if own_unit else None,
                           co_signed=bool(co_receipts(proposal, signed_only=True)))
    if draft is not None and own_unit is not None:
        result.own_cosign = next((c for c in draft.cosigns if c.unit_id == own_unit), None)
    if not sees_all and draft is not None and own_role != "co":
        result.draft = None
    return result


# ---------------------------------------------------------------------------------------------------------
# The steps in the item's history (tracker.audit.sentences)
# ---------------------------------------------------------------------------------------------------------

def _said(event, names):
    changes = event.changes or {}
    unit = changes.get("unit", "")
    if event.action == "proposal.co_opinion_sent":
        if changes.get("again"):
            return Said(_("%(actor)s 代表%(unit)s修改了协办意见", actor=event.actor, unit=unit),
                        note=changes.get("text", ""))
        return Said(_("%(actor)s 代表%(unit)s向主办单位提出协办意见", actor=event.actor, unit=unit),
                    note=changes.get("text", ""))
    if event.action == "proposal.cosign_draft_sent":
        return Said(_("%(actor)s 将答复稿送%(units)s会签，会签期限 %(day)s", actor=event.actor,
                      units="、".join(changes.get("units") or []), day=changes.get("due_on", "")))
    if changes.get("agreed"):
        return Said(_("%(actor)s 代表%(unit)s会签：同意", actor=event.actor, unit=unit))
    return Said(_("%(actor)s 代表%(unit)s会签：不同意", actor=event.actor, unit=unit), note=changes.get("reason", ""))


for _action in ("proposal.co_opinion_sent", "proposal.cosign_draft_sent", "proposal.cosigned"):
    register_sentence(_action, _said)
