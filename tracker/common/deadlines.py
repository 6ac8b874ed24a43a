"""Due-date arithmetic: the one place that decides reporting periods and what counts as overdue.

A task is overdue (逾期) when its due date (完成时限) has passed and it is neither completed nor
suspended (暂缓). Its report is overdue (报送逾期) when the lead unit's update for the latest
reporting period whose report day has passed is missing (nothing submitted or accepted; a
returned update does not count until it is resubmitted).

Day counts are working days (工作日) on the official calendar in force (holidays and 调休 makeup
days, see tracker.workcalendar); a report day that falls on a non-working day moves to the previous
working day (``SHIFT_POLICY``, configurable to "next").
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.common.workdays import WorkingCalendar

MONTHLY, QUARTERLY, ONCE = "monthly", "quarterly", "once"
FINAL_PERIOD = "final"
SHIFT_POLICY = "previous"


def working_calendar() -> WorkingCalendar:
    from tracker.workcalendar.services import current_calendar

    return current_calendar()


def shift_policy() -> str:
    from flask import current_app, has_app_context

    return current_app.config.get("REPORT_DAY_SHIFT", SHIFT_POLICY) if has_app_context() else SHIFT_POLICY


@dataclass(frozen=True)
class ReportPeriod:
    """A reporting period (报送周期) and the day its report is due."""

    key: str  # "2026-06", "2026-Q2", "final"
    report_due_on: date


def _clamped(year: int, month: int, day: int) -> date:
    """The report day in that month (clamped to the month's end), moved to a working day."""
    nominal = date(year, month, min(day, calendar.monthrange(year, month)[1]))
    return working_calendar().shift_to_working_day(nominal, shift_policy())


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def period_of(cycle: str, report_day: int, day: date, due_on: date | None = None) -> ReportPeriod | None:
    """The reporting period that ``day`` falls in."""
    if cycle == MONTHLY:
        return ReportPeriod(f"{day.year}-{day.month:02d}", _clamped(day.year, day.month, report_day))
    if cycle == QUARTERLY:
        quarter = (day.month - 1) // 3 + 1
        return ReportPeriod(f"{day.year}-Q{quarter}", _clamped(day.year, quarter * 3, report_day))
    if cycle == ONCE:
        return ReportPeriod(FINAL_PERIOD, due_on) if due_on else None
    raise ValueError(f"unknown reporting cycle {cycle!r}")


def period_by_key(cycle: str, report_day: int, key: str, due_on: date | None = None) -> ReportPeriod | None:
    """Parses a period key ("2026-06", "2026-Q2", "final") for the given cycle; None if it does not fit."""
    try:
        if cycle == MONTHLY:
            year, month = key.split("-")
            return period_of(cycle, report_day, date(int(year), int(month), 1))
        if cycle == QUARTERLY:
            year, quarter = key.split("-Q")
            if not 1 <= int(quarter) <= 4:
                return None
            return period_of(cycle, report_day, date(int(year), int(quarter) * 3, 1))
        if cycle == ONCE and key == FINAL_PERIOD:
            from tracker.common.clock import today  # the clock imports workdays, as this module does

            return period_of(cycle, report_day, today(), due_on)
    except (ValueError, TypeError):
        return None
    return None


def latest_due_period(cycle: str, report_day: int, today: date, *, start_on: date | None = None,
                      due_on: date | None = None) -> ReportPeriod | None:
    """The most recent period whose report day lies before ``today`` (so its report is late if missing)."""
    current = period_of(cycle, report_day, today, due_on)
    if current is None:
        return None
    if current.report_due_on >= today:
        if cycle == ONCE:
            return None
        current = previous_period(cycle, report_day, current)
    if start_on is not None and current.report_due_on < start_on:
        return None
    return current


def previous_period(cycle: str, report_day: int, period: ReportPeriod) -> ReportPeriod:
    if cycle == MONTHLY:
        year, month = _previous_month(*map(int, period.key.split("-")))
        return period_of(cycle, report_day, date(year, month, 1))
    if cycle == QUARTERLY:
        year, quarter = map(int, period.key.split("-Q"))
        return period_of(cycle, report_day, date(year, quarter * 3, 1) - timedelta(days=70))
    raise ValueError("a one-off report has no previous period")


def overdue_days(due_on: date | None, today: date) -> int:
    """Working days past ``due_on`` (0 when not yet due): due Friday, today Monday → 1."""
    if due_on is None or today <= due_on:
        return 0
    return working_calendar().working_days_between(due_on, today)


def due_in_days(due_on: date | None, today: date) -> int | None:
    """Working days left until ``due_on`` (negative when past)."""
    if due_on is None:
        return None
    return working_calendar().working_days_between(today, due_on)
