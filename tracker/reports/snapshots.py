"""Stored dashboard figures for the whole city: computing them reads every task and a year of reports
(seconds at 100,000 tasks), so the scheduler keeps one fresh and the page reads it
(``tracker.audit.snapshots``). It is served while nothing was written since, or while it is younger
than ``DASHBOARD_SNAPSHOT_MINUTES``; the page shows when it was computed. Scoped dashboards (one
plan) are small and always computed live; a plan's scoreboard is kept only while nothing changed."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from flask import current_app

from tracker.audit.snapshots import cached
from tracker.reports.queries import (DashboardFigures, RollUpRow, Scope, ScoreRow, StateCounts, TrendPoint,
                                     dashboard_figures, scoreboard)

SCORE_FIELDS = ("tasks_led", "completed", "completed_on_time", "overdue", "reports_due", "reports_on_time",
                "reports_filed", "returns", "unsigned", "extensions")

CITY_DASHBOARD = "dashboard:all"


@dataclass(frozen=True)
class PlanRef:
    """What the dashboard shows of a plan in a roll-up row."""

    id: int
    title: str


def _rows_to_json(rows: list[RollUpRow]) -> list[dict]:
    return [{"key": row.key, "label": row.label, "plan": [row.plan.id, row.plan.title] if row.plan else None,
             "counts": row.states.counts} for row in rows]


def _rows_from_json(rows: list[dict]) -> list[RollUpRow]:
    return [RollUpRow(row["key"], row["label"], PlanRef(*row["plan"]) if row["plan"] else None,
                      StateCounts(dict(row["counts"]))) for row in rows]


def to_json(figures: DashboardFigures) -> dict:
    return {"counts": figures.counts.counts, "by_group": _rows_to_json(figures.by_group),
            "by_unit": _rows_to_json(figures.by_unit), "groups_total": figures.groups_total,
            "units_total": figures.units_total,
            "trend": [{**asdict(point), "as_of": point.as_of.isoformat()} for point in figures.trend],
            "computed_at": figures.computed_at.isoformat()}


def from_json(payload: dict) -> DashboardFigures:
    return DashboardFigures(
        StateCounts(dict(payload["counts"])), _rows_from_json(payload["by_group"]), _rows_from_json(payload["by_unit"]),
        payload["groups_total"], payload["units_total"],
        [TrendPoint(**{**point, "as_of": date.fromisoformat(point["as_of"])}) for point in payload["trend"]],
        datetime.fromisoformat(payload["computed_at"]))


def city_dashboard(today: date, *, refresh: bool = False) -> DashboardFigures:
    """The figures over every active plan: the stored snapshot while it holds, else computed and stored."""
    return cached(CITY_DASHBOARD, today, lambda: dashboard_figures(today, Scope()), to_json=to_json,
                  from_json=from_json, unchanged_for=timedelta(days=1), refresh=refresh,
                  any_within=timedelta(minutes=current_app.config.get("DASHBOARD_SNAPSHOT_MINUTES", 10)))


# The city-wide unit scoreboard (单位排名 without a plan, a leader's first click under 统计): its figures
# read every task, report period and loop row of the city (seconds at 100,000 tasks even counted in SQL,
# ``tracker.reports.queries.due_report_counts``), so they are kept the same way as the dashboard's: one
# stored snapshot, refreshed by the scheduler, served while nothing changed or while it is younger than
# ``DASHBOARD_SNAPSHOT_MINUTES``; the page shows when it was computed and pages its rows. A plan's
# scoreboard is kept only while nothing at all changed (``plan_scoreboard``): always the live figures.

CITY_SCOREBOARD = "scoreboard:all"


@dataclass(frozen=True)
class UnitRef:
    """What the scoreboard shows of a unit."""

    id: int
    short_name: str


@dataclass
class ScoreboardFigures:
    rows: list  # ScoreRow, ordered by unit name
    computed_at: datetime


def _score_row_to_json(row) -> dict:
    figures = {name: getattr(row, name) for name in SCORE_FIELDS}
    return {"unit": [row.unit.id, row.unit.short_name], **figures,
            "score": {"counts": row.score.counts, "points": row.score.points} if row.score is not None else None}


def _score_row_from_json(payload: dict):
    from tracker.reports.scoring import Score

    score = payload.get("score")
    return ScoreRow(UnitRef(*payload["unit"]), **{name: payload[name] for name in SCORE_FIELDS},
                    score=Score(dict(score["counts"]), dict(score["points"])) if score else None)


def _scoreboard_snapshot(key: str, today: date, scope: Scope, *, refresh: bool, any_within: timedelta):
    from tracker.common.clock import utcnow

    def compute() -> ScoreboardFigures:
        rows = scoreboard(today, scope, sort="unit", descending=False)
        for row in rows:  # plain values: storing the snapshot commits, which would expire the units
            row.unit = UnitRef(row.unit.id, row.unit.short_name)
        return ScoreboardFigures(rows, utcnow())

    return cached(key, today, compute,
                  to_json=lambda figures: {"rows": [_score_row_to_json(row) for row in figures.rows],
                                           "computed_at": figures.computed_at.isoformat()},
                  from_json=lambda payload: ScoreboardFigures([_score_row_from_json(row) for row in payload["rows"]],
                                                              datetime.fromisoformat(payload["computed_at"])),
                  unchanged_for=timedelta(days=1), refresh=refresh, any_within=any_within)


def city_scoreboard(today: date, *, refresh: bool = False) -> ScoreboardFigures:
    """The scoreboard over every active plan: the stored snapshot while it holds, else computed and stored."""
    return _scoreboard_snapshot(CITY_SCOREBOARD, today, Scope(), refresh=refresh, any_within=timedelta(
        minutes=current_app.config.get("DASHBOARD_SNAPSHOT_MINUTES", 10)))


def plan_scoreboard(today: date, plan_id: int) -> ScoreboardFigures:
    """A plan's scoreboard (单位排名 of one 方案): live figures, kept while nothing at all was written since
    (the data version is unchanged), so a leader's repeated views and page turns read one stored row; the
    first view after any change computes them again (a large plan's take about 0.1–0.2 s)."""
    return _scoreboard_snapshot(f"scoreboard:plan:{plan_id}", today, Scope(plan_id=plan_id), refresh=False,
                                any_within=timedelta(0))
