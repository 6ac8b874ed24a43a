"""考评: each unit's score from what it did as lead unit (牵头单位), under each plan's weights.

Per plan, for the tasks of the plan in scope (active plans), a unit earns

    score = on_time_report × reports on time (按期报送, the scoreboard's rule)
          + closure_on_time × closures verified on time (办结申请 核查通过 on or before the due date in force
                              when it was filed: ``ClosureRequest.due_on``, Beijing date of the decision)
          − overdue_day × working days overdue of its open overdue tasks (as of today, due date in force)
          − returned × its lead-unit reports returned (退回)
          − extension × extensions approved on its requests (延期)
          − escalation × ladder levels reached by its tasks (each LadderStep once: a task that climbed to 督办
                         counts 3)

and its score on the scoreboard is the sum over the plans (each with its own weights). Every count is
also shown on its own (the breakdown), so a reader can redo the sum.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from tracker.bulletins.models import ScoringRule
from tracker.common import deadlines
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.supervision.models import ClosureRequest, ExtensionRequest, ExtensionState, LadderStep
from tracker.supervision.queries import closure_in_force
from tracker.tasks.models import Task
from tracker.updates.models import ReviewState, StatusUpdate

# (component, weight column, sign, label)
COMPONENTS = (
    ("on_time_reports", "on_time_report", 1, _l("按期报送")),
    ("closures_on_time", "closure_on_time", 1, _l("按期办结销号")),
    ("overdue_days", "overdue_day", -1, _l("逾期工作日")),
    ("returns", "returned", -1, _l("退回")),
    ("extensions", "extension", -1, _l("延期")),
    ("levels", "escalation", -1, _l("督办升级")),
)
DEFAULT_WEIGHTS = {"on_time_report": 1.0, "closure_on_time": 3.0, "overdue_day": 0.5, "returned": 1.0,
                   "extension": 1.0, "escalation": 2.0}
WEIGHT_FIELDS = tuple(DEFAULT_WEIGHTS)


def weights_of(plan_id: int, rules: dict[int, dict[str, float]] | None = None) -> dict[str, float]:
    rules = weights_by_plan() if rules is None else rules
    return rules.get(plan_id, DEFAULT_WEIGHTS)


def weights_by_plan() -> dict[int, dict[str, float]]:
    return {row.plan_id: {name: getattr(row, name) for name in WEIGHT_FIELDS}
            for row in db.session.scalars(select(ScoringRule))}


@dataclass
class Score:
    """One unit's 考评: counts per component, points per component (signed) and the total."""

    counts: dict[str, int] = field(default_factory=lambda: {name: 0 for name, *_ in COMPONENTS})
    points: dict[str, float] = field(default_factory=lambda: {name: 0.0 for name, *_ in COMPONENTS})

    @property
    def total(self) -> float:
        return round(sum(self.points.values()), 2) + 0.0  # never -0.0

    def add(self, component: str, count: int, weight: float, sign: int) -> None:
        self.counts[component] += count
        self.points[component] = round(self.points[component] + sign * weight * count, 2) + 0.0


def _beijing_date(moment) -> date:
    from datetime import timezone

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING).date()


def counted_ladder_steps(task_ids_query):
    """(lead unit, task) of each ladder level that costs the unit 考评 points: a level reached once per
    task and day counts once, however many episodes (the task late and a report missing) reached it
    that day; levels reached by a unit that then refused the task (退回交办) do not count against it."""
    from tracker.supervision.models import Receipt, ReceiptState

    refused = {(task_id, unit_id): answered for task_id, unit_id, answered in db.session.execute(
        select(Receipt.task_id, Receipt.unit_id, Receipt.answered_at).where(
            Receipt.role == "lead", Receipt.refusal_reason != "",
            Receipt.state.in_((ReceiptState.refused, ReceiptState.withdrawn)), Receipt.task_id.in_(task_ids_query))
        .order_by(Receipt.id))}
    seen, counted = set(), []
    for unit_id, task_id, level, reached_on in db.session.execute(
            select(LadderStep.lead_unit_id, LadderStep.task_id, LadderStep.level, LadderStep.reached_on)
            .where(LadderStep.task_id.in_(task_ids_query)).order_by(LadderStep.id)):
        if (task_id, level, reached_on) in seen:
            continue
        seen.add((task_id, level, reached_on))
        refused_at = refused.get((task_id, unit_id))
        if refused_at is not None and reached_on <= _beijing_date(refused_at):
            continue
        counted.append((unit_id, task_id))
    return counted


def unit_scores(today: date, scope, due_counts=None) -> dict[int, Score]:
    """{unit id: Score} for the tasks in ``scope`` (a ``tracker.reports.queries.Scope``); ``due_counts``: the
    reports due by (lead unit, plan), ``due_report_counts(today, scope, by=("lead_unit_id", "plan_id"))``,
    when the caller has them already."""
    from tracker.reports.queries import due_report_counts

    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))  # (unit, plan) → counts
    task_plan = dict(db.session.execute(scope.tasks(select(Task.id, Task.plan_id))).all())
    if not task_plan:
        return {}
    in_scope = scope.tasks(select(Task.id))

    if due_counts is None:
        due_counts = due_report_counts(today, scope, by=("lead_unit_id", "plan_id"))
    for (unit_id, plan_id), (_due, on_time) in due_counts.items():
        if on_time:
            counts[(unit_id, plan_id)]["on_time_reports"] += on_time

    from tracker.reports.queries import late_task_condition
    from tracker.tasks.obligations import deadline_in_force_sql

    calendar = deadlines.working_calendar()
    for unit_id, plan_id, due_on in db.session.execute(scope.tasks(  # as the overdue list: from 交办 on
            select(Task.lead_unit_id, Task.plan_id, deadline_in_force_sql()).where(late_task_condition(today)))):
        counts[(unit_id, plan_id)]["overdue_days"] += calendar.working_days_between(due_on, today)

    for unit_id, plan_id in db.session.execute(scope.tasks(
            select(Task.lead_unit_id, Task.plan_id).select_from(StatusUpdate).join(Task, Task.id == StatusUpdate.task_id)
            .where(StatusUpdate.unit_id == Task.lead_unit_id, StatusUpdate.review_state == ReviewState.returned))):
        counts[(unit_id, plan_id)]["returns"] += 1

    for unit_id, task_id in db.session.execute(select(ExtensionRequest.unit_id, ExtensionRequest.task_id).where(
            ExtensionRequest.state == ExtensionState.approved, ExtensionRequest.task_id.in_(in_scope))):
        counts[(unit_id, task_plan[task_id])]["extensions"] += 1

    for unit_id, task_id in counted_ladder_steps(in_scope):
        counts[(unit_id, task_plan[task_id])]["levels"] += 1

    for unit_id, task_id, decided_at, due_on in db.session.execute(
            select(ClosureRequest.unit_id, ClosureRequest.task_id, ClosureRequest.decided_at, ClosureRequest.due_on)
            .where(and_(closure_in_force(), ClosureRequest.task_id.in_(in_scope)))):  # reopened: not counted
        if decided_at is not None and (due_on is None or _beijing_date(decided_at) <= due_on):
            counts[(unit_id, task_plan[task_id])]["closures_on_time"] += 1

    rules = weights_by_plan()
    scores: dict[int, Score] = defaultdict(Score)
    for (unit_id, plan_id), unit_counts in counts.items():
        weights = weights_of(plan_id, rules)
        for component, weight_name, sign, _label in COMPONENTS:
            scores[unit_id].add(component, unit_counts.get(component, 0), weights[weight_name], sign)
    return dict(scores)
