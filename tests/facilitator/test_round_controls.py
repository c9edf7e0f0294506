"""The facilitator's round controls over sockets: lock, timer, restart and a reminder,
each seen by several screens in one meeting."""

from __future__ import annotations

import pytest


@pytest.fixture
def room(connect):
    facilitator = connect("facilitator")
    projector = connect("projector")
    people = [connect("participant", "Ans", "Gemeente Oostdam"), connect("participant", "Bram", "Waterschap Rivierenland"),
              connect("participant", "Cor", "Zorggroep De Linde")]
    ack = facilitator.emit("start_round", {"term": "kwaliteit"})
    assert ack["ok"], ack
    return facilitator, projector, people, ack["round"]["id"]


def everyone(facilitator, projector, people):
    return (facilitator, projector, *people)


def test_locking_reaches_every_screen_and_refuses_late_texts(room):
    facilitator, projector, people, round_id = room
    assert people[0].emit("submit_definition", {"client_id": "a1", "text": "Op tijd."})["ok"]
    ack = facilitator.emit("lock_round", {"round_id": round_id, "locked": True})
    assert ack["ok"] and ack["round"]["locked"] is True
    for screen in everyone(facilitator, projector, people):
        assert screen.last("round")["round"]["locked"] is True
    late = people[1].emit("submit_definition", {"client_id": "b1", "text": "Te laat."})
    assert late["ok"] is False and "gesloten" in late["error"]
    assert facilitator.emit("lock_round", {"round_id": round_id, "locked": False})["ok"]
    assert people[1].emit("submit_definition", {"client_id": "b2", "text": "Toch nog."})["ok"]


def test_a_timer_reaches_the_projector_and_the_participants(room):
    facilitator, projector, people, round_id = room
    assert facilitator.emit("set_timer", {"round_id": round_id, "seconds": 120})["ok"]
    for screen in (projector, *people):
        timer = screen.last("round")["round"]["timer"]
        assert timer["seconds"] == 120 and 115 <= timer["remaining"] <= 120
    # A screen that connects later sees the same countdown in its snapshot.
    assert 0 < facilitator.emit("get_state")["state"]["round"]["timer"]["remaining"] <= 120
    assert facilitator.emit("set_timer", {"round_id": round_id, "seconds": 0})["ok"]
    assert projector.last("round")["round"]["timer"] is None


def test_restart_gives_everyone_an_empty_round_for_the_same_term(room):
    facilitator, projector, people, round_id = room
    assert people[0].emit("submit_definition", {"client_id": "a1", "text": "Misverstand."})["ok"]
    for screen in everyone(facilitator, projector, people):
        screen.clear()
    ack = facilitator.emit("restart_round", {"round_id": round_id})
    assert ack["ok"] and ack["round"]["id"] != round_id and ack["round"]["phase"] == "collect"
    for screen in everyone(facilitator, projector, people):
        phases = [(m["round"]["id"], m["round"]["phase"]) for m in screen.events("round")]
        assert phases == [(round_id, "closed"), (ack["round"]["id"], "collect")]
        assert "Misverstand" not in repr(screen.drain())
    assert facilitator.settled("progress", lambda p: p["round_id"] == ack["round"]["id"])["submitted"] == 0
    assert people[0].emit("get_state")["state"]["my_definition"] is None


def test_a_reminder_reaches_only_those_who_have_not_submitted(room):
    facilitator, projector, people, round_id = room
    assert people[0].emit("submit_definition", {"client_id": "a1", "text": "Klaar."})["ok"]
    for screen in everyone(facilitator, projector, people):
        screen.clear()
    ack = facilitator.emit("nudge", {"round_id": round_id})
    assert ack["ok"] and [p["name"] for p in ack["nudged"]] == ["Bram", "Cor"]
    assert people[1].last("nudge") == {"round_id": round_id, "term": "kwaliteit"}
    assert people[2].last("nudge")["term"] == "kwaliteit"
    assert people[0].events("nudge") == [] and projector.events("nudge") == []
    again = facilitator.emit("nudge", {"round_id": round_id})
    assert again["ok"] is False and "seintje" in again["error"]


@pytest.mark.parametrize("event, payload", [
    ("lock_round", {"locked": True}), ("set_timer", {"seconds": 60}), ("restart_round", {}), ("nudge", {}),
])
def test_participants_and_the_projector_cannot_use_the_controls(room, event, payload):
    facilitator, projector, people, round_id = room
    for screen in (projector, people[0]):
        ack = screen.emit(event, {"round_id": round_id, **payload})
        assert ack["ok"] is False and "facilitator" in ack["error"]
    assert facilitator.emit("get_state")["state"]["round"]["id"] == round_id  # nothing changed


def test_bad_control_payloads_get_a_readable_refusal(room):
    facilitator, projector, people, round_id = room
    for event, payload in [("lock_round", {"round_id": round_id, "locked": "ja"}),
                           ("set_timer", {"round_id": round_id, "seconds": 10**9}),
                           ("set_timer", {"round_id": "een", "seconds": 60}),
                           ("nudge", {"round_id": None}), ("restart_round", [])]:
        ack = facilitator.emit(event, payload)
        assert ack["ok"] is False and ack["error"], (event, payload)
