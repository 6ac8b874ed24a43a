from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.validators import DataRequired, Length


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WebhookForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(message=_l("请填写名称。")), Length(max=100)])
    format = SelectField(_l("格式"))
    url = StringField(_l("推送地址（Webhook）"), validators=[DataRequired(message=_l("请填写推送地址。")),
                                                         Length(max=500)])
    secret = StringField(_l("签名密钥（钉钉“加签”的SEC…密钥；通用JSON必填）"), validators=[Length(max=200)])
    events = CheckboxListField(_l("推送事件"), validators=[DataRequired(message=_l("请至少选择一个推送事件。"))])
    unit_id = SelectField(_l("范围"), coerce=int)
    enabled = BooleanField(_l("启用"), default=True)
    version = HiddenField()
    submit = SubmitField(_l("保存"))


class WebhookActionForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField(_l("确定"))
