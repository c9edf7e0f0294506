"""round timer, lock, nudge and restart

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 16:14:00.504570
"""
import sqlalchemy as sa
from alembic import op

import glossary.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_at', glossary.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('timer_phase', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('timer_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timer_ends_at', glossary.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('nudged_at', glossary.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('restarted_at', glossary.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('restarted_at')
        batch_op.drop_column('nudged_at')
        batch_op.drop_column('timer_ends_at')
        batch_op.drop_column('timer_seconds')
        batch_op.drop_column('timer_phase')
        batch_op.drop_column('locked_at')
