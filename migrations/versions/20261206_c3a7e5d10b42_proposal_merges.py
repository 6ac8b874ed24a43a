"""Proposal entry (c3): 并案 — items on one subject handled as one (proposal_merges)

Revision ID: c3a7e5d10b42
Revises: c4e7a2b9d160
Create Date: 2026-12-06 09:10:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.common.types


# revision identifiers, used by Alembic.
revision = 'c3a7e5d10b42'
down_revision = 'c4e7a2b9d160'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposal_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('handled_id', sa.Integer(), nullable=False),
    sa.Column('merged_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_merges_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['handled_id'], ['proposals.id'], name=op.f('fk_proposal_merges_handled_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_proposal_merges_merged_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_merges')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_proposal_merges_proposal_id'))
    )
    with op.batch_alter_table('proposal_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_merges_handled_id'), ['handled_id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposal_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_merges_handled_id'))
    op.drop_table('proposal_merges')
