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

    def __init__(self, app: Flask, send: Send, intervals: dict[str, float]):
        self.app = app
        self.send = send
        self.intervals = intervals  # seconds between two announcements, per audience
        self._slots: dict[tuple[int, str], _Slot] = {}
        self._lock = threading.Lock()

    def announce(self, session: Session, meeting_id: int, what: set[str], audiences: tuple[str, ...] = ("staff", "people")) -> None:
        """Announce ``what`` of a meeting to ``audiences``: now if the audience has had nothing for
        an interval, otherwise once, when the interval is over (with whatever else was asked for)."""
        now = time.monotonic()
        due_now: list[tuple[str, frozenset]] = []
        with self._lock:
            for audience in audiences:
                slot = self._slots.setdefault((meeting_id, audience), _Slot())
                if slot.scheduled:
                    slot.waiting |= what
                elif now - slot.last >= self.intervals[audience]:
                    slot.last = now
                    due_now.append((audience, frozenset(what)))
                else:
                    slot.scheduled, slot.waiting = True, set(what)
                    delay = slot.last + self.intervals[audience] - now
                    threading.Thread(target=self._later, args=(meeting_id, audience, delay),
                                     name="samenspraak-pacer", daemon=True).start()
            if len(self._slots) > 1000:
                self._forget_quiet(now)
        for audience, carried in due_now:
            self.send(session, meeting_id, audience, carried)

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
        longest = max(self.intervals.values())
        for key in [k for k, s in self._slots.items() if not s.scheduled and now - s.last > longest]:
            del self._slots[key]
