"""Apply the schema migrations. Called by ``flask --app run db-upgrade``, ``make run`` and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from glossary.db import make_engine, normalise_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic's ini interpolation would choke on a literal "%" in a password.
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


@dataclass(frozen=True)
class Upgrade:
    """What an upgrade did: the revision before (None: an empty database) and after, and the
    migrations applied in between, oldest first."""

    before: str | None
    after: str | None
    applied: list[str]


def current_revision(url: str) -> str | None:
    """The database's schema revision, or None when no migration has run on it yet."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> Upgrade:
    """Bring the database at ``url`` up to ``revision`` (default: the newest)."""
    config = alembic_config(url)
    before = current_revision(url)
    command.upgrade(config, revision)
    after = current_revision(url)
    applied = []
    if after != before:
        script = ScriptDirectory.from_config(config)
        applied = [r.revision for r in script.iterate_revisions(after, before)][::-1]
    return Upgrade(before, after, applied)


def make_revision(url: str, message: str) -> None:
    """Developer helper: autogenerate a new migration from the models against ``url``."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
