"""Work that must not block a socket handler (the jobs of ``facilitator.jobs``), on this process's
own threads: sentence vectors after each submission and the analysis after a reveal. This is how
`make run` works; a deployment of several processes can hand the same jobs to worker processes
instead (JOB_QUEUE_URL, ``facilitator.job_queue``).

Two worker threads per app, each doing one thing at a time so that the CPU-heavy encoders cannot
starve the handlers of a 2-core machine:
- the *analysis* thread: warm-up, then the meanings of each revealed round (people wait for it);
- the *encoder* thread: a vector for each submitted definition, at a lower CPU priority. Those
  vectors only save the analysis some work later, so under a burst of submissions (about 45 ms of
  CPU each) they wait for idle CPU instead of delaying acknowledgements, and an analysis never
  queues behind them: it computes (and stores) the vectors still missing itself.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask

from facilitator import cores, jobs

log = logging.getLogger("samenspraak.background")

#: How much nicer than the handlers the encoder thread is (Linux gives each thread its own niceness).
ENCODER_NICENESS = 15
#: Seconds a definition's vector waits at most for a moment when no socket event is waiting or
#: being handled and none arrived for ENCODER_QUIET seconds; under a steady stream of events it is
#: computed anyway.
ENCODER_WAITS_FOR_PEOPLE = 1.0
ENCODER_QUIET = 0.1
#: With more texts than this waiting for their vectors (more than a room of 40 sends at once), a
#: vector waits only until no event is waiting or being handled, not for a quiet moment as well.
ENCODER_BACKLOG = 40


def _lower_encoder_priority() -> None:
    # Linux applies setpriority to one thread when given its thread id; elsewhere that call would
    # address a process, so the encoder simply keeps the normal priority there.
    if sys.platform.startswith("linux"):
        try:
            thread = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + ENCODER_NICENESS))
        except OSError:
            log.warning("could not lower the encoder thread's priority", exc_info=True)


class BackgroundWork:
    """Owned by the app (``app.extensions["samenspraak.background"]``); called by event handlers."""

    def __init__(self, app: Flask):
        self.app = app
        # Both threads are started by a serving thread, kept on one core (facilitator/cores.py);
        # the encoders' work runs without the interpreter lock, on every core.
        self.analysis = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="samenspraak-analysis", initializer=cores.use_every_core, initargs=(app,)
        )
        self.encoder = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="samenspraak-encoder", initializer=self._start_encoder
        )
        self._lock = threading.Lock()  # guards the three fields below
        # Rounds with a regroup queued that has not started yet: answers arriving meanwhile ride along.
        self._regroups_waiting: set[int] = set()
        self._encodings_waiting = 0  # definitions handed to encode_definition, not yet encoded
        self.warming: Future | None = None  # the warm-up, once serving has started it

    def _start_encoder(self) -> None:
        cores.use_every_core(self.app)
        _lower_encoder_priority()

    def drain(self, timeout: float = 180) -> None:
        """Called by tests: wait until all work submitted so far is done."""
        for executor in (self.analysis, self.encoder):
            executor.submit(lambda: None).result(timeout=timeout)

    def shutdown(self) -> None:
        """Finish the queued work and stop both threads (the app is going away)."""
        self.analysis.shutdown(wait=True)
        self.encoder.shutdown(wait=True)

    def _run(self, job, *args) -> None:
        with self.app.app_context():
            job(*args)

    def warm_up_once(self) -> None:
        """Start the warm-up unless it has started already (called when serving begins)."""
        with self._lock:
            if self.warming is None:
                self.warming = self.warm_up()

    def warm_up(self) -> Future:
        """Load the sentence encoders and search tables once, before the first person needs them."""
        return self.analysis.submit(self._warm_up)

    def _warm_up(self) -> None:
        jobs.warm_up()

    def encode_definition(self, definition_id: int, text: str) -> Future | None:
        """Compute and cache the vector of a just-submitted definition."""
        if not self.app.config["ENCODE_DEFINITIONS"]:
            return None
        with self._lock:
            self._encodings_waiting += 1
        return self.encoder.submit(self._encode_definition, definition_id, text)

    def _encode_definition(self, definition_id: int, text: str) -> None:
        # The encoders' Python parts hold the interpreter lock for up to 5 ms at a time. When a
        # room's timer runs out and 20 people press Opslaan at once, their acknowledgements waited
        # behind the vectors of those before them (bench/load.py --plenary --runs instant on
        # PostgreSQL: 163-186 ms p95, 129-143 ms with this wait); a vector can wait until nobody does.
        # But under a steady stream (20 rooms of 25 submitting within the same 10 s) a quiet moment
        # hardly ever came, the texts piled up, and each reveal had to encode its own before the
        # meanings could be found: the last meanings came 17 s after their reveal instead of 8-10 s
        # (bench/load.py --only one). A backlog larger than a room's burst is such a stream.
        with self._lock:
            steady_stream = self._encodings_waiting > ENCODER_BACKLOG
        quiet = 0.0 if steady_stream else ENCODER_QUIET
        try:
            self.app.extensions["samenspraak.handling"].wait_until_idle(ENCODER_WAITS_FOR_PEOPLE, quiet=quiet)
            self._run(jobs.encode_definition, definition_id, text)
        finally:
            with self._lock:
                self._encodings_waiting -= 1

    def analyse_and_announce(self, round_id: int, meeting_id: int) -> Future:
        """Find the meanings of a revealed round and send them to everyone in the meeting."""
        return self.analysis.submit(self._run, jobs.analyse_and_announce, round_id, meeting_id)

    def regroup_and_announce(self, round_id: int, meeting_id: int) -> Future | None:
        """Group a sorting round again with all answers so far and send the new meanings to everyone.

        Coalesced: while one regroup of the round waits in the queue, later answers add nothing
        (it will read them all); answers that arrive while one runs queue exactly one more.
        Returns None when it rode along with a waiting one.
        """
        with self._lock:
            if round_id in self._regroups_waiting:
                return None
            self._regroups_waiting.add(round_id)
        return self.analysis.submit(self._regroup, round_id, meeting_id)

    def _regroup(self, round_id: int, meeting_id: int) -> None:
        with self._lock:
            self._regroups_waiting.discard(round_id)  # answers from now on need another run
        self._run(jobs.regroup_and_announce, round_id, meeting_id)

    def find_terms(self, analysis_id: int) -> Future:
        """Run a term analysis of partners' documents (`jobs.find_terms`); its progress is stored
        on the way, and the page polls it.

        It runs on the encoder thread, at its lower CPU priority: an analysis of 1 MB of text takes
        up to a minute, and a live meeting's reveal (on the analysis thread) must never queue
        behind it. Definition vectors meanwhile wait, which costs a reveal nothing (it computes
        missing vectors itself)."""
        return self.encoder.submit(self._run, jobs.find_terms, analysis_id)
