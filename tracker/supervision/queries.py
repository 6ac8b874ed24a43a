"""Read side of the 督办 loop: pending requests by who may see them, the loop of one task for its page."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from tracker.auth.models import Role
from tracker.extensions import db
from tracker.supervision.models import (ClosureRequest, ClosureState, ExtensionRequest, ExtensionState, Interview,
                                        DocumentState, LadderStep, Receipt, ReceiptState, SupervisionDocument)
from tracker.tasks.models import Task, TaskStatus


def closure_in_force():
    """SQL condition on ``ClosureRequest``: a verified closure (销号) that still stands: its task is completed
    and no later closure of it was verified. Reopening a task (重新打开) takes its closure back, so 考评 and
    the 通报 count it as if it had never been closed."""
    later = aliased(ClosureRequest)
    return and_(ClosureRequest.state == ClosureState.verified,
                exists().where(Task.id == ClosureRequest.task_id, Task.status == TaskStatus.completed),
                ~exists().where(later.task_id == ClosureRequest.task_id, later.state == ClosureState.verified,
                                later.id > ClosureRequest.id))


def _overseen_unit_ids(user) -> set[int]:
    return {unit.id for unit in user.overseen_units} if user.role == Role.leader else set()


def _pending_query(model, pending, user):
    """The pending requests of ``model`` (state ``pending``), oldest first, their task and unit loaded with them;
    a leader overseeing units: only theirs."""
    units = _overseen_unit_ids(user)
    query = select(model).where(model.state == pending).options(joinedload(model.task), joinedload(model.unit))
    if units:
        query = query.where(model.unit_id.in_(units))
    return query.order_by(model.requested_at, model.id)


def pending_extensions_query(user):
    """The pending 延期申请 (待审批): a query, for the /requests page and the 工作台 to count and show a page of."""
    return _pending_query(ExtensionRequest, ExtensionState.pending, user)


def pending_closures_query(user):
    """The pending 办结申请 (待核查), as ``pending_extensions_query``."""
    return _pending_query(ClosureRequest, ClosureState.pending, user)


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
    completed: bool = False

    @property
    def reopened_closure_ids(self) -> set[int]:
        """Verified closures taken back by reopening the task (as ``closure_in_force`` decides)."""
        verified = [c for c in self.closures if c.state == ClosureState.verified]
        standing = verified[-1].id if verified and self.completed else None
        return {c.id for c in verified if c.id != standing}

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
    from tracker.common.deadlines import deadline_in_force
    from tracker.tasks.obligations import assignment_from_receipts

    due_on = deadline_in_force(task.due_on, assignment_from_receipts(task, receipts).owed_after)
    current_episode = [s.level for s in steps if s.kind == "task" and s.due_on == due_on]
    return TaskLoop(receipts=receipts, extensions=extensions, closures=services.closures_of(task), steps=steps,
                    documents=documents,
                    # 约谈 are recorded from level 4 on: no statement for a task that never got there
                    interviews=services.interviews_of(task) if any(s.level >= 4 for s in steps) else [],
                    original_due_on=first.due_on_before if first else task.due_on,
                    level=max(current_episode, default=0) if task.status in services.OPEN else 0,
                    pending_receipts={r.unit_id: r for r in receipts if r.state.value == "pending"},
                    completed=task.status == TaskStatus.completed)


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


REPLY_STATES = ("replied", "awaiting", "late")  # 已反馈, 待反馈, 逾期未反馈


@dataclass
class LedgerLoop:
    """The 督办 loop of one task as the 督办台账 (the plan ledger, its page and its Excel) shows it."""

    receipt_state: ReceiptState | None = None  # the lead unit's latest 签收; None: assigned before 签收 existed
    signed_by: str = ""  # who signed (签收人)
    signed_at: object = None  # when (UTC)
    sign_by: object = None  # 签收时限 of a receipt still pending
    level: int = 0  # 督办等级 in the current episode, as on the task page
    document_number: str = ""  # 文书号 of the latest 催办单/督办通知单
    reply_by: object = None  # 反馈时限 of that document
    reply_state: str = ""  # "replied", "awaiting" or "late" (REPLY_STATES); "" without a document
    replied_at: object = None
    original_due_on: object = None  # 原定时限 when an extension was approved
    extensions: int = 0  # 延期次数: approved extensions
    closed_by: str = ""  # 办结: who verified the closure (核查人)
    closed_at: object = None  # and when (UTC)

    @property
    def closed_on(self):
        """办结日期: the Beijing date of the verification."""
        from tracker.common.clock import to_beijing

        return to_beijing(self.closed_at).date() if self.closed_at else None


def ledger_loops(tasks, today) -> dict[int, LedgerLoop]:
    """The loop of every task of a ledger page in five statements, whatever the number of tasks
    (receipts, ladder levels, documents, approved extensions, verified closures; tests/test_query_budget.py)."""
    from tracker.auth.models import User
    from tracker.supervision.services import OPEN

    by_id = {task.id: task for task in tasks}
    loops = {task_id: LedgerLoop() for task_id in by_id}
    if not by_id:
        return loops
    ids = list(by_id)
    for task_id, state, sign_by, answered_at, name in db.session.execute(
            select(Receipt.task_id, Receipt.state, Receipt.sign_by, Receipt.answered_at, User.display_name)
            .outerjoin(User, User.id == Receipt.answered_by_id)
            .where(Receipt.task_id.in_(ids), Receipt.role == "lead")
            .order_by(Receipt.assigned_at, Receipt.id)):  # the latest assignment is read last
        loop = loops[task_id]
        loop.receipt_state, loop.sign_by = state, sign_by
        signed = state == ReceiptState.signed
        loop.signed_by, loop.signed_at = (name or "", answered_at) if signed else ("", None)
    for task_id, due_on, level in db.session.execute(
            select(LadderStep.task_id, LadderStep.due_on, LadderStep.level)
            .where(LadderStep.task_id.in_(ids), LadderStep.kind == "task")):
        task = by_id[task_id]
        if task.status in OPEN and due_on == task.due_on:  # the current episode, as task_loop() reads it
            loops[task_id].level = max(loops[task_id].level, level)
    for document in db.session.scalars(
            select(SupervisionDocument).where(SupervisionDocument.task_id.in_(ids),
                                              SupervisionDocument.state == DocumentState.issued)  # no void, no draft
            .order_by(SupervisionDocument.issued_at, SupervisionDocument.id)):  # the latest one is read last
        loop = loops[document.task_id]
        loop.document_number, loop.reply_by, loop.replied_at = document.number, document.reply_by, document.replied_at
        loop.reply_state = ("replied" if document.replied_at is not None
                            else "late" if document.reply_by < today else "awaiting")
    for task_id, before in db.session.execute(
            select(ExtensionRequest.task_id, ExtensionRequest.due_on_before)
            .where(ExtensionRequest.task_id.in_(ids), ExtensionRequest.state == ExtensionState.approved)
            .order_by(ExtensionRequest.decided_at.desc(), ExtensionRequest.id.desc())):
        loop = loops[task_id]
        loop.extensions += 1
        loop.original_due_on = before  # the earliest decision is read last
    for task_id, decided_at, name in db.session.execute(
            select(ClosureRequest.task_id, ClosureRequest.decided_at, User.display_name)
            .outerjoin(User, User.id == ClosureRequest.decided_by_id)
            .where(ClosureRequest.task_id.in_(ids), ClosureRequest.state == ClosureState.verified)
            .order_by(ClosureRequest.decided_at, ClosureRequest.id)):
        if by_id[task_id].status == TaskStatus.completed:  # a reopened task is no longer 办结
            loops[task_id].closed_by, loops[task_id].closed_at = name or "", decided_at
    return loops


def ladder_level_label(level: int) -> str:
    """督办等级 as pages and the ledger write it: "第3级（督办）"; "" below level 1."""
    from flask_babel import gettext as _

    from tracker.common.filters import punct
    from tracker.supervision.ladder import LEVEL_LABELS

    if not level:
        return ""
    return _("第%(n)d级", n=level) + punct("（") + str(LEVEL_LABELS.get(level, "")) + punct("）")


def reply_state_label(state: str) -> str:
    """反馈状态 of a document: 已反馈, 待反馈, 逾期未反馈; "" without a document."""
    from flask_babel import gettext as _

    return {"replied": _("已反馈"), "awaiting": _("待反馈"), "late": _("逾期未反馈")}.get(state, "")


def receipt_state_label(state) -> str:
    """签收情况 of the lead unit in the ledger: 待签收, 已签收, 已退回交办, 已改派; "" before 签收 existed."""
    from flask_babel import gettext as _

    value = getattr(state, "value", state)
    return {"pending": _("待签收"), "signed": _("已签收"), "refused": _("已退回交办"),
            "withdrawn": _("已改派")}.get(value, "")


def refused_assignments_query(user=None):
    """退回交办 waiting for a coordinator to re-assign: open tasks whose lead unit refused them (a leader
    overseeing units: those units'), oldest first, with the task, the unit and the suggested unit."""
    query = (select(Receipt).join(Task, Task.id == Receipt.task_id)
             .where(Receipt.state == ReceiptState.refused, Receipt.role == "lead", Receipt.unit_id == Task.lead_unit_id,
                    Task.status.in_((TaskStatus.not_started, TaskStatus.in_progress)))
             .options(contains_eager(Receipt.task), joinedload(Receipt.unit), joinedload(Receipt.suggested_unit)))
    units = _overseen_unit_ids(user) if user is not None else set()
    if units:
        query = query.where(Receipt.unit_id.in_(units))
    return query.order_by(Receipt.answered_at, Receipt.id)


def tasks_closure_returned(unit_id: int) -> list[int]:
    """Ids of the open tasks the unit leads whose latest 办结申请 was returned (退回), none pending since."""
    latest: dict[int, ClosureRequest] = {}
    for closure in db.session.scalars(
            select(ClosureRequest).join(Task, Task.id == ClosureRequest.task_id)
            .where(Task.lead_unit_id == unit_id, Task.status.in_((TaskStatus.not_started, TaskStatus.in_progress)))
            .order_by(Task.plan_id, Task.sort_key, ClosureRequest.requested_at, ClosureRequest.id)):
        latest[closure.task_id] = closure
    return [task_id for task_id, closure in latest.items() if closure.state == ClosureState.returned]
