"""沟通协商: the handling unit's contacts with the proposers, before (办前), during (办中) and after (办后)
handling, and the 办前面商 rule.

Rules decided here:
- a contact is recorded by a user of a unit handling the item (主办 or 会办) for that unit, or by a
  coordinator/admin for the 主办; leaders read only;
- a contact has a date (not in the future, not before 交办), a way (``CONTACT_WAYS``: 见面, 电话, 座谈,
  书面, 视频, 其他), a stage, the proposers met (from the item's proposers when it has them), who from the
  unit took part and what was agreed;
- 办前面商 (face-to-face consultation before handling) is a 办前 contact by 见面 or 座谈 (``FACE_WAYS``)
  within ``PROPOSAL_PRE_CONSULT_WORKING_DAYS`` (default 15) working days of 交办;
- 见面率 (tracker.proposals.statistics) counts answered items with at least one 见面 or 座谈 contact,
  whatever its stage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.access import permissions
from tracker.audit.sentences import Said
from tracker.audit.sentences import register as register_sentence
from tracker.audit.services import record
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.models import ContactStage, Proposal, ProposalContact
from tracker.proposals.services import _config, proposal_involvement
from tracker.workcalendar.services import current_calendar

CONTACT_WAYS = ("见面", "电话", "座谈", "书面", "视频", "其他")
FACE_WAYS = ("见面", "座谈")  # 见面率 and 办前面商 count these
DEFAULT_PRE_CONSULT_WORKING_DAYS = 15
STAGE_LABELS = {ContactStage.before: _l("办前"), ContactStage.during: _l("办中"), ContactStage.after: _l("办后")}
WAY_LABELS = {"见面": _l("见面"), "电话": _l("电话"), "座谈": _l("座谈"), "书面": _l("书面"), "视频": _l("视频"),
              "其他": _l("其他")}
MAX_AGREED = 2000


def pre_consult_working_days() -> int:
    return int(_config("PROPOSAL_PRE_CONSULT_WORKING_DAYS", DEFAULT_PRE_CONSULT_WORKING_DAYS))


def can_record_contact(user, proposal: Proposal) -> bool:
    """The units handling the item (主办, 会办) and coordinators/admins record contacts."""
    return permissions.is_manager(user) or proposal_involvement(user, proposal) is not None


def contacts_of(proposal: Proposal) -> list[ProposalContact]:
    return list(db.session.scalars(select(ProposalContact).where(ProposalContact.proposal_id == proposal.id)
                                   .order_by(ProposalContact.contact_on, ProposalContact.id)))


def record_contact(actor, proposal: Proposal, *, contact_on: date | None, way: str, stage: str,
                   proposer_names=(), unit_people: str = "", agreed: str = "", today: date) -> ProposalContact:
    """Records one contact (沟通协商) of the actor's unit (a coordinator records for the 主办)."""
    if not can_record_contact(actor, proposal):
        raise PermissionDenied(_("只有承办单位可以登记沟通协商情况。"))
    if contact_on is None:
        raise ValidationFailed(_("请填写沟通日期。"))
    if contact_on > today:
        raise ValidationFailed(_("沟通日期不能晚于今天。"))
    if proposal.assigned_on and contact_on < proposal.assigned_on:
        raise ValidationFailed(_("沟通日期不能早于交办日期。"))
    way = (way or "").strip()
    if way not in CONTACT_WAYS:
        raise ValidationFailed(_("沟通方式须为%(ways)s之一。", ways="、".join(CONTACT_WAYS)))
    try:
        stage = ContactStage(stage)
    except ValueError:
        raise ValidationFailed(_("请选择办前、办中或办后。")) from None
    if stage == ContactStage.after and proposal.reply_on is None:
        raise ValidationFailed(_("答复后才能登记办后沟通。"))
    names = [str(name).strip() for name in proposer_names if str(name).strip()]
    known = [person.name for person in proposal.people]
    if known:
        if not names:
            raise ValidationFailed(_("请选择参与沟通的提案人。"))
        if any(name not in known for name in names):
            raise ValidationFailed(_("所选提案人不属于该件。"))
        names = [name for name in known if name in names]
    elif len(names) > 50 or any(len(name) > 60 for name in names):
        raise ValidationFailed(_("提案人姓名过长。"))
    unit_people, agreed = (unit_people or "").strip(), (agreed or "").strip()
    if not unit_people:
        raise ValidationFailed(_("请填写承办单位参与人员。"))
    if len(unit_people) > 200:
        raise ValidationFailed(_("承办单位参与人员不能超过200字。"))
    if not agreed:
        raise ValidationFailed(_("请填写沟通商定的内容。"))
    if len(agreed) > MAX_AGREED:
        raise ValidationFailed(_("商定内容不能超过%(count)d字。", count=MAX_AGREED))
    unit_id = actor.unit_id if proposal_involvement(actor, proposal) else proposal.main_unit_id
    contact = ProposalContact(proposal_id=proposal.id, unit_id=unit_id, contact_on=contact_on, way=way, stage=stage,
                              proposer_names=names, unit_people=unit_people, agreed=agreed,
                              recorded_by_id=getattr(actor, "id", None))
    db.session.add(contact)
    db.session.flush()
    record(actor, "proposal.contact_recorded", proposal, summary=str(proposal),
           changes={"contact_id": contact.id, "contact_on": contact_on.isoformat(), "way": way,
                    "stage": stage.value, "proposers": names, "unit_people": unit_people})
    return contact


@dataclass(frozen=True)
class PreConsultation:
    """Whether 办前面商 happened in time: ``state`` is "on_time", "late", "pending" (the window is still
    open), "missed" or "" (the item is not assigned)."""

    state: str
    due_on: date | None
    held_on: date | None


def pre_consult_due_on(proposal: Proposal) -> date | None:
    """The last day for 办前面商: ``pre_consult_working_days()`` working days after 交办."""
    if proposal.assigned_on is None:
        return None
    return current_calendar().add_working_days(proposal.assigned_on, pre_consult_working_days())


def pre_consultation(proposal: Proposal, contacts: list[ProposalContact], today: date) -> PreConsultation:
    """办前面商 of the item: the first 办前 contact by 见面 or 座谈, against its window."""
    due = pre_consult_due_on(proposal)
    held = min((c.contact_on for c in contacts if c.stage == ContactStage.before and c.way in FACE_WAYS),
               default=None)
    if due is None:
        return PreConsultation("", None, held)
    if held is not None:
        return PreConsultation("on_time" if held <= due else "late", due, held)
    return PreConsultation("pending" if today <= due else "missed", due, None)


def _said_contact(event, names):
    changes = event.changes or {}
    stage = STAGE_LABELS.get(ContactStage(changes["stage"])) if changes.get("stage") in ContactStage._value2member_map_ \
        else ""
    return Said(_("%(actor)s 登记了%(stage)s沟通：%(day)s %(way)s，提案人%(names)s，承办单位%(people)s",
                  actor=event.actor, stage=stage, day=changes.get("contact_on", ""), way=changes.get("way", ""),
                  names="、".join(changes.get("proposers") or []) or "—", people=changes.get("unit_people", "")))


register_sentence("proposal.contact_recorded", _said_contact)
