"""The ladder for an item whose reply is overdue (建议提案答复逾期的督办等级), a step of the reminder scan.

The reply a unit owes (the 主办's, or each 分办 unit's: ``clock_rows`` of tracker/proposals/clock.py) climbs
the task ladder's levels by working days past the reply deadline in force (``reply_due_on``; default 1, 5, 10,
15, app config ``PROPOSAL_LADDER_DAYS``): 1 提醒 (recorded only: the unit already got the clock's 催办 email
the day the reply became overdue), 2 催办 with a numbered 催办单 to the unit (its contacts and head), 3 督办
with a numbered 督办通知单 to the unit, copied to the leaders overseeing it (分管领导), 4 通报 (marked for the
next 督查通报, the unit told). The documents are issued at once (自动印发), numbered in the register's
sequences shared with the tasks' (催办〔2026〕n号, 督办〔2026〕n号), asking for the reply within
``PROPOSAL_LADDER_REPLY_DAYS`` (default 5) working days.

Each level is reached once per (item, unit, reply deadline): an approved extension (a new ``reply_due_on``)
ends the episode, a recorded reply takes the item off the clock, so either stops the climb. Several levels
reached at once (an item found long overdue, a scan after downtime) are each recorded; only the highest
speaks (one email per person, naming the document of the highest level with one). Safe to run again: the
steps are unique and the emails keyed.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.audit.services import record_many
from tracker.auth.models import Role
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.outbox.models import NotificationKind
from tracker.proposals.clock import REPLY, clock_rows
from tracker.proposals.models import ExtensionState, Proposal, ReceiptRole, ReplyExtension
from tracker.supervision.ladder import (DEFAULT_RULES, DOCUMENT_OF_LEVEL, LEVEL_LABELS, Rule, _leaders, audience_of,
                                        level_by_days)
from tracker.supervision.models import DocumentState, ProposalLadderStep, SupervisionDocument
from tracker.supervision.numbering import number_documents
from tracker.workcalendar.services import current_calendar

log = logging.getLogger(__name__)
PROPOSAL_REPLY = "proposal_reply"  # the facts' ``overdue_kind`` of an item's notice
DEFAULT_REPLY_DAYS = 5


def proposal_rules() -> tuple[Rule, ...]:
    """The task ladder's default levels, their days from ``PROPOSAL_LADDER_DAYS`` when set (four numbers)."""
    days = current_app.config.get("PROPOSAL_LADDER_DAYS")
    if not days:
        return DEFAULT_RULES
    try:
        if isinstance(days, str):
            days = [part for part in days.replace("，", ",").split(",") if part.strip()]
        days = [int(day) for day in days]
    except (TypeError, ValueError):
        days = []
    if len(days) != len(DEFAULT_RULES) or days != sorted(days) or days[0] < 1:
        log.warning("PROPOSAL_LADDER_DAYS %r ignored: four increasing numbers of working days, the first at least 1; "
                    "the defaults apply", current_app.config.get("PROPOSAL_LADDER_DAYS"))
        return DEFAULT_RULES
    return tuple(Rule(rule.level, day, rule.recipients, rule.issues_document) for rule, day in zip(DEFAULT_RULES, days))


def reply_days() -> int:
    return int(current_app.config.get("PROPOSAL_LADDER_REPLY_DAYS", DEFAULT_REPLY_DAYS))


def original_due_dates(proposal_ids) -> dict[int, date]:
    """{item: its reply deadline before the first approved extension} of the items that were extended."""
    found: dict[int, date] = {}
    for proposal_id, previous in db.session.execute(
            select(ReplyExtension.proposal_id, ReplyExtension.previous_due_on)
            .where(ReplyExtension.proposal_id.in_(sorted(proposal_ids)), ReplyExtension.state == ExtensionState.approved,
                   ReplyExtension.previous_due_on.is_not(None))
            .order_by(ReplyExtension.id)):
        found.setdefault(proposal_id, previous)
    return found


