"""审计日志 and 登录日志: the audit administrator's pages (三员分立: nobody else reads them)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.models import AuditEvent
from tracker.audit.sentences import describe
from tracker.auth.models import LoginEvent, LoginOutcome
from tracker.common.pagination import paginate
from tracker.access.permissions import can_read_audit_log, require

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@require(can_read_audit_log)
def events():
    """The whole audit log, newest first, as sentences with the raw action code beside them."""
    query = select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    action = request.args.get("action", "").strip()[:60]
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    page = paginate(query)
    return render_template("audit/events.html", page=page, entries=list(zip(page.items, describe(page.items))),
                           action=action)


@bp.get("/logins")
@require(can_read_audit_log)
def logins():
    """The login log (登录日志): success, failure, lock, refusal and logout with address and user agent."""
    query = select(LoginEvent).order_by(LoginEvent.id.desc())
    outcome = request.args.get("outcome", "")
    if outcome in {o.value for o in LoginOutcome}:
        query = query.where(LoginEvent.outcome == outcome)
    login = request.args.get("login", "").strip()[:80]
    if login:
        query = query.where(LoginEvent.login == login)
    address = request.args.get("address", "").strip()[:64]
    if address:
        query = query.where(LoginEvent.address == address)
    return render_template("audit/logins.html", page=paginate(query), outcome=outcome, login=login, address=address,
                           outcomes=[o.value for o in LoginOutcome])
