"""SQLite: the bigram index of task words for /search (FTS5 table task_grams and its triggers on tasks)

Revision ID: b8d2f4a61c93
Revises: f3c9a1d7e2b8
Create Date: 2026-12-06 07:25:00

PostgreSQL keeps its pg_trgm indexes: nothing to do there. tracker/tasks/search_grams.py explains the
index; the backfill calls duban_grams(), which the app registers on every SQLite connection.
"""
from alembic import op

from tracker.tasks import search_grams


# revision identifiers, used by Alembic.
revision = 'b8d2f4a61c93'
down_revision = 'f3c9a1d7e2b8'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        search_grams.install(op.execute)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        search_grams.uninstall(op.execute)
