"""Read side of the 督办 loop: pending requests by who may see them, the loop of one task for its page."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from tracker.auth.models import Role
from tracker.extensions import db
from tracker.supervision.models import (ClosureRequest, ClosureState, ExtensionRequest, ExtensionState, Interview,
                                        LadderStep, Receipt, ReceiptState, SupervisionDocument)
from tracker.tasks.models import Task, TaskStatus


def _overseen_unit_ids(user) -> set[int]:
    return {unit.id for unit in user.overseen_units} if user.role == Role.leader else set()


def pending_requests(user) -> tuple[list[ExtensionRequest], list[ClosureRequest]]:  # /requests, 工作台
    """Pending 延期申请 and 办结申请, oldest first; a leader overseeing units sees only theirs."""
    units = _overseen_unit_ids(user)
    extensions = select(ExtensionRequest).where(ExtensionRequest.state == ExtensionState.pending)
    closures = select(ClosureRequest).where(ClosureRequest.state == ClosureState.pending)
    if units:
        extensions = extensions.where(ExtensionRequest.unit_id.in_(units))
        closures = closures.where(ClosureRequest.unit_id.in_(units))
    return (list(db.session.scalars(extensions.order_by(ExtensionRequest.requested_at, ExtensionRequest.id))),
            list(db.session.scalars(closures.order_by(ClosureRequest.requested_at, ClosureRequest.id))))


@dataclass
class TaskLoop:
    """Everything of the loop the task page shows: receipts (newest first), extensions, closures,
    the ladder's steps and documents, interviews, the original due date."""

    receipts: list[Receipt]
    extensions: list[ExtensionRequest]
    closures: list[ClosureRequest]
    steps: list[LadderStep]
    documents: list[SupervisionDocument]
    interviews: list[Interview]
    original_due_on: object = None
    level: int = 0
    pending_receipts: dict = field(default_factory=dict)

    @property
    def other_documents(self) -> list:
        """The task's documents in the register not issued by a step of the ladder (issued by hand)."""
        on_steps = {step.document_id for step in self.steps}
        return [document for document in self.documents if document.id not in on_steps]

    @property
    def pending_extension(self):
        return next((e for e in self.extensions if e.state == ExtensionState.pending), None)

    @property
    def pending_closure(self):
        return next((c for c in self.closures if c.state == ClosureState.pending), None)

    @property
    def verified_closure(self):
        verified = [c for c in self.closures if c.state == ClosureState.verified]
        return verified[-1] if verified else None

    @property
    def refused_lead(self):
        latest = next((r for r in self.receipts if r.role == "lead"), None)
        return latest if latest is not None and latest.state.value == "refused" else None


def task_loop(task: Task) -> TaskLoop:
    """The loop of one task in five statements (documents, receipts, extensions, steps, closures), six once
    it reached level 4 (约谈) (the page's query budget,
    tests/test_query_budget.py)."""
    from tracker.supervision import services

    documents = services.documents_of(task)  # the steps' documents are then in the session
    receipts, extensions = services.receipts_of(task), services.extensions_of(task)
    steps = services.ladder_of(task, with_documents=False)
    approved = [e for e in extensions if e.state == ExtensionState.approved]
    first = min(approved, key=lambda e: (e.decided_at, e.id)) if approved else None
    current_episode = [s.level for s in steps if s.kind == "task" and s.due_on == task.due_on]
    return TaskLoop(receipts=receipts, extensions=extensions, closures=services.closures_of(task), steps=steps,
                    documents=documents,
                    # 约谈 are recorded from level 4 on: no statement for a task that never got there
                    interviews=services.interviews_of(task) if any(s.level >= 4 for s in steps) else [],
                    original_due_on=first.due_on_before if first else task.due_on,
                    level=max(current_episode, default=0) if task.status in services.OPEN else 0,
                    pending_receipts={r.unit_id: r for r in receipts if r.state.value == "pending"})


def original_due_dates(task_ids: list[int]) -> dict[int, object]:
    """原定时限 of the tasks that have had an extension approved: the due date before the first one."""
    if not task_ids:
        return {}
    found: dict[int, object] = {}
    for task_id, before in db.session.execute(
            select(ExtensionRequest.task_id, ExtensionRequest.due_on_before)
            .where(ExtensionRequest.task_id.in_(task_ids), ExtensionRequest.state == ExtensionState.approved)
            .order_by(ExtensionRequest.decided_at.desc(), ExtensionRequest.id.desc())):
        found[task_id] = before  # the earliest decision is read last
    return found


def tasks_to_sign(unit_id: int) -> list[int]:
    """Ids of the open tasks waiting for the unit's 签收 (待签收), in plan order."""
    return list(dict.fromkeys(db.session.scalars(
        select(Receipt.task_id).join(Task, Task.id == Receipt.task_id)
        .where(Receipt.unit_id == unit_id, Receipt.state == ReceiptState.pending,
               Task.status.in_((TaskStatus.not_started, TaskStatus.in_progress)))
        .order_by(Task.plan_id, Task.sort_key))))


def tasks_to_answer(unit_id: int) -> list[int]:
    """Ids of the open tasks with a 催办单/督办通知单 to the unit not answered yet (督办文书待反馈)."""
    return list(dict.fromkeys(db.session.scalars(
        select(SupervisionDocument.task_id).join(Task, Task.id == SupervisionDocument.task_id)
        .where(SupervisionDocument.unit_id == unit_id, SupervisionDocument.replied_at.is_(None),
               SupervisionDocument.state == "issued",
               Task.status.in_((TaskStatus.not_started, TaskStatus.in_progress)))
        .order_by(Task.plan_id, Task.sort_key))))


def refused_assignments(user=None) -> list[Receipt]:
    """退回交办 waiting for a coordinator to re-assign: open tasks whose lead unit refused them (a leader
    overseeing units: those units'), oldest first."""
    query = (select(Receipt).join(Task, Task.id == Receipt.task_id)
             .where(Receipt.state == ReceiptState.refused, Receipt.role == "lead", Receipt.unit_id == Task.lead_unit_id,
                    Task.status.in_((TaskStatus.not_started, TaskStatus.in_progress))))
    units = _overseen_unit_ids(user) if user is not None else set()
    if units:
        query = query.where(Receipt.unit_id.in_(units))
    return list(db.session.scalars(query.order_by(Receipt.answered_at, Receipt.id)))


def tasks_closure_returned(unit_id: int) -> list[int]:
    """Ids of the open tasks the unit leads whose latest 办结申请 was returned (退回), none pending since."""
    latest: dict[int, ClosureRequest] = {}
    for closure in db.session.scalars(
            select(ClosureRequest).join(Task, Task.id == ClosureRequest.task_id)
            .where(Task.lead_unit_id == unit_id, Task.status.in_((TaskStatus.not_started, TaskStatus.in_progress)))
            .order_by(Task.plan_id, Task.sort_key, ClosureRequest.requested_at, ClosureRequest.id)):
        latest[closure.task_id] = closure
    return [task_id for task_id, closure in latest.items() if closure.state == ClosureState.returned]
