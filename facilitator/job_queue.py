"""The jobs of ``facilitator.jobs`` on a queue in Redis (RQ), for a deployment of several processes.

With JOB_QUEUE_URL set, ``create_app`` gives the app ``QueuedWork`` instead of ``BackgroundWork``:
the socket handlers then only put a job on the queue (a few Redis commands), and worker processes
(``flask --app run jobs-worker``, which runs ``run_worker``) encode and analyse. Workers scale apart
from the socket processes, and a socket process no longer spends its cores on the encoders.

Two queues per deployment, named after SOCKETIO_CHANNEL: ``<channel>.meanings`` (analyses and
regroups: people wait for them) and ``<channel>.background`` (definition vectors, document term
analyses). Every worker takes from the first before the second.

A worker killed in the middle of a job (SIGKILL, the machine lost) cannot say so; its job stays in
RQ's StartedJobRegistry, where each worker's heartbeat keeps it alive. JOB_ABANDONED_AFTER seconds
after the last heartbeat the job counts as abandoned, and the next maintenance round of any worker
(every half of that while idle, and at a worker's start) puts it back on the queue: RQ's Retry.
Jobs are idempotent (see ``facilitator.jobs``), so running one again is safe.

Job arguments travel as JSON, not pickle: whoever can write to Redis must not be able to make a
worker run code.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import threading
import uuid

import redis
from flask import Flask
from rq import Queue, Retry, SimpleWorker
from rq.serializers import JSONSerializer
from rq.worker import WorkerStatus

from facilitator import jobs
from facilitator.background import BackgroundWork

log = logging.getLogger("samenspraak.jobs")

#: How often a job is started again after its worker died (or it failed unexpectedly).
RETRIES = 3
#: How long a job may run before its worker stops it (then it is retried): generous, since a
#: plenary's analysis encodes up to a thousand texts when their vectors are not there yet.
MEANINGS_TIMEOUT = 600
ENCODING_TIMEOUT = 60
TERMS_TIMEOUT = 1800
#: Finished jobs are kept this long (`rq info` shows them); failed ones a week.
RESULT_SECONDS = 600
FAILURE_SECONDS = 7 * 24 * 3600
#: A waiting regroup lets later answers ride along for at most this long (then one more is queued).
REGROUP_WAITING_SECONDS = 60


def queue_names(channel: str) -> list[str]:
    """The deployment's queues, the one people wait for first."""
    return [f"{channel}.meanings", f"{channel}.background"]


def connect(url: str) -> redis.Redis:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"JOB_QUEUE_URL must be a Redis URL (redis://host:port/db), not {url!r}")
    return redis.Redis.from_url(url)


class QueuedWork(BackgroundWork):
    """``BackgroundWork``'s interface, putting the jobs on the queue for the workers.

    When Redis cannot take a job, this process does it on its own threads instead (slower on a busy
    process, but nothing is lost) and logs that.
    """

    def __init__(self, app: Flask):
        super().__init__(app)
        channel = app.config["SOCKETIO_CHANNEL"]
        self.redis = connect(app.config["JOB_QUEUE_URL"])
        self.meanings, self.background = (
            Queue(name, connection=self.redis, serializer=JSONSerializer) for name in queue_names(channel)
        )
        self._waiting_prefix = f"{channel}.regroup-waiting:"

    def _enqueue(self, queue: Queue, job, *args, timeout: int, meta: dict | None = None):
        return queue.enqueue(
            job, *args, retry=Retry(max=RETRIES), job_timeout=timeout,
            result_ttl=RESULT_SECONDS, failure_ttl=FAILURE_SECONDS, meta=meta,
        )

    def encode_definition(self, definition_id: int, text: str):
        if not self.app.config["ENCODE_DEFINITIONS"]:
            return None
        try:
            return self._enqueue(self.background, jobs.encode_definition, definition_id, text, timeout=ENCODING_TIMEOUT)
        except redis.RedisError:
            log.warning("the job queue is unreachable: encoding definition %s here", definition_id)
            return super().encode_definition(definition_id, text)

    def analyse_and_announce(self, round_id: int, meeting_id: int):
        try:
            return self._enqueue(self.meanings, jobs.analyse_and_announce, round_id, meeting_id, timeout=MEANINGS_TIMEOUT)
        except redis.RedisError:
            log.warning("the job queue is unreachable: analysing round %s here", round_id)
            return super().analyse_and_announce(round_id, meeting_id)

    def regroup_and_announce(self, round_id: int, meeting_id: int):
        """Coalesced across processes as ``BackgroundWork`` does within one: while a regroup of the
        round waits in the queue, later answers ride along (the worker clears the mark as it starts
        the job, see ``JobWorker.execute_job``). Returns None when it rode along."""
        waiting = f"{self._waiting_prefix}{round_id}"
        try:
            if not self.redis.set(waiting, 1, nx=True, ex=REGROUP_WAITING_SECONDS):
                return None
            return self._enqueue(self.meanings, jobs.regroup_and_announce, round_id, meeting_id,
                                 timeout=MEANINGS_TIMEOUT, meta={"clears": waiting})
        except redis.RedisError:
            log.warning("the job queue is unreachable: regrouping round %s here", round_id)
            with contextlib.suppress(redis.RedisError):
                self.redis.delete(waiting)
            return super().regroup_and_announce(round_id, meeting_id)

    def find_terms(self, analysis_id: int):
        try:
            return self._enqueue(self.background, jobs.find_terms, analysis_id, timeout=TERMS_TIMEOUT)
        except redis.RedisError:
            log.warning("the job queue is unreachable: running term analysis %s here", analysis_id)
            return super().find_terms(analysis_id)


