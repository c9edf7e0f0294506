"""Shared fixtures: a migrated database per test (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), the app, and people to act in meetings."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

# App instances made by tests do not preload the sentence encoders unless a test asks for it.
os.environ.setdefault("SAMENSPRAAK_WARM_UP", "0")

from glossary import accounts, partnerships
from glossary.db import make_engine, make_session_factory
from glossary.migrate import upgrade
from glossary.models import Base

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory):
    """Migrate once per test session; each test then gets a copy (SQLite) or clean tables (PostgreSQL)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        upgrade(url)
        return url
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(_migrated_template, tmp_path):
    if isinstance(_migrated_template, str):
        engine = make_engine(_migrated_template)
        tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
        for attempt in range(5):
            try:
                with engine.begin() as conn:
                    # A connection of the previous test can outlive it: a socket's state snapshot is
                    # sent from a background task that may still be reading. TRUNCATE waiting for its
                    # lock while it waits for TRUNCATE's is a deadlock, so such leftovers are ended first.
                    conn.execute(text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    ))
                    conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                break
            except OperationalError:
                # Such a task reconnected between the two statements, and PostgreSQL ended the
                # TRUNCATE to break the deadlock (seen once in CI's PostgreSQL pass): end it again.
                if attempt == 4:
                    raise
                time.sleep(0.2)
        engine.dispose()
        return _migrated_template
    path = tmp_path / "samenspraak.db"
    shutil.copy(_migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def db(sessions):
    with sessions() as session:
        yield session


@dataclass
class World:
    """A partnership with three partners, a facilitator and a meeting about 'kwaliteit'."""

    facilitator_id: int
    partnership_id: int
    meeting_id: int
    code: str


@pytest.fixture
def world(db) -> World:
    facilitator = accounts.create_facilitator(db, "fien", PASSWORD, "Fien Facilitator")
    partnership = partnerships.create_partnership(
        db, facilitator.id, "Regio Oost", ["Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde"]
    )
    meeting = partnerships.create_meeting(db, facilitator.id, partnership.id, "Startbijeenkomst", ["kwaliteit", "regie"])
    return World(facilitator.id, partnership.id, meeting.id, meeting.join_code)
