"""The base of every form: Flask-WTF's FlaskForm, refusing values the app cannot store or compute with."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskForm
from wtforms import DateField

# Dates the app works with: the years of the working calendar (workcalendar.services.save_year); far beyond
# them, date arithmetic (deadlines, reply periods, chart axes) leaves the range of datetime.date.
MIN_YEAR, MAX_YEAR = 2000, 2100
NUL_MESSAGE = _l("不能包含空字符。")
YEAR_MESSAGE = _l("年份须在2000至2100之间。")


class FlaskForm(_FlaskForm):
    """Adds a message under any field posted with a NUL character (PostgreSQL cannot store NUL in text,
    and it is never meant: pasted binary or a forged post), and under dates outside MIN_YEAR..MAX_YEAR."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            problem = None
            if any(isinstance(value, str) and "\x00" in value for value in field.raw_data or ()):
                problem = NUL_MESSAGE
            elif isinstance(field, DateField) and field.data and not MIN_YEAR <= field.data.year <= MAX_YEAR:
                problem = YEAR_MESSAGE
            if problem is not None:
                field.errors = [*field.errors, problem]
                valid = False
        return valid