class JobWorker(SimpleWorker):
    """One worker process: takes one job at a time, in this process (RQ's SimpleWorker), so the app
    and the sentence encoders it loaded once serve every job (RQ's default Worker would fork a child
    per job, and its default heartbeat lets a dead worker's job wait a minute or more).

    While a job runs, a thread renews the job's heartbeat every third of JOB_ABANDONED_AFTER, so a
    long analysis is never mistaken for an abandoned one, and a dead worker's job is noticed soon.
    """

    def __init__(self, app: Flask, connection: redis.Redis):
        self.app = app
        self.abandoned_after = max(3, int(app.config["JOB_ABANDONED_AFTER"]))
        super().__init__(
            queue_names(app.config["SOCKETIO_CHANNEL"]), connection=connection, serializer=JSONSerializer,
            maintenance_interval=max(1, self.abandoned_after // 2),
            # Which machine and process (`rq info` shows it); unique, since a restarted worker may
            # get the pid of a killed one whose registration has not expired yet.
            name=f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:6]}",
        )

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker wakes up this often for its maintenance round (abandoned jobs back on the queue).
        return max(1, self.abandoned_after // 2)

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        return self.abandoned_after

    def execute_job(self, job, queue) -> None:
        clears = job.meta.get("clears")
        if clears:
            self.connection.delete(clears)  # answers from now on need another regroup
        execution = self.prepare_execution(job)
        done = threading.Event()
        beating = threading.Thread(target=self._keep_alive, args=(job, execution, done), daemon=True)
        beating.start()
        try:
            with self.app.app_context():
                self.perform_job(job, queue, execution)
        finally:
            done.set()
            beating.join()
        self.set_state(WorkerStatus.IDLE)

    def _keep_alive(self, job, execution, done: threading.Event) -> None:
        while not done.wait(self.abandoned_after / 3):
            try:
                self.maintain_heartbeats(job, execution)
            except redis.RedisError:
                log.warning("could not renew the heartbeat of job %s", job.id, exc_info=True)


class _WithoutMaintenanceChatter(logging.Filter):
    """RQ logs each maintenance round (every few seconds here); the jobs it retries stay logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "cleaning registries" not in record.msg and "cleaning group registries" not in record.msg


def run_worker(app: Flask, *, burst: bool = False) -> None:
    """``flask --app run jobs-worker``: load the models, then take jobs until stopped (SIGTERM or
    Ctrl+C let the current job finish first)."""
    # RQ logs to stdout: line by line, also into a pipe (journald) or a file.
    sys.stdout.reconfigure(line_buffering=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log.info("loading the sentence encoders before taking jobs")
    jobs.warm_up()
    logging.getLogger("rq.worker").addFilter(_WithoutMaintenanceChatter())
    worker = JobWorker(app, connect(app.config["JOB_QUEUE_URL"]))
    worker.work(burst=burst, logging_level="INFO")
