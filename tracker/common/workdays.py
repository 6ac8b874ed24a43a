"""Working-day (工作日) arithmetic on the Chinese official calendar.

This is the single place where Duban decides whether a date is a working
day and counts or moves dates by working days.  The rules come from three
sources, checked in this order for the year of the date:

1. per-year overrides maintained by an administrator (节假日维护),
2. the ``chinese_calendar`` package, which knows official holidays (节假日)
   and makeup working days (调休, a Saturday or Sunday that is worked)
   for the years it ships data for,
3. a weekends-only fallback (Monday–Friday are working days) for any other
   year, so that nothing here ever raises for an unknown year.

All functions take and return :class:`datetime.date`.  A
:class:`datetime.datetime` is rejected on purpose: which calendar day a
moment falls on depends on the time zone, so callers convert explicitly
to a Beijing date first (see ``tracker.common.clock``).

A :class:`WorkingCalendar` is immutable; after an administrator edits the
holiday rules, build a new calendar from the new overrides.

The module imports neither Flask nor the database.
"""

from __future__ import annotations

import functools
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Literal, NamedTuple

import chinese_calendar

__all__ = [
    "BEIJING",
    "DEFAULT_CALENDAR",
    "ShiftPolicy",
    "WorkingCalendar",
    "YearRules",
    "YearSource",
]

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
"""Time zone of the official calendar (北京时间)."""

YearSource = Literal["override", "library", "weekends_only"]
ShiftPolicy = Literal["previous", "next"]

_MIN_YEAR = date.min.year
_MAX_YEAR = date.max.year


def _check_date(value: object, name: str = "d") -> date:
    # datetime is a subclass of date; accepting it would silently use the
    # caller's time zone to pick the calendar day.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (not datetime), got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class YearRules:
    """Holiday rules of one calendar year.

    ``holidays`` are days off (节假日); a weekday listed here is not a working
    day.  ``makeup_workdays`` are 调休 days: a Saturday or Sunday listed here
    is a working day.  A date in both sets counts as a working day.
    Iterables of dates are accepted and stored as frozensets.
    """

    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        for field in ("holidays", "makeup_workdays"):
            raw: Iterable[object] = getattr(self, field)
            values = frozenset(_check_date(v, field) for v in raw)
            object.__setattr__(self, field, values)

    def years(self) -> frozenset[int]:
        """Years of all dates mentioned in these rules."""
        return frozenset(d.year for d in self.holidays | self.makeup_workdays)


class _YearData(NamedTuple):
    ordinals: tuple[int, ...]  # sorted proleptic ordinals of the working days
    ordinal_set: frozenset[int]


@functools.lru_cache(maxsize=1)
def _library_rules_by_year() -> Mapping[int, YearRules]:
    holidays: dict[int, set[date]] = {}
    makeup: dict[int, set[date]] = {}
    for d in chinese_calendar.holidays:
        holidays.setdefault(d.year, set()).add(d)
    for d in chinese_calendar.workdays:
        makeup.setdefault(d.year, set()).add(d)
    years = _library_years()
    return MappingProxyType(
        {
            year: YearRules(
                holidays=frozenset(holidays.get(year, ())),
                makeup_workdays=frozenset(makeup.get(year, ())),
            )
            for year in years
        }
    )


@functools.lru_cache(maxsize=1)
def _library_years() -> range:
    # Mirrors chinese_calendar's own validity check, which uses the span of
    # its holidays table.
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


