"""Proposal handling, part c1: 协办意见 and 会签, reply extensions (延期), 重点提案 with the leader's 督办意见;
the notification 提案办理催办

Revision ID: c1a7e3d5b902
Revises: 9872c503c762
Create Date: 2026-12-06 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tracker.common.types


# revision identifiers, used by Alembic.
revision = 'c1a7e3d5b902'
down_revision = '9872c503c762'
branch_labels = None
depends_on = None

KINDS = ('report_due', 'deadline', 'overdue_digest', 'weekly_digest', 'escalation', 'update_returned',
         'update_resubmitted', 'proposal_due', 'update_accepted', 'receipt_due', 'receipt_refused',
         'extension_requested', 'extension_decided', 'closure_requested', 'closure_returned', 'closure_verified',
         'ladder_reached', 'document_issued', 'task_assigned', 'document_replied', 'document_voided',
         'proposal_assigned', 'proposal_received', 'proposal_returned', 'proposal_answered', 'proposal_rated',
         'proposal_rehandling', 'promise_due')


def _kinds(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade():
    op.create_table('proposal_co_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sent_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_co_opinions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_proposal_co_opinions_sent_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_proposal_co_opinions_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_co_opinions')),
    sa.UniqueConstraint('proposal_id', 'unit_id', name=op.f('uq_proposal_co_opinions_proposal_id'))
    )
    with op.batch_alter_table('proposal_co_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_co_opinions_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_co_opinions_unit_id'), ['unit_id'], unique=False)

    op.create_table('proposal_cosign_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('sent_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_cosign_drafts_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_proposal_cosign_drafts_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_cosign_drafts'))
    )
    with op.batch_alter_table('proposal_cosign_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_cosign_drafts_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_cosigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('agreed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('signed_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['proposal_cosign_drafts.id'], name=op.f('fk_proposal_cosigns_draft_id_proposal_cosign_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_proposal_cosigns_signed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_proposal_cosigns_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_cosigns')),
    sa.UniqueConstraint('draft_id', 'unit_id', name=op.f('uq_proposal_cosigns_draft_id'))
    )
    with op.batch_alter_table('proposal_cosigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_cosigns_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_cosigns_unit_id'), ['unit_id'], unique=False)

    op.create_table('proposal_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'refused', name='extensionstate', native_enum=False, create_constraint=True, length=12), nullable=False),
    sa.Column('previous_due_on', sa.Date(), nullable=True),
    sa.Column('requested_due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', tracker.common.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_proposal_extensions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_extensions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_proposal_extensions_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_extensions'))
    )
    with op.batch_alter_table('proposal_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_extensions_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_key_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['leader_id'], ['users.id'], name=op.f('fk_proposal_key_items_leader_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_proposal_key_items_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_key_items_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_key_items')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_proposal_key_items_proposal_id'))
    )
    with op.batch_alter_table('proposal_key_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_key_items_leader_id'), ['leader_id'], unique=False)

    op.create_table('proposal_supervision_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_at', tracker.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['leader_id'], ['users.id'], name=op.f('fk_proposal_supervision_notes_leader_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_supervision_notes_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_supervision_notes'))
    )
    with op.batch_alter_table('proposal_supervision_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_supervision_notes_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notificationkind'), type_='check')
        batch_op.create_check_constraint('notificationkind', _kinds(KINDS + ('proposal_urge',)))


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'proposal_urge'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notificationkind'), type_='check')
        batch_op.create_check_constraint('notificationkind', _kinds(KINDS))

    op.drop_table('proposal_supervision_notes')
    op.drop_table('proposal_key_items')
    op.drop_table('proposal_extensions')
    op.drop_table('proposal_cosigns')
    op.drop_table('proposal_cosign_drafts')
    op.drop_table('proposal_co_opinions')
