"""User accounts: creation, authentication, edits."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit.services import diff, record
from tracker.auth.models import Role, User
from tracker.common.errors import ValidationFailed
from tracker.extensions import db

MIN_PASSWORD_LENGTH = 8


def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def authenticate(login: str, password: str) -> User | None:
    """The active user with this login (case-insensitive) and password, else None."""
    user = db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
    if user is None or not user.is_active_user or not check_password_hash(user.password_hash, password):
        return None
    return user


def _check_role_unit(role: Role, unit_id: int | None) -> None:
    if role == Role.unit and not unit_id:
        raise ValidationFailed(_("单位用户必须属于一个单位。"))
    if role != Role.unit and unit_id:
        raise ValidationFailed(_("只有单位用户可以关联单位。"))


def _check_login_free(login: str, exclude_id: int | None = None) -> None:
    query = select(User.id).where(func.lower(User.login) == login.lower())
    if exclude_id:
        query = query.where(User.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ValidationFailed(_("登录名“%(login)s”已被使用。", login=login))


def create_user(actor, *, login: str, display_name: str, role: Role, password: str,
                email: str = "", unit_id: int | None = None, locale: str = "zh_CN",
                is_active_user: bool = True) -> User:
    login = login.strip()
    _check_login_free(login)
    _check_role_unit(role, unit_id)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_("密码至少需要%(n)d个字符。", n=MIN_PASSWORD_LENGTH))
    user = User(login=login, display_name=display_name.strip(), role=role, email=email.strip(),
                unit_id=unit_id if role == Role.unit else None, locale=locale,
                is_active_user=is_active_user, password_hash=hash_password(password))
    db.session.add(user)
    record(actor, "user.created", user, changes={"login": login, "role": role, "unit_id": unit_id},
           summary=display_name)
    return user


def update_user(actor, user: User, *, login: str, display_name: str, role: Role, email: str,
                unit_id: int | None, locale: str, is_active_user: bool, new_password: str = "") -> User:
    login = login.strip()
    _check_login_free(login, exclude_id=user.id)
    _check_role_unit(role, unit_id)
    before = {"login": user.login, "display_name": user.display_name, "role": user.role, "email": user.email,
              "unit_id": user.unit_id, "locale": user.locale, "is_active_user": user.is_active_user}
    user.login, user.display_name, user.role, user.email = login, display_name.strip(), role, email.strip()
    user.unit_id = unit_id if role == Role.unit else None
    user.locale, user.is_active_user = locale, is_active_user
    after = {"login": user.login, "display_name": user.display_name, "role": user.role, "email": user.email,
             "unit_id": user.unit_id, "locale": user.locale, "is_active_user": user.is_active_user}
    changes = diff(before, after)
    if new_password:
        if len(new_password) < MIN_PASSWORD_LENGTH:
            raise ValidationFailed(_("密码至少需要%(n)d个字符。", n=MIN_PASSWORD_LENGTH))
        user.password_hash = hash_password(new_password)
        changes["password"] = ["***", "***"]
    record(actor, "user.updated", user, changes=changes, summary=user.display_name)
    return user
