"""Tasks (任务): creation, edits, progress roll-up."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit.services import diff, record
from tracker.common import events
from tracker.common.errors import ValidationFailed
from tracker.common.races import check_version
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan
from tracker.tasks.models import ReportingCycle, Task, TaskStatus, number_sort_key
from tracker.units.models import Unit

TASK_FIELDS = ("number", "title", "text", "group_id", "parent_id", "lead_unit_id", "cooperating_unit_ids",
               "start_on", "due_on", "reporting_cycle", "report_day", "status", "progress", "completed_on")


def units_on(task: Task) -> dict[int, str]:
    """{unit id: "lead" or "cooperating"} of the task as it stands."""
    return {**{unit.id: "cooperating" for unit in task.cooperating_units}, task.lead_unit_id: "lead"}


def _snapshot(task: Task) -> dict:
    values = {field: getattr(task, field) for field in TASK_FIELDS if field != "cooperating_unit_ids"}
    values["cooperating_unit_ids"] = sorted(unit.id for unit in task.cooperating_units)
    return values


def _validate(plan: Plan, task: Task | None, *, number: str, title: str, group_id, parent_id, lead_unit_id,
              cooperating_unit_ids, start_on, due_on, report_day, progress) -> None:
    if not number.strip() or not title.strip():
        raise ValidationFailed(_("请填写任务序号和任务名称。"))
    clash = db.session.scalar(select(Task.id).where(Task.plan_id == plan.id, Task.number == number.strip()))
    if clash is not None and (task is None or clash != task.id):
        raise ValidationFailed(_("本方案中已有序号为“%(number)s”的任务。", number=number))
    if db.session.get(Unit, lead_unit_id) is None:
        raise ValidationFailed(_("请选择牵头单位。"))
    if lead_unit_id in cooperating_unit_ids:
        raise ValidationFailed(_("牵头单位不能同时作为配合单位。"))
    if group_id is not None:
        group = db.session.get(ActionGroup, group_id)
        if group is None or group.plan_id != plan.id:
            raise ValidationFailed(_("所选行动不属于本方案。"))
    if parent_id is not None:
        parent = db.session.get(Task, parent_id)
        if parent is None or parent.plan_id != plan.id:
            raise ValidationFailed(_("上级任务不属于本方案。"))
        ancestor = parent
        while ancestor is not None:
            if task is not None and ancestor.id == task.id:
                raise ValidationFailed(_("上级任务不能形成循环。"))
            ancestor = ancestor.parent
    if start_on and due_on and due_on < start_on:
        raise ValidationFailed(_("完成时限不能早于开始日期。"))
    if not 1 <= report_day <= 31:
        raise ValidationFailed(_("报送日须在1至31之间。"))
    if not 0 <= progress <= 100:
        raise ValidationFailed(_("进度须在0至100之间。"))


def save_task(actor, plan: Plan, task: Task | None, *, number: str, title: str, text: str = "",
              group_id: int | None = None, parent_id: int | None = None, lead_unit_id: int,
              cooperating_unit_ids: list[int] = (), start_on: date | None = None, due_on: date | None = None,
              reporting_cycle: ReportingCycle = ReportingCycle.monthly, report_day: int = 25,
              status: TaskStatus = TaskStatus.not_started, progress: int = 0, completed_on: date | None = None,
              today: date, expected_version: int | None = None) -> Task:
    """Creates (``task`` None) or edits a task; a conflicting concurrent edit raises ConflictError."""
    cooperating_unit_ids = sorted({int(uid) for uid in cooperating_unit_ids})
    _validate(plan, task, number=number, title=title, group_id=group_id, parent_id=parent_id,
              lead_unit_id=lead_unit_id, cooperating_unit_ids=cooperating_unit_ids, start_on=start_on,
              due_on=due_on, report_day=report_day, progress=progress)
    closing = status == TaskStatus.completed and (task is None or task.status != TaskStatus.completed)
    reopening = task is not None and task.status == TaskStatus.completed and status != TaskStatus.completed
    if closing or reopening:
        raise ValidationFailed(_("任务的办结（销号）和重新打开须通过办结申请和核查办理，不能直接修改状态。"))
    if status == TaskStatus.completed and completed_on is None:
        completed_on = today
    if status != TaskStatus.completed:
        completed_on = None
    values = {"number": number.strip(), "title": title.strip(), "text": text.strip(), "group_id": group_id,
              "parent_id": parent_id, "lead_unit_id": lead_unit_id, "start_on": start_on, "due_on": due_on,
              "reporting_cycle": reporting_cycle, "report_day": report_day, "status": status,
              "progress": progress, "completed_on": completed_on}
    cooperating = list(db.session.scalars(select(Unit).where(Unit.id.in_(cooperating_unit_ids))))
    units_before = units_on(task) if task is not None else None
    if task is None:
        task = Task(plan=plan, sort_key=number_sort_key(values["number"]), **values)
        task.cooperating_units = cooperating
        db.session.add(task)
        db.session.flush()
        record(actor, "task.created", task, task_id=task.id, changes=_snapshot(task), summary=task.label)
    else:
        before = _snapshot(task)
        check_version(task, expected_version, before)
        for field, value in values.items():
            setattr(task, field, value)
        task.sort_key = number_sort_key(task.number)
        task.cooperating_units = cooperating
        record(actor, "task.updated", task, task_id=task.id, changes=diff(before, _snapshot(task)),
               summary=task.label)
    db.session.flush()
    events.task_assigned.send(task, actor=actor, today=today, before=units_before)  # 交办 (supervision): the (new) units wait for their 签收
    if task.parent_id:
        parent = db.session.get(Task, task.parent_id)
        db.session.expire(parent, ["children"])  # the new or moved sub-task joined via its foreign key
        roll_up_progress(actor, parent)
    return task


def apply_accepted_report(actor, task: Task, percent: int, today: date) -> None:
    """An accepted lead-unit update sets the task's progress. Even at 100 % the task stays open: it is
    closed only by a verified 办结申请 (tracker.supervision.services.decide_closure)."""
    before = _snapshot(task)
    task.progress = percent
    if task.status == TaskStatus.not_started and percent > 0:
        task.status = TaskStatus.in_progress
    changes = diff(before, _snapshot(task))
    if changes:
        record(actor, "task.progress", task, task_id=task.id, changes=changes, summary=task.label)
    if task.parent is not None:
        roll_up_progress(actor, task.parent)


def roll_up_progress(actor, task: Task | None) -> None:
    """A task with sub-tasks (milestones) shows the mean progress of its sub-tasks, up the tree."""
    while task is not None and task.children:
        mean = round(sum(child.progress for child in task.children) / len(task.children))
        if mean != task.progress:
            record(actor, "task.rollup", task, task_id=task.id, changes={"progress": [task.progress, mean]},
                   summary=task.label)
            task.progress = mean
        task = task.parent
