"""INSERT … ON CONFLICT and long IN lists for the database in use (PostgreSQL and SQLite share the
syntax, not the construct)."""
from __future__ import annotations

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db


def insert(table):
    """An INSERT with ``.on_conflict_do_nothing()`` / ``.on_conflict_do_update()`` for the session's database."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def among(column, values: list, item_type) -> object:
    """``column IN (values)`` for a long list: on PostgreSQL ``column = ANY(:array)``, one parameter
    instead of hundreds (psycopg parses every placeholder of a statement: 2 s for a city's reminder
    scan), elsewhere the usual expanding IN."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(item_type)))
    return column.in_(list(values))
