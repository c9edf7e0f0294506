"""Job workers: two server processes and a worker on Redis + PostgreSQL. The worker finds the
meanings of a revealed round and they reach the screens on both processes; a worker killed in the
middle of an analysis loses nothing: another worker retries the job, or, when it was the only one,
the worker that systemd starts in its place.

The workers start from the systemd unit in docs/operations.md as written. Needs TEST_POSTGRES_URL
and TEST_REDIS_URL (set by .ci/run); skipped with a reason elsewhere.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import select

from facilitator.job_queue import RETRIES, queue_names
from glossary import accounts, partnerships
from glossary.db import make_engine, make_session_factory
from glossary.models import Definition, RoundAnalysis
from tests.facilitator.test_scale_out import POSTGRES, REDIS, shared_database  # noqa: F401 - a fixture
from tests.facilitator.test_server_process import LiveClient, close_all
from tests.server import ROOT, ServerProcess

pytestmark = pytest.mark.server

TEXTS = [
    "Kwaliteit is foutloos werken volgens de vastgelegde procedures en protocollen.",
    "Alles gaat volgens protocol en wordt afgevinkt op de checklist; geen fouten.",
    "Je uiterste best doen om iets zo mooi mogelijk te maken, met vakmanschap en toewijding.",
]


def documented_worker_unit() -> tuple[list[str], dict[str, str], int]:
    """The worker's systemd unit of docs/operations.md: its command (in this checkout instead of
    /srv/samenspraak), its Environment= settings and its Nice= value."""
    unit = re.search(r"```ini\n(.*?jobs-worker.*?)```", (ROOT / "docs" / "operations.md").read_text(), re.S).group(1)
    settings = dict(line.split("=", 1) for line in unit.splitlines() if re.match(r"^[A-Za-z]+=", line))
    command = shlex.split(settings["ExecStart"].replace(settings["WorkingDirectory"], str(ROOT)))
    environment = dict(pair.split("=", 1) for pair in shlex.split(settings.get("Environment", "")))
    return command, environment, int(settings.get("Nice", "0"))


class WorkerProcess:
    """One job worker, started as the documented unit starts it, with the deployment's settings."""

    def __init__(self, env: dict, log_path: Path):
        self.command, unit_env, self.nice = documented_worker_unit()
        self.env = {**os.environ, **env, **unit_env}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            preexec_fn=lambda: os.nice(self.nice))
        return self

    def wait_until_taking_jobs(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while f"started with PID {self.process.pid}" not in self.log():
            assert self.process.poll() is None, f"the worker exited:\n{self.log()[-3000:]}"
            assert time.monotonic() < deadline, f"the worker did not start:\n{self.log()[-3000:]}"
            time.sleep(0.1)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def deployment(request, tmp_path):
    """Two server processes and two workers sharing Redis (events and jobs) and PostgreSQL; the
    screens that the test connects (``screens``) are closed afterwards."""
    if not (REDIS and POSTGRES):
        pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) and TEST_POSTGRES_URL "
                    "(e.g. postgresql://postgres@127.0.0.1:5432/test) to run the job worker test")
    shared_database = request.getfixturevalue("shared_database")
    channel = f"test-{uuid.uuid4().hex}"
    env = {"SOCKETIO_MESSAGE_QUEUE": REDIS, "SOCKETIO_CHANNEL": channel, "JOB_QUEUE_URL": REDIS, "JOB_ABANDONED_AFTER": "3"}
    worker_env = {**env, "DATABASE_URL": shared_database, "SECRET_KEY": "server-test-secret-" + "x" * 32,
                  "SAMENSPRAAK_INSTANCE": str(tmp_path / "worker")}
    # The workers load their encoders while the servers start.
    workers = [WorkerProcess(worker_env, tmp_path / "worker" / f"worker-{i}.log").start() for i in range(2)]
    # The server processes load no encoders: the workers do the encoding and the analysis.
    servers = [ServerProcess(shared_database, tmp_path / f"p{i}", env={**env, "SAMENSPRAAK_WARM_UP": "0"}).start()
               for i in range(2)]
    connection = redis.Redis.from_url(REDIS)
    screens: list[LiveClient] = []
    yield servers, workers, connection, channel, screens, shared_database
    close_all(screens)
    for process in (*workers, *servers):
        process.kill()
    for key in connection.scan_iter(f"*{channel}*"):
        connection.delete(key)
    for key in connection.scan_iter("rq:job:*"):  # the jobs' own records name their queue inside
        if connection.type(key) == b"hash" and (connection.hget(key, "origin") or b"").startswith(channel.encode()):
            connection.delete(key)
    connection.close()


def meeting(sessions) -> tuple[str, str]:
    with sessions() as db:
        facilitator = accounts.create_facilitator(db, "fien", "correct horse battery")
        token = accounts.create_api_token(db, "fien")[1]
        partnership = partnerships.create_partnership(db, facilitator.id, "Regio", ["Gemeente", "Waterschap", "Zorggroep"])
        return partnerships.create_meeting(db, facilitator.id, partnership.id, "Met workers", ["kwaliteit", "regie"]).join_code, token


def collect_definitions(lead, people, term: str) -> int:
    round_id = lead.call("start_round", {"term": term})["round"]["id"]
    for i, (client, definition) in enumerate(zip(people, TEXTS)):
        client.wait_for(lambda e, d: e == "round" and d["round"]["id"] == round_id)
        assert client.call("submit_definition", {"client_id": f"{term}-{i}", "text": definition})["ok"]
    lead.wait_for(lambda e, d: e == "progress" and d["round_id"] == round_id and d["submitted"] == len(TEXTS))
    return round_id


