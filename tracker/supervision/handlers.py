"""Supervision's reactions to other domains' events (tracker.common.events) and its steps of the scheduled
scan (tracker.common.scans), connected at start-up; importing it also registers the loop's history
sentences (tracker.supervision.sentences)."""
from __future__ import annotations

from tracker.common import events, scans
from tracker.supervision import sentences  # noqa: F401 (registers the loop's history sentences)
from tracker.supervision.ladder import scan_ladder, scan_receipts
from tracker.supervision.proposal_ladder import scan_proposal_ladder
from tracker.supervision.services import assign_plan, assign_task


def on_plan_activated(plan, *, actor, today) -> None:
    """A plan made active: every open task of it is assigned (交办)."""
    assign_plan(actor, plan, today=today)


def on_task_assigned(task, *, actor, today, before) -> None:
    """A task saved: its new units wait for their 签收, removed units' receipts are withdrawn (交办)."""
    assign_task(actor, task, today=today, before=before)


def connect() -> None:
    events.plan_activated.connect(on_plan_activated, weak=False)
    events.task_assigned.connect(on_task_assigned, weak=False)
    scans.register("receipts", scan_receipts)  # 签收 reminders (SCAN_ORDER in tracker/reminders/scan.py)
    scans.register("ladder", scan_ladder)  # the 督办 ladder's steps
    scans.register("proposal_ladder", scan_proposal_ladder)  # the ladder of items whose reply is overdue
