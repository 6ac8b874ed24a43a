from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import (DateField, HiddenField, MultipleFileField, SelectField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, Optional

DATE_MESSAGE = _l("日期格式应为YYYY-MM-DD。")


def _as_text(value):
    """A post without the field keeps the stored Decimal (``obj=``): check it as text, like a posted value."""
    return value if value is None or isinstance(value, str) else str(value)


class IndicatorForm(FlaskForm):
    name = StringField(_l("指标名称"), validators=[DataRequired(message=_l("请填写指标名称。")), Length(max=200)])
    unit_of_measure = StringField(_l("计量单位"), validators=[Length(max=20)],
                                  description=_l("例如：亿元、家、个、%"))
    baseline = StringField(_l("基期值"), validators=[DataRequired(message=_l("请填写基期值。")), Length(max=30)],
                           filters=[_as_text])
    baseline_on = DateField(_l("基期日期"), validators=[Optional()], format="%Y-%m-%d",
                            description=_l("留空则取方案实施开始日期。"))
    target_value = StringField(_l("目标值"), validators=[DataRequired(message=_l("请填写目标值。")), Length(max=30)],
                               filters=[_as_text])
    target_on = DateField(_l("目标日期"), validators=[DataRequired(message=DATE_MESSAGE)], format="%Y-%m-%d")
    direction = SelectField(_l("方向"))
    task_id = SelectField(_l("关联任务"), coerce=int)
    responsible_unit_id = SelectField(_l("责任单位"), coerce=int)
    note = TextAreaField(_l("口径说明"), validators=[Length(max=5000)])
    version = HiddenField()
    submit = SubmitField(_l("保存"))


class ReadingForm(FlaskForm):
    period = SelectField(_l("填报月份"), validators=[DataRequired(message=_l("请选择填报月份。"))])
    value = StringField(_l("数值"), validators=[DataRequired(message=_l("请填写数值。")), Length(max=30)])
    source_note = TextAreaField(_l("数据来源"), validators=[DataRequired(message=_l("请填写数据来源。")),
                                                          Length(max=5000)])
    evidence = MultipleFileField(_l("佐证材料"))
    submit = SubmitField(_l("提交填报"))


class ReadingReviewForm(FlaskForm):
    comment = TextAreaField(_l("审核意见"), validators=[Length(max=5000)])
    version = HiddenField()
    accept = SubmitField(_l("采纳"))
    reject = SubmitField(_l("退回修改"))
