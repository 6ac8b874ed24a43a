"""Read-side queries of tasks alone: the open statuses, the filters of a list of tasks (a plan, a group, a
lead unit), the task cards a message or a long list shows, and a unit's tasks. The overdue list built on
them is ``tracker.overdue.queries``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, select, union
from sqlalchemy.orm import aliased, selectinload

from tracker.common.upsert import among, batches
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import Task, TaskStatus, task_cooperating_units
from tracker.units.models import Unit

OPEN_STATUSES = (TaskStatus.not_started, TaskStatus.in_progress)


@dataclass(frozen=True)
class OverdueFilters:
    plan_id: int | None = None
    group_id: int | None = None
    unit_id: int | None = None  # lead unit
    task_ids: tuple[int, ...] | None = None  # only these tasks (refreshing the stored list)

    def apply(self, query):
        if self.plan_id:
            query = query.where(Task.plan_id == self.plan_id)
        if self.group_id:
            query = query.where(Task.group_id == self.group_id)
        if self.unit_id:
            query = query.where(Task.lead_unit_id == self.unit_id)
        if self.task_ids is not None:
            query = query.where(Task.id.in_(self.task_ids))
        return query


@dataclass(frozen=True)
class TaskCard:
    """What a message (email, webhook text) or a page of the overdue list shows of a task: read as plain
    columns, with its plan and lead unit, for the thousands of tasks a city's reminder scan writes
    about. Loading them as ORM entities took 1.0-1.3 s for the 10,000 tasks of the busiest day's scan;
    cards take 0.1-0.4 s."""

    id: int
    number: str
    title: str
    due_on: date | None
    progress: int
    plan: Plan
    lead_unit: Unit

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"


def task_cards(task_ids: list[int], batch: int = 5000) -> dict[int, TaskCard]:
    """The ``TaskCard`` of each task, one query per ``batch`` tasks."""
    return {row.id: TaskCard(*row) for part in batches(sorted(task_ids), batch) for row in db.session.execute(
        select(Task.id, Task.number, Task.title, Task.due_on, Task.progress, Plan, Unit)
        .join(Plan, Plan.id == Task.plan_id).join(Unit, Unit.id == Task.lead_unit_id)
        .where(among(Task.id, part, Integer)))}


def tasks_for_unit(unit_id: int):
    """SELECT the tasks where the unit leads or cooperates (我的任务), in plan order (a city bureau has
    hundreds: the page shows them a page at a time)."""
    # The union reads two indexes (lead_unit_id, and the cooperation table's unit_id). "leads OR
    # cooperates" in one WHERE made PostgreSQL filter all 100,000 tasks: 39 ms, now 2 ms.
    involved = union(select(Task.id).where(Task.lead_unit_id == unit_id),
                     select(task_cooperating_units.c.task_id).where(task_cooperating_units.c.unit_id == unit_id))
    query = (select(Task).join(Plan, Plan.id == Task.plan_id)
             .where(Plan.status != PlanStatus.draft, Task.id.in_(involved))
             .options(selectinload(Task.lead_unit), selectinload(Task.cooperating_units), selectinload(Task.plan))
             .order_by(Task.plan_id, Task.sort_key, Task.id))
    return query


def _open_unit_tasks(unit_id: int, lead_only: bool):
    """SELECT the unit's open tasks (led, or also cooperated on) in active plans; the cooperation as a
    union of two index reads, as in ``tasks_for_unit`` ("leads OR cooperates" filtered every task)."""
    if lead_only:
        involved = Task.lead_unit_id == unit_id
    else:
        led = aliased(Task)
        involved = Task.id.in_(union(select(led.id).where(led.lead_unit_id == unit_id),
                                     select(task_cooperating_units.c.task_id)
                                     .where(task_cooperating_units.c.unit_id == unit_id)))
    return (select(Task).join(Plan, Plan.id == Task.plan_id)
            .where(Plan.status == PlanStatus.active, Task.status.in_(OPEN_STATUSES), involved))
