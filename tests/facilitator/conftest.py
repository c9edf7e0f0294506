"""Fixtures for the web layer: the app, signed-in HTTP clients and socket clients per role."""

from __future__ import annotations

import time

import pytest

from facilitator import create_app
from tests.conftest import PASSWORD

NS = "/meeting"


@pytest.fixture
def app(database_url, tmp_path):
    """The app of one test; its worker thread and database connections are closed afterwards,
    since PostgreSQL allows only so many connections and a suite makes hundreds of apps."""
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-" + "x" * 32,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "ENCODE_DEFINITIONS": False,
            "WARM_UP_MODELS": False,
        }
    )
    yield app
    app.extensions["samenspraak.background"].shutdown()
    app.extensions["samenspraak.engine"].dispose()


@pytest.fixture
def socketio(app):
    return app.extensions["socketio"]


def login(client, username="fien", password=PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def facilitator_http(app, world):
    return login(app.test_client())


def join_http(app, code, name, partner):
    """A participant's phone: joins by the form and keeps the rejoin cookie."""
    client = app.test_client()
    response = client.post(f"/j/{code}", data={"name": name, "partner": partner})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


class Screen:
    """One connected socket client with helpers to read what it received."""

    def __init__(self, socketio, app, http, auth):
        self.client = socketio.test_client(app, namespace=NS, auth=auth, flask_test_client=http)
        self.received: list[dict] = []
        if self.client.is_connected(NS):
            # As every client does (docs/protocol.md): ask for the snapshot once connected.
            ack = self.emit("get_state")
            if ack and ack.get("ok"):
                self.received.append({"name": "state", "args": [ack["state"]], "namespace": NS})

    def emit(self, event, payload=None):
        return self.client.emit(event, payload, namespace=NS, callback=True)

    def drain(self) -> list[dict]:
        self.received.extend(self.client.get_received(NS))
        return self.received

    def events(self, name) -> list:
        return [message["args"][0] for message in self.drain() if message["name"] == name]

    def last(self, name, timeout: float = 5.0):
        """The newest ``name`` event; waits briefly, since some events come from background tasks."""
        deadline = time.monotonic() + timeout
        while not (found := self.events(name)) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert found, f"no {name!r} event received; got {[m['name'] for m in self.received]}"
        return found[-1]

    def settled(self, name, until, timeout: float = 5.0):
        """The newest ``name`` event once ``until(event)`` holds: running totals are paced
        (facilitator/pacing.py), so quick changes arrive folded into one a moment later."""
        deadline = time.monotonic() + timeout
        while not ((found := self.events(name)) and until(found[-1])) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert found and until(found[-1]), f"no settled {name!r} event; got {found[-1:] or [m['name'] for m in self.received]}"
        return found[-1]

    def clear(self):
        self.drain()
        self.received.clear()


@pytest.fixture
def connect(app, socketio, world):
    """connect(role, name=None, partner=None) → a Screen; participants join via HTTP first."""
    screens = []

    def _connect(role, name=None, partner="Gemeente Oostdam", code=None, http=None, auth=None):
        code = code or world.code
        if http is not None:
            pass
        elif role in ("facilitator", "projector"):
            http = login(app.test_client())
        elif role == "participant":
            http = join_http(app, code, name, partner)
        else:
            http = app.test_client()
        screen = Screen(socketio, app, http, {"meeting": code, "view": role, **(auth or {})})
        screens.append(screen)
        return screen

    yield _connect
    for screen in screens:
        if screen.client.is_connected(NS):
            screen.client.disconnect(NS)
