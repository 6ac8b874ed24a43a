"""search indexes (pg_trgm) and public plans (主动公开)

Revision ID: a7c3e91d2b40
Revises: b3813580ea85
Create Date: 2026-12-02 14:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c3e91d2b40'
down_revision = 'b3813580ea85'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_public', sa.Boolean(), server_default=sa.false(), nullable=False))
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        # Trigram indexes for /search (tracker/search/queries.py has the EXPLAIN notes). pg_trgm ships with
        # PostgreSQL (contrib) and is a trusted extension: the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index('ix_tasks_title_trgm', 'tasks', ['title'], unique=False, postgresql_using='gin',
                        postgresql_ops={'title': 'gin_trgm_ops'})
        op.create_index('ix_tasks_text_trgm', 'tasks', ['text'], unique=False, postgresql_using='gin',
                        postgresql_ops={'text': 'gin_trgm_ops'})
    else:  # SQLite searches with LIKE (a scan); plain indexes of the same names keep the schemas alike
        op.create_index('ix_tasks_title_trgm', 'tasks', ['title'], unique=False)
        op.create_index('ix_tasks_text_trgm', 'tasks', ['text'], unique=False)
    op.create_index('ix_tasks_number', 'tasks', ['number'], unique=False)
    op.execute("ANALYZE tasks")


def downgrade():
    op.drop_index('ix_tasks_number', table_name='tasks')
    op.drop_index('ix_tasks_text_trgm', table_name='tasks')
    op.drop_index('ix_tasks_title_trgm', table_name='tasks')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('is_public')
