"""Forms of the 督办 loop: field validation only (the rules are in services.py), and the set the task page shows."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, MultipleFileField, RadioField, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField, widgets)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.access.permissions import is_manager
from tracker.auth.models import Role
from tracker.common.forms import FlaskForm
from tracker.common.pickers import Picker, _menu_limit
from tracker.extensions import db
from tracker.supervision.services import refused_lead_receipt
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.units.ordering import sorted_units


class ReceiptForm(FlaskForm):
    """签收, or 退回交办 with a reason and the unit believed responsible."""

    version = HiddenField()
    reason = TextAreaField(_l("退回理由"), validators=[Length(max=2000)])
    suggested_unit_id = SelectField(_l("建议责任单位"), coerce=int, validate_choice=False, default=0)
    sign = SubmitField(_l("签收"))
    refuse = SubmitField(_l("退回交办"))


class ReassignForm(FlaskForm):
    version = HiddenField()
    lead_unit_id = SelectField(_l("牵头单位"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("重新交办"))


class ExtensionForm(FlaskForm):
    requested_due_on = DateField(_l("申请调整后的完成时限"), validators=[InputRequired(message=_l("请填写日期。"))])
    reason = TextAreaField(_l("延期理由"), validators=[DataRequired(message=_l("请说明延期理由。")), Length(max=5000)])
    evidence = MultipleFileField(_l("佐证材料（可选）"))
    submit = SubmitField(_l("提交延期申请"))


class DecisionForm(FlaskForm):
    """A coordinator's decision on an extension (approve / reject) or a closure (verify / return)."""

    version = HiddenField()
    due_on = DateField(_l("批准的完成时限（可改）"), validators=[Optional()])
    comment = TextAreaField(_l("意见"), validators=[Length(max=5000)])
    approve = SubmitField(_l("批准"))
    reject = SubmitField(_l("不予批准"))


class ClosureForm(FlaskForm):
    summary = TextAreaField(_l("办结报告（完成情况）"), validators=[
        DataRequired(message=_l("请填写办结报告（完成情况）。")), Length(max=10000)])
    evidence = MultipleFileField(_l("佐证材料"))
    submit = SubmitField(_l("提交办结申请"))


class ReasonForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(_l("理由"), validators=[DataRequired(message=_l("请说明理由。")), Length(max=5000)])
    submit = SubmitField(_l("提交"))


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("反馈内容"), validators=[DataRequired(message=_l("请填写反馈内容。")), Length(max=10000)])
    submit = SubmitField(_l("提交反馈"))


class InterviewForm(FlaskForm):
    held_on = DateField(_l("约谈日期"), validators=[InputRequired(message=_l("请填写约谈日期。"))])
    attendees = TextAreaField(_l("参加人员"), validators=[DataRequired(message=_l("请填写参加人员。")), Length(max=2000)])
    agreed = TextAreaField(_l("议定事项"), validators=[DataRequired(message=_l("请填写约谈议定事项。")), Length(max=5000)])
    follow_up_on = DateField(_l("跟踪日期"), validators=[Optional()])
    submit = SubmitField(_l("记录约谈"))


