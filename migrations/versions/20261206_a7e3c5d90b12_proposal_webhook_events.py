"""Webhook events of the proposal flow (proposal_assigned, proposal_received, proposal_returned,
proposal_answered, proposal_rated, proposal_rehandling); a robot's list of events widened to 1000
characters (every event chosen no longer fits in 400)

Revision ID: a7e3c5d90b12
Revises: 8c5b6be2c829
Create Date: 2026-12-06 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e3c5d90b12'
down_revision = '8c5b6be2c829'
branch_labels = None
depends_on = None

OLD_KINDS = "'report_due', 'deadline', 'overdue_digest', 'weekly_digest', 'escalation', 'update_returned', 'update_resubmitted', 'proposal_due', 'update_accepted', 'receipt_due', 'receipt_refused', 'extension_requested', 'extension_decided', 'closure_requested', 'closure_returned', 'closure_verified', 'ladder_reached', 'document_issued', 'task_assigned', 'document_replied', 'document_voided'"
NEW_KINDS = "'report_due', 'deadline', 'overdue_digest', 'weekly_digest', 'escalation', 'update_returned', 'update_resubmitted', 'proposal_due', 'update_accepted', 'receipt_due', 'receipt_refused', 'extension_requested', 'extension_decided', 'closure_requested', 'closure_returned', 'closure_verified', 'ladder_reached', 'document_issued', 'task_assigned', 'document_replied', 'document_voided', 'proposal_assigned', 'proposal_received', 'proposal_returned', 'proposal_answered', 'proposal_rated', 'proposal_rehandling'"
PROPOSAL_KINDS = ('proposal_assigned', 'proposal_received', 'proposal_returned', 'proposal_answered',
                  'proposal_rated', 'proposal_rehandling')


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notificationkind'), type_='check')
        batch_op.create_check_constraint('notificationkind', f"kind IN ({NEW_KINDS})")
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.alter_column('events', existing_type=sa.String(length=400), type_=sa.String(length=1000),
                              existing_nullable=False)


def downgrade():
    kinds = ", ".join(f"'{kind}'" for kind in PROPOSAL_KINDS)
    op.execute(f"DELETE FROM notifications WHERE kind IN ({kinds})")
    for kind in PROPOSAL_KINDS:  # robots keep their other events
        op.execute(f"UPDATE webhooks SET events = TRIM(REPLACE(',' || events || ',', ',{kind},', ','), ',')")
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.alter_column('events', existing_type=sa.String(length=1000), type_=sa.String(length=400),
                              existing_nullable=False)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notificationkind'), type_='check')
        batch_op.create_check_constraint('notificationkind', f"kind IN ({OLD_KINDS})")
