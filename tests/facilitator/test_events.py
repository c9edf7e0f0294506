"""Socket.IO events in /meeting with several clients in one room."""

from __future__ import annotations

import time

import pytest

from tests.facilitator.conftest import NS


@pytest.fixture
def room(connect):
    facilitator = connect("facilitator")
    projector = connect("projector")
    people = [
        connect("participant", "Ans", "Gemeente Oostdam"),
        connect("participant", "Bram", "Waterschap Rivierenland"),
        connect("participant", "Cor", "Zorggroep De Linde"),
    ]
    return facilitator, projector, people


def start_round(facilitator, term="kwaliteit"):
    ack = facilitator.emit("start_round", {"term": term})
    assert ack["ok"], ack
    return ack["round"]["id"]


def submit(screen, text, client_id):
    return screen.emit("submit_definition", {"client_id": client_id, "text": text})


def test_every_connection_gets_a_state_fitting_its_role(room):
    facilitator, projector, people = room
    assert facilitator.last("state")["role"] == "facilitator"
    assert facilitator.last("state")["participants"] == []  # connected before anyone joined
    roster = facilitator.settled("participants", lambda r: r["count"] == 3)
    assert [p["name"] for p in roster["participants"]] == ["Ans", "Bram", "Cor"]
    assert projector.last("state")["role"] == "projector"
    mine = people[0].last("state")
    assert mine["role"] == "participant" and mine["me"]["name"] == "Ans"
    assert "participants" not in mine
    assert people[0].events("participants") == []  # phones get no roster as others join


def test_no_participant_receives_anothers_text_before_the_reveal(room, connect):
    facilitator, projector, people = room
    round_id = start_round(facilitator)
    assert submit(people[0], "Het geheim van Ans", "a1")["ok"]
    assert submit(people[1], "Het geheim van Bram", "b1")["ok"]
    for screen in (facilitator, projector, people[1], people[2]):
        assert "Het geheim van Ans" not in repr(screen.drain())
    assert "Het geheim van Bram" not in repr(people[0].drain())
    # A reconnect snapshot does not leak either.
    reconnected = connect("participant", http=people[2].client.flask_test_client)
    assert reconnected.last("state")["me"]["name"] == "Cor"
    assert "geheim" not in repr(reconnected.drain())
    # Then the reveal brings all of them, to everyone.
    assert facilitator.emit("reveal", {"round_id": round_id})["ok"]
    for screen in (facilitator, projector, *people):
        texts = [d["text"] for d in screen.last("round")["definitions"]]
        assert texts == ["Het geheim van Ans", "Het geheim van Bram"]


def test_progress_reaches_staff_with_names_and_participants_with_counts(room):
    facilitator, projector, people = room
    start_round(facilitator)
    facilitator.clear(), projector.clear(), people[2].clear()
    submit(people[0], "Foutloos", "a1")
    staff = facilitator.settled("progress", lambda p: p["submitted"] == 1)
    assert staff["total"] == 3
    assert [w["name"] for w in staff["waiting"]] == ["Bram", "Cor"]
    assert projector.settled("progress", lambda p: p["submitted"] == 1)["waiting"] == staff["waiting"]
    counts = people[2].settled("progress", lambda p: p["submitted"] == 1)
    assert counts == {"round_id": staff["round_id"], "submitted": 1, "total": 3}


def test_a_participant_cannot_send_facilitator_events(room):
    facilitator, projector, people = room
    round_id = start_round(facilitator)
    submit(people[0], "Iets", "a1")
    people[1].clear()
    for event, payload in [("start_round", {"term": "x"}), ("reveal", {"round_id": round_id}),
                           ("close_round", {"round_id": round_id}), ("update_terms", {"terms": ["x"]})]:
        ack = people[0].emit(event, payload)
        assert ack["ok"] is False and "facilitator" in ack["error"]
    assert people[1].events("round") == [] and people[1].events("terms") == []
    ack = projector.emit("reveal", {"round_id": round_id})
    assert ack["ok"] is False


def test_a_resent_client_id_is_stored_once(room, app):
    facilitator, _projector, people = room
    round_id = start_round(facilitator)
    first = submit(people[0], "Eén keer", "same-id")
    facilitator.settled("progress", lambda p: p["submitted"] == 1)
    time.sleep(0.3)  # a paced announcement still on its way would arrive now
    facilitator.clear()
    second = submit(people[0], "Eén keer", "same-id")
    assert first["ok"] and second["ok"] and second["stored"] is False
    assert second["definition"]["id"] == first["definition"]["id"]
    assert facilitator.events("progress") == []  # nothing new happened, nothing announced
    from glossary.meeting.rounds import require_round
    with app.extensions["samenspraak.sessions"]() as session:
        assert len(require_round(session, round_id).definitions) == 1


