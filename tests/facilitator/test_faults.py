"""Faults people must be told about: a database that stays locked, a Redis that is unreachable.
Never a silent loss, never a false "saved"."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from facilitator import create_app
from glossary.db import WRITE_OPTION, make_engine
from glossary.meeting import rounds
from glossary.models import Participant
from tests.facilitator.conftest import NS, join_http, login
from tests.facilitator.test_server_process import LiveClient, close_all, meeting  # noqa: F401 - fixture
from tests.server import ServerProcess


@pytest.fixture
def impatient_app(database_url, tmp_path):
    """The app with a short lock wait, so the test does not sit out the default ten seconds."""
    app = create_app({
        "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-" + "x" * 32,
        "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True, "WTF_CSRF_ENABLED": False,
        "ENCODE_DEFINITIONS": False, "WARM_UP_MODELS": False, "DATABASE_BUSY_TIMEOUT_MS": 300,
    })
    yield app
    app.extensions["samenspraak.engine"].dispose()


def hold_write_lock(database_url, participant_name):
    """Another writer that keeps its lock: the whole file on SQLite, the participant's row on PostgreSQL."""
    # A pool of one that closes with the connection: nothing is left open for the next test.
    from sqlalchemy.pool import NullPool

    connection = make_engine(database_url, poolclass=NullPool).connect().execution_options(**{WRITE_OPTION: True})
    connection.begin()
    if connection.dialect.name == "sqlite":
        connection.execute(text("UPDATE meetings SET title = title"))
    else:
        connection.execute(select(Participant.id).where(Participant.name == participant_name).with_for_update())
    return connection


def test_a_locked_database_is_reported_and_nothing_is_falsely_saved(impatient_app, world, database_url, sessions):
    socketio = impatient_app.extensions["socketio"]
    facilitator = socketio.test_client(impatient_app, namespace=NS, auth={"meeting": world.code, "view": "facilitator"},
                                       flask_test_client=login(impatient_app.test_client()))
    round_id = facilitator.emit("start_round", {"term": "kwaliteit"}, namespace=NS, callback=True)["round"]["id"]
    ans = socketio.test_client(impatient_app, namespace=NS, auth={"meeting": world.code},
                               flask_test_client=join_http(impatient_app, world.code, "Ans", "Gemeente Oostdam"))
    payload = {"client_id": "ans-1", "text": "Doen wat we afspreken.", "round_id": round_id}

    blocker = hold_write_lock(database_url, "Ans")
    try:
        ack = ans.emit("submit_definition", payload, namespace=NS, callback=True)
    finally:
        blocker.rollback()
        blocker.close()
    assert ack["ok"] is False
    assert "bezet" in ack["error"] and "niets opgeslagen" in ack["error"]
    with sessions() as db:
        assert rounds.require_round(db, round_id).definitions == []

    # Once the lock is gone, sending the same submission again stores it exactly once.
    again = ans.emit("submit_definition", payload, namespace=NS, callback=True)
    assert again["ok"] and again["stored"] is True
    with sessions() as db:
        assert [d.text for d in rounds.require_round(db, round_id).definitions] == ["Doen wat we afspreken."]


def test_a_locked_database_gives_pages_a_503_with_the_same_message(impatient_app, world, database_url):
    http = login(impatient_app.test_client())
    blocker = hold_write_lock(database_url, "nobody")
    try:
        if blocker.dialect.name != "sqlite":
            blocker.execute(text("LOCK TABLE terms IN EXCLUSIVE MODE"))
        response = http.post(f"/meetings/{world.meeting_id}/terms", data={"terms": "kwaliteit\nregie\nvertrouwen"})
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503
    assert "niets opgeslagen" in response.get_data(as_text=True)


@pytest.mark.server
def test_unreachable_redis_warns_whoever_acts_and_keeps_what_they_saved(database_url, tmp_path, meeting, sessions):
    # Port 1 refuses connections: a message queue that is configured but down.
    server = ServerProcess(database_url, tmp_path / "instance", env={"SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:1/0"}).start()
    clients = []
    try:
        facilitator = LiveClient(server.url, {"meeting": meeting["code"], "view": "facilitator", "api_token": meeting["token"]})
        person = LiveClient(server.url, {"meeting": meeting["code"]})
        clients += [facilitator, person]
        assert person.wait_for(lambda e, d: e == "state")["role"] == "guest"  # snapshots still arrive
        assert person.call("join", {"name": "Ans", "partner": "Gemeente"})["ok"]
        started = facilitator.call("start_round", {"term": "kwaliteit"})
        assert started["ok"] and "verbinding tussen de servers" in started["warning"]
        ack = person.call("submit_definition", {"client_id": "a1", "text": "Wat we samen afspreken.", "round_id": started["round"]["id"]})
        assert ack["ok"] and ack["stored"] and "niet iedereen ziet het meteen" in ack["warning"]
        with sessions() as db:
            assert [d.text for d in rounds.require_round(db, started["round"]["id"]).definitions] == ["Wat we samen afspreken."]
        # Screens on this same process still get the announcement.
        facilitator.wait_for(lambda e, d: e == "progress" and d["submitted"] == 1)
        assert "Cannot publish to redis" in server.log()
    finally:
        close_all(clients)
        server.kill()


