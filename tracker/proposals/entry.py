"""Shaping an item from the pages (录入): its proposers as people and its points, 交办 to a 主办 with 协办
units or 分办 to several units, and 并案 of items on one subject.

Rules decided here:
- the proposers and the points are entered together; a joint item (联名) has several proposers, the first
  leads (领衔); the rules of each are those of ``handling.set_proposers`` / ``handling.set_points``;
- 交办 is either to one 主办 with any 协办 units, or 分办 to two or more units that each answer; the
  receipts and windows are those of ``handling.assign``;
- 并案 (merge): open items on one subject (same kind, not yet signed by any unit) join an open handled
  item; the units handle the handled item only, so each merged item follows its units and drops its own
  unsigned receipts. When the handled item is answered, each merged item receives the same reply
  (``answer_merged``): its own proposers are answered and each rates it through a personal link;
- an item merged into another cannot itself take merged items, nor be merged twice.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.sentences import Said
from tracker.audit.sentences import register as register_sentence
from tracker.audit.services import record
from tracker.common.errors import ValidationFailed
from tracker.extensions import db
from tracker.proposals import handling
from tracker.proposals.models import Proposal, ProposalKind, ProposalMerge, ProposalState
from tracker.proposals.services import OPEN_STATES

ASSIGN_MODES = ("main", "split")  # 主办+协办 / 分办
REPLY_FIELDS = ("reply_doc_number", "reply_on", "result_category", "publicity", "contact_name", "contact_phone",
                "contact_address", "postal_code", "reply_text")

# The words of each kind on the entry pages (委员/界别/提案 or 代表/代表团/建议).
PEOPLE_HEADINGS = {ProposalKind.cppcc: _l("提案人（委员）"), ProposalKind.npc: _l("提出建议的代表")}
POINTS_LABELS = {ProposalKind.cppcc: _l("提案要点（每行一条，答复时逐条答复）"),
                 ProposalKind.npc: _l("建议要点（每行一条，答复时逐条答复）")}


def words(kind: ProposalKind | str) -> dict[str, str]:
    """The item's own words: 提案/委员/界别 for a 政协提案, 建议/代表/代表团 for a 人大建议."""
    kind = ProposalKind(kind)
    return {"item": str(handling.ITEM_WORDS[kind]), "person": str(handling.PROPOSER_WORDS[kind]),
            "group": str(handling.GROUP_WORDS[kind]), "kind": str(handling.KIND_LABELS[kind]),
            "people": str(PEOPLE_HEADINGS[kind]), "points": str(POINTS_LABELS[kind])}


# ---------------------------------------------------------------------------------------------------------
# Proposers and points
# ---------------------------------------------------------------------------------------------------------

def save_people_and_points(actor, proposal: Proposal, people: list[dict], points_text: str) -> Proposal:
    """登记提案人和要点: the proposers ([{name, group, contact}], the lead first) and the points (one a line).
    Nothing changes when either is refused."""
    before_points = list(proposal.points or [])
    new_points = [line.strip() for line in (points_text or "").splitlines() if line.strip()]
    before_people = [(p.name, p.group, p.contact) for p in proposal.people]
    new_people = [(str(p.get("name") or "").strip(), str(p.get("group") or "").strip(),
                   str(p.get("contact") or "").strip()) for p in people]
    new_people = [row for row in new_people if any(row)]
    if new_people != before_people:
        handling.set_proposers(actor, proposal, people)
    elif not new_people:
        raise ValidationFailed(_("请至少填写一位提案人。"))
    if new_points != before_points:
        handling.set_points(actor, proposal, points_text)
    return proposal


# ---------------------------------------------------------------------------------------------------------
# 交办: 主办 + 协办, or 分办
# ---------------------------------------------------------------------------------------------------------

def assign_item(actor, proposal: Proposal, *, mode: str, today: date, main_unit_id: int | None = None,
                co_unit_ids=(), split_unit_ids=()):
    """交办 from the page: ``mode`` "main" (one 主办, any 协办) or "split" (分办 to two or more units)."""
    if merged_into(proposal) is not None:
        raise ValidationFailed(_("该件已并案，由并入的件统一交办。"))
    if mode == "main":
        return handling.assign(actor, proposal, today=today, main_unit_id=main_unit_id, co_unit_ids=co_unit_ids)
    if mode == "split":
        split_unit_ids = [int(uid) for uid in split_unit_ids]
        if len(split_unit_ids) < 2:
            raise ValidationFailed(_("分办须选择至少两个单位。"))
        return handling.assign(actor, proposal, today=today, split_unit_ids=split_unit_ids)
    raise ValidationFailed(_("请选择交办方式：主办（可加协办）或分办。"))


# ---------------------------------------------------------------------------------------------------------
# 并案
# ---------------------------------------------------------------------------------------------------------

def merged_into(proposal: Proposal) -> Proposal | None:
    """The item ``proposal`` was merged into (并案办理), if any."""
    row = db.session.scalar(select(ProposalMerge).where(ProposalMerge.proposal_id == proposal.id))
    return row.handled if row is not None else None


