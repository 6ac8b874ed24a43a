from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import HiddenField, IntegerField, MultipleFileField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class UpdateForm(FlaskForm):
    period = SelectField(_l("报送周期"), validators=[DataRequired(message=_l("请选择报送周期。"))])
    progress_text = TextAreaField(_l("工作进展"), validators=[
        DataRequired(message=_l("请填写工作进展。")), Length(max=10000)])
    percent = IntegerField(_l("完成进度（%）"), validators=[
        InputRequired(message=_l("请填写完成进度。")), NumberRange(0, 100, message=_l("完成进度须在0至100之间。"))])
    problems = TextAreaField(_l("存在问题"), validators=[Length(max=5000)])
    next_steps = TextAreaField(_l("下一步计划"), validators=[Length(max=5000)])
    evidence = MultipleFileField(_l("佐证材料"))
    submit = SubmitField(_l("提交报送"))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("审核意见"), validators=[Length(max=5000)])
    version = HiddenField()
    accept = SubmitField(_l("采纳"))
    reject = SubmitField(_l("退回修改"))
