"""Engine and session factory.

Called by the web layer's app factory, the command line and the tests. SQLite files get WAL,
a busy timeout and foreign keys; write use cases start their transaction with ``begin_write`` so
that on SQLite they take the write lock up front (``BEGIN IMMEDIATE``) instead of upgrading a read
lock halfway, which is what makes concurrent SQLite writers fail with "database is locked".
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

WRITE_OPTION = "samenspraak_write"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``) and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, pool_size: int | None = None, **kwargs) -> Engine:
    """Create the engine for ``url``; SQLite files get their pragmas on every new connection.

    A writer waits at most ``busy_timeout_ms`` for another writer's lock (SQLite busy timeout,
    PostgreSQL lock_timeout), then fails with OperationalError, which the web layer shows as
    "busy, nothing saved" rather than hanging the request. ``pool_size``: connections kept open
    (SQLAlchemy's default, 5, when not given; an in-memory SQLite database has one per thread).
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if pool_size is not None and not (parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")):
        kwargs.setdefault("pool_size", pool_size)
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("connect_args", {"options": f"-c lock_timeout={int(busy_timeout_ms)}"})
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy (not the sqlite3 module) decide when transactions begin, so that
        # the "begin" hook below can choose IMMEDIATE for writers.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """One factory per app; sessions keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Start a write use case: takes SQLite's write lock now (no-op elsewhere).

    Must be the first thing a writing domain function does in its transaction.
    """
    if session.in_transaction():
        # A read earlier in this session left a deferred transaction open; end it so the
        # write transaction starts cleanly with the lock.
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})
