"""User accounts: creation, authentication, edits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit.services import diff, record
from tracker.auth.limits import Wait, account_wait, address_wait, count_failure
from tracker.auth.models import LoginEvent, LoginOutcome, PasswordHistory, Role, User
from tracker.auth.sessions import end_all, end_current
from tracker.common.clock import utcnow
from tracker.common.errors import ConflictError, ValidationFailed
from tracker.units.models import Unit
from tracker.extensions import db

KNOWN_WEAK = {"demo-password", "password123", "1234567890", "qwertyuiop", "admin12345"}
# A constant hash to check against for unknown logins, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="pbkdf2:sha256:1000")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def character_classes(password: str) -> int:
    """字符类别: how many of lower-case letters, upper-case letters, digits and other characters appear
    (a Chinese character counts as "other")."""
    return sum((any(ch.islower() for ch in password), any(ch.isupper() for ch in password),
                any(ch.isdigit() for ch in password),
                any(not (ch.islower() or ch.isupper() or ch.isdigit()) for ch in password)))


def password_policy_text() -> str:
    """The password policy in one sentence, as forms show it."""
    config = current_app.config
    return _("密码至少%(n)d位，须包含大写字母、小写字母、数字、符号中的至少%(k)d类，不能包含登录名，不能与最近%(h)d次使用过的密码相同。",
             n=config["PASSWORD_MIN_LENGTH"], k=config["PASSWORD_MIN_CLASSES"], h=config["PASSWORD_HISTORY"])


def check_password_rules(password: str, login: str = "") -> None:
    """密码复杂度 (等保三级 身份鉴别): at least PASSWORD_MIN_LENGTH characters of at least
    PASSWORD_MIN_CLASSES classes (lower, upper, digit, symbol), not the login, not a known weak password."""
    config = current_app.config
    if len(password) < config["PASSWORD_MIN_LENGTH"]:
        raise ValidationFailed(_("密码至少需要%(n)d个字符。", n=config["PASSWORD_MIN_LENGTH"]))
    if character_classes(password) < config["PASSWORD_MIN_CLASSES"]:
        raise ValidationFailed(_("密码须包含大写字母、小写字母、数字、符号中的至少%(k)d类。", k=config["PASSWORD_MIN_CLASSES"]))
    if password.lower() in KNOWN_WEAK or (login and login.lower() in password.lower()):
        raise ValidationFailed(_("密码过于简单（不能是常见密码或包含登录名）。"))


def _remember_password(user: User, password_hash: str, now: datetime) -> None:
    """Keeps the new hash in the account's password history (only the last PASSWORD_HISTORY are kept)."""
    db.session.flush()
    db.session.add(PasswordHistory(user_id=user.id, password_hash=password_hash, created_at=now))
    db.session.flush()
    keep = max(1, current_app.config["PASSWORD_HISTORY"])
    old = list(db.session.scalars(select(PasswordHistory.id).where(PasswordHistory.user_id == user.id)
                                  .order_by(PasswordHistory.id.desc()).offset(keep)))
    if old:
        db.session.execute(delete(PasswordHistory).where(PasswordHistory.id.in_(old)))


def check_password_history(user: User, password: str) -> None:
    """密码历史: the new password may not be the current one nor any of the last PASSWORD_HISTORY."""
    count = current_app.config["PASSWORD_HISTORY"]
    hashes = [user.password_hash] + list(db.session.scalars(
        select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.id.desc()).limit(count)))
    if count > 0 and any(check_password_hash(known, password) for known in hashes):
        raise ValidationFailed(_("新密码不能与最近%(n)d次使用过的密码相同。", n=count))


def password_expired(user: User, now: datetime) -> bool:
    """密码有效期: older than PASSWORD_MAX_AGE_DAYS (0: never expires) since it was set."""
    days = current_app.config["PASSWORD_MAX_AGE_DAYS"]
    if days <= 0:
        return False
    since = user.password_changed_at or user.created_at
    return since is not None and now - since > timedelta(days=days)


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""
    status: int = 200
    wait: Wait | None = None


def record_login_event(outcome: LoginOutcome, *, user: User | None, login: str, address: str,
                       user_agent: str, now: datetime, detail: str = "") -> None:
    """One row of the login log (登录日志). Never commits."""
    db.session.add(LoginEvent(at=now, user_id=user.id if user is not None else None, login=login[:80],
                              outcome=outcome, address=(address or "")[:64], user_agent=(user_agent or "")[:300],
                              detail=detail[:200]))


