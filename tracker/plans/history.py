"""How the history (tracker/audit/sentences.py) names plans and action groups: registered at start-up
(``tracker.register_event_handlers``), so the audit domain below reads them without importing plans."""
from __future__ import annotations

from tracker.audit.sentences import column_names, register_names
from tracker.plans.models import ActionGroup, Plan


def register() -> None:
    register_names("plan", column_names(Plan.id, Plan.short_name, Plan.title, shown=lambda short, title: short or title))
    register_names("group", column_names(ActionGroup.id, ActionGroup.number, ActionGroup.title,
                                         shown=lambda number, title: f"{number}{title}"))
