"""Paced announcements: running totals (who joined, how many have submitted) go out at most a few
times a second per meeting, however many joins and submissions arrive.

Without pacing every join sent the new totals to every phone, so a room's work grew with the
square of its size: in a plenary of 1,000, each join cost the server about 120 ms (bench/load.py).
A total is only ever read as "the latest", so the announcements of one meeting to one audience
coalesce: the first after a quiet spell goes out at once (a room of 25 sees no delay), the ones
that follow within ``interval`` seconds are folded into one that goes out when the interval is
over and reads the totals as they are then.

Owned by the app (``app.extensions["samenspraak.pacer"]``); ``broadcast.announce_roster`` and
``broadcast.announce_progress`` ask it for an announcement, and it calls ``send`` (in the caller's
thread with its database session, or later on a thread of its own with a fresh one).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy.orm import Session

log = logging.getLogger("samenspraak.pacing")

# (session, meeting id, audience, what) -> None; audience is "staff" or "people", what a set of
# "roster" and/or "progress".
Send = Callable[[Session, int, str, frozenset], None]


@dataclass
class _Slot:
    last: float = float("-inf")  # when this meeting's audience last got an announcement
    waiting: set = field(default_factory=set)  # what the scheduled announcement will carry
    scheduled: bool = False


class AnnouncementPacer:
    """Coalesces a meeting's running-total announcements per audience (staff, people)."""

    def __init__(self, app: Flask, send: Send, intervals: dict[str, float],
                 screens: Callable[[int], int] = lambda _meeting_id: 0, per_second: dict[str, float] | None = None):
        self.app = app
        self.send = send
        self.intervals = intervals  # the least seconds between two announcements, per audience
        # An announcement costs the server in proportion to the meeting's phones (one message each,
        # and the staff's roster holds a name each), so in a plenary the interval grows with them:
        # at most ``per_second`` phone-sized pieces of work a second per audience.
        self.screens = screens
        self.per_second = per_second or {}
        self._slots: dict[tuple[int, str], _Slot] = {}
        self._lock = threading.Lock()

    def announce(self, session: Session, meeting_id: int, what: set[str], audiences: tuple[str, ...] = ("staff", "people")) -> None:
        """Announce ``what`` of a meeting to ``audiences``: now if the audience has had nothing for
        an interval, otherwise once, when the interval is over (with whatever else was asked for)."""
        now = time.monotonic()
        due_now: list[tuple[str, frozenset]] = []
        phones = self.screens(meeting_id) if self.per_second else 0
        with self._lock:
            for audience in audiences:
                slot = self._slots.setdefault((meeting_id, audience), _Slot())
                interval = self.interval(audience, phones)
                if slot.scheduled:
                    slot.waiting |= what
                elif now - slot.last >= interval:
                    slot.last = now
                    due_now.append((audience, frozenset(what)))
                else:
                    slot.scheduled, slot.waiting = True, set(what)
                    delay = slot.last + interval - now
                    threading.Thread(target=self._later, args=(meeting_id, audience, delay),
                                     name="samenspraak-pacer", daemon=True).start()
            if len(self._slots) > 1000:
                self._forget_quiet(now)
        for audience, carried in due_now:
            self.send(session, meeting_id, audience, carried)

    def interval(self, audience: str, phones: int) -> float:
        """Seconds between two announcements to ``audience`` in a meeting with ``phones`` connected."""
        rate = self.per_second.get(audience)
        return max(self.intervals[audience], phones / rate if rate else 0.0)

    def _later(self, meeting_id: int, audience: str, delay: float) -> None:
        time.sleep(delay)
        with self._lock:
            slot = self._slots[(meeting_id, audience)]
            what, slot.waiting, slot.scheduled = frozenset(slot.waiting), set(), False
            slot.last = time.monotonic()
        try:
            with self.app.app_context(), self.app.extensions["samenspraak.sessions"]() as session:
                self.send(session, meeting_id, audience, what)
        except Exception:
            log.exception("paced announcement %s of meeting %s to %s failed", sorted(what), meeting_id, audience)

    def _forget_quiet(self, now: float) -> None:
        longest = 60.0  # longer than any interval
        for key in [k for k, s in self._slots.items() if not s.scheduled and now - s.last > longest]:
            del self._slots[key]
