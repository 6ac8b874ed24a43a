"""Read side of proposal handling: the register with filters, overdue replies and replies due soon.

A proposal's reply is overdue (答复逾期) when its reply due date (答复期限) has passed and it is still
assigned or being handled (not replied). Day counts are working days, as for tasks
(``tracker.common.deadlines``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from tracker.common import deadlines
from tracker.common.clock import today as clock_today
from tracker.extensions import db
from tracker.proposals.models import Proposal, ProposalKind, ProposalState, proposal_co_units
from tracker.proposals.services import OPEN_STATES, due_soon_working_days, visible_proposal_condition
from tracker.tasks.queries import OverdueFilters


@dataclass(frozen=True)
class ProposalFilters:
    state: ProposalState | None = None
    unit_id: int | None = None  # main or co-handling unit
    meeting: str | None = None
    overdue_on: date | None = None  # only replies overdue on that day
    kind: ProposalKind | None = None  # 政协提案 / 人大建议

    def apply(self, query):
        if self.state is not None:
            query = query.where(Proposal.state == self.state)
        if self.unit_id:
            co = exists().where(proposal_co_units.c.proposal_id == Proposal.id,
                                proposal_co_units.c.unit_id == self.unit_id)
            query = query.where(or_(Proposal.main_unit_id == self.unit_id, co))
        if self.meeting:
            query = query.where(Proposal.meeting == self.meeting)
        if self.kind is not None:
            query = query.where(Proposal.kind == self.kind)
        if self.overdue_on is not None:
            query = query.where(Proposal.state.in_(OPEN_STATES), Proposal.reply_due_on < self.overdue_on)
        return query


def _loaded(query):
    return query.options(selectinload(Proposal.main_unit), selectinload(Proposal.co_units))


def proposal_query(user, filters: ProposalFilters = ProposalFilters()):
    """The register (提案办理台账) as the user may see it, filtered, in meeting and number order."""
    query = filters.apply(select(Proposal).where(visible_proposal_condition(user)))
    return _loaded(query.order_by(Proposal.meeting, Proposal.number, Proposal.id))


def meetings() -> list[str]:
    return list(db.session.scalars(select(Proposal.meeting).distinct().order_by(Proposal.meeting)))


@dataclass
class ProposalDeadlineRow:
    """A proposal whose reply is overdue (``days`` working days late) or due soon (``days`` left)."""

    proposal: Proposal
    due_on: date
    days: int


def overdue_proposals(today: date) -> list[ProposalDeadlineRow]:
    """Replies past their due date and not yet given, most days overdue first."""
    query = _loaded(select(Proposal).where(Proposal.state.in_(OPEN_STATES), Proposal.reply_due_on < today))
    rows = [ProposalDeadlineRow(p, p.reply_due_on, deadlines.overdue_days(p.reply_due_on, today))
            for p in db.session.scalars(query)]
    rows.sort(key=lambda row: (-row.days, row.proposal.meeting, row.proposal.number))
    return rows


def proposals_due_soon(today: date, working_days: int | None = None) -> list[ProposalDeadlineRow]:
    """Open proposals whose reply is due today or within ``working_days`` working days, soonest first."""
    working_days = due_soon_working_days() if working_days is None else working_days
    # Working days are never more than calendar days; a generous calendar window, then the exact rule.
    horizon = today + timedelta(days=working_days * 2 + 21)
    query = _loaded(select(Proposal).where(Proposal.state.in_(OPEN_STATES), Proposal.reply_due_on >= today,
                                           Proposal.reply_due_on <= horizon))
    rows = []
    for proposal in db.session.scalars(query):
        left = deadlines.due_in_days(proposal.reply_due_on, today)
        if left is not None and left <= working_days:
            rows.append(ProposalDeadlineRow(proposal, proposal.reply_due_on, left))
    rows.sort(key=lambda row: (row.due_on, row.proposal.meeting, row.proposal.number))
    return rows


def overdue_replies(filters: OverdueFilters):
    """Proposals whose reply is overdue (答复逾期), their own kind on the overdue list.

    They belong to no plan: a plan or action-group filter leaves them out."""
    if filters.plan_id or filters.group_id:
        return []
    rows = overdue_proposals(clock_today())
    return [row for row in rows if not filters.unit_id or row.proposal.main_unit_id == filters.unit_id]


@dataclass
class OverdueListItems:
    """What the overdue list (逾期清单) shows of proposals below its tasks and reports, and what each of its
    exports (CSV, Excel) carries after them: the replies overdue (答复逾期) and the 协办意见 and 会签 past
    their deadline (逾期的协办意见和会签)."""

    replies: list
    obligations: list

    def export_lines(self) -> list[tuple]:
        """One line per overdue item: (类型, 会议, 提案号, 标题, 单位, 期限, 逾期工作日数)."""
        from tracker.proposals.clock import OVERDUE_LABELS, REPLY

        lines = [(str(OVERDUE_LABELS[REPLY]), row.proposal.meeting, row.proposal.number, row.proposal.title,
                  row.proposal.main_unit.short_name, row.due_on, row.days) for row in self.replies]
        return lines + [(row.overdue_label, row.proposal.meeting, row.proposal.number, row.proposal.title,
                         row.unit.short_name, row.due_on, row.days) for row in self.obligations]


def items_possible(filters: OverdueFilters, whole_list: bool) -> bool:
    """Whether the overdue list with these filters can show proposals at all (``overdue_list_items``)."""
    return whole_list and not filters.plan_id and not filters.group_id


def overdue_list_items(filters: OverdueFilters, *, whole_list: bool = True) -> OverdueListItems:
    """The proposals' part of the overdue list with the list's filters (the page and its exports alike):
    only on the whole list (``?kind=`` of one kind of task row shows none); they belong to no plan, so a plan
    or action-group filter leaves them out; a unit filter keeps the unit's own (the 主办's reply, the 协办's
    opinion and 会签)."""
    from tracker.proposals.clock import overdue_obligations

    if not items_possible(filters, whole_list):
        return OverdueListItems([], [])
    return OverdueListItems(overdue_replies(filters), overdue_obligations(clock_today(), filters.unit_id or None))


def history_events(proposal: Proposal) -> list:
    """The item's audit events oldest first: every step with who and when (the API's item; the page shows
    the same events newest first)."""
    from tracker.audit.models import AuditEvent

    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == Proposal.__tablename__, AuditEvent.object_id == proposal.id)
        .order_by(AuditEvent.at, AuditEvent.id)))
