"""Stored dashboard figures for the whole city: computing them reads every task and a year of reports
(seconds at 100,000 tasks), so the scheduler keeps one fresh and the page reads it
(``tracker.common.snapshots``). It is served while nothing was written since, or while it is younger
than ``DASHBOARD_SNAPSHOT_MINUTES``; the page shows when it was computed. Scoped dashboards (one
plan) are small and always computed live."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from flask import current_app

from tracker.common.snapshots import cached
from tracker.reports.queries import (DashboardFigures, RollUpRow, Scope, StateCounts, TrendPoint,
                                     dashboard_figures)

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
