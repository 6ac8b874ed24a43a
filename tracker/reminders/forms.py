from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange


class ReminderSettingsForm(FlaskForm):
    report_due_offsets = StringField(_l("报送提醒：报送日前几个工作日（逗号分隔，0表示当天）"),
                                     validators=[DataRequired(message=_l("请填写报送提醒天数。")), Length(max=60)])
    deadline_offsets = StringField(_l("到期提醒：完成时限前几个工作日（逗号分隔）"),
                                   validators=[DataRequired(message=_l("请填写到期提醒天数。")), Length(max=60)])
    escalate_after_days = IntegerField(_l("逾期超过几个工作日记为督办升级（任务页标记、通知订阅的群机器人）"), validators=[
        DataRequired(message=_l("请填写升级天数。")), NumberRange(1, 100, message=_l("升级天数须在1至100之间。"))])
    overdue_digest_enabled = BooleanField(_l("每个工作日向单位发送逾期汇总"))
    version = HiddenField()
    submit = SubmitField(_l("保存"))


class HolidayYearForm(FlaskForm):
    holidays = TextAreaField(_l("节假日（每行一个日期，YYYY-MM-DD）"), validators=[Length(max=5000)])
    makeup_workdays = TextAreaField(_l("调休上班日（每行一个日期）"), validators=[Length(max=5000)])
    submit = SubmitField(_l("保存"))


class RetryForm(FlaskForm):
    submit = SubmitField(_l("重新发送"))
