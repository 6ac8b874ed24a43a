"""Webhook events for the rest of the proposal flow's steps: 协办意见, 会签, 延期申请 and its decision, and a
promise answered again (承诺事项再次答复)

Revision ID: d5e7f9a1b3c6
Revises: c1a7e3d5b902
Create Date: 2026-12-06 14:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5e7f9a1b3c6'
down_revision = 'c1a7e3d5b902'
branch_labels = None
depends_on = None

KINDS = ('report_due', 'deadline', 'overdue_digest', 'weekly_digest', 'escalation', 'update_returned',
         'update_resubmitted', 'proposal_due', 'update_accepted', 'receipt_due', 'receipt_refused',
         'extension_requested', 'extension_decided', 'closure_requested', 'closure_returned', 'closure_verified',
         'ladder_reached', 'document_issued', 'task_assigned', 'document_replied', 'document_voided',
         'proposal_assigned', 'proposal_received', 'proposal_returned', 'proposal_answered', 'proposal_rated',
         'proposal_rehandling', 'promise_due', 'proposal_urge')
NEW = ('proposal_co_opinion', 'proposal_cosigned', 'proposal_extension_requested', 'proposal_extension_decided',
       'promise_answered')


def _kinds(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notificationkind'), type_='check')
        batch_op.create_check_constraint('notificationkind', _kinds(KINDS + NEW))


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind IN (" + ", ".join(f"'{kind}'" for kind in NEW) + ")")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notificationkind'), type_='check')
        batch_op.create_check_constraint('notificationkind', _kinds(KINDS))
