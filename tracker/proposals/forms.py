from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from tracker.common.widgets import ChecklistField

DATE_FORMAT = "%Y-%m-%d"


def _coerce_int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


def _coerce_kind(value) -> str:
    """政协提案/人大建议 as its value ("cppcc"), whether the item's enum or the posted text."""
    return str(getattr(value, "value", value))


class ProposalForm(FlaskForm):
    kind = SelectField(_l("类别"), choices=[("cppcc", _l("政协提案")), ("npc", _l("人大建议"))], default="cppcc",
                       coerce=_coerce_kind)
    meeting = StringField(_l("届次会议"), validators=[DataRequired(message=_l("请填写会议名称。")), Length(max=100)],
                          description=_l("例如：市政协十四届三次会议"))
    number = StringField(_l("编号（案号）"), validators=[DataRequired(message=_l("请填写提案编号。")), Length(max=40)],
                         description=_l("例如：第0746号"))
    title = StringField(_l("标题（案由）"), validators=[DataRequired(message=_l("请填写提案标题。")), Length(max=300)])
    proposers = StringField(_l("提案人（领衔人）"), validators=[Length(max=300)],
                            description=_l("保存后可在“登记提案人和要点”中逐一登记每位委员或代表"))
    main_unit_id = SelectField(_l("主办单位"), coerce=_coerce_int_or_none,
                               validators=[DataRequired(message=_l("请选择主办单位。"))])
    co_unit_ids = ChecklistField(_l("会办单位"), coerce=int)
    assigned_on = DateField(_l("交办日期"), validators=[Optional()], format=DATE_FORMAT)
    reply_due_on = DateField(_l("答复期限"), validators=[Optional()], format=DATE_FORMAT,
                             description=_l("留空则为交办日期后三个月"))
    state = SelectField(_l("办理状态"))
    reply_doc_number = StringField(_l("答复文号"), validators=[Length(max=80)])
    reply_on = DateField(_l("答复日期"), validators=[Optional()], format=DATE_FORMAT)
    result_category = SelectField(_l("办理结果"))
    publicity = SelectField(_l("公开属性"))
    contact_name = StringField(_l("联系人"), validators=[Length(max=60)])
    contact_phone = StringField(_l("联系电话"), validators=[Length(max=40)])
    contact_address = StringField(_l("联系地址"), validators=[Length(max=200)])
    postal_code = StringField(_l("邮政编码"), validators=[Length(max=10)])
    reply_text = TextAreaField(_l("答复正文"), validators=[Length(max=200_000)])
    feedback = SelectField(_l("提案人反馈"))
    version = HiddenField()
    submit = SubmitField(_l("保存"))


class CommitmentForm(FlaskForm):
    text = TextAreaField(_l("承诺事项"), validators=[DataRequired(message=_l("请填写承诺事项。")), Length(max=5000)])
    title = StringField(_l("任务名称"), validators=[Length(max=200)])
    lead_unit_id = SelectField(_l("牵头单位"), coerce=_coerce_int_or_none,
                               validators=[DataRequired(message=_l("请选择牵头单位。"))])
    due_on = DateField(_l("完成时限"), validators=[DataRequired(message=_l("请填写完成时限（YYYY-MM-DD）。"))],
                       format=DATE_FORMAT)
    submit = SubmitField(_l("转为跟踪任务"))


class ReceiptForm(FlaskForm):
    """签收 or 退回 by the unit (tracker.proposals.handling)."""

    reason = TextAreaField(_l("退回理由"), validators=[Length(max=2000)])


class SignedReplyForm(FlaskForm):
    """The 盖章答复函 upload (tracker.proposals.signed_reply): the file is read from ``signed_reply``."""


class RatingForm(FlaskForm):
    """满意 / 基本满意 / 不满意, by the proposer (tracker.proposals.handling.rate)."""

    rating = StringField(_l("评价"), validators=[DataRequired(message=_l("请选择满意、基本满意或不满意。")),
                                                Length(max=10)])


# ---------------------------------------------------------------------------------------------------------
# Entry (c3): proposers and points, 交办, 并案, list import (tracker.proposals.entry / importing)
# ---------------------------------------------------------------------------------------------------------

from flask_wtf.file import FileField  # noqa: E402
from wtforms import BooleanField, RadioField  # noqa: E402


class PeopleForm(FlaskForm):
    """提案人 rows (name/group/contact lists posted as name, group, contact) and the points, one a line."""

    points = TextAreaField(_l("要点"), validators=[Length(max=20_000)])


class AssignForm(FlaskForm):
    mode = RadioField(_l("交办方式"), choices=[("main", _l("主办（可加协办单位）")), ("split", _l("分办（各单位分别答复）"))],
                      default="main", validators=[DataRequired(message=_l("请选择交办方式：主办（可加协办）或分办。"))])
    main_unit_id = SelectField(_l("主办单位"), coerce=_coerce_int_or_none, validate_choice=False)
    co_unit_ids = ChecklistField(_l("协办单位"), coerce=int)
    split_unit_ids = ChecklistField(_l("分办单位"), coerce=int)


