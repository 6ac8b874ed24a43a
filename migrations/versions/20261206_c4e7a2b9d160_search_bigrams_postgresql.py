"""PostgreSQL: the bigram index of task words for /search (function duban_bigrams and the GIN expression
index ix_tasks_bigrams), so that a 2-character term (科创) is an index read, not a scan of the tasks

Revision ID: c4e7a2b9d160
Revises: a7e3c5d90b12
Create Date: 2026-12-06 09:20:00

SQLite has its FTS5 table (b8d2f4a61c93): nothing to do there. tracker/tasks/search_grams.py explains the
index. Building it reads every task once (about a minute for a city's 100,000 tasks on 2 cores).
"""
from alembic import op

from tracker.tasks import search_grams


# revision identifiers, used by Alembic.
revision = 'c4e7a2b9d160'
down_revision = 'a7e3c5d90b12'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        search_grams.install_postgresql(op.execute)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        search_grams.uninstall_postgresql(op.execute)
