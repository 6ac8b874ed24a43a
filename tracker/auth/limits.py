"""Login limits (登录限制): failed attempts only, per account and per client address, in the database.

- **Per account**: ``LOGIN_MAX_FAILURES`` wrong passwords in a row lock the account for
  ``LOGIN_LOCK_MINUTES`` (``users.failed_logins``, raised by one atomic UPDATE, so two web workers
  answering at the same moment both count; ``users.locked_until``). A successful login clears the count.
- **Per address**: ``LOGIN_ADDRESS_MAX_FAILURES`` failed attempts from one address within
  ``LOGIN_ADDRESS_WINDOW_MINUTES`` (any logins, known or not) refuse further attempts from it until the
  oldest of them leaves the window. Counted from the login log (``login_events``), so every worker and
  every host behind the proxy sees the same count.

Successful logins never count: an office of 50 people behind one NAT address logging in at 9:00 meets
no limit. Every refusal says how long to wait (``Wait.minutes``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from tracker.auth.models import LoginEvent, LoginOutcome, User
from tracker.extensions import db

FAILED = (LoginOutcome.failure, LoginOutcome.locked)


@dataclass(frozen=True)
class Wait:
    """How long a refused login must wait (等待时间)."""

    until: datetime
    now: datetime

    @property
    def seconds(self) -> int:
        return max(1, int((self.until - self.now).total_seconds() + 0.999))

    @property
    def minutes(self) -> int:
        return max(1, (self.seconds + 59) // 60)


def address_wait(address: str, now: datetime) -> Wait | None:
    """The wait before ``address`` may try again, or None: the ``limit``-th most recent failure from it
    within the window decides (it leaves the window after ``window``)."""
    limit = current_app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    window = timedelta(minutes=current_app.config["LOGIN_ADDRESS_WINDOW_MINUTES"])
    if limit <= 0 or not address:
        return None
    recent = list(db.session.scalars(
        select(LoginEvent.at).where(LoginEvent.address == address, LoginEvent.outcome.in_(FAILED),
                                    LoginEvent.at > now - window)
        .order_by(LoginEvent.at.desc()).limit(limit)))
    if len(recent) < limit:
        return None
    return Wait(recent[-1] + window, now)


def account_wait(user: User, now: datetime) -> Wait | None:
    if user.locked_until is not None and user.locked_until > now:
        return Wait(user.locked_until, now)
    return None


def count_failure(user: User, now: datetime) -> Wait | None:
    """One more wrong password for ``user`` (one atomic UPDATE: concurrent workers never lose a count);
    returns the lock's wait when this failure locks the account."""
    failures = db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins).execution_options(synchronize_session=False)).scalar_one()
    if failures < current_app.config["LOGIN_MAX_FAILURES"]:
        return None
    until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    db.session.execute(update(User).where(User.id == user.id).values(failed_logins=0, locked_until=until)
                       .execution_options(synchronize_session=False))
    db.session.expire(user, ["failed_logins", "locked_until"])
    return Wait(until, now)
