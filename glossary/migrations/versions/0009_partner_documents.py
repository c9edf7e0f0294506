"""partner documents and term analyses (find the words that will confuse)

Revision ID: 0009
Revises: 0007 (0008 may be taken by another branch; the lead chains this after the highest one)
Create Date: 2026-11-29 23:50:00
"""
import sqlalchemy as sa
from alembic import op

import glossary.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partner_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', glossary.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_documents_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_partner_documents_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_documents'))
    )
    op.create_index(op.f('ix_partner_documents_partner_id'), 'partner_documents', ['partner_id'], unique=False)
    op.create_index(op.f('ix_partner_documents_partnership_id'), 'partner_documents', ['partnership_id'], unique=False)
    op.create_table('term_analyses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', glossary.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', glossary.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_term_analyses_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term_analyses'))
    )
    op.create_index(op.f('ix_term_analyses_partnership_id'), 'term_analyses', ['partnership_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_term_analyses_partnership_id'), table_name='term_analyses')
    op.drop_table('term_analyses')
    op.drop_index(op.f('ix_partner_documents_partnership_id'), table_name='partner_documents')
    op.drop_index(op.f('ix_partner_documents_partner_id'), table_name='partner_documents')
    op.drop_table('partner_documents')
