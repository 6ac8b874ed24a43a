"""``GET /healthz``: is the database reachable, is the reminder scheduler beating? For monitoring and
load balancers; no login, no session, nothing but the JSON below.

    {"status": "ok" | "degraded" | "error",
     "database": {"ok": bool, "latency_ms": float},
     "scheduler": {"last_beat": iso | null, "age_seconds": float | null, "ok": bool, "expected": bool},
     "time": iso}

HTTP 503 when the database is unreachable (take the instance out of rotation); 200 otherwise, also when
degraded: a stale scheduler means late reminders, but the web app itself still serves.
"""
from __future__ import annotations

import logging
import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracker.common.clock import utcnow
from tracker.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)

# The scheduler beats once per interval; three missed beats mean it has stopped, not merely run late.
STALE_AFTER_INTERVALS = 3


def database_health() -> dict:
    started = time.perf_counter()
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        ok = True
    except SQLAlchemyError as error:
        # The class name only: the full message may carry the database address.
        log.warning("healthz: database unreachable: %s", error)
        ok, failure = False, error.__class__.__name__
    report = {"ok": ok, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    if not ok:
        report["error"] = failure
    return report


def scheduler_expected() -> bool:
    """Every deployment runs one scheduler (`flask scheduler run`, or in-process with TRACKER_SCHEDULER=1);
    SCHEDULER_EXPECTED=False is for an instance that deliberately sends no reminders."""
    return bool(current_app.config.get("SCHEDULER_ENABLED") or current_app.config.get("SCHEDULER_EXPECTED", True))


def scheduler_health(database_ok: bool) -> dict:
    from tracker.reminders.heartbeat import last_beat

    expected = scheduler_expected()
    beat_at = None
    if database_ok:
        try:
            beat_at = last_beat("scheduler")
        except SQLAlchemyError as error:  # e.g. a database not yet migrated: no heartbeat table
            log.warning("healthz: cannot read the scheduler heartbeat: %s", error)
            db.session.rollback()
    if beat_at is None:
        return {"last_beat": None, "age_seconds": None, "ok": not expected, "expected": expected}
    age = (utcnow() - beat_at).total_seconds()
    limit = STALE_AFTER_INTERVALS * current_app.config["SCHEDULER_INTERVAL_SECONDS"]
    return {"last_beat": beat_at.isoformat(), "age_seconds": round(age, 1), "ok": age < limit, "expected": expected}


@bp.get("/healthz")
def healthz():
    database = database_health()
    scheduler = scheduler_health(database["ok"])
    status = "error" if not database["ok"] else "ok" if scheduler["ok"] else "degraded"
    response = jsonify({"status": status, "database": database, "scheduler": scheduler,
                        "time": utcnow().isoformat()})
    response.status_code = 503 if status == "error" else 200
    response.headers["Cache-Control"] = "no-store"
    return response