@pytest.fixture
def database_down(app):
    """Switch the app to a database that refuses connections (port 1), after the test set things up."""
    from glossary.db import make_session_factory

    def down():
        engine = make_engine("postgresql://postgres@127.0.0.1:1/nothing")
        app.extensions["samenspraak.sessions"] = make_session_factory(engine)
        return engine

    return down


def test_a_database_refusing_connections_gives_readable_503s_pages_api_and_sockets(app, world, database_down, db):
    from glossary import accounts

    app.config["PROPAGATE_EXCEPTIONS"] = False
    http = login(app.test_client())
    phone = join_http(app, world.code, "Ans", "Gemeente Oostdam")
    token = accounts.create_api_token(db, "fien", "x")[1]
    database_down()
    page = http.get(f"/partnerships/{world.partnership_id}")
    assert page.status_code == 503 and "database" in page.get_data(as_text=True) and "<html" in page.get_data(as_text=True)
    api = app.test_client().get("/api/partnerships", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 503 and api.json["ok"] is False
    # A (re)connecting socket is refused with the same message, not "Unexpected connection error".
    from flask_socketio import ConnectionRefusedError

    from facilitator.events import MeetingNamespace

    socketio = app.extensions["socketio"]
    socket = socketio.test_client(app, namespace=NS, auth={"meeting": world.code}, flask_test_client=phone)
    assert not socket.is_connected(NS)
    with app.test_request_context("/socket.io/"), pytest.raises(ConnectionRefusedError) as refused:
        MeetingNamespace(NS).on_connect({"meeting": world.code})
    assert "database" in refused.value.error_args["message"]


def test_the_api_answers_json_even_for_an_unforeseen_error(app, world, db, monkeypatch):
    from facilitator import api as api_module
    from glossary import accounts

    app.config["PROPAGATE_EXCEPTIONS"] = False
    token = accounts.create_api_token(db, "fien", "x")[1]
    monkeypatch.setattr(api_module.partnerships, "partnerships_of", lambda *a: 1 / 0)
    response = app.test_client().get("/api/partnerships", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500 and response.json == {"ok": False, "error": response.json["error"]}
    assert "ZeroDivision" not in response.json["error"]


def test_a_page_failing_after_its_commit_says_it_was_saved(app, world, monkeypatch):
    from facilitator import broadcast

    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(broadcast, "announce_roster", lambda *a: 1 / 0)
    response = app.test_client().post(f"/j/{world.code}", data={"name": "Ans", "partner": "Gemeente Oostdam"})
    assert response.status_code == 500 and "Opgeslagen, maar nog niet bij iedereen" in response.get_data(as_text=True)


def test_the_queue_listener_retries_within_two_seconds_and_acks_warn_until_it_is_subscribed(monkeypatch):
    import os
    import uuid

    from facilitator import message_queue

    # Backoff: with Redis refusing connections, the pauses grow but never beyond about 2 s.
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        if len(pauses) == 12:
            raise KeyboardInterrupt  # stop the endless retry loop

    monkeypatch.setattr(message_queue.time, "sleep", pause)
    down = message_queue.ReportingRedisManager("redis://127.0.0.1:1/0", channel="x")
    with pytest.raises(KeyboardInterrupt):
        for _message in down._redis_listen_with_retries():
            pass
    assert max(pauses) <= 2.0 and pauses[-1] == 2.0 and down.listening is False
    monkeypatch.undo()

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("needs TEST_REDIS_URL for the subscription part")
    manager = message_queue.ReportingRedisManager(url, channel=f"test-{uuid.uuid4().hex}")
    # Redis is reachable, but this process's subscription is not (yet) confirmed: warn.
    with pytest.raises(message_queue.LiveUpdatesDown):
        manager._publish({"method": "emit"})
    listener = manager._redis_listen_with_retries()
    thread = threading.Thread(target=lambda: next(listener, None), daemon=True)
    thread.start()
    for _ in range(500):
        if manager.listening:
            break
        threading.Event().wait(0.01)
    assert manager.listening
    manager._publish({"method": "emit"})  # confirmed: no warning
    manager.redis.publish(manager.channel, "{}")  # lets the listener thread end
    thread.join(5)
