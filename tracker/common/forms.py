"""The base of every form: Flask-WTF's FlaskForm, cleaning text and refusing values the app cannot store or
compute with."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskForm
from wtforms import DateField, PasswordField, StringField

from tracker.common.plain_text import clean_value

# Dates the app works with: the years of the working calendar (workcalendar.services.save_year); far beyond
# them, date arithmetic (deadlines, reply periods, chart axes) leaves the range of datetime.date.
MIN_YEAR, MAX_YEAR = 2000, 2100
NUL_MESSAGE = _l("不能包含空字符。")
YEAR_MESSAGE = _l("年份须在2000至2100之间。")


def is_cleaned(field_class) -> bool:
    """Text fields (StringField and its kinds: textarea, email, search, hidden …) are cleaned; a password
    is compared as typed, never shown or exported, so it is not."""
    return issubclass(field_class, StringField) and not issubclass(field_class, PasswordField)


class FlaskForm(_FlaskForm):
    """Every text field drops control characters other than tab and line breaks, lone surrogates and
    U+FFFE/U+FFFF before any validator sees it (``tracker.common.plain_text.clean_text``: invisible, so
    nobody could find them to remove them after a refusal; README "One input and output discipline").
    Adds a message under any other field posted with a NUL character (PostgreSQL cannot store NUL in
    text, and it is never meant: pasted binary or a forged post), and under dates outside
    MIN_YEAR..MAX_YEAR."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if is_cleaned(unbound_field.field_class):  # first, so the field's own filters see clean text
                options = {**options, "filters": (clean_value, *unbound_field.kwargs.get("filters", ()))}
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            problem = None
            if not is_cleaned(type(field)) and any(isinstance(value, str) and "\x00" in value
                                                   for value in field.raw_data or ()):
                problem = NUL_MESSAGE
            elif isinstance(field, DateField) and field.data and not MIN_YEAR <= field.data.year <= MAX_YEAR:
                problem = YEAR_MESSAGE
            if problem is not None:
                field.errors = [*field.errors, problem]
                valid = False
        return valid
