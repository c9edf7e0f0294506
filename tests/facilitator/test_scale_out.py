"""Two server processes sharing one Redis message queue and one PostgreSQL database: people on
either process take part in the same round and every event arrives.

Needs TEST_POSTGRES_URL and TEST_REDIS_URL (set by .ci/run); skipped with a reason elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import text

from glossary import accounts, partnerships
from glossary.db import make_engine, make_session_factory
from glossary.meeting import rounds
from glossary.migrate import upgrade
from tests.facilitator.test_server_process import LiveClient, close_all
from tests.server import ROOT, ServerProcess, free_port

pytestmark = pytest.mark.server
POSTGRES = os.environ.get("TEST_POSTGRES_URL")
REDIS = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def shared_database():
    if not POSTGRES:
        pytest.skip("set TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run the scale-out test")
    name = f"samenspraak_scale_out_{os.getpid()}"  # two runs on one PostgreSQL (CI's two passes) keep apart
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
    # PROXY_HOPS as in docs/operations.md; direct connections (the first test) send no X-Forwarded-*.
    env = {"SOCKETIO_MESSAGE_QUEUE": REDIS, "SOCKETIO_CHANNEL": f"test-{uuid.uuid4().hex}", "PROXY_HOPS": "1"}
    servers = [ServerProcess(shared_database, tmp_path / f"p{i}", env=env).start() for i in range(2)]
    yield servers
    for server in servers:
        server.kill()


def meeting_with_facilitator_token(sessions, title: str) -> tuple[str, str]:
    """A meeting about "regie" for two partners; returns its join code and the facilitator's API token."""
    with sessions() as db:
        facilitator = accounts.create_facilitator(db, "fien", "correct horse battery")
        token = accounts.create_api_token(db, "fien")[1]
        partnership = partnerships.create_partnership(db, facilitator.id, "Regio", ["Gemeente", "Provincie"])
        return partnerships.create_meeting(db, facilitator.id, partnership.id, title, ["regie"]).join_code, token


def test_participants_on_one_process_and_facilitator_on_the_other(two_processes, shared_database):
    first, second = two_processes
    sessions = make_session_factory(make_engine(shared_database))
    code, token = meeting_with_facilitator_token(sessions, "Twee processen")

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
        assert len(rounds.require_round(db, round_id).definitions) == 4
    close_all([lead, *people])


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def documented_proxy_config(proxy_port: int, upstream_ports: list[int], prefix: Path) -> str:
    """The nginx block of docs/operations.md as written, but on a test port without TLS and with
    the test's processes as the upstream; wrapped in what a standalone nginx needs."""
    block = re.search(r"```nginx\n(.*?)```", (ROOT / "docs" / "operations.md").read_text(), re.S).group(1)
    block = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{proxy_port};", block)
    upstreams = "".join(f"    server 127.0.0.1:{port};\n" for port in upstream_ports)
    block, count = re.subn(r"(?:    server 127\.0\.0\.1:\d+;\n)+", upstreams, block)
    assert count == 1, "the documented upstream block changed: update this test"
    temp = "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'};\nevents {{}}\n"
            f"http {{\n    access_log {prefix / 'access.log'};\n{temp}{block}}}\n")


@pytest.fixture
def proxy(two_processes, tmp_path):
    binary = nginx_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the proxy test: install nginx (apt-get install nginx-light)")
        pytest.skip("nginx is not installed (Debian/Ubuntu: apt-get install nginx-light)")
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(documented_proxy_config(port, [server.port for server in two_processes], prefix))
    process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(config), "-g", "daemon off; master_process off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            raise AssertionError(f"nginx refused the documented configuration: {process.stderr.read().decode()}")
        try:
            requests.get(url + "/join", timeout=1)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_the_documented_nginx_proxy_serves_both_transports(proxy, two_processes, shared_database):
    code, token = meeting_with_facilitator_token(make_session_factory(make_engine(shared_database)), "Achter nginx")

    page = requests.get(f"{proxy}/j/{code}", timeout=10)
    assert page.status_code == 200 and "Achter nginx" in page.text
    # The WebSocket client sends the proxy's address as Origin, as a browser would.
    lead = LiveClient(proxy, {"meeting": code, "view": "facilitator", "api_token": token})
    # Long-polling is a series of requests that must all reach the process holding the session:
    # this is what the proxy's sticky sessions are for. Browsers fall back to it behind some firewalls.
    polling = LiveClient(proxy, {"meeting": code}, transports=("polling",), headers={"Origin": proxy})
    socket = LiveClient(proxy, {"meeting": code})
    people = [polling, socket]
    for i, client in enumerate(people):
        assert client.call("join", {"name": f"P{i}", "partner": "Gemeente"})["ok"]
    lead.wait_for(lambda e, d: e == "participants" and d["count"] == 2)

    round_id = lead.call("start_round", {"term": "regie"})["round"]["id"]
    for i, client in enumerate(people):
        client.wait_for(lambda e, d: e == "round" and d["round"]["id"] == round_id)
        assert client.call("submit_definition", {"client_id": f"c{i}", "text": f"Regie is sturen, punt {i}"})["ok"]
    assert lead.call("reveal", {"round_id": round_id})["ok"]
    for client in people:
        assert len(client.wait_for(lambda e, d: e == "round" and d.get("definitions"))["definitions"]) == 2

    # The proxy passes the browser's host on, so the Origin check still refuses other sites.
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveClient(proxy, {"meeting": code}, transports=("polling",), headers={"Origin": "http://evil.example"})
    close_all([lead, *people])
