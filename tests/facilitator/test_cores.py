"""A serving process keeps its socket threads on one core and lets the encoding and analysis use
every core (facilitator/cores.py): the threads of a thousand screens handing the interpreter lock
between cores made each join cost half as much again (docs/operations.md §8)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests

from facilitator.cores import SWITCH_INTERVAL, prepare_serving_process, socket_core
from facilitator.settings import ConfigurationError, load_settings
from tests.server import ROOT, ServerProcess, free_port

CORES = frozenset(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else frozenset()
needs_two_cores = pytest.mark.skipif(len(CORES) < 2, reason="needs Linux with two or more cores to pin threads")


def test_processes_started_one_after_another_spread_over_the_cores():
    cores = frozenset({0, 1, 2, 3})
    assert [socket_core("auto", cores, pid) for pid in (100, 101, 102, 103, 104)] == [0, 1, 2, 3, 0]
    assert socket_core("2", cores, 100) == 2
    # Nothing to gain on one core; a core the process may not use is ignored rather than fatal.
    assert socket_core("auto", frozenset({3}), 100) is None
    assert socket_core("7", cores, 100) is None
    assert socket_core("off", cores, 100) is None


@pytest.mark.parametrize("value", ["een", "-1", "0,1"])
def test_a_socket_core_that_is_no_core_is_refused_with_what_to_write(value, monkeypatch, tmp_path):
    monkeypatch.setenv("SOCKET_CORE", value)
    with pytest.raises(ConfigurationError, match="use auto, off, or the number of a processor core"):
        load_settings(tmp_path)


@needs_two_cores
def test_background_work_started_from_a_pinned_serving_thread_uses_every_core(app):
    background = app.extensions["samenspraak.background"]
    seen = {}

    def serving_thread():
        os.sched_setaffinity(0, {min(CORES)})  # as cores.prepare_serving_process leaves it
        # The first job starts each background thread from this (pinned) thread.
        seen["analysis"] = background.analysis.submit(os.sched_getaffinity, 0).result(timeout=30)
        seen["encoder"] = background.encoder.submit(os.sched_getaffinity, 0).result(timeout=30)
        seen["serving"] = os.sched_getaffinity(0)

    thread = threading.Thread(target=serving_thread)
    thread.start()
    thread.join()
    assert seen == {"analysis": CORES, "encoder": CORES, "serving": {min(CORES)}}


def test_a_serving_process_s_waiting_threads_ask_for_the_interpreter_lock_ten_times_less_often(app):
    # Python's 5 ms default woke a thousand phones' threads so often, as they left at once, that
    # the process answered nobody for two minutes (bench/load.py --plenary --runs leave).
    before = sys.getswitchinterval(), os.sched_getaffinity(0) if CORES else None
    try:
        prepare_serving_process(app)
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL) and SWITCH_INTERVAL >= 0.05
    finally:
        sys.setswitchinterval(before[0])
        if before[1]:
            os.sched_setaffinity(0, before[1])


def _thread_cores(pid: int) -> dict[int, str]:
    """Each thread of process ``pid`` with the cores it may run on (as /proc lists them)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except FileNotFoundError:
            continue  # a thread that ended meanwhile
        for line in status.splitlines():
            if line.startswith("Cpus_allowed_list:"):
                found[int(task.name)] = line.split(":", 1)[1].strip()
    return found


@needs_two_cores
@pytest.mark.server
def test_the_local_server_serves_from_one_core(database_url, tmp_path):
    server = ServerProcess(database_url, tmp_path / "instance", env={"SAMENSPRAAK_WARM_UP": "0", "SOCKET_CORE": "1"}).start()
    try:
        assert requests.get(server.url + "/join", timeout=5).status_code == 200
        threads = _thread_cores(server.process.pid)
        # The main thread serves (and starts a thread per request, which inherits its core).
        assert threads[server.process.pid] == "1"
    finally:
        server.kill(signal.SIGTERM)


@needs_two_cores
@pytest.mark.server
def test_gunicorn_with_the_projects_settings_serves_from_one_core(database_url, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test-" + "x" * 32,
           "SAMENSPRAAK_INSTANCE": str(tmp_path / "instance"), "SAMENSPRAAK_WARM_UP": "0", "SOCKET_CORE": "0"}
    # As docs/operations.md §2 starts it, from the checkout (where gunicorn reads gunicorn.conf.py).
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1", "--threads", "20",
         "--bind", f"127.0.0.1:{port}", "run:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert requests.get(f"http://127.0.0.1:{port}/join", timeout=5).status_code == 200
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and process.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        worker = psutil.Process(process.pid).children()[0].pid
        threads = _thread_cores(worker)
        assert threads[worker] == "0"  # the worker's main thread accepts the connections
        assert sorted(set(threads.values())) == ["0"]
    finally:
        process.terminate()
        process.wait(timeout=30)
