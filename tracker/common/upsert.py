"""INSERT … ON CONFLICT for the database in use (PostgreSQL and SQLite share the syntax, not the construct)."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db


def insert(table):
    """An INSERT with ``.on_conflict_do_nothing()`` / ``.on_conflict_do_update()`` for the session's database."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
