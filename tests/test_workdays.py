"""Tests for tracker.common.workdays (工作日 arithmetic).

The 2026 facts below were read from chinesecalendar 1.11.0's data:
National Day 2026-10-01..07 (Thu–Wed), Mid-Autumn 2026-09-25..27 (Fri–Sun),
调休 makeup working days 2026-09-20 (Sun) and 2026-10-10 (Sat);
Spring Festival 2026-02-15..23 with makeup days 2026-02-14 (Sat) and
2026-02-28 (Sat).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.common.workdays import (
    BEIJING,
    DEFAULT_CALENDAR,
    WorkingCalendar,
    YearRules,
)

D = date
CAL = DEFAULT_CALENDAR

# 2027 is not in the library: 2027-01-01 is a Friday holiday, 2027-01-03 a
# Sunday made a working day — invented rules for the override tests.
OVERRIDES_2027 = {
    2027: YearRules(
        holidays=frozenset({D(2027, 1, 1)}),
        makeup_workdays=frozenset({D(2027, 1, 3)}),
    )
}
CAL_2027 = WorkingCalendar(OVERRIDES_2027)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(i) for i in range((end - start).days + 1)]


def naive_between(cal: WorkingCalendar, start: date, end: date) -> int:
    """Day-by-day reference for working_days_between."""
    if end >= start:
        return sum(cal.is_working_day(d) for d in days(start + timedelta(1), end))
    return -naive_between(cal, end, start)


# -- facts of the 2026 official calendar ------------------------------------


def test_library_has_2026_and_not_2027() -> None:
    assert 2026 in CAL.known_years()
    assert 2027 not in CAL.known_years()
    assert CAL.known_years() == range(2004, 2027)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))


@pytest.mark.parametrize("d", days(D(2026, 10, 1), D(2026, 10, 7)))
def test_national_day_2026_is_off(d: date) -> None:
    assert chinese_calendar.get_holiday_detail(d) == (True, "National Day")
    assert not CAL.is_working_day(d)


@pytest.mark.parametrize("d", days(D(2026, 9, 25), D(2026, 9, 27)))
def test_mid_autumn_2026_is_off(d: date) -> None:
    assert not CAL.is_working_day(d)


@pytest.mark.parametrize(
    "d, weekday",
    [
        (D(2026, 9, 20), 6),  # Sunday worked for National Day
        (D(2026, 10, 10), 5),  # Saturday worked for National Day
        (D(2026, 2, 14), 5),  # Saturday worked for Spring Festival
        (D(2026, 2, 28), 5),
        (D(2026, 1, 4), 6),  # Sunday worked for New Year's Day
    ],
)
def test_2026_makeup_weekend_days_are_working(d: date, weekday: int) -> None:
    assert d.weekday() == weekday
    assert CAL.is_working_day(d)


def test_days_around_national_day_2026() -> None:
    assert CAL.is_working_day(D(2026, 9, 30))
    assert CAL.is_working_day(D(2026, 10, 8))
    assert not CAL.is_working_day(D(2026, 10, 11))  # Sunday after the makeup Saturday


def test_spring_festival_2026() -> None:
    for d in days(D(2026, 2, 15), D(2026, 2, 23)):
        assert not CAL.is_working_day(d)
    assert CAL.is_working_day(D(2026, 2, 13))
    assert CAL.is_working_day(D(2026, 2, 24))


def test_ordinary_weekend_is_not_working() -> None:
    assert not CAL.is_working_day(D(2026, 3, 7))  # Saturday
    assert not CAL.is_working_day(D(2026, 3, 8))  # Sunday
    assert CAL.is_working_day(D(2026, 3, 9))  # Monday


def test_matches_library_for_every_known_day() -> None:
    for year in CAL.known_years():
        for d in days(D(year, 1, 1), D(year, 12, 31)):
            assert CAL.is_working_day(d) == chinese_calendar.is_workday(d), d


# -- sources and overrides ----------------------------------------------------


def test_2027_falls_back_to_weekends_only_without_raising() -> None:
    assert CAL.year_source(2027) == "weekends_only"
    assert CAL.year_source(2026) == "library"
    assert CAL.library_rules(2027) is None
    assert not CAL.is_working_day(D(2027, 1, 2))  # Saturday
    assert not CAL.is_working_day(D(2027, 1, 3))  # Sunday
    assert CAL.is_working_day(D(2027, 1, 1))  # Friday: no holiday data
    assert CAL.is_working_day(D(2027, 10, 1))
    assert CAL.working_days_between(D(2027, 1, 1), D(2027, 1, 8)) == 5


def test_overrides_for_unknown_year_win() -> None:
    assert CAL_2027.year_source(2027) == "override"
    assert not CAL_2027.is_working_day(D(2027, 1, 1))
    assert CAL_2027.is_working_day(D(2027, 1, 3))
    assert not CAL_2027.is_working_day(D(2027, 1, 2))
    assert CAL_2027.is_working_day(D(2027, 1, 4))
    assert CAL_2027.shift_to_working_day(D(2027, 1, 1), "next") == D(2027, 1, 3)
    assert CAL_2027.shift_to_working_day(D(2027, 1, 1)) == D(2026, 12, 31)
    # Other years keep library data.
    assert CAL_2027.year_source(2026) == "library"
    assert not CAL_2027.is_working_day(D(2026, 10, 1))


def test_overrides_replace_library_year_entirely() -> None:
    cal = WorkingCalendar(
        {2026: YearRules(holidays=frozenset({D(2026, 3, 9)}), makeup_workdays=frozenset({D(2026, 3, 8)}))}
    )
    assert cal.year_source(2026) == "override"
    assert not cal.is_working_day(D(2026, 3, 9))
    assert cal.is_working_day(D(2026, 3, 8))
    # The library's National Day and 调休 no longer apply.
    assert cal.is_working_day(D(2026, 10, 1))
    assert not cal.is_working_day(D(2026, 9, 20))
    # The library itself is unchanged for other calendars.
    assert not CAL.is_working_day(D(2026, 10, 1))


def test_override_with_library_rules_equals_library() -> None:
    rules = CAL.library_rules(2026)
    assert rules is not None
    assert D(2026, 10, 1) in rules.holidays
    assert rules.makeup_workdays == frozenset(
        {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)}
    )
    cal = WorkingCalendar({2026: rules})
    assert cal.working_days_in(D(2026, 1, 1), D(2026, 12, 31)) == CAL.working_days_in(
        D(2026, 1, 1), D(2026, 12, 31)
    )


def test_yearrules_accepts_sets_and_makeup_wins() -> None:
    rules = YearRules(holidays={D(2027, 1, 4)}, makeup_workdays=[D(2027, 1, 4)])  # type: ignore[arg-type]
    assert isinstance(rules.holidays, frozenset)
    assert WorkingCalendar({2027: rules}).is_working_day(D(2027, 1, 4))


def test_override_validation() -> None:
    with pytest.raises(ValueError, match="another year"):
        WorkingCalendar({2027: YearRules(holidays=frozenset({D(2026, 12, 31)}))})
    with pytest.raises(TypeError):
        WorkingCalendar({"2027": YearRules()})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        YearRules(holidays=frozenset({datetime(2027, 1, 1)}))


def test_rejects_datetime() -> None:
    with pytest.raises(TypeError):
        CAL.is_working_day(datetime(2026, 10, 1, 12))  # type: ignore[arg-type]


# -- shifting -------------------------------------------------------------------


def test_shift_over_national_day() -> None:
    assert CAL.shift_to_working_day(D(2026, 10, 3)) == D(2026, 9, 30)
    assert CAL.shift_to_working_day(D(2026, 10, 3), "previous") == D(2026, 9, 30)
    assert CAL.shift_to_working_day(D(2026, 10, 3), "next") == D(2026, 10, 8)
    assert CAL.shift_to_working_day(D(2026, 10, 11), "previous") == D(2026, 10, 10)
    assert CAL.shift_to_working_day(D(2026, 9, 27), "previous") == D(2026, 9, 24)
    assert CAL.shift_to_working_day(D(2026, 9, 20), "next") == D(2026, 9, 20)


def test_shift_across_year_boundary() -> None:
    assert CAL.shift_to_working_day(D(2026, 1, 1)) == D(2025, 12, 31)
    assert CAL.shift_to_working_day(D(2026, 1, 3), "next") == D(2026, 1, 4)


def test_shift_rejects_bad_policy() -> None:
    with pytest.raises(ValueError):
        CAL.shift_to_working_day(D(2026, 10, 3), "nearest")  # type: ignore[arg-type]


# -- adding and counting -----------------------------------------------------------


def test_add_working_days_across_national_day() -> None:
    assert CAL.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert CAL.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert CAL.add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)
    assert CAL.add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert CAL.add_working_days(D(2026, 10, 8), -4) == D(2026, 9, 24)
    # From a day off, d itself is not counted.
    assert CAL.add_working_days(D(2026, 10, 3), 1) == D(2026, 10, 8)
    assert CAL.add_working_days(D(2026, 10, 3), -1) == D(2026, 9, 30)


def test_add_zero() -> None:
    assert CAL.add_working_days(D(2026, 9, 30), 0) == D(2026, 9, 30)
    assert CAL.add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 8)


def test_add_across_years() -> None:
    assert CAL.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert CAL.add_working_days(D(2026, 1, 4), -1) == D(2025, 12, 31)
    # 2026-12-31 is a Thursday; 2027 is weekends-only.
    assert CAL.add_working_days(D(2026, 12, 31), 2) == D(2027, 1, 4)
    assert CAL.add_working_days(D(2027, 1, 4), -2) == D(2026, 12, 31)
    assert CAL.add_working_days(D(2026, 1, 5), 600) == CAL.working_days_in(D(2026, 1, 6), D(2028, 12, 31))[599]


def test_working_days_between_examples() -> None:
    # Due on a Friday, today the next Monday: 1 working day overdue.
    assert CAL.working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1
    assert CAL.working_days_between(D(2026, 3, 9), D(2026, 3, 6)) == -1
    assert CAL.working_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    # Across National Day: only 10-08, 10-09 and the makeup Saturday 10-10.
    assert CAL.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert CAL.working_days_between(D(2026, 9, 30), D(2026, 10, 7)) == 0
    assert CAL.working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    # Sept 2026 has the makeup Sunday 09-20 and Mid-Autumn 09-25.
    assert CAL.working_days_between(D(2026, 8, 31), D(2026, 9, 30)) == 22
    assert CAL.working_days_between(D(2025, 12, 31), D(2026, 1, 5)) == 2


def test_working_days_in() -> None:
    assert CAL.working_days_in(D(2026, 9, 28), D(2026, 10, 12)) == [
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 10),
        D(2026, 10, 12),
    ]
    assert CAL.working_days_in(D(2026, 10, 1), D(2026, 10, 7)) == []
    assert CAL.working_days_in(D(2026, 10, 9), D(2026, 10, 8)) == []
    assert len(CAL.working_days_in(D(2026, 12, 28), D(2027, 1, 8))) == 10


def test_beijing_zone() -> None:
    assert str(BEIJING) == "Asia/Shanghai"
    assert datetime(2026, 9, 30, 16, 30, tzinfo=timezone.utc).astimezone(BEIJING).date() == D(2026, 10, 1)


# -- properties ------------------------------------------------------------------------

dates_2024_2027 = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31))
calendars = st.sampled_from([DEFAULT_CALENDAR, CAL_2027])


@settings(max_examples=300, deadline=None)
@given(cal=calendars, d=dates_2024_2027, n=st.integers(-300, 300))
def test_add_then_between_roundtrip(cal: WorkingCalendar, d: date, n: int) -> None:
    d = cal.shift_to_working_day(d, "next")
    result = cal.add_working_days(d, n)
    assert cal.is_working_day(result)
    assert cal.working_days_between(d, result) == n
    assert cal.working_days_between(result, d) == -n


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=dates_2024_2027, span=st.integers(-40, 40))
def test_between_matches_day_by_day_count(cal: WorkingCalendar, start: date, span: int) -> None:
    end = start + timedelta(span)
    assert cal.working_days_between(start, end) == naive_between(cal, start, end)


@settings(max_examples=300, deadline=None)
@given(cal=calendars, d=dates_2024_2027, policy=st.sampled_from(["previous", "next"]))
def test_shift_lands_on_nearby_working_day(cal: WorkingCalendar, d: date, policy: str) -> None:
    result = cal.shift_to_working_day(d, policy)  # type: ignore[arg-type]
    assert cal.is_working_day(result)
    assert abs((result - d).days) <= 15
    if policy == "previous":
        assert result <= d
    else:
        assert result >= d
    # Nothing in between is a working day.
    lo, hi = sorted((d, result))
    assert cal.working_days_in(lo, hi) == [result]