class WorkingCalendar:
    """Decides working days (工作日) and does working-day arithmetic.

    ``overrides`` maps a year to the :class:`YearRules` that replace the
    library's data for that whole year (or supply data for a year the library
    does not know).  Every date in a year's rules must belong to that year.

    Results are cached per year on the instance: each year is expanded once
    into a sorted array of working days, and counting or moving uses bisect
    on those arrays.
    """

    def __init__(self, overrides: Mapping[int, YearRules] | None = None) -> None:
        checked: dict[int, YearRules] = {}
        for year, rules in (overrides or {}).items():
            if isinstance(year, bool) or not isinstance(year, int):
                raise TypeError(f"override year must be an int, got {year!r}")
            if not _MIN_YEAR <= year <= _MAX_YEAR:
                raise ValueError(f"override year out of range: {year}")
            if not isinstance(rules, YearRules):
                raise TypeError(f"overrides[{year}] must be YearRules, got {type(rules).__name__}")
            stray = sorted(
                d for d in rules.holidays | rules.makeup_workdays if d.year != year
            )
            if stray:
                raise ValueError(f"overrides[{year}] contains dates of another year: {stray}")
            checked[year] = rules
        self._overrides: Mapping[int, YearRules] = MappingProxyType(checked)
        self._years: dict[int, _YearData] = {}

    def __repr__(self) -> str:
        return f"WorkingCalendar(override_years={sorted(self._overrides)})"

    # -- sources ---------------------------------------------------------

    @property
    def overrides(self) -> Mapping[int, YearRules]:
        """The per-year overrides this calendar was built with (read-only)."""
        return self._overrides

    @staticmethod
    def known_years() -> range:
        """Years for which ``chinese_calendar`` has official data."""
        return _library_years()

    @staticmethod
    def library_rules(year: int) -> YearRules | None:
        """The library's holidays and 调休 makeup working days for ``year``.

        ``None`` if the library has no data for that year.  The holidays
        include weekend days that fall inside a holiday period.  Meant for
        prefilling the holiday maintenance (节假日维护) page.
        """
        return _library_rules_by_year().get(year)

    def year_source(self, year: int) -> YearSource:
        """Where the rules for ``year`` come from.

        ``"weekends_only"`` means neither an override nor library data exists,
        so only Saturdays and Sundays are days off — worth a warning in the UI.
        """
        if year in self._overrides:
            return "override"
        if year in _library_years():
            return "library"
        return "weekends_only"

    def _rules(self, year: int) -> YearRules | None:
        rules = self._overrides.get(year)
        if rules is None:
            rules = _library_rules_by_year().get(year)
        return rules

    def _year(self, year: int) -> _YearData:
        data = self._years.get(year)
        if data is None:
            data = self._build_year(year)
            self._years[year] = data
        return data

    def _build_year(self, year: int) -> _YearData:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise OverflowError(f"working-day arithmetic left the supported date range (year {year})")
        rules = self._rules(year)
        holidays = rules.holidays if rules else frozenset()
        makeup = rules.makeup_workdays if rules else frozenset()
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        ordinals = []
        for ordinal in range(first, last + 1):
            d = date.fromordinal(ordinal)
            if (d.weekday() < 5 and d not in holidays) or d in makeup:
                ordinals.append(ordinal)
        return _YearData(tuple(ordinals), frozenset(ordinals))

    # -- queries ---------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day (工作日), 调休 included."""
        _check_date(d)
        return d.toordinal() in self._year(d.year).ordinal_set

    def shift_to_working_day(self, d: date, policy: ShiftPolicy = "previous") -> date:
        """``d`` itself if it is a working day, else the nearest working day
        before (``"previous"``) or after (``"next"``) it.

        Used when a report day or reminder falls on a day off.
        """
        _check_date(d)
        if policy not in ("previous", "next"):
            raise ValueError(f"policy must be 'previous' or 'next', got {policy!r}")
        if self.is_working_day(d):
            return d
        return self.add_working_days(d, 1 if policy == "next" else -1)

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (before it when ``n < 0``).

        ``d`` itself is never counted, so ``add_working_days(friday, 1)`` is
        the next working day after that Friday even if ``d`` is a day off.
        ``n == 0`` returns ``d`` if it is a working day, else the next working
        day.  For a working day ``d``,
        ``working_days_between(d, add_working_days(d, n)) == n``.
        Raises ``OverflowError`` only when the result would leave the range of
        :class:`datetime.date`.
        """
        _check_date(d)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n == 0:
            return self.shift_to_working_day(d, "next")
        year = d.year
        ordinals = self._year(year).ordinals
        if n > 0:
            index = bisect_right(ordinals, d.toordinal()) + n - 1
            while index >= len(ordinals):
                index -= len(ordinals)
                year += 1
                ordinals = self._year(year).ordinals
        else:
            index = bisect_left(ordinals, d.toordinal()) + n
            while index < 0:
                year -= 1
                ordinals = self._year(year).ordinals
                index += len(ordinals)
        return date.fromordinal(ordinals[index])

    def working_days_between(self, start: date, end: date) -> int:
        """Signed number of working days from ``start`` to ``end``.

        Counts the working days in the half-open interval (start, end] when
        ``end > start``; the negated count of (end, start] when
        ``end < start``; 0 when equal.  So a task due on a Friday is 1 working
        day overdue on the following Monday, and a due date 3 working days
        from today gives 3.
        """
        _check_date(start, "start")
        _check_date(end, "end")
        if start == end:
            return 0
        if end < start:
            return -self.working_days_between(end, start)
        count = bisect_right(self._year(end.year).ordinals, end.toordinal())
        count -= bisect_right(self._year(start.year).ordinals, start.toordinal())
        for year in range(start.year, end.year):
            count += len(self._year(year).ordinals)
        return count

    def working_days_in(self, start: date, end: date) -> list[date]:
        """All working days from ``start`` to ``end``, both inclusive, in
        order; empty when ``end < start``."""
        _check_date(start, "start")
        _check_date(end, "end")
        result: list[date] = []
        if end < start:
            return result
        start_ordinal, end_ordinal = start.toordinal(), end.toordinal()
        for year in range(start.year, end.year + 1):
            ordinals = self._year(year).ordinals
            lo = bisect_left(ordinals, start_ordinal) if year == start.year else 0
            hi = bisect_right(ordinals, end_ordinal) if year == end.year else len(ordinals)
            result.extend(date.fromordinal(o) for o in ordinals[lo:hi])
        return result


DEFAULT_CALENDAR = WorkingCalendar()
"""Calendar with library data only, for callers without admin overrides."""
