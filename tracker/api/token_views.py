"""API令牌 (/account/tokens): every logged-in user lists, creates and revokes their own API tokens."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.api.forms import TokenForm
from tracker.api.models import ApiToken
from tracker.api.services import create_token, revoke_token, user_tokens
from tracker.common.web import get_or_404, run_service

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


def _page(form: TokenForm, secret: str | None = None, created: ApiToken | None = None, status: int = 200):
    body = render_template("api/tokens.html", form=form, tokens=user_tokens(current_user), secret=secret,
                           created=created)
    # A page that may carry a secret must not stay in the browser's cache (back button, shared computer).
    return body, status, {"Cache-Control": "no-store"}


@bp.get("")
@login_required
def index():
    return _page(TokenForm())


@bp.post("")
@login_required
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    result, error = run_service(create_token, current_user, form.name.data)
    if error is not None:
        return _page(form, status=400)
    token, secret = result
    # The secret is rendered into this response only: never flashed (the session cookie is readable by
    # its holder and may be logged), never stored.
    return _page(TokenForm(formdata=None), secret=secret, created=token)


@bp.post("/<int:token_id>/revoke")
@login_required  # the CSRF token is checked by CSRFProtect, as for every form
def revoke(token_id: int):
    token = get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)  # other users' tokens are not even shown to exist
    _token, error = run_service(revoke_token, current_user, token)
    if error is None:
        flash(_("令牌“%(name)s”已吊销，使用它的请求将被拒绝。", name=token.name), "success")
    return redirect(url_for("tokens.index"))
