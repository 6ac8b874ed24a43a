"""How the history (tracker/audit/sentences.py) names users: registered at start-up
(``tracker.register_event_handlers``), so the audit domain below reads them without importing auth."""
from __future__ import annotations

from tracker.audit.sentences import column_names, register_names
from tracker.auth.models import User


def register() -> None:
    register_names("user", column_names(User.id, User.display_name))
