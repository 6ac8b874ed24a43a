"""Login, logout, language switch, user administration."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from tracker.auth import services
from tracker.auth.forms import LoginForm, UserForm
from tracker.auth.models import Role, User
from tracker.common.labels import choices
from tracker.common.permissions import can_manage_users, require
from tracker.common.web import get_or_404, run_service
from tracker.extensions import db
from tracker.units.models import Unit

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            flash(_("登录名或密码不正确。"), "danger")
        else:
            session.clear()
            login_user(user, remember=form.remember.data)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or url_for("index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
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
    units = db.session.scalars(select(Unit).order_by(Unit.short_name))
    form.unit_id.choices = [(0, "—")] + [(unit.id, unit.short_name) for unit in units]
    if request.method == "GET" and user is not None:
        form.role.data = user.role.value
        form.unit_id.data = user.unit_id or 0
    return form


@bp.get("/users")
@require(can_manage_users)
def users():
    rows = db.session.scalars(select(User).order_by(User.role, User.login))
    return render_template("auth/users.html", users=list(rows))


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require(can_manage_users)
def edit_user(user_id: int | None = None):
    user = get_or_404(User, user_id) if user_id else None
    form = _user_form(user)
    if form.validate_on_submit():
        values = dict(login=form.login.data, display_name=form.display_name.data, role=Role(form.role.data),
                      email=form.email.data or "", unit_id=form.unit_id.data or None, locale=form.locale.data,
                      is_active_user=form.is_active_user.data)
        if user is None:
            if not form.password.data:
                flash(_("新建用户必须设置密码。"), "danger")
                return render_template("auth/user_form.html", form=form, user=user)
            _, error = run_service(services.create_user, current_user, password=form.password.data, **values)
        else:
            _, error = run_service(services.update_user, current_user, user, new_password=form.password.data or "",
                                   **values)
        if error is None:
            flash(_("用户已保存。"), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=user)
