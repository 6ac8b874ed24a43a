"""重点提案: items a coordinator marks key, each supervised by a leader, who records 督办意见 on it.

Rules decided here:
- a coordinator (or admin) marks an item key and names the supervising leader, an active user with the
  leader role; marking again names another leader; unmarking removes the mark (the notes stay in the
  history);
- only the supervising leader of a key item records a supervision note (督办意见, up to 2,000 characters);
  the note is on the item page and in its history;
- the register (/proposals) flags key items and filters on them; the leader's 工作台 counts their key
  items still open;
- the notes are read by whoever may read the item while it is key, and by the readers of every item
  (督办、领导) after it was unmarked too.

Each step sends its domain event (tracker.common.events: proposal-key-marked, -key-unmarked,
-supervision-note) in the step's transaction.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from tracker.access import permissions
from tracker.audit.sentences import Said
from tracker.audit.sentences import register as register_sentence
from tracker.audit.services import record
from tracker.auth.models import Role, User
from tracker.common import events
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.models import KeyProposal, Proposal, SupervisionNote
from tracker.proposals.services import OPEN_STATES

MAX_NOTE_CHARS = 2000


def leaders() -> list[User]:
    """The users who may supervise a key item: active users with the leader role."""
    return list(db.session.scalars(select(User).where(User.role == Role.leader, User.is_active_user.is_(True))
                                   .order_by(User.id)))


def key_item(proposal: Proposal) -> KeyProposal | None:
    return db.session.scalar(select(KeyProposal).where(KeyProposal.proposal_id == proposal.id))


def mark_key(actor, proposal: Proposal, *, leader_id: int | None, now: datetime) -> KeyProposal:
    """Marks the item 重点提案 supervised by the leader ``leader_id`` (or names another leader)."""
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("只有交办机构可以确定重点提案。"))
    leader = db.session.get(User, leader_id) if leader_id else None
    if leader is None or leader.role != Role.leader or not leader.is_active_user:
        raise ValidationFailed(_("请选择一位领导作为督办领导。"))
    key = key_item(proposal)
    if key is not None and key.leader_id == leader.id:
        raise ValidationFailed(_("该件已是重点提案，督办领导为%(name)s。", name=leader.display_name))
    before = key.leader.display_name if key is not None else ""
    if key is None:
        key = KeyProposal(proposal_id=proposal.id)
        db.session.add(key)
    key.leader_id, key.marked_at, key.marked_by_id = leader.id, now, actor.id
    step = record(actor, "proposal.key_marked", proposal, summary=str(proposal),
                  changes={"leader": leader.display_name, "before": before})
    events.proposal_key_marked.send(proposal, actor=actor, leader=leader, before=before, step=step)
    return key


def unmark_key(actor, proposal: Proposal) -> None:
    """The item is no longer a 重点提案."""
    if not permissions.is_manager(actor):
        raise PermissionDenied(_("只有交办机构可以确定重点提案。"))
    key = key_item(proposal)
    if key is None:
        raise ValidationFailed(_("该件不是重点提案。"))
    leader = key.leader.display_name
    db.session.delete(key)
    step = record(actor, "proposal.key_unmarked", proposal, summary=str(proposal), changes={"leader": leader})
    events.proposal_key_unmarked.send(proposal, actor=actor, leader=leader, step=step)


def add_note(actor, proposal: Proposal, text: str, *, now: datetime) -> SupervisionNote:
    """督办意见 by the item's supervising leader."""
    key = key_item(proposal)
    if key is None or not actor.is_authenticated or actor.id != key.leader_id or actor.role != Role.leader:
        raise PermissionDenied(_("只有该重点提案的督办领导可以填写督办意见。"))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写督办意见。"))
    if len(text) > MAX_NOTE_CHARS:
        raise ValidationFailed(_("督办意见不能超过%(count)d字。", count=MAX_NOTE_CHARS))
    note = SupervisionNote(proposal_id=proposal.id, leader_id=actor.id, text=text, written_at=now)
    db.session.add(note)
    record(actor, "proposal.supervision_note", proposal, summary=str(proposal), changes={"text": text})
    events.proposal_supervision_note.send(proposal, actor=actor, note=note)
    return note


def notes(proposal: Proposal) -> list[SupervisionNote]:
    return list(db.session.scalars(select(SupervisionNote).where(SupervisionNote.proposal_id == proposal.id)
                                   .options(selectinload(SupervisionNote.leader)).order_by(SupervisionNote.id)))


def notes_for(user, proposal: Proposal, key: KeyProposal | None = None) -> list[SupervisionNote]:
    """The 督办意见 ``user`` reads on the item (who may read the item is the caller's check): all of them
    while it is key; once unmarked, only the readers of every item (督办、领导) still read them.
    ``key``: the item's ``key_item`` when the caller has it already."""
    key = key if key is not None else key_item(proposal)
    return notes(proposal) if key is not None or permissions.can_read_everything(user) else []


def key_condition():
    """SQL condition: the proposal is a 重点提案 (the register's filter)."""
    return exists().where(KeyProposal.proposal_id == Proposal.id)


def key_leaders(proposal_ids) -> dict[int, str]:
    """{proposal id: supervising leader's name} of the key items among ``proposal_ids`` (the register's flag)."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(KeyProposal.proposal_id, User.display_name)
                              .join(User, User.id == KeyProposal.leader_id).where(KeyProposal.proposal_id.in_(ids)))
    return dict(rows.all())


def key_items_of(proposal_ids) -> dict[int, KeyProposal]:
    """{proposal id: its ``KeyProposal``, leader loaded} of the key items among ``proposal_ids``."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    return {key.proposal_id: key for key in db.session.scalars(
        select(KeyProposal).where(KeyProposal.proposal_id.in_(ids)).options(selectinload(KeyProposal.leader)))}


def leader_key_items(leader_id: int, *, open_only: bool = False):
    """SELECT of the key items a leader supervises, in meeting and number order."""
    query = select(Proposal).join(KeyProposal, KeyProposal.proposal_id == Proposal.id).where(
        KeyProposal.leader_id == leader_id)
    if open_only:
        query = query.where(Proposal.state.in_(OPEN_STATES))
    return query.order_by(Proposal.meeting, Proposal.number, Proposal.id)


def leader_key_count(leader_id: int, *, open_only: bool = True) -> int:
    query = leader_key_items(leader_id, open_only=open_only).order_by(None)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


# ---------------------------------------------------------------------------------------------------------
# The steps in the item's history (tracker.audit.sentences)
# ---------------------------------------------------------------------------------------------------------

def _said(event, names):
    changes = event.changes or {}
    if event.action == "proposal.key_marked":
        if changes.get("before"):
            return Said(_("%(actor)s 将重点提案的督办领导由%(before)s改为%(leader)s", actor=event.actor,
                          before=changes["before"], leader=changes.get("leader", "")))
        return Said(_("%(actor)s 确定为重点提案，督办领导：%(leader)s", actor=event.actor,
                      leader=changes.get("leader", "")))
    if event.action == "proposal.key_unmarked":
        return Said(_("%(actor)s 取消了重点提案（督办领导：%(leader)s）", actor=event.actor,
                      leader=changes.get("leader", "")))
    return Said(_("%(actor)s 提出督办意见", actor=event.actor), note=changes.get("text", ""))


for _action in ("proposal.key_marked", "proposal.key_unmarked", "proposal.supervision_note"):
    register_sentence(_action, _said)
