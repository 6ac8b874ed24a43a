"""Shared by the tests of 沟通协商, 承诺事项, the statistics and publication (issue 25, part c2)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.proposals.handling import assign, set_proposers
from tracker.proposals.models import Proposal, ProposalKind, ProposalState
from tracker.proposals.services import save_proposal
from tracker.units.models import Unit


def unit_id(short_name: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.short_name == short_name))


def unit_user(short_name: str) -> User:
    return db.session.scalar(select(User).where(User.unit_id == unit_id(short_name), User.role == Role.unit)
                             .order_by(User.id))


def user_with(role: Role) -> User:
    return db.session.scalar(select(User).where(User.role == role).order_by(User.id))


def coordinator() -> User:
    return user_with(Role.coordinator)


def item(number: str, *, unit: str = "区人社局", kind=ProposalKind.cppcc, meeting: str = "区政协十六届一次会议",
         assigned_on: date = date(2026, 1, 20), people=("张三", "李四"), co_units=("区财政局",)) -> Proposal:
    """An item assigned (交办) to ``unit`` with co-units, with proposers as people."""
    proposal = save_proposal(None, None, kind=kind, meeting=meeting, number=number, title=f"关于第{number}号事项的提案",
                             main_unit_id=unit_id(unit), assigned_on=assigned_on)
    db.session.flush()
    if people:
        set_proposers(None, proposal, [{"name": name, "group": "经济界"} for name in people])
    assign(coordinator(), proposal, today=assigned_on, main_unit_id=unit_id(unit),
           co_unit_ids=[unit_id(name) for name in co_units])
    db.session.flush()
    return proposal


def answer(proposal: Proposal, *, reply_on: date, category: str, feedback: str = "", publicity: str = "主动公开",
           reply_text: str = "", commitments=None) -> Proposal:
    """The reply as the register records it (state 已答复, or 已反馈 with the proposer's feedback)."""
    proposal.state = ProposalState.feedback_received if feedback else ProposalState.replied
    proposal.reply_on, proposal.result_category, proposal.feedback = reply_on, category, feedback
    proposal.publicity, proposal.reply_text = publicity, reply_text
    if commitments is not None:
        proposal.commitments = commitments
    db.session.flush()
    return proposal
