"""Creation races closed by the database, a version on supervision documents, outbox claims

One pending 延期申请 and one pending 办结申请 per task (partial unique indexes), one resubmission per
returned update (the index on resubmission_of_id made unique), a version column on supervision_documents
(two 反馈 at once) and on units (two coordinators editing one), and notifications.claimed_at (the sender's claim before its SMTP call).

Duplicates left by the races before this revision are resolved first, keeping the oldest row: a later
pending extension is marked rejected, a later pending closure returned (each with a comment saying why),
and a later resubmission of the same returned update keeps its row but no longer points at it.

Revision ID: e5a1c0d4b7f2
Revises: cdb39d1bd68e
Create Date: 2026-12-06 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import tracker.common.types


# revision identifiers, used by Alembic.
revision = 'e5a1c0d4b7f2'
down_revision = 'cdb39d1bd68e'
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def _resolve_duplicates():
    # Later duplicates of a pending request: the oldest (lowest id) of each task stays pending.
    op.execute(sa.text(
        "UPDATE extension_requests SET state = 'rejected', "
        "decision_comment = '重复提交的延期申请（系统清理，以最早的申请为准）', version = version + 1 "
        "WHERE state = 'pending' AND id > (SELECT MIN(e2.id) FROM extension_requests e2 "
        "WHERE e2.task_id = extension_requests.task_id AND e2.state = 'pending')"))
    op.execute(sa.text(
        "UPDATE closure_requests SET state = 'returned', "
        "decision_comment = '重复提交的办结申请（系统清理，以最早的申请为准）', version = version + 1 "
        "WHERE state = 'pending' AND id > (SELECT MIN(c2.id) FROM closure_requests c2 "
        "WHERE c2.task_id = closure_requests.task_id AND c2.state = 'pending')"))
    op.execute(sa.text(
        "UPDATE status_updates SET resubmission_of_id = NULL "
        "WHERE resubmission_of_id IS NOT NULL AND id > (SELECT MIN(s2.id) FROM status_updates s2 "
        "WHERE s2.resubmission_of_id = status_updates.resubmission_of_id)"))


def upgrade():
    _resolve_duplicates()
    op.create_index('uq_extension_requests_one_pending', 'extension_requests', ['task_id'], unique=True,
                    sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_index('uq_closure_requests_one_pending', 'closure_requests', ['task_id'], unique=True,
                    sqlite_where=PENDING, postgresql_where=PENDING)
    op.drop_index('ix_status_updates_resubmission_of_id', table_name='status_updates')
    op.create_index('ix_status_updates_resubmission_of_id', 'status_updates', ['resubmission_of_id'], unique=True)
    # Plain ALTER TABLE … ADD/DROP COLUMN, never a batch table copy: on SQLite a copy drops the old table,
    # which with foreign keys on would cascade (SET NULL) into every row referring to a unit or document.
    # The server default '1' stays (existing rows start at version 1; the models set it on insert).
    for table in ('supervision_documents', 'units'):
        op.add_column(table, sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('notifications', sa.Column('claimed_at', tracker.common.types.UTCDateTime(timezone=True),
                                             nullable=True))


def downgrade():
    op.execute(sa.text('ALTER TABLE notifications DROP COLUMN claimed_at'))
    for table in ('units', 'supervision_documents'):
        op.execute(sa.text(f'ALTER TABLE {table} DROP COLUMN version'))
    op.drop_index('ix_status_updates_resubmission_of_id', table_name='status_updates')
    op.create_index('ix_status_updates_resubmission_of_id', 'status_updates', ['resubmission_of_id'], unique=False)
    op.drop_index('uq_closure_requests_one_pending', table_name='closure_requests')
    op.drop_index('uq_extension_requests_one_pending', table_name='extension_requests')
