"""The signed and sealed 答复函 (已盖章答复函) of a proposal, uploaded by the 主办 unit or a coordinator

Revision ID: f6a8b0c2d4e7
Revises: d5e7f9a1b3c6
Create Date: 2026-12-06 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tracker.common.types


# revision identifiers, used by Alembic.
revision = 'f6a8b0c2d4e7'
down_revision = 'd5e7f9a1b3c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposal_signed_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_signed_replies_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_proposal_signed_replies_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_signed_replies')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_proposal_signed_replies_stored_name'))
    )
    with op.batch_alter_table('proposal_signed_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_signed_replies_proposal_id'), ['proposal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposal_signed_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_signed_replies_proposal_id'))

    op.drop_table('proposal_signed_replies')
