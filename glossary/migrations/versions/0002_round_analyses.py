"""round analyses: meanings per revealed round

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 13:37:41.466187
"""
import sqlalchemy as sa
from alembic import op

import glossary.models

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('round_analyses',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('engine', sa.String(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('corrected', sa.Boolean(), nullable=False),
    sa.Column('updated_at', glossary.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_analyses_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_analyses'))
    )


def downgrade() -> None:
    op.drop_table('round_analyses')
