"""Two server processes sharing one Redis message queue and one PostgreSQL database: people on
either process take part in the same round and every event arrives.

Needs TEST_POSTGRES_URL and TEST_REDIS_URL (set by .ci/run); skipped with a reason elsewhere.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from glossary import accounts, partnerships, rounds
from glossary.db import make_engine, make_session_factory
from glossary.migrate import upgrade
from tests.facilitator.test_server_process import LiveClient, close_all
from tests.server import ServerProcess

pytestmark = pytest.mark.server
POSTGRES = os.environ.get("TEST_POSTGRES_URL")
REDIS = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def shared_database():
    if not POSTGRES:
        pytest.skip("set TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run the scale-out test")
    name = "samenspraak_scale_out"
    admin = make_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def two_processes(shared_database, tmp_path):
    if not REDIS:
        pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run the scale-out test")
    env = {"SOCKETIO_MESSAGE_QUEUE": REDIS, "SOCKETIO_CHANNEL": f"test-{uuid.uuid4().hex}"}
    servers = [ServerProcess(shared_database, tmp_path / f"p{i}", env=env).start() for i in range(2)]
    yield servers
    for server in servers:
        server.kill()


def test_participants_on_one_process_and_facilitator_on_the_other(two_processes, shared_database):
    first, second = two_processes
    sessions = make_session_factory(make_engine(shared_database))
    with sessions() as db:
        facilitator = accounts.create_facilitator(db, "fien", "correct horse battery")
        token = accounts.create_api_token(db, "fien")[1]
        partnership = partnerships.create_partnership(db, facilitator.id, "Regio", ["Gemeente", "Provincie"])
        code = partnerships.create_meeting(db, facilitator.id, partnership.id, "Twee processen", ["regie"]).join_code

    lead = LiveClient(second.url, {"meeting": code, "view": "facilitator", "api_token": token})
    people = []
    for i in range(4):
        client = LiveClient(first.url, {"meeting": code})
        assert client.call("join", {"name": f"P{i}", "partner": ["Gemeente", "Provincie"][i % 2]})["ok"]
        people.append(client)
    lead.wait_for(lambda e, d: e == "participants" and d["count"] == 4)

    round_id = lead.call("start_round", {"term": "regie"})["round"]["id"]
    for client in people:
        client.wait_for(lambda e, d: e == "round" and d["round"]["id"] == round_id)
    for i, client in enumerate(people):
        assert client.call("submit_definition", {"client_id": f"c{i}", "text": f"Regie betekent volgens mij {i}"})["ok"]
    progress = lead.wait_for(lambda e, d: e == "progress" and d["submitted"] == 4)
    assert progress["waiting"] == []

    assert lead.call("reveal", {"round_id": round_id})["ok"]
    for client in people:
        revealed = client.wait_for(lambda e, d: e == "round" and d.get("definitions"))
        assert len(revealed["definitions"]) == 4
    with sessions() as db:
        assert len(rounds.get_round(db, round_id).definitions) == 4
    close_all([lead, *people])
