"""我的任务 filtered (?show=…): the lists a unit's 工作台 links to, and the counts it shows, decided here: reports
due this period and overdue ones (tracker/overdue), tasks due soon (the dashboard's at-risk horizon,
tracker/reports), and the 督办 loop's lists (tracker/supervision)."""
from __future__ import annotations

from datetime import date

from tracker.extensions import db
from tracker.overdue.queries import overdue_ids, reports_due_this_period
from tracker.tasks.models import Task
from tracker.tasks.queries import OverdueFilters, _open_unit_tasks

REPORT_DUE, DUE_SOON, OVERDUE_TASKS, MISSING_REPORTS = "report_due", "due_soon", "overdue", "unreported"
TO_SIGN, TO_ANSWER = "to_sign", "to_answer"  # 待签收; 督办文书待反馈 (tracker/supervision)
CLOSURE_RETURNED = "closure_returned"  # 办结申请被退回 (tracker/supervision)
UNIT_TASK_LISTS = (REPORT_DUE, DUE_SOON, OVERDUE_TASKS, MISSING_REPORTS, TO_SIGN, TO_ANSWER, CLOSURE_RETURNED)



def unit_task_ids(unit_id: int, name: str, today: date) -> list[int]:
    """The ids of the unit's tasks on one of its lists (``UNIT_TASK_LISTS``): reports due this period,
    tasks due within the at-risk horizon (10 working days, ``tracker.reports.queries.at_risk_due_by``), its
    overdue tasks and its missing reports (the overdue list's own rows, ``overdue_list``)."""
    if name == REPORT_DUE:
        return [task_id for task_id, _period in reports_due_this_period(unit_id, today)]
    if name == DUE_SOON:
        from tracker.reports.queries import at_risk_due_by

        return list(db.session.scalars(_open_unit_tasks(unit_id, lead_only=False)
                                       .where(Task.due_on >= today, Task.due_on <= at_risk_due_by(today))
                                       .with_only_columns(Task.id)))
    if name in (TO_SIGN, TO_ANSWER, CLOSURE_RETURNED):
        from tracker.supervision.queries import tasks_closure_returned, tasks_to_answer, tasks_to_sign

        return {TO_SIGN: tasks_to_sign, TO_ANSWER: tasks_to_answer,
                CLOSURE_RETURNED: tasks_closure_returned}[name](unit_id)
    if name in (OVERDUE_TASKS, MISSING_REPORTS):
        kind = "task" if name == OVERDUE_TASKS else "report"
        return [row.task_id for row in overdue_ids(today, OverdueFilters(unit_id=unit_id), kind)]
    raise ValueError(f"unknown list {name!r}")
