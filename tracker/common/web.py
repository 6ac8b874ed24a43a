"""Glue for views: run one service call as one transaction, turn domain errors into messages."""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import quote

from flask import Response, abort, flash, render_template
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from tracker.common.errors import ConflictError, DomainError, PermissionDenied
from tracker.common.export_text import one_line
from tracker.common.outage import commit_last
from tracker.extensions import db


def run_service(action: Callable[..., Any], *args, on_failure: Callable[[], None] | None = None, **kwargs):
    """Calls ``action``, commits, and returns ``(result, None)``; on a refused change rolls back and
    returns ``(None, error)`` with the message flashed. A permission refusal is a 403."""
    try:
        result = action(*args, **kwargs)
        commit_last()  # nothing after it reads the database: the redirect and flash use what was saved
        return result, None
    except StaleDataError:
        db.session.rollback()
        error: DomainError = ConflictError(_("该记录已被他人修改，请查看最新内容后重新提交。"))
    except DomainError as domain_error:
        db.session.rollback()
        error = domain_error
    except Exception:
        db.session.rollback()
        if on_failure:
            on_failure()
        raise
    if on_failure:
        on_failure()
    if isinstance(error, PermissionDenied):
        abort(403)
    flash(error.message, "danger")
    return None, error


MAX_ID = 2_147_483_647  # ids are PostgreSQL integers: a larger one cannot exist and must not reach a query


def get_or_404(model, object_id: int):
    if not 0 < object_id <= MAX_ID:  # /tasks/99999999999999999999/edit: SQLite cannot even bind it
        abort(404)
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def expected_version(raw) -> int | None:
    """The version a form was loaded with (optimistic locking); None when the form did not carry one."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() else None  # "²".isdigit(), but int("²") fails


def bad_request(message: str):
    """A message page answering 400 (a download that cannot be made yet, a malformed period)."""
    return render_template("reports/message.html", message=message), 400


def download(body: bytes, mimetype: str, filename: str) -> Response:
    # RFC 5987 name for the Chinese file name, plus an ASCII fallback for old clients; a task number or
    # document number in the name is stored text: one line, and no quote ends the ASCII name early.
    filename = one_line(filename)
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "download"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})
