"""Writing audit events: called by the service that changes the data, inside its transaction."""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Optional

from sqlalchemy import inspect

from tracker.audit.models import AuditEvent
from tracker.common.clock import utcnow
from tracker.common.upsert import insert_rows
from tracker.extensions import db


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Only the fields whose value changed, as {field: [before, after]}."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in after
        if _plain(before.get(key)) != _plain(after.get(key))
    }


def _event_values(actor, action: str, object_type: str, object_id: int, task_id: Optional[int],
                  changes: Optional[dict[str, Any]], summary: str) -> dict[str, Any]:
    return dict(actor_id=getattr(actor, "id", None), action=action, object_type=object_type, object_id=object_id,
                task_id=task_id, changes={k: _plain(v) for k, v in (changes or {}).items()}, summary=summary)


def record(actor, action: str, obj, *, task_id: Optional[int] = None,
           changes: Optional[dict[str, Any]] = None, summary: str = "") -> AuditEvent:
    """Adds an audit event for ``obj`` (flushes so the object has its id). Never commits."""
    db.session.flush()
    audit_event = AuditEvent(**_event_values(actor, action, obj.__tablename__, inspect(obj).identity[0], task_id,
                                             changes, summary))
    db.session.add(audit_event)
    return audit_event


def record_many(actor, action: str, object_type: str, events: list[dict[str, Any]],
                at: Optional[datetime] = None) -> None:
    """Audit events for many objects of one kind at once, in multi-row INSERTs; each event a dict of
    ``object_id`` and optionally ``task_id``, ``changes``, ``summary``; all at ``at`` (default: now).
    On PostgreSQL one array per column (``insert_rows``). Never commits."""
    if events:
        at = at or utcnow()
        insert_rows(AuditEvent.__table__, [
            dict(at=at, **_event_values(actor, action, object_type, event["object_id"], event.get("task_id"),
                                              event.get("changes"), event.get("summary", ""))) for event in events])
