"""The database layer: SQLite settings, concurrent writers, migrations matching the models."""

from __future__ import annotations

import threading
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from glossary import partnerships
from glossary.db import make_engine, make_session_factory, normalise_url
from glossary.meeting import rounds
from glossary.models import Base, include_in_schema_comparison


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_postgres_urls_are_normalised_to_psycopg3():
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_migrations_match_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_in_schema_comparison})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_concurrent_submissions_from_many_threads_are_all_stored(database_url, world):
    """Twenty writers at once: none may fail with 'database is locked' and none may be lost."""
    sessions = make_session_factory(make_engine(database_url))
    with sessions() as db:
        people = [partnerships.join_meeting(db, world.meeting_id, f"P{i}", "Gemeente Oostdam").participant.id for i in range(20)]
        round_id = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit").id
    errors: list[Exception] = []
    barrier = threading.Barrier(len(people))

    def submit(participant_id):
        barrier.wait()
        try:
            with sessions() as db:
                for version in range(3):
                    rounds.submit_definition(db, participant_id, client_id=uuid.uuid4().hex, text=f"versie {version}")
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as db:
        definitions = rounds.require_round(db, round_id).definitions
        assert len(definitions) == 20 and {d.text for d in definitions} == {"versie 2"}
