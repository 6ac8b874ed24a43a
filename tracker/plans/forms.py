from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

DATE_MESSAGE = _l("日期格式应为YYYY-MM-DD。")
MAX_POSITION = 10_000


class PlanForm(FlaskForm):
    title = StringField(_l("方案标题"), validators=[DataRequired(message=_l("请填写方案标题。")), Length(max=300)])
    short_name = StringField(_l("简称（用于提醒邮件标题）"), validators=[Length(max=40)])
    doc_number = StringField(_l("文号"), validators=[Length(max=80)])
    issuer = StringField(_l("发文机关"), validators=[Length(max=120)])
    issued_on = DateField(_l("印发日期"), validators=[Optional()], format="%Y-%m-%d")
    period_start = DateField(_l("实施开始"), validators=[Optional()], format="%Y-%m-%d")
    period_end = DateField(_l("实施结束"), validators=[Optional()], format="%Y-%m-%d")
    kind = SelectField(_l("类型"))
    status = SelectField(_l("状态"))
    is_public = BooleanField(_l("主动公开（不登录即可在“政务公开”页查看任务进展，不含审核意见和人员信息）"))
    source_text = TextAreaField(_l("原文"), validators=[Optional(), Length(max=500_000)])
    version = HiddenField()
    submit = SubmitField(_l("保存"))


class GroupForm(FlaskForm):
    number = StringField(_l("序号"), validators=[Length(max=20)])
    title = StringField(_l("行动名称"), validators=[DataRequired(message=_l("请填写行动名称。")), Length(max=200)])
    position = IntegerField(_l("排序"), validators=[Optional(), NumberRange(0, MAX_POSITION, message=_l(
        "须在%(low)d至%(high)d之间。", low=0, high=MAX_POSITION))])
    submit = SubmitField(_l("保存"))
