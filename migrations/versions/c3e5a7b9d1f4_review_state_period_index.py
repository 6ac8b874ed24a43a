"""Two indexes for pages read at every view: the review queue's period menu (period, of submitted updates) and a unit's
documents still to answer (unit_id, replied_at)

Revision ID: c3e5a7b9d1f4
Revises: f6a8b0c2d4e7
Create Date: 2026-12-06 16:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d1f4'
down_revision = 'f6a8b0c2d4e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.create_index('ix_status_updates_submitted_period', ['period', 'review_state'], unique=False,
                              sqlite_where=sa.text("review_state = 'submitted'"),
                              postgresql_where=sa.text("review_state = 'submitted'"))
    with op.batch_alter_table('supervision_documents', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_documents_unit_unanswered', ['unit_id', 'replied_at'], unique=False)


def downgrade():
    with op.batch_alter_table('supervision_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_documents_unit_unanswered')
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_status_updates_submitted_period')
