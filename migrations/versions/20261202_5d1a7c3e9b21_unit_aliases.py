"""unit aliases (单位别名) for plan imports

Revision ID: 5d1a7c3e9b21
Revises: a7c3e91d2b40
Create Date: 2026-12-02 14:10:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.common.types

# revision identifiers, used by Alembic.
revision = '5d1a7c3e9b21'
down_revision = 'a7c3e91d2b40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unit_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=120), nullable=False),
    sa.Column('created_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_aliases_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_aliases')),
    sa.UniqueConstraint('alias', name=op.f('uq_unit_aliases_alias'))
    )
    with op.batch_alter_table('unit_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_aliases_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('unit_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_aliases_unit_id'))
    op.drop_table('unit_aliases')
