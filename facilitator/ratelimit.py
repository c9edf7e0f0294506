"""Token-bucket rate limits: join-code guessing per address, event floods per person (guests per address), and login guessing
per account and per address.

One limiter per app (``app.extensions["samenspraak.limits"]``), kept in the process's memory:
with several processes behind sticky sessions each process limits what reaches it, which is
what matters for a flood; a guesser spread over processes still gets each process's limit.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allows ``burst`` actions at once and ``rate`` per second after that, per key."""

    def __init__(self, rate: float, burst: int, max_keys: int = 50_000):
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, cost: float = 1.0) -> bool:
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._forget_full(now)
                bucket = self._buckets[key] = Bucket(tokens=self.burst, updated=now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens < cost:
                return False
            bucket.tokens -= cost
            return True

    def exhausted(self, key: str) -> bool:
        """True while ``key`` has no action left, without using one (for counting only failures)."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            return bucket is not None and bucket.tokens + (now - bucket.updated) * self.rate < 1

    def wait_seconds(self, key: str) -> int:
        """Whole seconds until ``key`` has an action again (0 when it has one now)."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                return 0
            tokens = bucket.tokens + (now - bucket.updated) * self.rate
            return 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.rate))

    def forget(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)

    def _forget_full(self, now: float) -> None:
        # Buckets that have refilled carry no information; dropping them bounds the memory.
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]


class Limits:
    """The app's limits; the numbers come from the configuration."""

    def __init__(self, config: dict):
        self.join_attempts = RateLimiter(rate=config["JOIN_ATTEMPTS_PER_MINUTE"] / 60, burst=config["JOIN_ATTEMPTS_BURST"])
        # A guessing script: so many wrong codes that the address is refused every code for a while.
        self.join_guesses = RateLimiter(rate=config["JOIN_GUESSES_PER_HOUR"] / 3600, burst=config["JOIN_GUESSES_PER_HOUR"])
        self.events = RateLimiter(rate=config["EVENTS_PER_SECOND"], burst=config["EVENTS_BURST"])
        # Guests (not yet joined) of one address together: a room's phones share the venue's address.
        self.guest_events = RateLimiter(rate=config["GUEST_EVENTS_PER_SECOND"], burst=config["GUEST_EVENTS_BURST"])
        # Wrong passwords, counted per account (a guesser spread over addresses) and per address
        # (one address trying many accounts); only failures use up the allowance.
        self.login_per_account = RateLimiter(rate=config["LOGIN_FAILURES_PER_MINUTE"] / 60, burst=config["LOGIN_FAILURES_BURST"])
        # Checking a text against a shared glossary needs no login: per address.
        self.shared_checks = RateLimiter(rate=config["SHARED_CHECKS_PER_MINUTE"] / 60, burst=config["SHARED_CHECKS_BURST"])
        self.login_per_address = RateLimiter(
            rate=config["LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE"] / 60, burst=config["LOGIN_FAILURES_PER_ADDRESS_BURST"]
        )
