"""server-side login sessions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 22:45:00
"""
from alembic import op
import sqlalchemy as sa
import glossary.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('facilitator_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', glossary.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', glossary.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['facilitator_id'], ['facilitators.id'], name=op.f('fk_login_sessions_facilitator_id_facilitators'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_login_sessions_key_hash')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_facilitator_id'), ['facilitator_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_facilitator_id'))
    op.drop_table('login_sessions')
