"""sorting: the cards each author is dealt and their judgements

Revision ID: 0007
Revises: 0005 (the lead chains it after 0006 when merging)
Create Date: 2026-11-29 23:00:00
"""
import sqlalchemy as sa
from alembic import op

import glossary.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('round_sortings',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('cards', sa.JSON(), nullable=False),
    sa.Column('started_at', glossary.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', glossary.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_sortings_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_sortings'))
    )
    op.create_table('sort_judgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('other_definition_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('updated_at', glossary.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['definitions.id'], name=op.f('fk_sort_judgements_definition_id_definitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_definition_id'], ['definitions.id'], name=op.f('fk_sort_judgements_other_definition_id_definitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_sort_judgements_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_sort_judgements_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sort_judgements')),
    sa.UniqueConstraint('participant_id', 'other_definition_id', name=op.f('uq_sort_judgements_participant_id_other_definition_id'))
    )
    with op.batch_alter_table('sort_judgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sort_judgements_round_id'), ['round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sort_judgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sort_judgements_round_id'))
    op.drop_table('sort_judgements')
    op.drop_table('round_sortings')
