"""Due-date arithmetic: the one place that decides reporting periods and what counts as overdue.

A task is overdue (逾期) when its due date (完成时限) has passed and it is neither completed nor
suspended (暂缓). Its report is overdue (报送逾期) when the lead unit's update for the latest
reporting period whose report day has passed is missing (nothing submitted or accepted; a
returned update does not count until it is resubmitted).

Day counts are working days (工作日) on the official calendar in force (holidays and 调休 makeup
days, see tracker.workcalendar); a report day that falls on a non-working day moves to the previous
working day (``SHIFT_POLICY``, configurable to "next").

Obligations start at 交办 (``owes_period``, ``deadline_in_force``): a task's lead unit owes nothing
that fell due before it was assigned the task and had its sign-off window (签收时限) to sign for it.
``owed_after`` is that window's last day (the lead unit's receipt's ``sign_by``, see
``tracker.tasks.obligations``); None for a task assigned before 签收 existed (no receipt: no limit).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.common.workdays import DEFAULT_CALENDAR, WorkingCalendar

MONTHLY, QUARTERLY, ONCE = "monthly", "quarterly", "once"
FINAL_PERIOD = "final"
SHIFT_POLICY = "previous"


_calendar_source: list = []  # set at start-up by tracker.workcalendar (the holidays it keeps)


def use_calendar(source) -> None:
    """``source()`` gives the working calendar in force (tracker.workcalendar.services.current_calendar),
    registered at start-up so that the ground floor does not import the domain that stores holidays."""
    _calendar_source[:] = [source]


def working_calendar() -> WorkingCalendar:
    """The working calendar in force; the built-in ``DEFAULT_CALENDAR`` before start-up."""
    return _calendar_source[0]() if _calendar_source else DEFAULT_CALENDAR


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


def owes_period(period: ReportPeriod, owed_after: date | None) -> bool:
    """Is the report of ``period`` owed by a lead unit whose 签收时限 ends ``owed_after``? Only a period
    whose report day comes after that day: the first report owed is the first period ending after
    交办 plus the sign-off window."""
    return owed_after is None or period.report_due_on > owed_after


def deadline_in_force(due_on: date | None, owed_after: date | None) -> date | None:
    """The due date the overdue rules count from: the task's 完成时限, but never before the end of the
    lead unit's 签收时限 (a due date that fell before 交办 is not missed; nothing escalates before the
    unit had its days to sign)."""
    if due_on is None or owed_after is None:
        return due_on
    return max(due_on, owed_after)


def first_owed_period(cycle: str, report_day: int, owed_after: date, *, start_on: date | None = None,
                      due_on: date | None = None) -> ReportPeriod | None:
    """The first reporting period a lead unit owes a report for (首次报送), given the end of its 签收时限
    and the task's start date; a one-off report: its due date in force."""
    if cycle == ONCE:
        due = deadline_in_force(due_on, owed_after)
        return ReportPeriod(FINAL_PERIOD, due) if due else None
    day = max(owed_after, start_on) if start_on else owed_after
    period = period_of(cycle, report_day, day)
    for _ in range(4):  # at most one period later (a report day moved across a month end: a little more)
        if owes_period(period, owed_after) and (start_on is None or period.report_due_on >= start_on):
            return period
        period = next_period(cycle, report_day, period)
    return period


def next_period(cycle: str, report_day: int, period: ReportPeriod) -> ReportPeriod:
    """The period after ``period`` (monthly or quarterly), from its key."""
    if cycle == MONTHLY:
        year, month = map(int, period.key.split("-"))
        return period_of(cycle, report_day, date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1))
    if cycle == QUARTERLY:
        year, quarter = map(int, period.key.split("-Q"))
        return period_of(cycle, report_day, date(year + 1, 1, 1) if quarter == 4 else date(year, quarter * 3 + 1, 1))
    raise ValueError("a one-off report has no next period")


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
