"""How the history (tracker/audit/sentences.py) names units: registered at start-up
(``tracker.register_event_handlers``), so the audit domain below reads them without importing units."""
from __future__ import annotations

from tracker.audit.sentences import column_names, register_names
from tracker.units.models import Unit


def register() -> None:
    register_names("unit", column_names(Unit.id, Unit.short_name))
