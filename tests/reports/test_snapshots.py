"""The city-wide dashboard is read from a stored snapshot while nothing changed (or while it is young);
after a change it is computed again; a plan's dashboard is always live."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from tracker.auth.models import User
from tests.loop_helpers import close_task
from tracker.extensions import db
from tracker.reports.queries import Scope, dashboard_figures
from tracker.audit.snapshots import ReportSnapshot
from tracker.reports.snapshots import CITY_DASHBOARD, city_dashboard, from_json, to_json
from tracker.tasks.models import Task, TaskStatus
from tracker.tasks.services import save_task

DAY = date(2026, 6, 30)


def _overdue_shown(html: str) -> int:
    return int(re.search(r'<tr data-state="overdue">.*?class="text-end count">(?:<a [^>]*>)?(\d+)', html, re.S).group(1))


def _complete(number: str) -> None:
    close_task(db.session.scalar(select(Task).where(Task.number == number)), DAY)
    db.session.commit()


def test_snapshot_round_trip_keeps_every_figure(seeded, on_date):
    on_date(DAY)
    figures = dashboard_figures(DAY, Scope())
    again = from_json(to_json(figures))
    assert again.counts.counts == figures.counts.counts and again.trend == figures.trend
    assert [(r.key, r.label, r.plan.id if r.plan else None, r.states.counts) for r in again.by_group] == \
        [(r.key, r.label, r.plan.id if r.plan else None, r.states.counts) for r in figures.by_group]
    assert [(r.key, r.states.counts) for r in again.by_unit] == [(r.key, r.states.counts) for r in figures.by_unit]


def test_city_dashboard_is_stored_reused_and_recomputed_after_a_change(seeded, on_date, browser, app):
    on_date(DAY)
    app.config["DASHBOARD_SNAPSHOT_MINUTES"] = 0  # only "nothing changed since" keeps a snapshot
    leader = browser("leader")
    first = leader.get("/dashboard").text
    assert _overdue_shown(first) == 4 and "统计于" in first
    stored = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.key == CITY_DASHBOARD))
    computed_at = stored.computed_at
    assert stored.as_of == DAY
    db.session.remove()
    leader.get("/dashboard")  # nothing changed: the stored figures, not computed again
    assert db.session.scalar(select(ReportSnapshot.computed_at)) == computed_at

    _complete("3")  # task 3 was overdue: an audit event marks the data as changed
    assert _overdue_shown(leader.get("/dashboard").text) == 3
    assert db.session.scalar(select(ReportSnapshot.computed_at)) > computed_at
    assert db.session.scalar(select(func.count()).select_from(ReportSnapshot)) == 1


def test_a_young_snapshot_is_served_with_its_time_and_a_new_day_recomputes(seeded, on_date, browser, app):
    on_date(DAY)
    app.config["DASHBOARD_SNAPSHOT_MINUTES"] = 10
    leader = browser("leader")
    assert _overdue_shown(leader.get("/dashboard").text) == 4
    _complete("3")
    assert _overdue_shown(leader.get("/dashboard").text) == 4  # up to 10 minutes old, and says when it was made
    plan_id = db.session.scalar(select(Task.plan_id).where(Task.number == "3"))
    assert _overdue_shown(leader.get(f"/dashboard?plan_id={plan_id}").text) == 3  # one plan: always live
    on_date(date(2026, 7, 1))
    assert city_dashboard(date(2026, 7, 1)).counts.counts["overdue"] == 3  # another day: computed again
