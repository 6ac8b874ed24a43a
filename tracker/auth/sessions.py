"""Login sessions that end (会话管理): server-side invalidation, idle timeout, absolute lifetime.

Each login is a row of ``login_sessions`` and the (signed) session cookie names it, with the login time
and the time of the last request. Every request that loads the logged-in user reads the user together
with that row, in one statement (the user row is read anyway), and refuses the session when:

- the row is ended: logout (this session), a password change (the account's other sessions), a role,
  unit or password change by the security administrator, deactivation, or 结束全部会话 (all of them).
  Any copy of the cookie is refused from that moment, on every device;
- there was no request for ``SESSION_IDLE_MINUTES`` (default 30): idle timeout;
- the login is older than ``SESSION_HOURS`` (default 8): absolute lifetime.

Both times are the app's clock (``tracker.common.clock.utcnow``), so tests move the clock instead of
sleeping. API tokens (``/api/v1``) are separate and not affected."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app, flash, session
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from tracker.auth.models import LoginSession, User
from tracker.common.clock import utcnow
from tracker.extensions import db

SESSION_ID, STARTED, SEEN = "_sid", "_login_at", "_seen"
SEEN_RESOLUTION_SECONDS = 30  # the last-request time is written again only when older than this


def start(user: User, now: datetime, address: str = "", user_agent: str = "") -> LoginSession:
    """A new login session row for ``user``, named in the (fresh) session cookie. The caller commits.
    The account's rows older than the absolute lifetime are dropped on the way (they are refused anyway)."""
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.created_at < now - lifetime - timedelta(days=1)))
    row = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, address=address[:64],
                       user_agent=user_agent[:300])
    db.session.add(row)
    session[SESSION_ID] = row.id
    session[STARTED] = session[SEEN] = now.timestamp()
    return row


def end_current(now: datetime) -> None:
    """退出: ends the session of this request (its copies too). The caller commits."""
    session_id = session.get(SESSION_ID)
    if session_id:
        db.session.execute(update(LoginSession).where(LoginSession.id == str(session_id),
                                                      LoginSession.ended_at.is_(None)).values(ended_at=now))


def end_all(user: User, now: datetime | None = None, keep_current: bool = False) -> None:
    """Ends every session of ``user`` on every device (``keep_current``: but this request's, when it is
    the user's own). The caller commits."""
    query = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    current = session.get(SESSION_ID) if keep_current else None
    if current:
        query = query.where(LoginSession.id != str(current))
    db.session.execute(query.values(ended_at=now or utcnow()))


def active_count(user: User, now: datetime) -> int:
    """Sessions of ``user`` not ended and within the absolute lifetime (shown on the user's page)."""
    from sqlalchemy import func

    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return db.session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None), LoginSession.created_at > now - lifetime))


def _moment(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _expire(message: str) -> None:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(message, "warning")


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of a session still valid, else None (anonymous)."""
    session_id = session.get(SESSION_ID)
    try:
        wanted = int(user_id)
    except (TypeError, ValueError):
        return None
    if not session_id or not 0 < wanted < 2**31:
        return None
    # The unit comes in the same statement: the menu bar and most pages read it (one round trip less per view).
    user = db.session.scalar(select(User).join(LoginSession, LoginSession.user_id == User.id).where(
        User.id == wanted, LoginSession.id == str(session_id), LoginSession.ended_at.is_(None))
        .options(joinedload(User.unit)))
    if user is None or not user.is_active_user:
        _expire(_("您的登录已失效，请重新登录。"))
        return None
    now = utcnow()
    started, seen = _moment(session.get(STARTED)), _moment(session.get(SEEN))
    if started is None or seen is None:
        return None
    if (now - started).total_seconds() > current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds():
        _expire(_("登录已超过%(n)d小时，请重新登录。",
                  n=int(current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600)))
        return None
    if (now - seen).total_seconds() > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        _expire(_("超过%(n)d分钟未操作，已自动退出，请重新登录。", n=current_app.config["SESSION_IDLE_MINUTES"]))
        return None
    if (now - seen).total_seconds() > SEEN_RESOLUTION_SECONDS or now < seen:
        session[SEEN] = now.timestamp()
    return user