def proposal_notice_facts(row, *, original_due_on: date | None, role: str, reason: str = "days",
                          cc: list[str] | None = None) -> dict:
    """What a 催办单/督办通知单 about an item's reply states, frozen when it is issued."""
    proposal = row.proposal
    facts = {"item_label": proposal.label, "item_meeting": proposal.meeting, "item_number": proposal.number,
             "item_title": proposal.title, "unit_name": row.unit.name, "role": role, "overdue_kind": PROPOSAL_REPLY,
             "due_on": row.due_on.isoformat(), "original_due_on": (original_due_on or row.due_on).isoformat(),
             "reason": reason}
    if cc:
        facts["cc"] = cc
    return facts


def _roles(proposal_ids) -> dict[tuple[int, int], str]:
    from tracker.proposals.models import ProposalReceipt

    return {(proposal_id, unit_id): role.value for proposal_id, unit_id, role in db.session.execute(
        select(ProposalReceipt.proposal_id, ProposalReceipt.unit_id, ProposalReceipt.role)
        .where(ProposalReceipt.proposal_id.in_(sorted(proposal_ids))))}


def scan_proposal_ladder(at: datetime, result) -> None:
    """Climbs the ladder for every overdue reply of an open item (on a working day, from 09:00)."""
    from tracker.reminders.scan import SEND_AT, users_with_role

    local = at.astimezone(BEIJING)
    today = local.date()
    calendar = current_calendar()
    if not calendar.is_working_day(today) or local.time() < SEND_AT:
        return
    rows = [row for row in clock_rows(today, soon_days=0, kinds=(REPLY,)) if row.overdue]
    if not rows:
        return
    proposal_ids = {row.proposal.id for row in rows}
    reached: dict[tuple, int] = defaultdict(int)
    for proposal_id, unit_id, due_on, level in db.session.execute(
            select(ProposalLadderStep.proposal_id, ProposalLadderStep.unit_id, ProposalLadderStep.due_on,
                   ProposalLadderStep.level).where(ProposalLadderStep.proposal_id.in_(sorted(proposal_ids)))):
        reached[proposal_id, unit_id, due_on] = max(reached[proposal_id, unit_id, due_on], level)
    rules = proposal_rules()
    climbs = []  # (row, new levels, the level issuing a document or None)
    for row in rows:
        key = (row.proposal.id, row.unit.id, row.due_on)
        levels = list(range(reached[key] + 1, level_by_days(rules, row.days) + 1))
        if levels:
            with_document = [level for level in levels if rules[level - 1].issues_document and level in DOCUMENT_OF_LEVEL]
            climbs.append((row, levels, with_document[-1] if with_document else None))
    if not climbs:
        return
    leaders = _leaders()
    coordinators = users_with_role(Role.coordinator) if any("coordinators" in rule.recipients for rule in rules) else []
    originals, roles = original_due_dates(proposal_ids), _roles(proposal_ids)
    reply_by = calendar.add_working_days(today, reply_days())
    documents: dict[tuple, SupervisionDocument] = {}
    for row, _levels, document_level in climbs:
        if document_level is None:
            continue
        kind, prefix = DOCUMENT_OF_LEVEL[document_level]
        groups = rules[document_level - 1].recipients
        cc = [leader.display_name for leader, units in leaders if not units or row.unit.id in units] \
            if "leaders" in groups else []
        role = roles.get((row.proposal.id, row.unit.id), ReceiptRole.main.value)
        documents[row.proposal.id, row.unit.id, row.due_on] = SupervisionDocument(
            kind=kind, prefix=prefix, proposal_id=row.proposal.id, unit_id=row.unit.id, level=document_level,
            proposed_on=today, reply_by=reply_by, overdue_days=row.days, state=DocumentState.issued,
            facts=proposal_notice_facts(row, original_due_on=originals.get(row.proposal.id), role=role, cc=cc))
    number_documents(list(documents.values()), today=today, at=at)  # the register's sequences, shared with tasks
    db.session.add_all(documents.values())
    steps = []
    for row, levels, document_level in climbs:
        document = documents.get((row.proposal.id, row.unit.id, row.due_on))
        for level in levels:
            steps.append(ProposalLadderStep(
                proposal_id=row.proposal.id, unit_id=row.unit.id, due_on=row.due_on, level=level, reached_on=today,
                overdue_days=row.days, document=document if level == document_level else None, created_at=at))
    db.session.add_all(steps)
    db.session.flush()  # a step another scan wrote meanwhile fails this scan (the unique constraint)
    record_many(None, "proposal.ladder_reached", Proposal.__tablename__, [
        dict(object_id=step.proposal_id, summary=step.unit.name,
             changes={"level": step.level, "overdue_days": step.overdue_days, "unit": step.unit.name,
                      "due_on": step.due_on.isoformat(),
                      "document": step.document.number if step.document is not None else ""})
        for step in steps], at=at)
    for row, levels, document_level in climbs:
        top = levels[-1]
        if top == 1:
            continue  # 提醒: the clock's 催办 email (proposal_urge) said it the day the reply became overdue
        document = documents.get((row.proposal.id, row.unit.id, row.due_on))
        groups = tuple(dict.fromkeys([*rules[top - 1].recipients,
                                      *(rules[document_level - 1].recipients if document is not None else ())]))
        audience = audience_of(groups, row.unit, leaders, coordinators, with_document=document is not None)
        base = f"{NotificationKind.proposal_ladder.value}:{row.proposal.id}:{row.unit.id}:{row.due_on}:{top}"
        acting, copied = (_context(row, top, document, copy=False), _context(row, top, document, copy=True))
        result.publish(NotificationKind.proposal_ladder, base, unit_ids=[row.unit.id], path=acting["link"], at=at,
                       **acting)
        for recipient, copy in audience:
            result.queue(NotificationKind.proposal_ladder, f"{base}:{recipient.email}", recipient, at=at,
                         **(copied if copy else acting))