class CheckboxListField(SelectMultipleField):
    """Labelled checkboxes (one per choice) instead of a multiple select."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


RECIPIENT_CHOICES = [("unit", _l("单位联系人")), ("unit_head", _l("单位负责人")), ("leaders", _l("分管领导")),
                     ("coordinators", _l("督办人员"))]


class LadderSettingsForm(FlaskForm):
    """A plan's 签收 and reply limits, its 印发方式 and its four ladder levels (days, recipients chosen by
    labelled checkboxes; the unit's contacts are always among them)."""

    version = HiddenField()
    sign_within_days = IntegerField(_l("签收时限（工作日）"), validators=[InputRequired(), NumberRange(1, 30)])
    reply_within_days = IntegerField(_l("督办文书反馈时限（工作日）"), validators=[InputRequired(), NumberRange(1, 30)])
    document_mode = RadioField(_l("督办文书印发方式"), choices=[
        ("auto", _l("自动印发：达到等级时自动编号并发送")),
        ("review", _l("待印发：进入工作台的待印发队列，督办人员预览后印发"))], default="auto")
    level1_days = IntegerField(_l("第一级 提醒：逾期工作日"), validators=[InputRequired(), NumberRange(0, 250)])
    level2_days = IntegerField(_l("第二级 催办：逾期工作日"), validators=[InputRequired(), NumberRange(0, 250)])
    level3_days = IntegerField(_l("第三级 督办：逾期工作日"), validators=[InputRequired(), NumberRange(0, 250)])
    level4_days = IntegerField(_l("第四级 通报：逾期工作日"), validators=[InputRequired(), NumberRange(0, 250)])
    level1_recipients = CheckboxListField(_l("第一级 接收人"), choices=RECIPIENT_CHOICES)
    level2_recipients = CheckboxListField(_l("第二级 接收人"), choices=RECIPIENT_CHOICES)
    level3_recipients = CheckboxListField(_l("第三级 接收人"), choices=RECIPIENT_CHOICES)
    level4_recipients = CheckboxListField(_l("第四级 接收人"), choices=RECIPIENT_CHOICES)
    level2_document = BooleanField(_l("第二级发出催办单"))
    level3_document = BooleanField(_l("第三级发出督办通知单"))
    submit = SubmitField(_l("保存"))


class IssueDocumentForm(FlaskForm):
    """印发 a proposed document (待印发), or issue one for a task through the register."""

    version = HiddenField()
    submit = SubmitField(_l("印发"))


class VoidDocumentForm(FlaskForm):
    """作废 a document with a reason; its number is never given again."""

    version = HiddenField()
    reason = TextAreaField(_l("作废理由"), validators=[DataRequired(message=_l("请说明作废理由。")), Length(max=2000)])
    submit = SubmitField(_l("作废"))


def unit_choices(blank: str | None = None) -> list[tuple[int, str]]:
    """Unit menus of the loop (退回交办, 重新交办) in the register's order (tracker/units/ordering.py)."""
    units = [(unit.id, unit.short_name) for unit in sorted_units(db.session.scalars(select(Unit)))]
    return ([(0, blank)] if blank is not None else []) + units


def loop_forms(task: Task, workflow=None) -> dict:
    """The loop's forms shown on the task page, for the current user's role (built unbound); ``workflow``
    (the page's ``task_loop``) saves reading the receipts again."""
    forms = {}
    if current_user.role == Role.unit:
        forms["receipt"] = ReceiptForm(formdata=None)
        forms["receipt"].suggested_unit_id.choices = unit_choices(_("（不指定）"))
        forms["reply"] = ReplyForm(formdata=None)
    if is_manager(current_user):
        forms["reassign"] = ReassignForm(formdata=None)
        refused = workflow.refused_lead if workflow is not None else refused_lead_receipt(task)
        # 重新交办 proposes the unit the refusal named (建议责任单位), else the task's lead unit.
        proposed = refused.suggested_unit_id if refused and refused.suggested_unit_id else task.lead_unit_id
        forms["reassign"].lead_unit_id.data = proposed
        units = list(db.session.scalars(select(Unit).limit(_menu_limit() + 1)))
        if len(units) > _menu_limit():
            # A city's ~2,000 units: the filter menus' search box, not 2,000 <option>s on every task page
            # (0.1-0.2 s of rendering at city scale, issue 24); the form still posts lead_unit_id.
            unit = db.session.get(Unit, proposed)  # the task's lead unit is loaded already
            forms["reassign_picker"] = Picker("lead_unit_id", None, proposed if unit else None,
                                              unit.short_name if unit else "", url_for("units.lookup"))
        else:
            forms["reassign"].lead_unit_id.choices = [(unit.id, unit.short_name) for unit in sorted_units(units)]
        forms["decision"] = DecisionForm(formdata=None)
        forms["reason"] = ReasonForm(formdata=None)
        forms["interview"] = InterviewForm(formdata=None)
    return forms
