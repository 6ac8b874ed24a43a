"""The job body every scheduler run calls, and ``flask reminders run`` too: scan, then send."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.common.clock import utcnow
from tracker.extensions import db
from tracker.reminders.scan import ScanResult, run_scan
from tracker.reminders.sender import SendResult, send_pending


@dataclass
class RunResult:
    scan: ScanResult
    send: SendResult


def run_reminders(at: datetime | None = None, mailer=None, poster=None) -> RunResult:
    """One reminder scan (committed as one transaction) and one send pass, as of ``at``."""
    at = at or utcnow()
    try:
        scan = run_scan(at)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return RunResult(scan, send_pending(at, mailer, poster=poster))
