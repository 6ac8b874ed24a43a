from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class UnitForm(FlaskForm):
    name = StringField(_l("单位全称"), validators=[DataRequired(message=_l("请填写单位名称。")), Length(max=120)])
    short_name = StringField(_l("简称"), validators=[DataRequired(message=_l("请填写单位简称。")), Length(max=60)])
    kind = SelectField(_l("类型"))
    parent_id = SelectField(_l("上级单位"), coerce=int)
    contact_person = StringField(_l("联系人"), validators=[Length(max=60)])
    notification_emails = TextAreaField(_l("通知邮箱（每行一个）"), validators=[Length(max=2000)])
    phone = StringField(_l("电话"), validators=[Length(max=40)])
    version = HiddenField()  # the version the form was loaded with (optimistic locking)
    submit = SubmitField(_l("保存"))


class UnitAliasForm(FlaskForm):
    """单位别名: another name the unit is written under in documents."""

    alias = StringField(_l("别名"), validators=[DataRequired(message=_l("请填写别名。")), Length(max=120)])
    submit = SubmitField(_l("添加别名"))
