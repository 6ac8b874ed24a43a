"""What the history (tracker/audit/sentences.py) states about a progress report (whose, which period, how
far): registered at start-up (``tracker.register_event_handlers``), so the audit domain reads it without
importing updates."""
from __future__ import annotations

from sqlalchemy import select

from tracker.audit.sentences import UpdateFacts, register_facts
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate


def update_facts(ids: list[int]) -> dict[int, UpdateFacts]:
    return {update_id: UpdateFacts(unit, period, percent) for update_id, period, percent, unit in db.session.execute(
        select(StatusUpdate.id, StatusUpdate.period, StatusUpdate.percent, Unit.short_name)
        .join(Unit, Unit.id == StatusUpdate.unit_id).where(StatusUpdate.id.in_(ids)))}


def register() -> None:
    register_facts("update", update_facts)
