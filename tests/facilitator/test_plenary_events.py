"""A plenary over the socket: the reveal of a large round sends counts and meanings, not the texts,
and every screen of the meeting pages and searches the definitions with ``get_definitions``."""

from __future__ import annotations

import pytest

from glossary.meeting import rounds
from tests.facilitator.test_meanings_events import (
    DEFINITIONS,  # the same four people of a small room
)
from tests.plenary import seed_plenary

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")



def test_the_reveal_of_a_large_round_sends_its_count_and_the_meanings(connect, monkeypatch):
    monkeypatch.setattr(rounds, "FULL_REVEAL_LIMIT", 2)  # four definitions make a "plenary"
    facilitator = connect("facilitator")
    people = [connect("participant", name, partner) for name, partner, _text in DEFINITIONS]
    round_id = facilitator.emit("start_round", {"term": "kwaliteit"})["round"]["id"]
    for screen, (name, _partner, text) in zip(people, DEFINITIONS):
        assert screen.emit("submit_definition", {"client_id": f"c-{name}", "text": text})["ok"]
    assert facilitator.emit("reveal", {"round_id": round_id})["ok"]

    revealed = people[0].last("round")
    assert revealed["round"]["revealed"] and revealed["definitions"] is None
    assert revealed["definitions_paged"] is True and revealed["definition_count"] == 4
    analysis = people[1].last("analysis", timeout=60)["analysis"]
    assert analysis["definitions_paged"] and analysis["definition_count"] == 4 and "languages" not in analysis
    texts = {text for _n, _p, text in DEFINITIONS}
    assert all(m["representative"]["text"] in texts for m in analysis["meanings"])
    assert facilitator.last("analysis")["analysis"] == analysis

    snapshot = people[2].emit("get_state")["state"]
    assert snapshot["definitions"] is None and snapshot["definition_count"] == 4
    assert snapshot["my_definition"]["text"] == DEFINITIONS[2][2] and snapshot["analysis"] == analysis

    # A correction is acknowledged and announced in the same shape.
    moved = analysis["meanings"][0]["definition_ids"][0]
    ack = facilitator.emit("correct_meanings", {"round_id": round_id, "action": "move", "definition_id": int(moved), "meaning_id": "new"})
    assert ack["ok"], ack
    assert ack["analysis"]["definitions_paged"] and all("representative" in m for m in ack["analysis"]["meanings"])
    assert people[3].last("analysis")["analysis"]["version"] == ack["analysis"]["version"]


@pytest.fixture
def plenary(connect, db, world):
    """A facilitator, a projector, a participant and a guest, and a revealed round of 120."""
    screens = {role: connect(role, "Zoë" if role == "participant" else None) for role in ("facilitator", "projector", "participant", "guest")}
    round_ = seed_plenary(db, world, 120)
    return screens, round_.id


def test_participant_facilitator_and_projector_page_through_the_definitions(plenary):
    screens, round_id = plenary
    for role in ("participant", "facilitator", "projector"):
        first = screens[role].emit("get_definitions", {"round_id": round_id})
        assert first["ok"] and (first["total"], first["offset"], first["limit"]) == (120, 0, 50)
        assert [d["number"] for d in first["definitions"]] == list(range(1, 51))
    more = screens["participant"].emit("get_definitions", {"round_id": round_id, "offset": 100, "limit": 100})
    assert [d["number"] for d in more["definitions"]] == list(range(101, 121))
    assert more["definitions"][0]["author"].startswith("Deelnemer")


def test_a_meaning_s_definitions_and_a_search_over_all(plenary):
    screens, round_id = plenary
    meaning = screens["participant"].emit("get_state")["state"]["analysis"]["meanings"][0]
    page = screens["participant"].emit("get_definitions", {"round_id": round_id, "meaning_id": meaning["id"], "limit": 10})
    assert page["total"] == meaning["size"] and len(page["definitions"]) == 10
    assert {str(d["id"]) for d in page["definitions"]} <= set(meaning["definition_ids"])
    found = screens["facilitator"].emit("get_definitions", {"round_id": round_id, "query": "DIJK houdt"})
    assert found["total"] == 15 and all("dijk houdt" in d["text"] for d in found["definitions"])


def test_guests_and_unrevealed_rounds_get_no_definitions(plenary, connect, world):
    screens, round_id = plenary
    ack = screens["guest"].emit("get_definitions", {"round_id": round_id})
    assert ack["ok"] is False and "definitions" not in ack
    screens["facilitator"].emit("close_round", {"round_id": round_id})
    new_round = screens["facilitator"].emit("start_round", {"term": "regie"})["round"]["id"]
    assert screens["participant"].emit("submit_definition", {"client_id": "z1", "text": "Regie is de touwtjes in handen."})["ok"]
    ack = screens["facilitator"].emit("get_definitions", {"round_id": new_round})
    assert ack == {"ok": False, "error": "De definities van deze ronde zijn nog niet onthuld."}


@pytest.mark.parametrize("payload, message", [
    ({"limit": 500}, "limit moet een geheel getal van 1 tot en met 100 zijn."),
    ({"offset": -5}, "offset moet een geheel getal van 0 of meer zijn."),
    ({"query": "x" * 101}, "Zoek met hoogstens 100 tekens."),
    ({"meaning_id": "m42"}, "Deze betekenis bestaat niet (meer); ververs het scherm."),
])
def test_bad_requests_are_refused_in_dutch(plenary, payload, message):
    screens, round_id = plenary
    assert screens["participant"].emit("get_definitions", {"round_id": round_id, **payload}) == {"ok": False, "error": message}


def test_the_map_of_a_plenary_draws_its_sample_without_numbers(plenary, world):
    screens, round_id = plenary
    svg = screens["participant"].client.flask_test_client.get(f"/m/{world.code}/rounds/{round_id}/map.svg")
    assert svg.status_code == 200
    body = svg.get_data(as_text=True)
    meanings = screens["participant"].emit("get_state")["state"]["analysis"]["meanings"]
    points = sum(body.count(tag) for tag in ("<circle", "<rect x=", "<polygon")) - len(meanings)  # less the legend's
    assert points >= 100  # the sample's points (120 definitions here) ...
    assert body.count("<text") == len(meanings)  # ... and only the legend's texts: no number beside each point


def test_phones_asking_at_the_same_moment_are_served_a_few_at_a_time_and_all_answered(connect, db, world, app, monkeypatch):
    """The reveal of a plenary: every phone asks at once. They are handled SOCKET_HANDLERS_AT_ONCE
    at a time (a thousand threads taking turns cost more than the work), and none is refused."""
    import threading
    import time

    from glossary.meeting import state

    phones = [connect("participant", f"Telefoon {i}") for i in range(3 * app.config["SOCKET_HANDLERS_AT_ONCE"])]
    round_id = seed_plenary(db, world, 70).id
    busy, most, lock = 0, 0, threading.Lock()
    page = state.definitions_page

    def slow_page(*args, **kwargs):
        nonlocal busy, most
        with lock:
            busy += 1
            most = max(most, busy)
        time.sleep(0.05)  # long enough for every phone's request to have arrived meanwhile
        with lock:
            busy -= 1
        return page(*args, **kwargs)

    monkeypatch.setattr(state, "definitions_page", slow_page)
    answers: list = [None] * len(phones)
    start = threading.Barrier(len(phones))

    def ask(i):
        start.wait()
        answers[i] = phones[i].emit("get_definitions", {"round_id": round_id})

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(a and a["ok"] and a["total"] == 70 for a in answers), answers
    assert most == app.config["SOCKET_HANDLERS_AT_ONCE"]
