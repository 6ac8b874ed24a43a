"""Forms of 督查通报 and 考评: field validation only (the rules are in services.py)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FloatField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from tracker.common.forms import FlaskForm


class DraftForm(FlaskForm):
    month = StringField(_l("月份（年-月）"), validators=[DataRequired(message=_l("请填写月份。")), Length(max=7)])
    submit = SubmitField(_l("根据数据起草通报"))


class BulletinForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("标题"), validators=[DataRequired(message=_l("请填写通报标题。")), Length(max=200)])
    body = TextAreaField(_l("正文"), validators=[DataRequired(message=_l("请填写通报正文。")), Length(max=50_000)])
    refresh = BooleanField(_l("按最新数据重新统计（正文不变）"))
    submit = SubmitField(_l("保存"))


class IssueForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField(_l("编号印发"))


def _weight(label):
    return FloatField(label, validators=[InputRequired(message=_l("请填写分值。")),
                                                   NumberRange(0, 100, message=_l("每项分值须在0至100之间。"))])


class ScoringForm(FlaskForm):
    """A plan's 考评 weights: points per item."""

    version = HiddenField()
    on_time_report = _weight(_l("每次按期报送加分"))
    closure_on_time = _weight(_l("每项按期办结销号加分"))
    overdue_day = _weight(_l("每个逾期工作日扣分"))
    returned = _weight(_l("每次报送被退回扣分"))
    extension = _weight(_l("每次批准延期扣分"))
    escalation = _weight(_l("每达到一级督办等级扣分"))
    submit = SubmitField(_l("保存"))
