"""The working-day calendar in force: the library's official calendar plus the admin's overrides."""
from __future__ import annotations

from datetime import date

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit.services import record
from tracker.common.errors import ValidationFailed
from tracker.common.workdays import DEFAULT_CALENDAR, WorkingCalendar, YearRules
from tracker.extensions import db
from tracker.workcalendar.models import HolidayYear


def parse_dates(raw: str, year: int) -> list[date]:
    """ISO dates separated by lines, commas or spaces; each must fall in ``year``."""
    days = []
    for token in raw.replace(",", " ").replace("，", " ").replace("、", " ").split():
        try:
            day = date.fromisoformat(token)
        except ValueError:
            raise ValidationFailed(_("“%(token)s”不是有效日期，应为YYYY-MM-DD。", token=token)) from None
        if day.year != year:
            raise ValidationFailed(_("日期%(day)s不属于%(year)d年。", day=token, year=year))
        days.append(day)
    return sorted(set(days))


def load_calendar() -> WorkingCalendar:
    rows = db.session.scalars(select(HolidayYear)).all()
    if not rows:
        return DEFAULT_CALENDAR
    return WorkingCalendar({
        row.year: YearRules(holidays=frozenset(parse_dates(row.holidays, row.year)),
                            makeup_workdays=frozenset(parse_dates(row.makeup_workdays, row.year)))
        for row in rows})


def current_calendar() -> WorkingCalendar:
    """The calendar for this request or job run (read once, then kept on ``g``)."""
    if not has_app_context():
        return DEFAULT_CALENDAR
    if "working_calendar" not in g:
        g.working_calendar = load_calendar()
    return g.working_calendar


def save_year(actor, year: int, *, holidays: str, makeup_workdays: str) -> HolidayYear:
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("年份须在2000至2100之间。"))
    holiday_days, makeup_days = parse_dates(holidays, year), parse_dates(makeup_workdays, year)
    if set(holiday_days) & set(makeup_days):
        raise ValidationFailed(_("同一天不能既是节假日又是调休上班日。"))
    row = db.session.get(HolidayYear, year)
    before = {"holidays": row.holidays, "makeup_workdays": row.makeup_workdays} if row else {}
    if row is None:
        row = HolidayYear(year=year)
        db.session.add(row)
    row.holidays = "\n".join(day.isoformat() for day in holiday_days)
    row.makeup_workdays = "\n".join(day.isoformat() for day in makeup_days)
    db.session.flush()
    record(actor, "calendar.saved", row, changes={"holidays": [before.get("holidays"), row.holidays],
                                                   "makeup_workdays": [before.get("makeup_workdays"),
                                                                       row.makeup_workdays]},
           summary=str(year))
    g.pop("working_calendar", None)
    return row


def year_overview(year: int) -> dict:
    """What the admin page shows for a year: source, and the dates in force (prefilled from the library)."""
    row = db.session.get(HolidayYear, year)
    library = WorkingCalendar.library_rules(year)
    if row is not None:
        holidays, makeup = row.holidays, row.makeup_workdays
    elif library is not None:
        holidays = "\n".join(day.isoformat() for day in sorted(library.holidays))
        makeup = "\n".join(day.isoformat() for day in sorted(library.makeup_workdays))
    else:
        holidays = makeup = ""
    return {"year": year, "source": current_calendar().year_source(year), "holidays": holidays,
            "makeup_workdays": makeup, "saved": row is not None}