def _context(row, level: int, document: SupervisionDocument | None, *, copy: bool) -> dict:
    lines = [_l("该件答复期限为%(due)s，%(unit)s尚未答复，已逾期%(n)d个工作日。", due=row.due_on, unit=row.unit.name,
                n=row.days),
             _l("督办等级：第%(level)d级（%(label)s）。", level=level, label=LEVEL_LABELS[level])]
    if copy:
        if document is not None:
            lines.append(_l("已向%(unit)s发出%(number)s，反馈时限为%(reply)s。", unit=row.unit.name,
                            number=document.number, reply=document.reply_by))
        lines.append(_l("抄送：此件供您知悉，无需在系统中反馈。"))
    elif document is not None:
        lines.append(_l("已发出%(number)s，请于%(reply)s前完成答复并在系统中报送答复情况。", number=document.number,
                        reply=document.reply_by))
    if level == 4:
        lines.append(_l("该件将列入下一期督查通报。"))
    return dict(proposal=row.proposal, unit=row.unit, level=level, level_label=LEVEL_LABELS[level],
                overdue_days=row.days, lines=lines, link=f"/proposals/{row.proposal.id}#ladder", copy=copy,
                document_number=document.number if document is not None else "")


# ---------------------------------------------------------------------------------------------------------
# What the item page shows
# ---------------------------------------------------------------------------------------------------------

@dataclass
class ProposalLadder:
    """An item's ladder: its steps (oldest first), its documents, the level reached on the deadline in force."""

    steps: list[ProposalLadderStep]
    documents: list[SupervisionDocument]
    level: int
    level_label: str

    @property
    def labels(self) -> dict:
        return LEVEL_LABELS

    def unit_levels(self, due_on: date | None) -> list[tuple]:
        """[(unit, level reached on the reply deadline ``due_on``)] of the units that climbed (the current
        episode, by unit: the 主办, or each 分办 unit), in the order they first did."""
        levels: dict[int, list] = {}
        for step in self.steps:
            if step.due_on == due_on:
                entry = levels.setdefault(step.unit_id, [step.unit, 0])
                entry[1] = max(entry[1], step.level)
        return [tuple(entry) for entry in levels.values()]


def proposal_ladder(proposal: Proposal) -> ProposalLadder:
    steps = list(db.session.scalars(select(ProposalLadderStep).where(ProposalLadderStep.proposal_id == proposal.id)
                                    .order_by(ProposalLadderStep.reached_on, ProposalLadderStep.level,
                                              ProposalLadderStep.id)))
    documents = list(db.session.scalars(select(SupervisionDocument).where(SupervisionDocument.proposal_id == proposal.id)
                                        .order_by(SupervisionDocument.id)))
    current = [step.level for step in steps if step.due_on == proposal.reply_due_on]
    level = max(current, default=0)
    return ProposalLadder(steps, documents, level, str(LEVEL_LABELS[level]) if level else "")
