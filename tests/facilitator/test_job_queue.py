"""With JOB_QUEUE_URL set, the server process puts its background work on the queue: nothing is
lost when Redis cannot take it, and answers that arrive while a regroup waits ride along with it
whichever process they reach. (The workers themselves: test_workers.py.)"""

from __future__ import annotations

import os
import uuid
from concurrent.futures import Future

import pytest
import redis

from facilitator import create_app
from facilitator.background import BackgroundWork
from tests.facilitator.test_background import reveal_three_definitions
from tests.server import free_port

REDIS = os.environ.get("TEST_REDIS_URL")


def queued_app(database_url, tmp_path, queue_url: str, channel: str):
    return create_app({
        "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-" + "x" * 32,
        "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True, "WTF_CSRF_ENABLED": False,
        "ENCODE_DEFINITIONS": False, "WARM_UP_MODELS": False,
        "JOB_QUEUE_URL": queue_url, "SOCKETIO_CHANNEL": channel,
    })


@pytest.fixture
def app(database_url, tmp_path):
    """The app of a server process whose job queue is unreachable (nothing listens on its port)."""
    app = queued_app(database_url, tmp_path, f"redis://127.0.0.1:{free_port()}/0", f"test-{uuid.uuid4().hex}")
    yield app
    app.extensions["samenspraak.background"].shutdown()
    app.extensions["samenspraak.engine"].dispose()


def test_the_meanings_arrive_when_the_job_queue_is_unreachable(app, connect, caplog):
    pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")
    round_id = reveal_three_definitions(connect)[0]["round_id"]
    assert f"the job queue is unreachable: analysing round {round_id} here" in caplog.text


def test_answers_ride_along_with_a_regroup_waiting_in_the_queue_on_any_process(database_url, tmp_path):
    if not REDIS:
        pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run the job queue test")
    from facilitator.job_queue import JobWorker

    channel = f"test-{uuid.uuid4().hex}"
    # Two server processes of one deployment (two apps on one Redis and one channel).
    apps = [queued_app(database_url, tmp_path / str(i), REDIS, channel) for i in range(2)]
    first, second = (app.extensions["samenspraak.background"] for app in apps)
    connection = redis.Redis.from_url(REDIS)
    try:
        assert first.regroup_and_announce(12345, 1) is not None
        assert second.regroup_and_announce(12345, 1) is None  # rides along with the waiting one
        assert first.regroup_and_announce(12345, 1) is None
        assert first.meanings.count == 1

        # A worker starts the job (the round does not exist, so it ends at once): answers from
        # then on need a regroup of their own.
        JobWorker(apps[0], connection).work(burst=True)
        assert first.meanings.count == 0
        assert second.regroup_and_announce(12345, 1) is not None
        assert first.meanings.count == 1
    finally:
        for key in connection.scan_iter(f"*{channel}*"):
            connection.delete(key)
        for app in apps:
            app.extensions["samenspraak.background"].shutdown()
            app.extensions["samenspraak.engine"].dispose()
        connection.close()


def test_without_a_job_queue_the_work_stays_in_the_process(database_url, tmp_path):
    """`make run`: no JOB_QUEUE_URL, no Redis; the process's own threads do the work."""
    app = queued_app(database_url, tmp_path, "", "samenspraak")
    try:
        background = app.extensions["samenspraak.background"]
        assert type(background) is BackgroundWork
        assert isinstance(background.analyse_and_announce(12345, 1), Future)
    finally:
        app.extensions["samenspraak.background"].shutdown()
        app.extensions["samenspraak.engine"].dispose()
