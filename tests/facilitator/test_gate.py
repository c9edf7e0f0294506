"""The gate every socket event passes (facilitator/gate.py): a few at a time, and background work
that can wait learns when nobody is waiting for an answer."""

from __future__ import annotations

import threading
import time

from facilitator.gate import HandlerGate


def test_work_that_can_wait_goes_once_the_last_event_is_answered():
    gate = HandlerGate(2)
    answered = threading.Event()

    def handler():
        with gate:
            time.sleep(0.3)
        answered.set()

    threading.Thread(target=handler).start()
    time.sleep(0.05)
    start = time.monotonic()
    assert gate.wait_until_idle(timeout=5, quiet=0.1)
    assert answered.is_set() and 0.2 <= time.monotonic() - start < 2


def test_after_a_quick_event_it_waits_until_none_arrived_for_a_moment():
    gate = HandlerGate(2)
    with gate:
        pass
    start = time.monotonic()
    assert gate.wait_until_idle(timeout=5, quiet=0.2)
    assert 0.15 <= time.monotonic() - start < 2
    start = time.monotonic()
    assert gate.wait_until_idle(timeout=5, quiet=0.2)  # quiet already
    assert time.monotonic() - start < 0.1


def test_under_a_steady_stream_of_events_the_wait_ends_after_its_timeout():
    gate = HandlerGate(8)
    stop = threading.Event()

    def stream():
        while not stop.is_set():
            with gate:
                time.sleep(0.02)

    threading.Thread(target=stream).start()
    try:
        time.sleep(0.05)
        start = time.monotonic()
        assert gate.wait_until_idle(timeout=0.3, quiet=0.1) is False
        assert 0.25 <= time.monotonic() - start < 1.5
    finally:
        stop.set()