def test_wrong_join_code_fails_with_a_clear_message(app, socketio):
    client = socketio.test_client(app, namespace=NS, auth={"meeting": "QQQQQQ"})
    assert not client.is_connected(NS)
    response = app.test_client().post("/join", data={"code": "QQQQQQ"})
    assert response.status_code == 404
    assert "Geen bijeenkomst met code" in response.get_data(as_text=True)


def test_guest_can_join_over_the_socket_and_resume_with_the_token(connect, app, socketio, world):
    guest = connect("guest")
    assert guest.last("state")["role"] == "guest"
    ack = guest.emit("join", {"name": "Dirk", "partner": "Hogeschool Noord"})
    assert ack["ok"] and ack["participant"]["partner"] == "Hogeschool Noord"
    assert guest.last("state")["role"] == "participant"
    again = connect("participant", http=app.test_client(), auth={"token": ack["token"]})
    assert again.last("state")["me"]["id"] == ack["participant"]["id"]


def test_own_definition_reaches_the_authors_other_device_only(room, connect):
    facilitator, _projector, people = room
    start_round(facilitator)
    second_device = connect("participant", http=people[0].client.flask_test_client)
    second_device.last("state")
    submit(people[0], "Mijn tekst", "a1")
    assert second_device.last("definition_saved")["definition"]["text"] == "Mijn tekst"
    assert "Mijn tekst" not in repr(people[1].drain())


@pytest.mark.parametrize("payload", ["text", 42, ["list"], {"client_id": 5, "text": "x"}, {"client_id": "a", "text": "x" * 1001}])
def test_malformed_submissions_get_an_error_ack(room, payload):
    facilitator, _projector, people = room
    start_round(facilitator)
    ack = people[0].emit("submit_definition", payload)
    assert ack["ok"] is False and ack["error"]


def test_reopen_and_close_reach_every_screen(room):
    facilitator, projector, people = room
    round_id = start_round(facilitator)
    submit(people[0], "Iets", "a1")
    facilitator.emit("reveal", {"round_id": round_id, "anonymity": "hide_all"})
    assert people[1].last("round")["definitions"][0]["partner"] is None
    assert facilitator.emit("reopen", {"round_id": round_id})["ok"]
    for screen in (projector, *people):
        message = screen.last("round")
        assert message["round"]["phase"] == "collect" and "definitions" not in message
    assert facilitator.emit("close_round", {"round_id": round_id})["ok"]
    assert all(s.last("round")["round"]["phase"] == "closed" for s in (projector, *people))


def test_term_list_updates_reach_everyone(room):
    facilitator, _projector, people = room
    ack = facilitator.emit("update_terms", {"terms": ["kwaliteit", "vertrouwen"]})
    assert ack["ok"]
    assert [t["text"] for t in people[2].last("terms")["terms"]] == ["kwaliteit", "vertrouwen"]


def test_a_joining_participant_updates_the_facilitators_list(room, connect):
    facilitator, _projector, _people = room
    facilitator.clear()
    connect("participant", "Dirk", "Hogeschool Noord")
    assert facilitator.settled("participants", lambda r: r["count"] == 4)["participants"][-1]["name"] == "Dirk"


def test_a_failure_after_the_commit_says_it_was_saved(connect, monkeypatch, sessions, world):
    from facilitator import broadcast
    from glossary.meeting import rounds

    facilitator = connect("facilitator")

    def broken(*_args, **_kwargs):
        raise RuntimeError("announcing failed")

    monkeypatch.setattr(broadcast, "announce_round", broken)
    ack = facilitator.emit("start_round", {"term": "kwaliteit"})
    assert ack["ok"] is False and ack["saved"] is True
    assert ack["error"].startswith("Opgeslagen, maar nog niet bij iedereen") and "niets opgeslagen" not in ack["error"]
    with sessions() as db:
        assert rounds.current_round(db, world.meeting_id).term == "kwaliteit"
    # A failure before anything was stored still says nothing was stored.
    monkeypatch.setattr(rounds, "set_timer", broken)
    assert "niets opgeslagen" in facilitator.emit("set_timer", {"round_id": 1, "seconds": 60})["error"]
