"""The app's notion of "today" and "now": one place, overridable for demos and tests."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import current_app, has_app_context

from tracker.common.workdays import BEIJING


def utcnow() -> datetime:
    """Timezone-aware UTC now; stored timestamps are UTC."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today in Beijing, or ``TRACKER_TODAY`` when configured."""
    if has_app_context():
        override = current_app.config.get("TODAY")
        if override:
            return override if isinstance(override, date) else date.fromisoformat(override)
    return datetime.now(BEIJING).date()


def to_beijing(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite returns naive values; they are stored as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING)
