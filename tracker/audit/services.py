"""Writing audit events: called by the service that changes the data, inside its transaction."""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Optional

from sqlalchemy import inspect
from sqlalchemy import insert as sa_insert

from tracker.audit.models import AuditEvent
from tracker.common.clock import utcnow
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


def record(actor, action: str, obj, *, task_id: Optional[int] = None,
           changes: Optional[dict[str, Any]] = None, summary: str = "") -> AuditEvent:
    """Adds an audit event for ``obj`` (flushes so the object has its id). Never commits."""
    db.session.flush()
    audit_event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=obj.__tablename__,
        object_id=inspect(obj).identity[0],
        task_id=task_id,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        summary=summary,
    )
    db.session.add(audit_event)
    return audit_event


def record_many(actor, action: str, object_type: str, events: list[dict[str, Any]]) -> None:
    """Audit events for many objects of one kind at once, in multi-row INSERTs; each event a dict of
    ``object_id`` and optionally ``task_id``, ``changes``, ``summary``. Never commits."""
    if events:
        db.session.execute(sa_insert(AuditEvent), [
            dict(at=utcnow(), actor_id=getattr(actor, "id", None), action=action, object_type=object_type,
                 object_id=event["object_id"], task_id=event.get("task_id"),
                 changes={k: _plain(v) for k, v in (event.get("changes") or {}).items()},
                 summary=event.get("summary", "")) for event in events])
