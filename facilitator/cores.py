"""How a serving process's threads share the processor: which cores they run on, and how often a
thread waiting for the interpreter lock asks for it.

In Flask-SocketIO's threading mode every open screen has three or four threads, and only the one
holding the interpreter lock runs Python. Free to run on every core, those threads hand the lock
from core to core, and each hand-over wakes a sleeping thread on the other core: on the 2-core
benchmark machine a join then cost 28 ms of server CPU instead of 17 ms, and 500 joins within
10 s waited 2.4 s at p95 instead of 0.1 s (``bench/load.py --plenary --runs burst``, docs/operations.md §8).
So the threads that serve screens stay on one core (``SOCKET_CORE``), and the threads that encode and
analyse, whose numpy and encoder work runs without the lock, widen themselves to every core.

A thread waiting for the lock wakes every "switch interval" (5 ms by default) to ask the holder to
let go. When a thousand phones left at once, their three thousand threads all woke every 5 ms:
hundreds of thousands of wake-ups a second took the core from the thread holding the lock, and in
2 of 3 runs the process answered nobody for two minutes until gunicorn replaced it. With 50 ms the
same thousand leave in about 1 s of CPU, and another screen waited at most 1 s for an answer
(``bench/load.py --plenary --runs leave``; 20, 50 and 100 ms measured alike). A longer interval
only lets a thread that computes in Python keep the lock longer; handlers wait on the network and
the database, where they give it up anyway.

Called by ``serve`` (``python run.py``) and gunicorn's ``post_worker_init`` hook (gunicorn.conf.py)
before the first connection; by the background threads as they start. The cores are chosen on Linux
only (elsewhere, or on one core, the threads stay where they are); the switch interval everywhere.
"""

from __future__ import annotations

import logging
import os
import sys

from flask import Flask

log = logging.getLogger("samenspraak.cores")

EVERY_CORE_KEY = "samenspraak.every_core"
SWITCH_INTERVAL = 0.05  # seconds; Python's default is 0.005 (see the module's docstring)


def record_every_core(app: Flask) -> None:
    """Called by ``create_app``: remember the cores this process may use, before any pinning, so that
    the background threads can return to all of them."""
    if hasattr(os, "sched_getaffinity"):
        app.extensions[EVERY_CORE_KEY] = frozenset(os.sched_getaffinity(0))


def socket_core(setting: str, cores: frozenset[int], pid: int) -> int | None:
    """The core for the serving threads: ``setting`` is "off", "auto" (a core chosen by process id,
    so that processes started one after another spread over the cores) or a core number among
    ``cores``. None: leave the threads where they are."""
    if setting == "off" or len(cores) < 2:
        return None
    ordered = sorted(cores)
    if setting == "auto":
        return ordered[pid % len(ordered)]
    return int(setting) if int(setting) in cores else None


def prepare_serving_process(app: Flask) -> int | None:
    """Called once by ``serve`` and gunicorn's ``post_worker_init`` before the first connection: sets
    the interpreter's switch interval for this process and pins the calling thread (and so every
    thread it starts from now on: the server's connection threads and, through them, Socket.IO's) to
    ``SOCKET_CORE``. Returns the core, or None."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    cores = app.extensions.get(EVERY_CORE_KEY)
    if not cores or not hasattr(os, "sched_setaffinity"):
        return None
    core = socket_core(app.config["SOCKET_CORE"], cores, os.getpid())
    if core is None:
        return None
    try:
        os.sched_setaffinity(0, {core})  # 0: on Linux, the calling thread only
    except OSError:
        log.warning("could not keep the serving threads on core %s", core, exc_info=True)
        return None
    log.info("serving threads on core %s; encoding and analysis on cores %s", core, sorted(cores))
    return core


def use_every_core(app: Flask) -> None:
    """Called by a background thread as it starts: run on every core the process may use, whatever
    the thread that started it was pinned to."""
    cores = app.extensions.get(EVERY_CORE_KEY)
    if cores and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, cores)
        except OSError:
            log.warning("could not widen a background thread to cores %s", sorted(cores), exc_info=True)
