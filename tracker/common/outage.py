"""Database outages: while the database cannot be reached, pages answer a friendly 503 and the API a JSON
503, both with Retry-After, instead of a 500; and ``commit_last``, the commit after which a request does
nothing that can fail (its objects are not expired, so nothing reloads them from the database)."""
from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tracker.extensions import db

log = logging.getLogger(__name__)


def is_outage(error: BaseException) -> bool:
    """A lost or refused database connection, a pool timeout, a database that refuses work for now."""
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def retry_after(app) -> str:
    return str(app.config.get("OUTAGE_RETRY_AFTER_SECONDS", 30))


def forget_session() -> None:
    """Drops the request's transaction without touching the database more than it must, and makes the
    request's user anonymous, so that rendering the answer (the locale, ``current_user``) asks nothing of
    the database."""
    from flask import current_app, g, has_request_context

    if has_request_context():
        g._login_user = current_app.login_manager.anonymous_user()  # Flask-Login's per-request user slot
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the session is discarded at teardown anyway
        log.debug("rollback during an outage failed", exc_info=True)


def commit_last() -> None:
    """Commits the request's one transaction as its last database work: the objects keep the values they
    were saved with (not expired), so a redirect or a flash message after it never reloads them. A
    request whose write committed must not then fail and invite a second submit."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
