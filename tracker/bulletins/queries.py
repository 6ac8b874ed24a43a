"""The month's figures of a 督查通报 (read side), computed from the rows, as JSON-ready values.

For the month M (Beijing dates), over the tasks of active plans:

- reporting (按期报送率 by unit): every lead-unit report whose report day (报送日) lies in M and before
  today, on time by the scoreboard's rule (``tracker.reports.queries.due_reports``: the accepted version
  submitted by the end of the report day); by unit, worst rate first;
- levels (督办等级): the number of distinct tasks that reached each ladder level (LadderStep) in M;
- level4 (通报): the tasks that reached level 4 in M, with their lead unit and working days overdue;
- returns (多次退回): units with at least ``REPEATED_RETURNS`` of their reports returned (退回) in M
  (review date), any role;
- extensions (批准延期): extension requests approved in M;
- closures (办结销号): closure requests verified in M, and whether on time (decided on or before the due
  date in force when filed);
- proposals (建议提案答复逾期, the ladder of tracker/supervision/proposal_ladder.py): by the tasks' rule, the
  number of distinct items that reached each level in M, and the replies (per unit owing one: 主办 or 分办)
  that reached level 4 (通报) in M, with the item's 届次, number and title, the unit, the reply deadline of
  that episode, the working days overdue then, and the episode's documents (催办单, 督办通知单; not the void).
"""
from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.proposals.models import Proposal, ProposalReceipt, ReceiptRole
from tracker.supervision.models import (ClosureRequest, ExtensionRequest, ExtensionState, LadderStep,
                                        ProposalLadderStep)
from tracker.supervision.queries import closure_in_force
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.updates.models import ReviewState, StatusUpdate

REPEATED_RETURNS = 2


def month_bounds(month: date) -> tuple[date, date]:
    """First and last day of the month."""
    return month, month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time(0), BEIJING).astimezone(timezone.utc)


def _beijing_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING).date()


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def month_figures(month: date, today: date) -> dict:
    """Every figure of the month's bulletin (see the module docstring)."""
    from tracker.reports.queries import Scope, due_report_counts

    first, last = month_bounds(month)
    start, end = _utc_start(first), _utc_start(last + timedelta(days=1))
    active_tasks = select(Task.id).join(Plan, Plan.id == Task.plan_id).where(Plan.status == PlanStatus.active)
    units = {unit.id: unit.short_name for unit in db.session.scalars(select(Unit))}

    # 按期报送率 by unit: report days in the month (and before today).
    by_unit: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    month_key = first.strftime("%Y-%m")
    for (unit_id, report_month), (due, on_time) in due_report_counts(
            min(today, last + timedelta(days=1)), Scope(), by=("lead_unit_id", "month"), since=first).items():
        if report_month == month_key:
            by_unit[unit_id][0] += due
            by_unit[unit_id][1] += on_time
    reporting_units = sorted(
        ({"unit_id": unit_id, "unit": units[unit_id], "due": due, "on_time": on_time, "rate": _rate(on_time, due)}
         for unit_id, (due, on_time) in by_unit.items()),
        key=lambda row: (row["rate"], row["unit"]))
    due_total = sum(row["due"] for row in reporting_units)
    on_time_total = sum(row["on_time"] for row in reporting_units)

    # 督办等级 reached in the month.
    steps = db.session.execute(
        select(LadderStep.task_id, LadderStep.level, LadderStep.overdue_days, LadderStep.kind, LadderStep.period,
               LadderStep.lead_unit_id)
        .where(LadderStep.reached_on >= first, LadderStep.reached_on <= last, LadderStep.task_id.in_(active_tasks))
        .order_by(LadderStep.reached_on, LadderStep.id)).all()
    tasks_at: dict[int, set[int]] = {level: set() for level in (1, 2, 3, 4)}
    level4: dict[int, dict] = {}
    for task_id, level, overdue_days, kind, period, unit_id in steps:
        tasks_at.setdefault(level, set()).add(task_id)
        if level == 4:
            entry = level4.setdefault(task_id, {"task_id": task_id, "unit": units[unit_id], "overdue_days": 0,
                                                "kinds": []})
            entry["overdue_days"] = max(entry["overdue_days"], overdue_days)
            if kind not in entry["kinds"]:
                entry["kinds"].append(kind)

    # 退回 in the month, by unit.
    returns = db.session.execute(
        select(StatusUpdate.unit_id, func.count()).where(
            StatusUpdate.review_state == ReviewState.returned, StatusUpdate.reviewed_at >= start,
            StatusUpdate.reviewed_at < end, StatusUpdate.task_id.in_(active_tasks))
        .group_by(StatusUpdate.unit_id)).all()
    repeated = sorted(({"unit_id": unit_id, "unit": units[unit_id], "count": count}
                       for unit_id, count in returns if count >= REPEATED_RETURNS),
                      key=lambda row: (-row["count"], row["unit"]))

    extensions = list(db.session.scalars(
        select(ExtensionRequest).where(ExtensionRequest.state == ExtensionState.approved,
                                       ExtensionRequest.decided_at >= start, ExtensionRequest.decided_at < end,
                                       ExtensionRequest.task_id.in_(active_tasks))
        .order_by(ExtensionRequest.decided_at, ExtensionRequest.id)))
    closures = list(db.session.scalars(
        select(ClosureRequest).where(closure_in_force(),  # a task reopened since: not closed
                                     ClosureRequest.decided_at >= start, ClosureRequest.decided_at < end,
                                     ClosureRequest.task_id.in_(active_tasks))
        .order_by(ClosureRequest.decided_at, ClosureRequest.id)))
    labels = _task_labels(set(level4) | {e.task_id for e in extensions} | {c.task_id for c in closures})

    return {
        "month": first.strftime("%Y-%m"),
        "as_of": today.isoformat(),
        "reporting": {"due": due_total, "on_time": on_time_total, "rate": _rate(on_time_total, due_total),
                      "units": reporting_units},
        "levels": {str(level): len(tasks_at.get(level, ())) for level in (1, 2, 3, 4)},
        "level4": [{**entry, "task": labels[entry["task_id"]]} for entry in
                   sorted(level4.values(), key=lambda e: (-e["overdue_days"], labels[e["task_id"]]))],
        "returns": repeated,
        "extensions": [{"task_id": e.task_id, "task": labels[e.task_id], "unit": units[e.unit_id],
                        "due_on_before": e.due_on_before.isoformat() if e.due_on_before else None,
                        "approved_due_on": e.approved_due_on.isoformat(), "late": e.is_late,
                        "decided_on": _beijing_date(e.decided_at).isoformat()} for e in extensions],
        "closures": [{"task_id": c.task_id, "task": labels[c.task_id], "unit": units[c.unit_id],
                      "due_on": c.due_on.isoformat() if c.due_on else None,
                      "decided_on": _beijing_date(c.decided_at).isoformat(),
                      "on_time": c.due_on is None or _beijing_date(c.decided_at) <= c.due_on} for c in closures],
        "proposals": proposal_figures(first, last, units),
    }


