"""import column mappings (列对应) remembered per header set

Revision ID: e26c0a1b7f3d
Revises: e7a2c4d81f35
Create Date: 2026-12-06 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.common.types

# revision identifiers, used by Alembic.
revision = 'e26c0a1b7f3d'
down_revision = 'e7a2c4d81f35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_column_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signature', sa.String(length=1000), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_import_column_mappings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_column_mappings')),
    sa.UniqueConstraint('signature', name=op.f('uq_import_column_mappings_signature'))
    )
    with op.batch_alter_table('import_column_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_column_mappings_updated_by_id'), ['updated_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('import_column_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_column_mappings_updated_by_id'))
    op.drop_table('import_column_mappings')
