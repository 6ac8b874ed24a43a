"""Stored dashboard figures (统计快照) for the whole city: computing them reads every task and a year of
reports (seconds at 100,000 tasks), so the scheduler keeps one fresh and the page reads it.

A snapshot is served when it is of today and either nothing was written since (the newest audit
event is the one it saw: every change to tasks, updates, plans and settings records one) or it is
younger than ``DASHBOARD_SNAPSHOT_MINUTES``. Otherwise the page computes the figures and stores them.
Scoped dashboards (one plan) are small and always computed live."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import JSON, String, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from tracker.audit.models import AuditEvent
from tracker.common.types import UTCDateTime
from tracker.extensions import db
from tracker.reports.queries import (DashboardFigures, RollUpRow, Scope, StateCounts, TrendPoint,
                                     dashboard_figures)

CITY_DASHBOARD = "dashboard:all"


class ReportSnapshot(db.Model):
    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    as_of: Mapped[date]
    data_version: Mapped[int]  # the newest audit event id when computed
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(JSON)


@dataclass(frozen=True)
class PlanRef:
    """What the dashboard shows of a plan in a roll-up row."""

    id: int
    title: str


def _data_version() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


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


def _store(key: str, today: date, version: int, figures: DashboardFigures) -> None:
    values = dict(key=key, as_of=today, data_version=version, computed_at=figures.computed_at,
                  payload=to_json(figures))
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ReportSnapshot.__table__).values(**values)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_={name: statement.excluded[name] for name in values if name != "key"}))


def city_dashboard(today: date, *, refresh: bool = False) -> DashboardFigures:
    """The figures over every active plan: the stored snapshot while it holds, else computed and stored."""
    version = _data_version()
    row = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.key == CITY_DASHBOARD))
    max_age = timedelta(minutes=current_app.config.get("DASHBOARD_SNAPSHOT_MINUTES", 10))
    if row is not None and not refresh and row.as_of == today and (
            row.data_version == version or row.computed_at >= datetime.now(timezone.utc) - max_age):
        return from_json(row.payload)
    figures = dashboard_figures(today, Scope())
    try:
        _store(CITY_DASHBOARD, today, version, figures)
        db.session.commit()
    except Exception:  # a cache: a failed write (e.g. a read-only replica) leaves the page working
        db.session.rollback()
        current_app.logger.warning("dashboard snapshot not stored", exc_info=True)
    return figures