def meanings_on(client, round_id: int, timeout: float) -> dict:
    found = client.wait_for(lambda e, d: e == "analysis" and d["analysis"]["round_id"] == round_id, timeout=timeout)
    return found["analysis"]


def meanings_everywhere(lead, people, round_id: int, timeout: float = 60) -> None:
    for client in (lead, *people):
        analysis = meanings_on(client, round_id, timeout=timeout)
        assert "error" not in analysis and sum(len(m["definition_ids"]) for m in analysis["meanings"]) == 3


def kill_in_the_middle_of_its_analysis(lead, round_id, workers, connection, channel, database) -> tuple[str, "WorkerProcess", float]:
    """Reveal ``round_id`` while the test holds the table of analyses, so that the job waits at its
    write in the middle of its work; SIGKILL the worker running it. Returns (job id, that worker,
    when it was killed)."""
    started = StartedJobRegistry(queue_names(channel)[0], connection=connection, serializer=JSONSerializer)
    with psycopg.connect(database) as holder, psycopg.connect(database, autocommit=True) as observer:
        holder.execute("LOCK TABLE round_analyses IN EXCLUSIVE MODE")
        assert lead.call("reveal", {"round_id": round_id})["ok"]
        deadline = time.monotonic() + 30
        while not (started.get_job_ids() and observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()[0]):
            assert time.monotonic() < deadline, "the analysis did not start"
            time.sleep(0.05)
        (job_id,) = started.get_job_ids()
        # Worker names are <host>.<pid>.<random>.
        pid = int(Job.fetch(job_id, connection=connection, serializer=JSONSerializer).worker_name.split(".")[-2])
        (killed,) = [worker for worker in workers if worker.process.pid == pid]
        killed.kill(signal.SIGKILL)
        return job_id, killed, time.monotonic()


def assert_retried_once(job_id: str, connection, channel: str) -> None:
    job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
    deadline = time.monotonic() + 10
    while job.get_status() != "finished":  # the worker records it just after the announcement
        assert time.monotonic() < deadline, f"the retried job is {job.get_status()}"
        time.sleep(0.05)
    job.refresh()
    assert job.func_name == "facilitator.jobs.analyse_and_announce"
    assert job.retries_left == RETRIES - 1  # started twice: by the killed worker, then by the other
    assert FailedJobRegistry(queue_names(channel)[0], connection=connection).count == 0


def test_workers_find_the_meanings_and_a_killed_workers_job_is_retried(deployment):
    (first, second), workers, connection, channel, screens, shared_database = deployment
    sessions = make_session_factory(make_engine(shared_database))
    code, token = meeting(sessions)
    lead = LiveClient(first.url, {"meeting": code, "view": "facilitator", "api_token": token})
    people = [LiveClient(server.url, {"meeting": code}) for server in (second, second, first)]
    screens += [lead, *people]
    for i, client in enumerate(people):
        assert client.call("join", {"name": f"P{i}", "partner": ["Gemeente", "Waterschap", "Zorggroep"][i]})["ok"]
    lead.wait_for(lambda e, d: e == "participants" and d["count"] == 3)
    for worker in workers:
        worker.wait_until_taking_jobs()

    # A round revealed on process A: the meanings reach the facilitator (A) and the participants (B).
    round_id = collect_definitions(lead, people, "kwaliteit")
    revealed = time.monotonic()
    assert lead.call("reveal", {"round_id": round_id})["ok"]
    meanings_everywhere(lead, people, round_id, timeout=30)
    print(f"\nreveal to meanings on every screen, through a worker: {time.monotonic() - revealed:.2f} s")
    assert [f"round {round_id}: " in worker.log() for worker in workers].count(True) == 1, "no worker found these meanings"

    # The next analysis is running when its worker is killed: the other worker retries it.
    assert lead.call("close_round", {"round_id": round_id})["ok"]
    round_id = collect_definitions(lead, people, "regie")
    job_id, killed, killed_at = kill_in_the_middle_of_its_analysis(lead, round_id, workers, connection, channel, shared_database)
    (survivor,) = [worker for worker in workers if worker is not killed]
    meanings_everywhere(lead, people, round_id)
    print(f"kill to meanings on every screen, retried by the other worker: {time.monotonic() - killed_at:.2f} s")
    assert f"round {round_id}: " in survivor.log() and f"round {round_id}: " not in killed.log()
    assert_retried_once(job_id, connection, channel)

    # The only worker left is killed in the middle of the next analysis; systemd starts it again
    # (Restart=always), and the new worker finds the abandoned job and does it.
    assert lead.call("close_round", {"round_id": round_id})["ok"]
    round_id = collect_definitions(lead, people, "eigenaarschap")
    job_id, _killed, killed_at = kill_in_the_middle_of_its_analysis(lead, round_id, [survivor], connection, channel,
                                                                    shared_database)
    restarted = WorkerProcess(survivor.env, survivor.log_path.with_name("restarted.log")).start()
    workers.append(restarted)
    meanings_everywhere(lead, people, round_id)
    print(f"kill to meanings on every screen, retried by the restarted worker: {time.monotonic() - killed_at:.2f} s")
    assert f"round {round_id}: " in restarted.log()
    assert_retried_once(job_id, connection, channel)

    # Nothing lost: every acknowledged definition is stored with its vector (the retried analysis
    # stored what the killed one computed in vain), and all three rounds have their meanings.
    with sessions() as db:
        assert [d.vector_engine is not None for d in db.scalars(select(Definition))] == [True] * 9
        assert len(db.scalars(select(RoundAnalysis)).all()) == 3
