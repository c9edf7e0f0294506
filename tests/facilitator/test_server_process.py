"""A real server process driven by real python-socketio clients: concurrency and restarts."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import socketio

from glossary import accounts, partnerships
from glossary.meeting import rounds
from tests.server import ServerProcess

pytestmark = pytest.mark.server
NS = "/meeting"


class LiveClient:
    """A python-socketio client that records every event it receives."""

    def __init__(self, url: str, auth: dict, transports=("websocket",), headers: dict | None = None):
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.events: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

        @self.sio.on("*", namespace=NS)
        def _any(event, data=None):
            with self.lock:
                self.events.append((event, data))

        @self.sio.on("connect", namespace=NS)
        def _connected():
            # As every client does (docs/protocol.md): ask for the snapshot on each (re)connect; not
            # from this handler's thread, which must return before acknowledgements can arrive.
            self.sio.start_background_task(self._ask_for_state)

        self.sio.connect(url, namespaces=[NS], auth=auth, transports=list(transports), headers=headers or {}, wait_timeout=10)

    def _ask_for_state(self):
        try:
            ack = self.sio.call("get_state", {}, namespace=NS, timeout=10)
        except Exception:  # noqa: BLE001 - a connection that dropped again; the next connect asks anew
            return
        if ack and ack.get("ok"):
            with self.lock:
                self.events.append(("state", ack["state"]))

    def call(self, event: str, payload: dict, timeout: float = 10):
        return self.sio.call(event, payload, namespace=NS, timeout=timeout)

    def wait_for(self, predicate, timeout: float = 10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for event, data in self.events:
                    if predicate(event, data):
                        return data
            time.sleep(0.02)
        raise AssertionError(f"timed out; received {[e for e, _ in self.events]}")

    def close(self):
        self.sio.disconnect()


def close_all(clients) -> None:
    """Disconnect in parallel: each python-socketio client waits a few seconds for the close handshake."""
    threads = [threading.Thread(target=c.close) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)


@pytest.fixture
def meeting(sessions):
    with sessions() as db:
        facilitator = accounts.create_facilitator(db, "fien", "correct horse battery")
        _token, secret = accounts.create_api_token(db, "fien", "tests")
        partnership = partnerships.create_partnership(db, facilitator.id, "Regio", ["Gemeente", "Waterschap", "Zorggroep"])
        found = partnerships.create_meeting(db, facilitator.id, partnership.id, "Live", ["kwaliteit"])
        return {"code": found.join_code, "token": secret, "meeting_id": found.id}


@pytest.fixture
def server(database_url, tmp_path):
    process = ServerProcess(database_url, tmp_path / "instance").start()
    yield process
    process.kill()


def test_ten_participants_submit_at_once_and_all_see_the_reveal(server, meeting, sessions):
    facilitator = LiveClient(server.url, {"meeting": meeting["code"], "view": "facilitator", "api_token": meeting["token"]})
    people = []
    for i in range(10):
        client = LiveClient(server.url, {"meeting": meeting["code"]})
        ack = client.call("join", {"name": f"Deelnemer {i}", "partner": ["Gemeente", "Waterschap", "Zorggroep"][i % 3]})
        assert ack["ok"], ack
        people.append(client)
    round_id = facilitator.call("start_round", {"term": "kwaliteit"})["round"]["id"]
    for client in people:
        client.wait_for(lambda e, d: e == "round" and d["round"]["id"] == round_id)

    acks: list = [None] * 10
    barrier = threading.Barrier(10)

    def submit(i):
        barrier.wait()
        acks[i] = people[i].call("submit_definition", {"client_id": uuid.uuid4().hex, "text": f"Definitie nummer {i}"})

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(a and a["ok"] for a in acks), acks
    with sessions() as db:
        assert sorted(d.text for d in rounds.require_round(db, round_id).definitions) == sorted(f"Definitie nummer {i}" for i in range(10))

    facilitator.wait_for(lambda e, d: e == "progress" and d["submitted"] == 10)
    assert facilitator.call("reveal", {"round_id": round_id})["ok"]
    for client in people:
        revealed = client.wait_for(lambda e, d: e == "round" and d.get("definitions"))
        assert len(revealed["definitions"]) == 10
    close_all([facilitator, *people])


def test_a_round_survives_a_server_kill_and_clients_resume(server, meeting, sessions):
    facilitator = LiveClient(server.url, {"meeting": meeting["code"], "view": "facilitator", "api_token": meeting["token"]})
    ans = LiveClient(server.url, {"meeting": meeting["code"]})
    token = ans.call("join", {"name": "Ans", "partner": "Gemeente"})["token"]
    ans.close()
    ans = LiveClient(server.url, {"meeting": meeting["code"], "token": token})
    round_id = facilitator.call("start_round", {"term": "kwaliteit"})["round"]["id"]
    ack = ans.call("submit_definition", {"client_id": "k1", "text": "Foutloos werken"})
    assert ack["ok"]

    server.kill()  # SIGKILL: no chance to flush anything
    with ans.lock:
        ans.events.clear()
    server.start()

    state = ans.wait_for(lambda e, d: e == "state", timeout=30)
    assert state["round"]["id"] == round_id and state["round"]["phase"] == "collect"
    assert state["my_definition"]["text"] == "Foutloos werken"
    # The resent submission after the restart is recognised and stored once.
    again = ans.call("submit_definition", {"client_id": "k1", "text": "Foutloos werken"})
    assert again["ok"] and again["stored"] is False
    facilitator.wait_for(lambda e, d: e == "state" and d["round"] and d["round"]["id"] == round_id, timeout=30)
    assert facilitator.call("reveal", {"round_id": round_id})["ok"]
    revealed = ans.wait_for(lambda e, d: e == "round" and d.get("definitions"))
    assert [d["text"] for d in revealed["definitions"]] == ["Foutloos werken"]
    with sessions() as db:
        assert len(rounds.require_round(db, round_id).definitions) == 1
    close_all([facilitator, ans])


def test_websocket_handshake_from_another_origin_is_refused(server, meeting):
    foreign = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(server.url, namespaces=[NS], auth={"meeting": meeting["code"]}, transports=["websocket"],
                        headers={"Origin": "https://evil.example"}, wait_timeout=5)
    same = LiveClient(server.url, {"meeting": meeting["code"]})
    assert same.wait_for(lambda e, d: e == "state")["role"] == "guest"
    close_all([same])
