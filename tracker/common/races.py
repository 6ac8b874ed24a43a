"""Creation races closed by the database: a unique index refuses the second of two rows written at the same
moment, and the service turns the database's refusal into the same domain error a second attempt made
later gets (the check before the insert answers the sequential case, the index the simultaneous one)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Index
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.common.errors import ConflictError, DomainError
from tracker.extensions import db


def check_version(obj, expected_version: int | None, current: dict) -> None:
    """Optimistic locking: refuse a save based on a stale read, showing the values saved meanwhile."""
    if expected_version is not None and obj.version != expected_version:
        raise ConflictError(_("该记录已被他人修改，请查看最新内容后重新提交。"), current=current)


def violates(error: IntegrityError, index: Index) -> bool:
    """Whether the refused statement broke ``index``: PostgreSQL names the index, SQLite its columns
    ("UNIQUE constraint failed: extension_requests.task_id")."""
    message = str(error.orig)
    columns = ", ".join(f"{index.table.name}.{column.name}" for column in index.columns)
    return f'"{index.name}"' in message or f"UNIQUE constraint failed: {columns}" in message


def add_once(obj, index: Index, refusal: DomainError) -> None:
    """Adds and flushes ``obj``; if ``index`` refuses it (another request saved its twin first) raises
    ``refusal``. The caller (``run_service``, the API's ``run``) rolls the transaction back."""
    db.session.add(obj)
    try:
        db.session.flush()
    except IntegrityError as error:
        if violates(error, index):
            raise refusal from None
        raise


def flush_versioned(refusal: DomainError) -> None:
    """Flushes changes to rows with a version column: if another request changed the row since it was
    read (the UPDATE … WHERE version = n matched nothing) raises ``refusal``."""
    try:
        db.session.flush()
    except StaleDataError:
        raise refusal from None


def index_named(model, name: str) -> Index:
    return next(index for index in model.__table__.indexes if index.name == name)
