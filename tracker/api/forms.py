from flask_babel import lazy_gettext as _l
from tracker.common.forms import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from tracker.api.services import MAX_NAME_LENGTH


class TokenForm(FlaskForm):
    name = StringField(_l("令牌名称（用途，如“数据中台同步”）"),
                       validators=[DataRequired(message=_l("请填写令牌名称。")), Length(max=MAX_NAME_LENGTH)])
    submit = SubmitField(_l("创建令牌"))

