"""a version on accounts (users.version): two security administrators editing one account

Revision ID: f3c9a1d7e2b8
Revises: e4b1c9d27a15
Create Date: 2026-12-06 07:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3c9a1d7e2b8'
down_revision = 'e4b1c9d27a15'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no table copy): existing accounts start at version 1.
    op.add_column('users', sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('version')
