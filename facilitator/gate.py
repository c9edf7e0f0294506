"""The process's gate for socket events (``events.handling``), which background work that is not
urgent can also ask whether people are waiting.

Flask-SocketIO's threading mode starts a thread for every incoming event. When a thousand phones
ask at the same moment (a plenary's reveal, a reconnect after the Wi-Fi dropped), a thousand
threads competing for one interpreter and a few database connections spend more CPU on taking
turns than on the work (bench/load.py --plenary: 40 ms a request instead of 3-5), so everything,
the facilitator's own action included, waits far longer. A thread waiting at this gate sleeps
without using the CPU; the events are handled a few at a time, roughly in the order they came.
"""

from __future__ import annotations

import threading
import time
from typing import Self


class HandlerGate:
    """Owned by the app (``app.extensions["samenspraak.handling"]``); entered by every socket event
    handler, asked by the background encoder (``wait_until_idle``)."""

    def __init__(self, at_once: int):
        self._slots = threading.BoundedSemaphore(at_once)
        self._waiting_or_handled = 0
        self._last_arrival = 0.0
        self._changed = threading.Condition()

    def __enter__(self) -> Self:
        # Counted on arrival, not once admitted: events waiting for a slot are people waiting too.
        with self._changed:
            self._waiting_or_handled += 1
            self._last_arrival = time.monotonic()
        self._slots.acquire()
        return self

    def __exit__(self, *_exc) -> None:
        self._slots.release()
        with self._changed:
            self._waiting_or_handled -= 1
            if not self._waiting_or_handled:
                self._changed.notify_all()

    def wait_until_idle(self, timeout: float, quiet: float = 0.0) -> bool:
        """Block until no event is waiting or being handled and none arrived for ``quiet`` seconds,
        or ``timeout`` seconds passed; True if it became idle."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                now = time.monotonic()
                idle, calm_in = self._waiting_or_handled == 0, self._last_arrival + quiet - now
                if idle and calm_in <= 0:
                    return True
                if now >= deadline:
                    return False
                # Busy: the last handler's exit wakes this; idle: the quiet moment has to pass.
                self._changed.wait(min(deadline - now, calm_in) if idle else deadline - now)
