"""Meanings after the reveal: every screen gets them, and the facilitator's corrections reach
every screen at once."""

from __future__ import annotations

import pytest

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")

DEFINITIONS = [
    ("Ans", "Gemeente Oostdam", "Kwaliteit is foutloos werken volgens de vastgelegde procedures en protocollen."),
    ("Bram", "Waterschap Rivierenland", "Alles gaat volgens protocol en wordt afgevinkt op de checklist; geen fouten."),
    ("Cor", "Zorggroep De Linde", "Je uiterste best doen om iets zo mooi mogelijk te maken, met vakmanschap en toewijding."),
    ("Dirk", "Gemeente Oostdam", "De moeite en energie die je erin steekt om het beste resultaat te halen, ook als het extra uren kost."),
]


@pytest.fixture
def revealed(connect):
    facilitator = connect("facilitator")
    people = [connect("participant", name, partner) for name, partner, _text in DEFINITIONS]
    round_id = facilitator.emit("start_round", {"term": "kwaliteit"})["round"]["id"]
    for screen, (_name, _partner, text) in zip(people, DEFINITIONS):
        assert screen.emit("submit_definition", {"client_id": f"c-{_name}", "text": text})["ok"]
    assert facilitator.emit("reveal", {"round_id": round_id})["ok"]
    return facilitator, people, round_id


def meanings_of(analysis):
    return {m["id"]: sorted(m["definition_ids"]) for m in analysis["meanings"]}


def test_reveal_brings_the_meanings_to_every_screen(revealed):
    facilitator, people, round_id = revealed
    analyses = [screen.last("analysis", timeout=60)["analysis"] for screen in (facilitator, *people)]
    assert all(a == analyses[0] for a in analyses)
    analysis = analyses[0]
    assert analysis["round_id"] == round_id
    grouped = [d for m in analysis["meanings"] for d in m["definition_ids"]]
    assert sorted(grouped) == sorted(set(grouped)) and len(grouped) == 4
    assert 0 <= analysis["divergence"] <= 1
    assert set(analysis["partners"]) == {"Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde"}


def test_corrections_reach_every_screen(revealed):
    facilitator, people, round_id = revealed
    analysis = facilitator.last("analysis", timeout=60)["analysis"]
    first = analysis["meanings"][0]
    moved = first["definition_ids"][0]
    for screen in (facilitator, *people):
        screen.clear()

    ack = facilitator.emit("correct_meanings", {"round_id": round_id, "action": "move", "definition_id": int(moved), "meaning_id": "new"})
    assert ack["ok"], ack
    for screen in people:
        after = screen.last("analysis")["analysis"]
        assert after["corrected"] is True and after["version"] == analysis["version"] + 1
        assert [moved] in meanings_of(after).values()

    new_id = next(mid for mid, members in meanings_of(ack["analysis"]).items() if members == [moved])
    ack = facilitator.emit("correct_meanings", {"round_id": round_id, "action": "rename", "meaning_id": new_id, "label": "Eigen groep"})
    assert ack["ok"]
    assert any(m["label"] == "Eigen groep" for m in people[2].last("analysis")["analysis"]["meanings"])

    others = [mid for mid in meanings_of(ack["analysis"]) if mid != new_id]
    ack = facilitator.emit("correct_meanings", {"round_id": round_id, "action": "merge", "meaning_ids": [new_id, others[0]]})
    assert ack["ok"]
    merged = meanings_of(people[0].last("analysis")["analysis"])
    assert new_id in merged and others[0] not in merged
    # The renamed meaning keeps its name through the merge.
    assert any(m["label"] == "Eigen groep" for m in ack["analysis"]["meanings"])

    members = merged[new_id]
    ack = facilitator.emit("correct_meanings", {"round_id": round_id, "action": "split", "meaning_id": new_id, "definition_ids": [int(members[0])]})
    assert ack["ok"], ack
    assert [members[0]] in meanings_of(people[1].last("analysis")["analysis"]).values()


def test_participants_cannot_correct_and_bad_corrections_are_refused(revealed):
    facilitator, people, round_id = revealed
    analysis = facilitator.last("analysis", timeout=60)["analysis"]
    people[1].clear()
    ack = people[0].emit("correct_meanings", {"round_id": round_id, "action": "rename", "meaning_id": analysis["meanings"][0]["id"], "label": "x"})
    assert ack["ok"] is False
    for bad in ({"action": "explode"}, {"action": "move", "definition_id": 99999, "meaning_id": "new"},
                {"action": "merge", "meaning_ids": ["m1"]}, {"action": "rename", "meaning_id": "m99", "label": "x"},
                {"action": "split", "meaning_id": analysis["meanings"][0]["id"], "definition_ids": []}):
        ack = facilitator.emit("correct_meanings", {"round_id": round_id, **bad})
        assert ack["ok"] is False and ack["error"], bad
    assert people[1].events("analysis") == []


def test_reconnecting_screen_gets_the_corrected_meanings(revealed, connect):
    facilitator, people, round_id = revealed
    analysis = facilitator.last("analysis", timeout=60)["analysis"]
    facilitator.emit("correct_meanings", {"round_id": round_id, "action": "rename", "meaning_id": analysis["meanings"][0]["id"], "label": "Zo zien wij het"})
    again = connect("participant", http=people[3].client.flask_test_client)
    state = again.last("state")
    assert state["analysis"]["meanings"][0]["label"] == "Zo zien wij het"


def test_map_is_drawn_for_the_room_only(revealed, app, world):
    facilitator, people, round_id = revealed
    facilitator.last("analysis", timeout=60)
    path = f"/m/{world.code}/rounds/{round_id}/map.svg"
    svg = people[0].client.flask_test_client.get(path)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert app.test_client().get(path).status_code == 404


def test_a_round_of_another_meeting_is_refused_and_its_meanings_stay_in_their_meeting(revealed, connect, db, world):
    from facilitator.events import MeetingNamespace
    from glossary import partnerships

    facilitator, people, round_id = revealed
    analysis = facilitator.last("analysis", timeout=60)["analysis"]
    other = partnerships.create_meeting(db, world.facilitator_id, world.partnership_id, "Tweede", ["regie"])
    elsewhere = connect("facilitator", code=other.join_code)
    outsider = connect("participant", "Eva", "Gemeente Oostdam", code=other.join_code)
    for screen in (elsewhere, outsider, *people):
        screen.clear()

    moved = analysis["meanings"][0]["definition_ids"][0]
    ack = elsewhere.emit("correct_meanings", {"round_id": round_id, "action": "move", "definition_id": int(moved), "meaning_id": "new"})
    assert ack["ok"] is False and "hoort niet bij deze bijeenkomst" in ack["error"]
    # Every event that takes a round id refuses another meeting's round the same way.
    round_events = [name[3:] for name in dir(MeetingNamespace) if name.startswith("on_")
                    and "round_id" in getattr(getattr(MeetingNamespace, name), "__wrapped__", getattr(MeetingNamespace, name)).__code__.co_consts
                    and name != "on_submit_definition"]  # a participant's event, refused for the facilitator anyway
    assert "set_timer" in round_events and "correct_meanings" in round_events
    for event in round_events:
        ack = elsewhere.emit(event, {"round_id": round_id, "text": "x", "seconds": 60, "locked": True})
        assert ack["ok"] is False and "hoort niet bij deze bijeenkomst" in ack["error"], (event, ack)
    assert outsider.events("analysis") == [] and outsider.events("round") == []
    assert facilitator.emit("get_state")["state"]["round"]["phase"] == "reveal"