def authenticate(login: str, password: str, now: datetime, address: str = "", user_agent: str = "") -> LoginResult:
    """Checks a login against the login limits (tracker/auth/limits.py) and writes the login log.

    The caller commits (failure counts, locks and the log are kept although the login fails)."""
    login = (login or "").strip()
    event = dict(login=login, address=address, user_agent=user_agent, now=now)
    wait = address_wait(address, now)
    if wait is not None:
        record_login_event(LoginOutcome.blocked, user=None, detail="address", **event)
        return LoginResult(None, _("该地址登录失败次数过多，请%(n)d分钟后再试。", n=wait.minutes), 429, wait)
    user = db.session.scalar(select(User).where(func.lower(User.login) == login.lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        record_login_event(LoginOutcome.failure, user=None, detail="unknown login", **event)
        return LoginResult(None, _("登录名或密码不正确。"), 401)
    wait = account_wait(user, now)
    if wait is not None:
        record_login_event(LoginOutcome.blocked, user=user, detail="account locked", **event)
        return LoginResult(None, _("账户因多次密码错误已锁定，请%(n)d分钟后再试，或联系管理员重置密码。", n=wait.minutes),
                           429, wait)
    if not check_password_hash(user.password_hash, password):
        wait = count_failure(user, now)
        if wait is None:
            record_login_event(LoginOutcome.failure, user=user, detail="wrong password", **event)
            return LoginResult(None, _("登录名或密码不正确。"), 401)
        record_login_event(LoginOutcome.locked, user=user, detail="wrong password", **event)
        record(None, "user.locked", user, changes={"locked_until": wait.until}, summary=user.login)
        minutes = current_app.config["LOGIN_LOCK_MINUTES"]
        return LoginResult(None, _("密码连续错误%(n)d次，账户已锁定%(m)d分钟。", n=current_app.config["LOGIN_MAX_FAILURES"],
                                   m=minutes), 429, wait)
    if not user.is_active_user:
        record_login_event(LoginOutcome.blocked, user=user, detail="deactivated", **event)
        return LoginResult(None, _("该账户已停用，请联系管理员。"), 401)
    user.failed_logins, user.locked_until = 0, None
    record_login_event(LoginOutcome.success, user=user, **event)
    return LoginResult(user)


def record_logout(user: User, now: datetime, address: str = "", user_agent: str = "") -> None:
    """退出: ends this session (any copy of its cookie is refused from now on) and logs it."""
    end_current(now)
    record_login_event(LoginOutcome.logout, user=user, login=user.login, address=address, user_agent=user_agent,
                       now=now)


def end_sessions(actor: User, user: User) -> User:
    """结束全部会话 (the security administrator, on the user's page): every device logs in again."""
    end_all(user, utcnow())
    record(actor, "user.sessions_ended", user, summary=user.login)
    return user


def change_password(actor: User, current_password: str, new_password: str, now: datetime) -> User:
    """修改密码: the policy, the history; every other session of the account ends (this one stays)."""
    if not check_password_hash(actor.password_hash, current_password):
        raise ValidationFailed(_("当前密码不正确。"))
    if current_password == new_password:
        raise ValidationFailed(_("新密码不能与当前密码相同。"))
    check_password_rules(new_password, actor.login)
    check_password_history(actor, new_password)
    actor.password_hash = hash_password(new_password)
    actor.must_change_password, actor.password_changed_at = False, now
    _remember_password(actor, actor.password_hash, now)
    end_all(actor, now, keep_current=True)  # the account's other devices log in again; this one stays
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
    _remember_password(user, user.password_hash, utcnow())
    record(actor, "user.created", user, changes={"login": login, "role": role, "unit_id": unit_id,
                                                 "overseen_units": [u.short_name for u in user.overseen_units]},
           summary=display_name)
    return user


def update_user(actor, user: User, *, login: str, display_name: str, role: Role, email: str,
                unit_id: int | None, locale: str, is_active_user: bool, new_password: str = "",
                overseen_unit_ids=(), expected_version: int | None = None) -> User:
    """Edits an account. ``expected_version`` (the version the form was read at) makes the save a compare-and-set
    on ``users.version`` in one statement, so of two edits made from the same read only the first is saved."""
    login = login.strip()
    _check_login_free(login, exclude_id=user.id)
    _check_role_unit(role, unit_id)
    if getattr(actor, "id", None) == user.id and (role != user.role or not is_active_user):
        raise ValidationFailed(_("不能修改自己的角色或停用自己的账户。"))
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
        _remember_password(user, user.password_hash, utcnow())
        changes["password"] = ["***", "reset"]
    if new_password or {"login", "role", "unit_id", "is_active_user", "overseen_units"} & set(changes):
        end_all(user, utcnow())  # a changed role, unit or password, or deactivation, takes effect on every device at once
    if expected_version is not None:
        claimed = db.session.execute(update(User).where(User.id == user.id, User.version == expected_version)
                                     .values(version=User.version + 1).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            raise ConflictError(_("该记录已被他人修改，请查看最新内容后重新提交。"))
        user.version = expected_version + 1
    record(actor, "user.updated", user, changes=changes, summary=user.display_name)
    return user