class MergeForm(FlaskForm):
    proposal_ids = ChecklistField(_l("并入本件办理的件"), coerce=int)


class ListImportForm(FlaskForm):
    document = FileField(_l("交办清单（.xlsx）"))
    meeting = StringField(_l("届次会议"), validators=[Length(max=100)], description=_l("例如：区政协六届五次会议"))
    kind = SelectField(_l("类别"), choices=[("cppcc", _l("政协提案")), ("npc", _l("人大建议"))], default="cppcc")
    valid_rows_only = BooleanField(_l("只导入有效的行"))


# --- c2: 沟通协商 (contacts) and 承诺事项 (promises) -------------------------------------------------------

class ContactForm(FlaskForm):
    """One contact with the proposers (tracker.proposals.contacts.record_contact)."""

    contact_on = DateField(_l("沟通日期"), validators=[DataRequired(message=_l("请填写沟通日期（YYYY-MM-DD）。"))],
                           format=DATE_FORMAT)
    way = SelectField(_l("沟通方式"), validators=[DataRequired(message=_l("请选择沟通方式。"))])
    stage = SelectField(_l("阶段"), validators=[DataRequired(message=_l("请选择办前、办中或办后。"))])
    proposer_names = SelectMultipleField(_l("参与的提案人"), validate_choice=False)
    unit_people = StringField(_l("承办单位参与人员"), validators=[DataRequired(message=_l("请填写承办单位参与人员。")),
                                                          Length(max=200)])
    agreed = TextAreaField(_l("商定内容"), validators=[DataRequired(message=_l("请填写沟通商定的内容。")),
                                                   Length(max=2000)])


class PromiseForm(FlaskForm):
    """A promise of a B/C reply (tracker.proposals.promises.add_promise)."""

    text = TextAreaField(_l("承诺事项"), validators=[DataRequired(message=_l("请填写承诺事项。")), Length(max=5000)])
    due_on = DateField(_l("承诺完成时限"), validators=[DataRequired(message=_l("请填写承诺完成时限（YYYY-MM-DD）。"))],
                       format=DATE_FORMAT)


class PromiseAnswerForm(FlaskForm):
    """办结后再次答复 (tracker.proposals.promises.answer_promise)."""

    text = TextAreaField(_l("再次答复内容"), validators=[DataRequired(message=_l("请填写再次答复的内容。")),
                                                   Length(max=5000)])
    answered_on = DateField(_l("再次答复日期"),
                            validators=[DataRequired(message=_l("请填写再次答复日期（YYYY-MM-DD）。"))],
                            format=DATE_FORMAT)
    answered_by = StringField(_l("签发人或经办人"), validators=[DataRequired(message=_l("请填写再次答复的签发人或经办人。")),
                                                        Length(max=60)])


# --- part c1: 协办意见 and 会签, 延期, 重点提案 (tracker.proposals.cosign, clock, key_items) ---------------

class CoOpinionForm(FlaskForm):
    """协办意见 to the 主办."""

    text = TextAreaField(_l("协办意见"), validators=[DataRequired(message=_l("请填写协办意见。")), Length(max=5000)])


class CosignDraftForm(FlaskForm):
    """The 主办's draft reply sent for 会签."""

    text = TextAreaField(_l("答复稿"), validators=[DataRequired(message=_l("请填写答复稿。")), Length(max=50_000)])


class CosignForm(FlaskForm):
    """会签: 同意 (agree) or 不同意 with a reason."""

    decision = SelectField(_l("会签意见"), choices=[("agree", _l("同意")), ("disagree", _l("不同意"))],
                           validators=[DataRequired(message=_l("请选择同意或不同意。"))])
    reason = TextAreaField(_l("不同意的理由"), validators=[Length(max=2000)])


class ExtensionRequestForm(FlaskForm):
    """延期申请 by the 主办."""

    requested_due_on = DateField(_l("申请延至"), validators=[DataRequired(message=_l("请填写申请延至的日期（YYYY-MM-DD）。"))],
                                 format=DATE_FORMAT)
    reason = TextAreaField(_l("延期理由"), validators=[DataRequired(message=_l("申请延期须说明理由。")), Length(max=2000)])


class ExtensionDecisionForm(FlaskForm):
    """批准 or 不予批准 by a coordinator."""

    decision = SelectField(_l("审批"), choices=[("approve", _l("批准")), ("refuse", _l("不予批准"))],
                           validators=[DataRequired(message=_l("请选择批准或不予批准。"))])
    note = TextAreaField(_l("审批意见"), validators=[Length(max=2000)])


class KeyItemForm(FlaskForm):
    """重点提案 and its supervising leader (empty with ``unmark``: no longer key)."""

    leader_id = SelectField(_l("督办领导"), coerce=_coerce_int_or_none, validate_choice=False)


class SupervisionNoteForm(FlaskForm):
    """督办意见 by the supervising leader."""

    text = TextAreaField(_l("督办意见"), validators=[DataRequired(message=_l("请填写督办意见。")), Length(max=2000)])
