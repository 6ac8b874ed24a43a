"""The app's notion of "today" and "now" (时钟): one place, overridable for demos and tests.

Everything that reads "now" for the user's benefit (timestamps of audit events, reports, reviews and
readings, column defaults, the scheduler's scans, escalations, the dashboard's "统计于") calls
``utcnow()`` or ``today()`` from here, so one setting moves the whole app to another day:

- ``TRACKER_NOW`` (config ``NOW``), an ISO date-time such as ``2026-06-30T10:00`` (Beijing time when it
  has no zone): the clock stands still at that moment. For tests, screenshots and a frozen demo.
- ``TRACKER_TODAY`` (config ``TODAY``), an ISO date: that day, at the real time of day (Beijing), so
  a demo's events still follow one another in order during the day.
- neither: the real clock.

Measurements of elapsed real time (cache ages, the scheduler's interval, lock and heartbeat ages,
backup file names, webhook signature timestamps, the signature age of the session cookie) keep the real
clock: they are not about which day the app shows. ``real_utcnow()`` is that clock. The login limits
and the idle timeout and lifetime of login sessions (tracker/auth/) use the app's clock, so tests move
it instead of sleeping.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timezone
from typing import Iterator

from flask import current_app, has_app_context

from tracker.common.workdays import BEIJING


def real_utcnow() -> datetime:
    """The machine's clock, timezone-aware UTC, whatever the overrides."""
    return datetime.now(timezone.utc)


def _configured(name: str):
    return current_app.config.get(name) if has_app_context() else None


def _fixed_moment() -> datetime | None:
    override = _configured("NOW")
    if not override:
        return None
    moment = override if isinstance(override, datetime) else datetime.fromisoformat(str(override))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(timezone.utc)


def _fixed_day() -> date | None:
    override = _configured("TODAY")
    if not override:
        return None
    if isinstance(override, datetime):
        return override.date()
    return override if isinstance(override, date) else date.fromisoformat(str(override))


def utcnow() -> datetime:
    """Now, timezone-aware UTC (stored timestamps are UTC): ``TRACKER_NOW``, else ``TRACKER_TODAY`` at
    the real Beijing time of day, else the real clock."""
    moment = _fixed_moment()
    if moment is not None:
        return moment
    real = real_utcnow()
    day = _fixed_day()
    if day is None:
        return real
    time_of_day = real.astimezone(BEIJING).timetz()
    return datetime.combine(day, time(time_of_day.hour, time_of_day.minute, time_of_day.second,
                                      time_of_day.microsecond), BEIJING).astimezone(timezone.utc)


def today() -> date:
    """Today in Beijing: the date of ``TRACKER_NOW``, else ``TRACKER_TODAY``, else the real date."""
    moment = _fixed_moment()
    if moment is not None:
        return moment.astimezone(BEIJING).date()
    day = _fixed_day()
    if day is not None:
        return day
    return datetime.now(BEIJING).date()


def check_overrides(config) -> None:
    """Raises ValueError naming the setting when ``TODAY`` or ``NOW`` is not an ISO date / date-time."""
    for name, parse in (("TODAY", date.fromisoformat), ("NOW", datetime.fromisoformat)):
        value = config.get(name)
        if value and not isinstance(value, (date, datetime)):
            try:
                parse(str(value))
            except ValueError:
                raise ValueError(f"TRACKER_{name}={value!r} is not an ISO "
                                 f"{'date (2026-06-30)' if name == 'TODAY' else 'date-time (2026-06-30T10:00)'}") from None


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block (an app context), the clock stands at ``moment`` (Beijing time when naive):
    the demo seed dates the records it creates by the history they belong to, not by the day it runs."""
    saved = current_app.config.get("NOW")
    current_app.config["NOW"] = moment.isoformat()
    try:
        yield
    finally:
        current_app.config["NOW"] = saved


def to_beijing(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite returns naive values; they are stored as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING)
