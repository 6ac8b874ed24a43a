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
also shown on its own (the breakdown), so a reader can redo the sum. The counting is
``tracker.reports.queries.unit_scores``; the weights and the sum are here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.reports.models import ScoringRule
from tracker.supervision.models import LadderStep

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
