"""How the history (tracker/audit/sentences.py) names tasks: registered at start-up
(``tracker.register_event_handlers``), so the audit domain below reads them without importing tasks."""
from __future__ import annotations

from tracker.audit.sentences import column_names, register_names
from tracker.tasks.models import Task


def register() -> None:
    register_names("task", column_names(Task.id, Task.number, Task.title, shown=lambda number, title: f"{number}. {title}"))
