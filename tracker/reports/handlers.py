"""Reports' part of the scheduled run (tracker.common.scans), registered at start-up."""
from __future__ import annotations

from tracker.common import scans
from tracker.reports.snapshots import city_dashboard, city_scoreboard


def connect() -> None:
    scans.register("city_dashboard", city_dashboard)  # UPKEEP_ORDER in tracker/reminders/scheduler.py
    scans.register("city_scoreboard", city_scoreboard)
