"""Seed the items of the handling flow (data in ``seeds/proposal_flow.py``) through the services the pages use.

Idempotent: an item is looked up by meeting + number and created (with all its steps) only when missing; the
real replies' proposers are registered only when they have none. Needs the units and the demo users first.
Does not commit (``seeds.demo.load_demo`` commits once). Each step runs at its own moment (``frozen_at``), so
the history of every item reads in order on the demo day 2026-06-30.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from seeds import proposal_flow
from tracker.auth.models import Role, User
from tracker.common.clock import frozen_at, today, utcnow
from tracker.extensions import db
from tracker.proposals import contacts, cosign, entry, handling, promises
from tracker.proposals.documents import result_class
from tracker.proposals.models import Proposal, ProposalKind, ProposalState
from tracker.proposals.services import find_by_meeting_and_number, result_categories, save_proposal
from tracker.units.models import Unit


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time(9, 0))


def _edit(actor, proposal: Proposal, **changes) -> Proposal:
    """save_proposal with the item's current values and ``changes`` (as the edit page posts them)."""
    values = dict(meeting=proposal.meeting, number=proposal.number, title=proposal.title,
                  proposers=proposal.proposers, main_unit_id=proposal.main_unit_id,
                  co_unit_ids=[unit.id for unit in proposal.co_units], assigned_on=proposal.assigned_on,
                  reply_due_on=proposal.reply_due_on, state=proposal.state,
                  reply_doc_number=proposal.reply_doc_number, reply_on=proposal.reply_on,
                  result_category=proposal.result_category, publicity=proposal.publicity,
                  contact_name=proposal.contact_name, contact_phone=proposal.contact_phone,
                  contact_address=proposal.contact_address, postal_code=proposal.postal_code,
                  feedback=proposal.feedback, kind=proposal.kind)
    values.update(changes)
    return save_proposal(actor, proposal, **values)


def category_of_class(letter: str) -> str | None:
    """The first configured result category (办理结果) of class A/B/C/D, or None."""
    return next((category for category in result_categories() if result_class(category) == letter), None)


class _Context:
    def __init__(self):
        self.units = {unit.short_name: unit for unit in db.session.scalars(select(Unit))}
        users = list(db.session.scalars(select(User)))
        self.coordinator = next(user for user in users if user.login == "coordinator")
        self.unit_users = {user.unit.short_name: user for user in users if user.role == Role.unit and user.unit}
        self.tokens: dict[tuple[int, str], str] = {}


def _assign(ctx, proposal, at, spec):
    if "split" in spec:
        handling.assign(ctx.coordinator, proposal, today=today(),
                        split_unit_ids=[ctx.units[name].id for name in spec["split"]])
    else:
        handling.assign(ctx.coordinator, proposal, today=today(), main_unit_id=ctx.units[spec["main"]].id,
                        co_unit_ids=[ctx.units[name].id for name in spec.get("co", [])])


def _sign(ctx, proposal, at, unit):
    handling.sign(ctx.unit_users[unit], proposal, now=at)


def _return(ctx, proposal, at, unit, reason):
    handling.return_item(ctx.unit_users[unit], proposal, reason=reason, today=today(), now=at)


def _handling(ctx, proposal, at):
    _edit(ctx.coordinator, proposal, state=ProposalState.replying)


def _merge(ctx, proposal, at, target):
    handled = find_by_meeting_and_number(*target)
    entry.merge(ctx.coordinator, handled, [proposal.id], now=at)


def _reply(ctx, proposal, at, spec):
    category = category_of_class(spec["class"])
    if category is None:  # the configured categories have none of this class: the item stays in handling
        return
    _cosign(ctx, proposal, at, spec["text"])
    _edit(ctx.coordinator, proposal, state=ProposalState.replied, reply_on=today(), result_category=category,
          reply_doc_number=spec["doc"], reply_text=spec["text"], **proposal_flow.REPLY_CONTACT)


def _cosign(ctx, proposal, at, text):
    """协办意见 and 会签 before the reply (tracker.proposals.cosign): each signed 协办 sends its opinion, the 主办
    sends the draft, and each 协办 agrees, as the rules require before a reply goes out."""
    co_units = [receipt.unit for receipt in cosign.co_receipts(proposal, signed_only=True)]
    if not co_units:
        return
    for unit in co_units:
        cosign.send_opinion(ctx.unit_users[unit.short_name], proposal, "同意主办单位的办理思路，本单位将按职责配合落实。",
                            now=at)
    cosign.send_draft(ctx.unit_users[proposal.main_unit.short_name], proposal, text, today=today(), now=at)
    for unit in cosign.missing_cosigns(proposal):
        cosign.cosign(ctx.unit_users[unit.short_name], proposal, agreed=True, reason="", now=at)


def _link(ctx, proposal, at, name):
    person = next(p for p in proposal.people if p.name == name)
    ctx.tokens[(proposal.id, name)] = handling.issue_rating_link(ctx.coordinator, proposal, person, now=at)


def _rate(ctx, proposal, at, name, rating):
    handling.rate(None, ctx.tokens.pop((proposal.id, name)), rating, now=at, today=today())


def _contact(ctx, proposal, at, spec):
    contacts.record_contact(ctx.unit_users[proposal.main_unit.short_name], proposal, contact_on=today(),
                            way=spec["way"], stage=spec["stage"], proposer_names=spec["with"],
                            unit_people=spec["unit_people"], agreed=spec["agreed"], today=today())


def _promise(ctx, proposal, at, spec):
    if proposal.reply_on is None:  # its reply's class has no configured category: no reply, so no promise
        return
    promises.add_promise(ctx.unit_users[proposal.main_unit.short_name], proposal, text=spec["text"],
                         due_on=spec["due"], today=today())


STEPS = {"assign": _assign, "sign": _sign, "return": _return, "handling": _handling, "merge": _merge,
         "reply": _reply, "link": _link, "rate": _rate, "contact": _contact, "promise": _promise}


def _first_day(item: dict) -> date:
    days = [_moment(step[1]) for step in item["steps"]]
    return min(days).date() if days else date(2026, 3, 1)


def _create(ctx, item: dict) -> Proposal:
    created = _moment(_first_day(item)).replace(hour=8, minute=30)
    with frozen_at(created):
        proposal = save_proposal(ctx.coordinator, None, meeting=item["meeting"], number=item["number"],
                                 title=item["title"], main_unit_id=ctx.units["区科委"].id,
                                 assigned_on=created.date(), kind=ProposalKind(item["kind"]))
        db.session.flush()
        handling.set_proposers(ctx.coordinator, proposal, [{"name": n, "group": g, "contact": c}
                                                           for n, g, c in item["people"]])
        handling.set_points(ctx.coordinator, proposal, "\n".join(item["points"]))
    for step in item["steps"]:
        with frozen_at(_moment(step[1])):
            STEPS[step[0]](ctx, proposal, utcnow(), *step[2:])  # now as stored (UTC); today() is the day
            db.session.flush()
    return proposal


def load_proposal_flow() -> list[Proposal]:
    """Creates the missing demo items with their steps, registers the real replies' proposers; returns the
    demo items."""
    ctx = _Context()
    for (meeting, number), names in proposal_flow.REAL_PEOPLE.items():
        proposal = find_by_meeting_and_number(meeting, number)
        if proposal is not None and not proposal.people:
            handling.set_proposers(None, proposal, [{"name": name} for name in names])
    items = []
    for item in proposal_flow.ITEMS:
        existing = find_by_meeting_and_number(item["meeting"], item["number"])
        items.append(existing if existing is not None else _create(ctx, item))
    db.session.flush()
    return items
