"""One scheduler per deployment, however many web workers start.

The scheduler holds a lock for as long as it runs: a PostgreSQL advisory lock on its own connection,
or an exclusive lock file next to the SQLite database. A second scheduler (another worker, another
``flask scheduler run``) waits without running jobs, and takes over if the first one stops.
"""
from __future__ import annotations

import fcntl
import logging
import os
from datetime import datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text

from tracker.common.workdays import BEIJING
from tracker.extensions import db

log = logging.getLogger(__name__)
ADVISORY_LOCK_KEY = 741_852_963  # arbitrary, fixed: "the Duban scheduler"


class SchedulerLock:
    def __init__(self, app: Flask):
        self.app = app
        self._connection = None
        self._file = None

    def acquire(self) -> bool:
        if self._connection is not None or self._file is not None:
            return True
        with self.app.app_context():
            engine = db.engine
            if engine.dialect.name == "postgresql":
                connection = engine.connect()
                if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar():
                    connection.commit()
                    self._connection = connection
                    return True
                connection.close()
                return False
        path = Path(self.app.instance_path) / "scheduler.lock"
        handle = open(path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0), handle.truncate(), handle.write(str(os.getpid())), handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # ends the session, which releases the advisory lock
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


# What each run keeps up to date after the reminders, ``upkeep(today)``, registered by its domain
# (tracker/reports/handlers.py) in tracker.common.scans.
UPKEEP_ORDER = ("city_dashboard", "city_scoreboard")


def tick(app: Flask, lock: SchedulerLock) -> None:
    """The scheduled job: run reminders only while holding the deployment-wide lock."""
    if not lock.acquire():
        return
    from tracker.common import scans
    from tracker.reminders.heartbeat import beat
    from tracker.common.clock import today, utcnow
    from tracker.reminders.jobs import run_reminders
    from tracker.overdue.store import refresh_overdue_entries

    with app.app_context():
        try:
            result = run_reminders(utcnow())
            beat("scheduler")
            if result.scan.total or result.scan.webhook_calls or result.send.sent:
                queued = ", ".join(f"{getattr(kind, 'value', kind)} {count}" for kind, count in result.scan.queued.items())
                log.info("reminders: queued %s (%d emails) and %d webhook calls, sent %d", queued or "nothing",
                         result.scan.total, result.scan.webhook_calls, result.send.sent)
            for _name, upkeep in scans.steps(UPKEEP_ORDER):  # registered by their domains at start-up
                upkeep(today())  # the city-wide dashboard's and scoreboard's snapshots kept fresh (tracker.reports)
            if app.config.get("OVERDUE_STORE", True):  # a new day's list is built here, not in a page view
                refresh_overdue_entries(today())
        except Exception:
            log.exception("reminder run failed")
            db.session.rollback()
        finally:
            db.session.remove()


def build_scheduler(app: Flask, blocking: bool = False):
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone=BEIJING)
    lock = SchedulerLock(app)
    scheduler.add_job(tick, "interval", seconds=app.config["SCHEDULER_INTERVAL_SECONDS"], args=(app, lock),
                      id="reminders", max_instances=1, coalesce=True, next_run_time=datetime.now(BEIJING))
    scheduler.duban_lock = lock
    return scheduler


def start_in_app(app: Flask) -> None:
    """`make run`: an in-process scheduler (skipped in the reloader's watcher process)."""
    if os.environ.get("FLASK_DEBUG") == "1" and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    scheduler = build_scheduler(app)
    scheduler.start()
    app.extensions["duban_scheduler"] = scheduler
