"""Reporting periods and overdue arithmetic (tracker.common.deadlines), no database."""
from datetime import date

import pytest

from tracker.common import deadlines as d


@pytest.mark.parametrize("cycle, day, today, expected", [
    ("monthly", 25, date(2026, 6, 30), ("2026-06", date(2026, 6, 25))),
    ("monthly", 25, date(2026, 6, 25), ("2026-05", date(2026, 5, 25))),  # due today: not late yet
    ("monthly", 25, date(2026, 1, 10), ("2025-12", date(2025, 12, 25))),
    ("monthly", 31, date(2026, 3, 1), ("2026-02", date(2026, 2, 28))),  # clamped to month end
    ("quarterly", 30, date(2026, 7, 1), ("2026-Q2", date(2026, 6, 30))),
    ("quarterly", 30, date(2026, 6, 10), ("2026-Q1", date(2026, 3, 30))),
    ("quarterly", 30, date(2026, 2, 1), ("2025-Q4", date(2025, 12, 30))),
])
def test_latest_due_period(cycle, day, today, expected):
    period = d.latest_due_period(cycle, day, today)
    assert (period.key, period.report_due_on) == expected


def test_no_period_due_before_the_task_starts():
    assert d.latest_due_period("monthly", 25, date(2026, 7, 10), start_on=date(2026, 7, 1)) is None
    assert d.latest_due_period("monthly", 25, date(2026, 7, 26), start_on=date(2026, 7, 1)).key == "2026-07"


def test_one_off_report_is_due_on_the_due_date():
    assert d.latest_due_period("once", 25, date(2026, 6, 30), due_on=date(2026, 6, 30)) is None
    period = d.latest_due_period("once", 25, date(2026, 7, 1), due_on=date(2026, 6, 30))
    assert (period.key, period.report_due_on) == ("final", date(2026, 6, 30))


def test_period_keys_parse_only_for_their_cycle():
    assert d.period_by_key("monthly", 25, "2026-06").report_due_on == date(2026, 6, 25)
    assert d.period_by_key("quarterly", 30, "2026-Q3").report_due_on == date(2026, 9, 30)
    for cycle, key in [("monthly", "2026-Q1"), ("monthly", "2026-13"), ("quarterly", "2026-Q5"),
                       ("quarterly", "2026-06"), ("monthly", "x; DROP TABLE tasks"), ("once", "2026-06")]:
        assert d.period_by_key(cycle, 25, key, date(2026, 6, 30)) is None


def test_overdue_days_are_working_days_after_the_due_date():
    assert d.overdue_days(date(2026, 3, 31), date(2026, 6, 30)) == 61
    assert d.overdue_days(date(2026, 6, 30), date(2026, 6, 30)) == 0
    assert d.overdue_days(None, date(2026, 6, 30)) == 0
    assert d.overdue_days(date(2026, 9, 30), date(2026, 10, 8)) == 1  # National Day holiday Oct 1-7
    assert d.due_in_days(date(2026, 7, 10), date(2026, 6, 30)) == 8


def test_a_report_day_on_a_weekend_moves_to_the_previous_working_day():
    assert d.period_of("monthly", 25, date(2026, 4, 1)).report_due_on == date(2026, 4, 24)  # Sat → Fri
    # 2026-02-28 is a Saturday but a 调休 makeup working day: it stays.
    assert d.period_of("monthly", 28, date(2026, 2, 1)).report_due_on == date(2026, 2, 28)
    # Oct 1-7 2026 is the National Day holiday: a report day on Oct 5 moves to Sep 30.
    assert d.period_of("monthly", 5, date(2026, 10, 1)).report_due_on == date(2026, 9, 30)
