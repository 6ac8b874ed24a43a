from flask import request
from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import (DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField,
                     SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from tracker.common.widgets import ChecklistField
from tracker.tasks.queries import OverdueFilters


class TaskForm(FlaskForm):
    number = StringField(_l("序号"), validators=[DataRequired(message=_l("请填写任务序号。")), Length(max=20)])
    title = StringField(_l("任务名称"), validators=[DataRequired(message=_l("请填写任务名称。")), Length(max=200)])
    text = TextAreaField(_l("任务内容"), validators=[Length(max=20000)])
    group_id = SelectField(_l("所属行动"), coerce=int)
    parent_id = SelectField(_l("上级任务（子任务/节点）"), coerce=int)
    lead_unit_id = SelectField(_l("牵头单位"), coerce=int)
    cooperating_unit_ids = ChecklistField(_l("配合单位"), coerce=int)
    start_on = DateField(_l("开始日期"), validators=[Optional()], format="%Y-%m-%d")
    due_on = DateField(_l("完成时限"), validators=[Optional()], format="%Y-%m-%d")
    reporting_cycle = SelectField(_l("报送周期"))
    report_day = IntegerField(_l("报送日"), default=25, validators=[
        DataRequired(message=_l("请填写报送日。")), NumberRange(1, 31, message=_l("报送日须在1至31之间。"))])
    status = SelectField(_l("状态"))
    progress = IntegerField(_l("进度（%）"), default=0, validators=[
        Optional(), NumberRange(0, 100, message=_l("进度须在0至100之间。"))])
    version = HiddenField()
    submit = SubmitField(_l("保存"))


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None


def overdue_filters() -> OverdueFilters:
    return OverdueFilters(plan_id=_int_arg("plan_id"), group_id=_int_arg("group_id"), unit_id=_int_arg("unit_id"))
