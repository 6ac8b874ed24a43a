"""The audit log is append-only through the app (等保三级 安全审计: 审计记录不可删改).

Any attempt to change or delete an audit event through the ORM (an instance flushed as changed or
deleted, or an ``update(AuditEvent)`` / ``delete(AuditEvent)`` statement run on the session) raises
``AuditLogIsAppendOnly`` before anything reaches the database. On PostgreSQL the migration also adds a
trigger refusing UPDATE and DELETE on ``audit_events`` for every client (see README, 等保 controls)."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.audit.models import AuditEvent


class AuditLogIsAppendOnly(RuntimeError):
    """Raised on any change or deletion of an audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditLogIsAppendOnly("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditLogIsAppendOnly("audit events cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    if (state.is_update or state.is_delete) and any(
            mapper.class_ is AuditEvent for mapper in state.all_mappers):
        raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")
