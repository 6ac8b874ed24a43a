"""status update index by unit and state

Revision ID: 3cbda1f9a46c
Revises: 7ee9fbc7e3ae
Create Date: 2026-11-24 00:49:37.598680

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3cbda1f9a46c'
down_revision = '7ee9fbc7e3ae'
branch_labels = None
depends_on = None


def upgrade():
    # A unit's updates by review state (tracker/updates/models.py has the EXPLAIN note); it also serves
    # every lookup by unit_id alone, so the single-column index goes.
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.create_index('ix_status_updates_unit_state', ['unit_id', 'review_state'], unique=False)
        batch_op.drop_index(batch_op.f('ix_status_updates_unit_id'))
    op.execute("ANALYZE status_updates")  # statistics for the new index (SQLite has none until ANALYZE)


def downgrade():
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_status_updates_unit_state')
        batch_op.create_index(batch_op.f('ix_status_updates_unit_id'), ['unit_id'], unique=False)
