"""The ladder for items whose reply is overdue (建议提案答复逾期的督办等级): its steps, the item a 催办单 or
督办通知单 names, and the notification kind of its emails

Revision ID: b2d4f6a8c0e3
Revises: a1c3e5f7b9d2
Create Date: 2026-12-06 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tracker.common.types


# revision identifiers, used by Alembic.
revision = 'b2d4f6a8c0e3'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None

KINDS = ('report_due', 'deadline', 'overdue_digest', 'weekly_digest', 'escalation', 'update_returned',
         'update_resubmitted', 'proposal_due', 'update_accepted', 'receipt_due', 'receipt_refused',
         'extension_requested', 'extension_decided', 'closure_requested', 'closure_returned', 'closure_verified',
         'ladder_reached', 'document_issued', 'task_assigned', 'document_replied', 'document_voided',
         'proposal_assigned', 'proposal_received', 'proposal_returned', 'proposal_answered', 'proposal_rated',
         'proposal_rehandling', 'promise_due', 'proposal_urge', 'proposal_co_opinion', 'proposal_cosigned',
         'proposal_extension_requested', 'proposal_extension_decided', 'promise_answered',
         'proposal_key_marked', 'proposal_key_unmarked', 'proposal_supervision_note')
NEW = ('proposal_ladder',)


def _kinds(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade():
    with op.batch_alter_table('supervision_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposal_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_supervision_documents_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_supervision_documents_proposal_id_proposals'), 'proposals',
                                    ['proposal_id'], ['id'], ondelete='CASCADE')

    op.create_table('proposal_ladder_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('reached_on', sa.Date(), nullable=False),
    sa.Column('overdue_days', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['supervision_documents.id'], name=op.f('fk_proposal_ladder_steps_document_id_supervision_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_ladder_steps_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_proposal_ladder_steps_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_ladder_steps')),
    sa.UniqueConstraint('proposal_id', 'unit_id', 'due_on', 'level', name=op.f('uq_proposal_ladder_steps_proposal_id'))
    )
    with op.batch_alter_table('proposal_ladder_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_ladder_steps_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notificationkind'), type_='check')
        batch_op.create_check_constraint('notificationkind', _kinds(KINDS + NEW))


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind IN (" + ", ".join(f"'{kind}'" for kind in NEW) + ")")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notificationkind'), type_='check')
        batch_op.create_check_constraint('notificationkind', _kinds(KINDS))

    with op.batch_alter_table('proposal_ladder_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_ladder_steps_proposal_id'))
    op.drop_table('proposal_ladder_steps')

    op.execute("DELETE FROM supervision_documents WHERE proposal_id IS NOT NULL")
    with op.batch_alter_table('supervision_documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_supervision_documents_proposal_id_proposals'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_supervision_documents_proposal_id'))
        batch_op.drop_column('proposal_id')
