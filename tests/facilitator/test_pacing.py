"""Running totals are paced: a burst of joins or submissions reaches the screens as a few
announcements that read the totals as they are by then, not one per action."""

from __future__ import annotations

import threading
import time

from facilitator.pacing import AnnouncementPacer


class Recorder:
    def __init__(self):
        self.sent: list[tuple[int, str, frozenset, float]] = []
        self.arrived = threading.Event()

    def __call__(self, session, meeting_id, audience, what):
        self.sent.append((meeting_id, audience, what, time.monotonic()))
        self.arrived.set()


def test_the_first_announcement_goes_out_at_once_and_a_burst_folds_into_one(app):
    send = Recorder()
    pacer = AnnouncementPacer(app, send, {"staff": 0.3, "people": 1.0})
    pacer.announce(None, 7, {"progress"}, ("staff",))
    assert [(m, a, set(w)) for m, a, w, _ in send.sent] == [(7, "staff", {"progress"})]  # no waiting in a quiet room
    started = time.monotonic()
    send.arrived.clear()
    for _ in range(50):
        pacer.announce(None, 7, {"progress"}, ("staff",))
    pacer.announce(None, 7, {"roster"}, ("staff",))
    assert len(send.sent) == 1  # nothing more yet: the burst waits for the interval
    assert send.arrived.wait(2)
    assert len(send.sent) == 2
    _meeting, _audience, what, at = send.sent[1]
    assert what == {"progress", "roster"}  # one announcement carries everything asked for meanwhile
    assert 0.2 <= at - started <= 1.0


def test_meetings_and_audiences_are_paced_apart(app):
    send = Recorder()
    pacer = AnnouncementPacer(app, send, {"staff": 5.0, "people": 5.0})
    pacer.announce(None, 1, {"roster", "progress"})
    pacer.announce(None, 2, {"progress"}, ("people",))
    assert sorted((m, a) for m, a, _w, _t in send.sent) == [(1, "people"), (1, "staff"), (2, "people")]


def test_a_burst_of_joins_reaches_the_facilitator_as_a_few_complete_rosters(app, connect):
    # A wide interval, so that the joins come faster than it even on a busy machine.
    app.extensions["samenspraak.pacer"].intervals["staff"] = 3.0
    facilitator = connect("facilitator")
    assert facilitator.emit("start_round", {"term": "kwaliteit"})["ok"]
    facilitator.clear()
    for number in range(12):
        connect("participant", f"Deelnemer {number}", "Gemeente Oostdam")
    final = facilitator.settled("participants", lambda r: r["count"] == 12, timeout=10)
    assert [p["name"] for p in final["participants"]] == [f"Deelnemer {n}" for n in range(12)]
    rosters = facilitator.events("participants")
    assert len(rosters) < 12  # one per interval, not one per join
    assert facilitator.settled("progress", lambda p: p["total"] == 12, timeout=10)["submitted"] == 0


def test_in_a_plenary_the_interval_grows_with_the_phones(app):
    send = Recorder()
    phones = {7: 1000, 8: 25}
    pacer = AnnouncementPacer(app, send, {"staff": 0.25, "people": 1.0}, screens=phones.get,
                              per_second={"staff": 1000, "people": 200})
    assert pacer.interval("people", phones[8]) == 1.0 and pacer.interval("staff", phones[8]) == 0.25  # a room: as set
    assert pacer.interval("people", phones[7]) == 5.0 and pacer.interval("staff", phones[7]) == 1.0  # 1,000 phones
    pacer.announce(None, 7, {"progress"}, ("people",))
    send.arrived.clear()
    pacer.announce(None, 7, {"progress"}, ("people",))
    assert not send.arrived.wait(2)  # the second waits for the plenary's interval, not the room's second
    assert len(send.sent) == 1


def test_the_pacer_counts_the_phones_connected_to_the_meeting(app, connect, world):
    from facilitator import broadcast

    connect("facilitator")
    for number in range(3):
        connect("participant", f"Deelnemer {number}", "Gemeente Oostdam")
    with app.app_context():
        assert broadcast.phones_connected(world.meeting_id) == 3  # the facilitator's screen is not a phone
