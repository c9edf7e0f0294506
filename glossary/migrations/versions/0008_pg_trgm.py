"""pg_trgm on PostgreSQL, for glossary search that forgives misspellings

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 23:30:00

Guarded so that it never fails: a server without the contrib package, or a database role that may
not create extensions, keeps working — glossary search then computes the trigram similarity in
Python (glossary/entries/search.py). Nothing changes on SQLite.
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # A DO block with its own exception handler runs in a subtransaction: a refusal is a notice,
    # and the migration's transaction goes on.
    op.execute(
        """
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
                BEGIN
                    CREATE EXTENSION IF NOT EXISTS pg_trgm;
                EXCEPTION WHEN OTHERS THEN
                    RAISE NOTICE 'pg_trgm could not be installed (%); search uses its Python fallback', SQLERRM;
                END;
            END IF;
        END
        $$;
        """
    )


def downgrade() -> None:
    # The extension stays: other databases objects or tools may use it, and it costs nothing.
    pass
