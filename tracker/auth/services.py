"""User accounts: creation, authentication, edits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit.services import diff, record
from tracker.auth.models import Role, User
from tracker.common.errors import ValidationFailed
from tracker.units.models import Unit
from tracker.extensions import db

MIN_PASSWORD_LENGTH = 10
KNOWN_WEAK = {"demo-password", "password123", "1234567890", "qwertyuiop", "admin12345"}
# A constant hash to check against for unknown logins, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="pbkdf2:sha256:1000")


def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_rules(password: str, login: str = "") -> None:
    """密码规则: at least 10 characters, letters and digits, not the login, not a known weak password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_("密码至少需要%(n)d个字符。", n=MIN_PASSWORD_LENGTH))
    if not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        raise ValidationFailed(_("密码须同时包含字母和数字。"))
    if password.lower() in KNOWN_WEAK or (login and login.lower() in password.lower()):
        raise ValidationFailed(_("密码过于简单（不能是常见密码或包含登录名）。"))


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""


def authenticate(login: str, password: str, now: datetime) -> LoginResult:
    """Checks a login; counts failures per account and locks it after LOGIN_MAX_FAILURES.

    The caller commits (the failure count must be saved even though the login fails)."""
    user = db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None, _("登录名或密码不正确。"))
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return LoginResult(None, _("账户因多次密码错误已锁定，请%(n)d分钟后再试，或联系管理员重置密码。", n=minutes))
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        limit = current_app.config["LOGIN_MAX_FAILURES"]
        if user.failed_logins >= limit:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            record(None, "user.locked", user, changes={"locked_until": user.locked_until}, summary=user.login)
            return LoginResult(None, _("密码连续错误%(n)d次，账户已锁定%(m)d分钟。", n=limit,
                                       m=current_app.config["LOGIN_LOCK_MINUTES"]))
        return LoginResult(None, _("登录名或密码不正确。"))
    if not user.is_active_user:
        return LoginResult(None, _("该账户已停用，请联系管理员。"))
    user.failed_logins, user.locked_until = 0, None
    return LoginResult(user)


def change_password(actor: User, current_password: str, new_password: str, now: datetime) -> User:
    if not check_password_hash(actor.password_hash, current_password):
        raise ValidationFailed(_("当前密码不正确。"))
    if current_password == new_password:
        raise ValidationFailed(_("新密码不能与当前密码相同。"))
    check_password_rules(new_password, actor.login)
    actor.password_hash = hash_password(new_password)
    actor.must_change_password, actor.password_changed_at = False, now
    record(actor, "user.password_changed", actor, summary=actor.login)
    return actor


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


def _overseen_units(role: Role, unit_ids) -> list[Unit]:
    """分管单位 of a leader (nobody else has any); every id must be a unit."""
    if role != Role.leader or not unit_ids:
        return []
    wanted = set(unit_ids)
    if any(not 0 < unit_id < 2**31 for unit_id in wanted):
        raise ValidationFailed(_("分管单位中有不存在的单位。"))
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(wanted)).order_by(Unit.short_name)))
    if len(units) != len(wanted):
        raise ValidationFailed(_("分管单位中有不存在的单位。"))
    return units


def create_user(actor, *, login: str, display_name: str, role: Role, password: str,
                email: str = "", unit_id: int | None = None, locale: str = "zh_CN",
                is_active_user: bool = True, overseen_unit_ids=()) -> User:
    login = login.strip()
    _check_login_free(login)
    _check_role_unit(role, unit_id)
    check_password_rules(password, login)
    user = User(login=login, display_name=display_name.strip(), role=role, email=email.strip(),
                unit_id=unit_id if role == Role.unit else None, locale=locale,
                is_active_user=is_active_user, password_hash=hash_password(password),
                must_change_password=True)  # a password somebody else chose
    user.overseen_units = _overseen_units(role, overseen_unit_ids)
    db.session.add(user)
    record(actor, "user.created", user, changes={"login": login, "role": role, "unit_id": unit_id,
                                                 "overseen_units": [u.short_name for u in user.overseen_units]},
           summary=display_name)
    return user


def update_user(actor, user: User, *, login: str, display_name: str, role: Role, email: str,
                unit_id: int | None, locale: str, is_active_user: bool, new_password: str = "",
                overseen_unit_ids=()) -> User:
    login = login.strip()
    _check_login_free(login, exclude_id=user.id)
    _check_role_unit(role, unit_id)
    overseen = _overseen_units(role, overseen_unit_ids)
    before = {"login": user.login, "display_name": user.display_name, "role": user.role, "email": user.email,
              "unit_id": user.unit_id, "locale": user.locale, "is_active_user": user.is_active_user,
              "overseen_units": [u.short_name for u in user.overseen_units]}
    user.login, user.display_name, user.role, user.email = login, display_name.strip(), role, email.strip()
    user.unit_id = unit_id if role == Role.unit else None
    user.locale, user.is_active_user = locale, is_active_user
    user.overseen_units = overseen
    after = {"login": user.login, "display_name": user.display_name, "role": user.role, "email": user.email,
             "unit_id": user.unit_id, "locale": user.locale, "is_active_user": user.is_active_user,
             "overseen_units": [u.short_name for u in overseen]}
    changes = diff(before, after)
    if new_password:  # 管理员重置密码: the user must choose their own at the next login
        check_password_rules(new_password, login)
        user.password_hash = hash_password(new_password)
        user.must_change_password, user.failed_logins, user.locked_until = True, 0, None
        changes["password"] = ["***", "reset"]
    record(actor, "user.updated", user, changes=changes, summary=user.display_name)
    return user
