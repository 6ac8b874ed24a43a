"""Login, logout, language switch, user administration."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from tracker.auth import services, sessions
from tracker.auth.forms import ChangePasswordForm, EndSessionsForm, LoginForm, UserForm
from tracker.auth.models import Role, User
from tracker.common.pagination import paginate
from tracker.common.labels import choices
from tracker.access.permissions import can_manage_users, may_open_endpoint, require
from tracker.common.errors import ConflictError
from tracker.common.web import expected_version, get_or_404, run_service
from tracker.common.clock import utcnow
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.units.ordering import sorted_units

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None


def client_address() -> str:
    """The client's address (behind TRACKER_PROXY_COUNT proxies, from X-Forwarded-For: see security.py)."""
    return request.remote_addr or ""


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if form.validate_on_submit():
        now = utcnow()
        result = services.authenticate(form.login.data, form.password.data, now, client_address(), _user_agent())
        db.session.commit()  # failure counts, locks and the login log are kept even though the login fails
        if result.user is None:
            flash(result.message, "danger")
            response = make_response(render_template("auth/login.html", form=form), result.status)
            if result.wait is not None:
                response.headers["Retry-After"] = str(result.wait.seconds)
            return response
        chosen_locale = session.get("locale")
        session.clear()  # a fresh session at login; the language chosen on the login page stays
        if chosen_locale:
            session["locale"] = chosen_locale
        login_user(result.user)
        sessions.start(result.user, now, client_address(), _user_agent())
        db.session.commit()
        session.permanent = True
        if password_change_enforced() and (result.user.must_change_password
                                           or services.password_expired(result.user, now)):
            return redirect(url_for("auth.change_password"))
        return redirect(_safe_next(request.args.get("next")) or url_for("index"))
    return render_template("auth/login.html", form=form)


def password_change_enforced() -> bool:
    return current_app.config["ENFORCE_PASSWORD_CHANGE"] and not current_app.debug


@bp.before_app_request
def require_own_password():
    """Accounts with a password somebody else chose (demo seed, admin reset) or an expired one (密码有效期)
    must change it first."""
    if (current_user.is_authenticated and password_change_enforced()
            and request.endpoint not in {"auth.change_password", "auth.logout", "auth.set_language", "static",
                                         "bootstrap.static", "ops.healthz"}):
        expired = services.password_expired(current_user, utcnow())
        if current_user.must_change_password or expired:
            if request.method == "GET":
                flash(_("密码已过期，请设置新密码。") if expired and not current_user.must_change_password
                      else _("为保障账户安全，请先修改初始密码。"), "warning")
            return redirect(url_for("auth.change_password"))
    return None


@bp.before_app_request
def separated_administrators():
    """三员分立: the security and audit administrators open only their own pages (403 elsewhere)."""
    if current_user.is_authenticated and not may_open_endpoint(current_user, request.endpoint):
        abort(403)
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        _user, error = run_service(services.change_password, current_user, form.current_password.data,
                                   form.new_password.data, utcnow())
        if error is None:
            flash(_("密码已修改，该账户在其他设备上的登录已退出。"), "success")
            return redirect(url_for("index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form, policy=services.password_policy_text()), status


@bp.post("/logout")
def logout():
    """退出: the account's sessions end on every device at once (a copied cookie is refused)."""
    if current_user.is_authenticated:
        services.record_logout(current_user._get_current_object(), utcnow(), client_address(), _user_agent())
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/language/<code>")
def set_language(code: str):
    if code in ("zh_CN", "en"):
        session["locale"] = code
    return redirect(_safe_next(request.form.get("next")) or url_for("index"))


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user)
    form.role.choices = choices(Role)
    units = sorted_units(db.session.scalars(select(Unit)))
    form.unit_id.choices = [(0, "—")] + [(unit.id, unit.short_name) for unit in units]
    form.overseen_unit_ids.choices = [(unit.id, unit.short_name) for unit in units]
    if request.method == "GET" and user is not None:
        form.role.data = user.role.value
        form.unit_id.data = user.unit_id or 0
        form.overseen_unit_ids.data = [unit.id for unit in user.overseen_units]
        form.version.data = user.version
    return form


@bp.get("/users")
@require(can_manage_users)
def users():
    page = paginate(select(User).order_by(User.role, User.login, User.id))  # a city has ~20,000 users
    return render_template("auth/users.html", users=page.items, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require(can_manage_users)
def edit_user(user_id: int | None = None):
    user = get_or_404(User, user_id) if user_id else None
    form = _user_form(user)
    if form.validate_on_submit():
        values = dict(login=form.login.data, display_name=form.display_name.data, role=Role(form.role.data),
                      email=form.email.data or "", unit_id=form.unit_id.data or None, locale=form.locale.data,
                      is_active_user=form.is_active_user.data, overseen_unit_ids=form.overseen_unit_ids.data or [])
        if user is None:
            if not form.password.data:
                flash(_("新建用户必须设置密码。"), "danger")
                return render_template("auth/user_form.html", form=form, user=user)
            _saved, error = run_service(services.create_user, current_user, password=form.password.data, **values)
        else:
            _saved, error = run_service(services.update_user, current_user, user, new_password=form.password.data or "",
                                        expected_version=expected_version(form.version.data), **values)
        if error is None:
            flash(_("用户已保存。"), "success")
            return redirect(url_for("auth.users"))
        if isinstance(error, ConflictError):
            return render_template("auth/user_form.html", form=form, user=user, end_form=EndSessionsForm(),
                                   policy=services.password_policy_text(),
                                   active_sessions=sessions.active_count(user, utcnow())), 409
    return render_template("auth/user_form.html", form=form, user=user, end_form=EndSessionsForm(),
                           policy=services.password_policy_text(),
                           active_sessions=sessions.active_count(user, utcnow()) if user else 0)


@bp.post("/users/<int:user_id>/sessions/end")
@require(can_manage_users)
def end_sessions(user_id: int):
    """结束全部会话: the user is logged out on every device at once."""
    user = get_or_404(User, user_id)
    if EndSessionsForm().validate_on_submit():
        _user, error = run_service(services.end_sessions, current_user, user)
        if error is None:
            flash(_("已结束该用户的全部会话。"), "success")
    return redirect(url_for("auth.edit_user", user_id=user_id))