def merged_items(handled: Proposal) -> list[Proposal]:
    """The items merged into ``handled``, in meeting and number order."""
    rows = db.session.scalars(select(Proposal).join(ProposalMerge, ProposalMerge.proposal_id == Proposal.id)
                              .where(ProposalMerge.handled_id == handled.id)
                              .order_by(Proposal.meeting, Proposal.number))
    return list(rows)


def merge_candidates(handled: Proposal) -> list[Proposal]:
    """Items that may be merged into ``handled``: open, same kind, not merged, no unit has acted on them."""
    if handled.state not in OPEN_STATES or merged_into(handled) is not None:
        return []
    taken = select(ProposalMerge.proposal_id)
    handlers = select(ProposalMerge.handled_id)
    rows = db.session.scalars(select(Proposal).where(
        Proposal.id != handled.id, Proposal.kind == handled.kind, Proposal.state.in_(OPEN_STATES),
        Proposal.id.notin_(taken), Proposal.id.notin_(handlers)).options(selectinload(Proposal.receipts))
        .order_by(Proposal.meeting, Proposal.number))
    return [p for p in rows if all(r.pending for r in p.receipts)]


def merge(actor, handled: Proposal, proposal_ids, *, now: datetime) -> list[Proposal]:
    """并案: the items ``proposal_ids`` join ``handled``; the units of ``handled`` handle them all."""
    ids = sorted({int(pid) for pid in proposal_ids or []})
    if not ids:
        raise ValidationFailed(_("请选择要并案的件。"))
    if handled.id in ids:
        raise ValidationFailed(_("不能把一件并入它自己。"))
    if handled.state not in OPEN_STATES:
        raise ValidationFailed(_("已答复的件不能再并案。"))
    if merged_into(handled) is not None:
        raise ValidationFailed(_("该件已并入其他件，不能再接收并案。"))
    candidates = {p.id: p for p in merge_candidates(handled)}
    missing = [pid for pid in ids if pid not in candidates]
    if missing:
        raise ValidationFailed(_("所选的件不能并案（须为同一类别、尚未答复、未并案且没有单位签收或退回）。"))
    merged = []
    for pid in ids:
        item = candidates[pid]
        item.receipts.clear()
        item.main_unit_id = handled.main_unit_id
        item.co_units = list(handled.co_units)
        item.assigned_on = handled.assigned_on or item.assigned_on
        item.reply_due_on = handled.reply_due_on or item.reply_due_on
        if handled.state == ProposalState.replying:  # in handling together (the state only moves forward)
            item.state = ProposalState.replying
        db.session.add(ProposalMerge(proposal_id=item.id, handled_id=handled.id, merged_at=now,
                                     merged_by_id=getattr(actor, "id", None)))
        record(actor, "proposal.merged", item, summary=str(item),
               changes={"handled": handled.label, "role": "merged"})
        merged.append(item)
    record(actor, "proposal.merged", handled, summary=str(handled),
           changes={"items": [item.label for item in merged], "role": "handled"})
    db.session.flush()
    return merged


def answer_merged(actor, handled: Proposal, *, now: datetime) -> list[tuple[str, str]]:
    """Gives each merged item the reply of ``handled`` (已答复) and issues a personal rating link to each of
    their proposers: [(name, token)]. Items already answered keep their reply and get no new link."""
    if handled.state != ProposalState.replied:
        raise ValidationFailed(_("并案的主件答复后，才能答复并入的各件。"))
    links = []
    items = merged_items(handled)
    if not items:
        raise ValidationFailed(_("该件没有并入的件。"))
    for item in items:
        if item.state != ProposalState.replied or item.reply_on != handled.reply_on:
            if item.state not in OPEN_STATES:
                continue
            for field in REPLY_FIELDS:
                setattr(item, field, getattr(handled, field))
            item.state = ProposalState.replied
            record(actor, "proposal.merged_answered", item, summary=str(item),
                   changes={"handled": handled.label, "reply_on": handled.reply_on.isoformat()
                            if handled.reply_on else ""})
        if item.people:
            links += handling.issue_rating_links(actor, item, now=now)
    return links


# ---------------------------------------------------------------------------------------------------------
# History sentences
# ---------------------------------------------------------------------------------------------------------

def _said_merged(event, names):
    if event.action == "proposal.merged_answered":
        return Said(_("%(actor)s 将%(handled)s的答复送达本件提案人", actor=event.actor,
                      handled=event.changes.get("handled", "")))
    if event.changes.get("role") == "handled":
        return Said(_("%(actor)s 将%(items)s并入本件办理（并案）", actor=event.actor,
                      items="、".join(event.changes.get("items") or [])))
    return Said(_("%(actor)s 将本件并入%(handled)s办理（并案）", actor=event.actor,
                  handled=event.changes.get("handled", "")))


for _action in ("proposal.merged", "proposal.merged_answered"):
    register_sentence(_action, _said_merged)
