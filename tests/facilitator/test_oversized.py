"""Oversized input: every text above its limit is refused with a message that names the limit,
and nothing is stored; a Socket.IO frame above 64 KiB (``max_http_buffer_size``) ends the
connection on a real server, and a request body above 2 MB is a 413 with a readable message."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
import socketio as socketio_client
from sqlalchemy import func, select

from glossary import accounts
from glossary.meeting import rounds
from glossary.models import Base
from tests.facilitator.conftest import NS
from tests.facilitator.hostile import (
    EVENT_LIMITS,
    assert_readable_refusal,
    without_limits,
)
from tests.facilitator.test_hostile_events import Room
from tests.facilitator.test_server_process import LiveClient, close_all, meeting, server  # noqa: F401 - fixtures

TOO_LONG = ("te lang", "maximaal", "Te veel", "1 tot 64")


def counts(sessions) -> dict[str, int]:
    """Rows per table: a refusal must leave every one of them as it was."""
    with sessions() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def assert_refused_for_size(ack_or_error, context) -> None:
    message = ack_or_error["error"] if isinstance(ack_or_error, dict) else ack_or_error
    assert_readable_refusal(message, context)
    assert any(word in message for word in TOO_LONG), (message, context)


@pytest.fixture
def app(app):
    return without_limits(app, *EVENT_LIMITS)


def oversized_events(room: Room) -> list[tuple[str, str, dict]]:
    """(phase, event, payload) with one field just over its documented limit."""
    round_id = room.ids["round_id"][0]
    definition = room.ids["definition_id"][1]
    long = "x" * 1001
    return [
        ("collect", "join", {"name": "n" * 81, "partner": "Gemeente Oostdam"}),
        ("collect", "join", {"name": "Eva", "partner": "p" * 121}),
        ("collect", "submit_definition", {"client_id": "c1", "text": long}),
        ("collect", "submit_definition", {"client_id": "c2", "text": "ok", "example": long}),
        ("collect", "submit_definition", {"client_id": "c3", "text": "ok", "observable": long}),
        ("collect", "submit_definition", {"client_id": "c" * 65, "text": "ok"}),
        ("collect", "update_terms", {"terms": [f"term {i}" for i in range(31)]}),
        ("collect", "update_terms", {"terms": ["t" * 121]}),
        ("discuss", "ask_question", {"definition_id": definition, "text": long}),
        ("discuss", "restate", {"text": long}),
        ("discuss", "check_draft", {"round_id": round_id, "text": "x" * 2001}),
        ("discuss", "propose", {"round_id": round_id, "text": "x" * 2001}),
        ("discuss", "propose", {"round_id": round_id, "text": "ok", "scope": long}),
        ("discuss", "propose", {"round_id": round_id, "text": "ok", "examples": [long]}),
        ("consent", "vote", {"proposal_id": room.ids.get("proposal_id", [0])[0], "choice": "bezwaar", "reason": long}),
        ("consent", "adopt", {"round_id": round_id, "override_reason": long}),
    ]


@pytest.mark.parametrize("phase", ["collect", "discuss", "consent"])
def test_texts_over_their_limit_are_refused_over_sockets_and_nothing_is_stored(connect, app, sessions, phase):
    room = Room(connect, app)
    room.drive(phase)
    if phase == "consent":
        room.ok(room.people[0], "vote", {"proposal_id": room.ids["proposal_id"][0], "choice": "bezwaar", "reason": "Nee."})
    for wanted, event, payload in oversized_events(room):
        if wanted != phase:
            continue
        before = counts(sessions)
        role = {"join": "guest"}.get(event, "participant" if event in ("submit_definition", "ask_question", "restate", "vote") else "facilitator")
        ack = room.sender(role).emit(event, payload)
        assert ack["ok"] is False, (event, payload, ack)
        assert_refused_for_size(ack, event)
        assert counts(sessions) == before, event
    room.still_works(phase)


def test_api_and_form_texts_over_their_limit_are_refused_and_nothing_is_stored(app, db, world, facilitator_http, sessions):
    token = accounts.create_api_token(db, "fien", "sizes")[1]
    api = app.test_client()
    base = f"/api/partnerships/{world.partnership_id}"
    entry = {"term": "kwaliteit", "definition": "Goed."}
    cases = [
        ("POST", "/api/partnerships", {"name": "n" * 201}),
        ("POST", "/api/partnerships", {"name": "ok", "partners": [f"p{i}" for i in range(51)]}),
        ("POST", f"{base}/meetings", {"title": "t" * 201}),
        ("POST", f"{base}/meetings", {"title": "ok", "terms": [f"t{i}" for i in range(31)]}),
        ("POST", f"{base}/glossary", {**entry, "term": "t" * 121}),
        ("POST", f"{base}/glossary", {**entry, "definition": "d" * 5001}),
        ("POST", f"{base}/glossary", {**entry, "scope": "s" * 2001}),
        ("POST", f"{base}/glossary", {**entry, "notes": "n" * 5001}),
        ("POST", f"{base}/glossary", {**entry, "examples": ["e" * 1001]}),
        ("POST", f"{base}/glossary", {**entry, "examples": [f"e{i}" for i in range(21)]}),
        ("POST", f"{base}/glossary", {**entry, "synonyms": ["s" * 121]}),
        ("POST", f"{base}/glossary", {**entry, "change_note": "c" * 501}),
        ("POST", f"{base}/glossary/share-links", {"label": "l" * 121}),
        ("POST", f"{base}/glossary/import", {"format": "csv", "content": "term,definition\n" + "a,b\n" * 10_001}),
    ]
    for method, path, body in cases:
        before = counts(sessions)
        response = api.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400, (path, body.keys(), response.json)
        assert_refused_for_size(response.json, (path, list(body)))
        assert counts(sessions) == before, path
    created = api.post(f"{base}/glossary", json=entry, headers={"Authorization": f"Bearer {token}"}).json["entry"]
    for method, path, body in [("POST", f"{base}/glossary/{created['id']}/comments", {"body": "b" * 5001})]:
        before = counts(sessions)
        response = api.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400 and counts(sessions) == before
        assert_refused_for_size(response.json, path)
    # Forms: the page says why, nothing is stored.
    before = counts(sessions)
    form = facilitator_http.post(f"/partnerships/{world.partnership_id}/glossary/new", data={"term": "x", "definition": "d" * 5001})
    assert form.status_code == 400 and "te lang" in form.get_data(as_text=True)
    joined = app.test_client().post(f"/j/{world.code}", data={"name": "n" * 81, "partner": "Gemeente Oostdam"})
    assert joined.status_code == 400 and "te lang" in joined.get_data(as_text=True)
    too_big = facilitator_http.post(f"/partnerships/{world.partnership_id}/glossary/import",
                                    data={"content": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert too_big.status_code == 413 and "te groot" in too_big.get_data(as_text=True)
    assert counts(sessions) == before


@pytest.mark.server
def test_a_socket_frame_over_64_kib_ends_the_connection_and_stores_nothing(server, meeting, sessions):  # noqa: F811
    facilitator = LiveClient(server.url, {"meeting": meeting["code"], "view": "facilitator", "api_token": meeting["token"]})
    ans = LiveClient(server.url, {"meeting": meeting["code"]})
    token = ans.call("join", {"name": "Ans", "partner": "Gemeente"})["token"]
    round_id = facilitator.call("start_round", {"term": "kwaliteit"})["round"]["id"]
    ans.close()

    # Over WebSocket: the frame is refused and the connection closed.
    flooder = socketio_client.Client(reconnection=False)
    flooder.connect(server.url, namespaces=[NS], auth={"meeting": meeting["code"], "token": token}, transports=["websocket"])
    with pytest.raises((socketio_client.exceptions.TimeoutError, socketio_client.exceptions.BadNamespaceError,
                        socketio_client.exceptions.DisconnectedError)):
        flooder.call("submit_definition", {"client_id": uuid.uuid4().hex, "text": "x" * (70 * 1024)}, namespace=NS, timeout=5)
    flooder.sleep(0.5)
    assert not flooder.connected
    flooder.disconnect()

    # Over HTTP long-polling: a POST above the limit is answered at once, before it is read
    # (python-engineio on its own would hold the request until the session's next poll).
    handshake = requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling", timeout=5)
    sid = json.loads(handshake.text[1:])["sid"]
    body = ("4" + json.dumps(["submit_definition", {"client_id": "p1", "text": "x" * (70 * 1024)}])).encode()
    posted = requests.post(f"{server.url}/socket.io/?EIO=4&transport=polling&sid={sid}", data=body, timeout=5)
    assert posted.status_code == 413 and "64 KiB" in posted.text

    with sessions() as db:
        assert rounds.require_round(db, round_id).definitions == []
    # The server carries on: the same person reconnects and a normal submission works.
    again = LiveClient(server.url, {"meeting": meeting["code"], "token": token})
    ack = again.call("submit_definition", {"client_id": uuid.uuid4().hex, "text": "Gewoon kort."})
    assert ack["ok"], ack
    with sessions() as db:
        assert [d.text for d in rounds.require_round(db, round_id).definitions] == ["Gewoon kort."]
    close_all([facilitator, again])


@pytest.mark.server
def test_a_deeply_nested_frame_is_dropped_and_the_server_carries_on(server, meeting, sessions):  # noqa: F811
    client = LiveClient(server.url, {"meeting": meeting["code"]})
    client.sio.eio.send('2/meeting,["join",' + "[" * 30_000 + "]" * 30_000 + "]")  # under 64 KiB, too deep to decode
    ack = client.call("join", {"name": "Bram", "partner": "Waterschap"})
    assert ack["ok"], ack
    assert "RecursionError" not in repr(client.events)
    close_all([client])
