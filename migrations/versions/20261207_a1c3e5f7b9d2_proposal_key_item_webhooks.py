"""Webhook events for 重点提案: an item marked key (or its supervising leader changed), unmarked, and the
leader's 督办意见 recorded

Revision ID: a1c3e5f7b9d2
Revises: c3e5a7b9d1f4
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = 'c3e5a7b9d1f4'
branch_labels = None
depends_on = None

KINDS = ('report_due', 'deadline', 'overdue_digest', 'weekly_digest', 'escalation', 'update_returned',
         'update_resubmitted', 'proposal_due', 'update_accepted', 'receipt_due', 'receipt_refused',
         'extension_requested', 'extension_decided', 'closure_requested', 'closure_returned', 'closure_verified',
         'ladder_reached', 'document_issued', 'task_assigned', 'document_replied', 'document_voided',
         'proposal_assigned', 'proposal_received', 'proposal_returned', 'proposal_answered', 'proposal_rated',
         'proposal_rehandling', 'promise_due', 'proposal_urge', 'proposal_co_opinion', 'proposal_cosigned',
         'proposal_extension_requested', 'proposal_extension_decided', 'promise_answered')
NEW = ('proposal_key_marked', 'proposal_key_unmarked', 'proposal_supervision_note')


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
