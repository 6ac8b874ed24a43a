from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import (BooleanField, EmailField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField,
                     SubmitField)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from tracker.common.widgets import ChecklistField


class LoginForm(FlaskForm):
    login = StringField(_l("登录名"), validators=[DataRequired(message=_l("请输入登录名。")), Length(max=80)])
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请输入密码。"))])
    submit = SubmitField(_l("登录"))


class UserForm(FlaskForm):
    login = StringField(_l("登录名"), validators=[DataRequired(message=_l("请输入登录名。")), Length(max=80)])
    display_name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请输入姓名。")), Length(max=80)])
    email = EmailField(_l("邮箱"), validators=[Optional(), Email(message=_l("邮箱格式不正确。")), Length(max=200)])
    role = SelectField(_l("角色"))
    unit_id = SelectField(_l("所属单位"), coerce=int)
    overseen_unit_ids = ChecklistField(_l("分管单位（仅领导：只接收这些单位牵头任务的督办升级；不选则接收全部）"),
                                            coerce=int, validate_choice=False)
    locale = SelectField(_l("界面语言"), choices=[("zh_CN", "中文"), ("en", "English")])
    is_active_user = BooleanField(_l("启用"), default=True)
    password = PasswordField(_l("密码（新建必填；修改时留空表示不变，填写即为重置）"), validators=[Optional(), Length(max=128)])
    version = HiddenField()  # the version the form was loaded with (optimistic locking)
    submit = SubmitField(_l("保存"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(message=_l("请输入当前密码。"))])
    new_password = PasswordField(_l("新密码"), validators=[
        DataRequired(message=_l("请输入新密码。")), Length(max=128)])
    confirm = PasswordField(_l("确认新密码"), validators=[
        DataRequired(message=_l("请再次输入新密码。")), EqualTo("new_password", message=_l("两次输入的新密码不一致。"))])
    submit = SubmitField(_l("修改密码"))


class EndSessionsForm(FlaskForm):
    submit = SubmitField(_l("结束全部会话"))