def proposal_figures(first: date, last: date, units: dict[int, str]) -> dict:
    """The items' part of the month's figures (the module docstring's ``proposals``), as the tasks': a reply
    is listed when it reached level 4 in the month, whatever happened to it after."""
    steps = db.session.execute(
        select(ProposalLadderStep.proposal_id, ProposalLadderStep.unit_id, ProposalLadderStep.due_on,
               ProposalLadderStep.level, ProposalLadderStep.overdue_days, ProposalLadderStep.reached_on)
        .where(ProposalLadderStep.reached_on >= first, ProposalLadderStep.reached_on <= last)
        .order_by(ProposalLadderStep.reached_on, ProposalLadderStep.id)).all()
    items_at: dict[int, set[int]] = {level: set() for level in (1, 2, 3, 4)}
    level4: dict[tuple, dict] = {}
    for proposal_id, unit_id, due_on, level, overdue_days, reached_on in steps:
        items_at.setdefault(level, set()).add(proposal_id)
        if level == 4:
            level4.setdefault((proposal_id, unit_id, due_on), {"overdue_days": overdue_days,
                                                               "reached_on": reached_on.isoformat()})
    rows = []
    if level4:
        proposal_ids = sorted({key[0] for key in level4})
        proposals = {item.id: item for item in db.session.scalars(select(Proposal).where(Proposal.id.in_(proposal_ids)))}
        roles = {(proposal_id, unit_id): role for proposal_id, unit_id, role in db.session.execute(
            select(ProposalReceipt.proposal_id, ProposalReceipt.unit_id, ProposalReceipt.role)
            .where(ProposalReceipt.proposal_id.in_(proposal_ids)))}
        documents: dict[tuple, list[dict]] = defaultdict(list)
        for step in db.session.scalars(select(ProposalLadderStep).where(
                ProposalLadderStep.proposal_id.in_(proposal_ids), ProposalLadderStep.document_id.is_not(None))
                .order_by(ProposalLadderStep.level, ProposalLadderStep.id)):
            key = (step.proposal_id, step.unit_id, step.due_on)
            if key in level4 and not step.document.is_void and not step.document.is_proposed:
                documents[key].append({"id": step.document.id, "number": step.document.number,
                                       "level": step.level})
        for (proposal_id, unit_id, due_on), entry in level4.items():
            item = proposals[proposal_id]
            rows.append({"proposal_id": proposal_id, "meeting": item.meeting, "number": item.number,
                         "title": item.title, "unit_id": unit_id, "unit": units[unit_id],
                         "role": roles.get((proposal_id, unit_id), ReceiptRole.main).value,
                         "due_on": due_on.isoformat(), "overdue_days": entry["overdue_days"], "level": 4,
                         "reached_on": entry["reached_on"], "documents": documents[proposal_id, unit_id, due_on]})
        rows.sort(key=lambda row: (-row["overdue_days"], row["meeting"], row["number"], row["unit"]))
    return {"levels": {str(level): len(items_at.get(level, ())) for level in (1, 2, 3, 4)}, "level4": rows}


def _task_labels(task_ids: set[int]) -> dict[int, str]:
    """"西岑园 8. 培育集聚优质企业"-style labels (plan short name, number, title)."""
    if not task_ids:
        return {}
    rows = db.session.execute(select(Task, Plan.short_name, Plan.title).join(Plan, Plan.id == Task.plan_id)
                              .where(Task.id.in_(task_ids)))
    return {task.id: f"{short or title} {task.label}" for task, short, title in rows}
