"""A plenary: a round of a thousand definitions reaches every phone in tens of kilobytes (the
meanings, their representatives, a sample for the map), and the rest is paged on demand."""

from __future__ import annotations

import json

import pytest

from glossary import partnerships
from glossary.errors import Conflict, InvalidInput, NotFound
from glossary.meeting import meanings, rounds, state
from glossary.meeting.state import Viewer
from glossary.models import Definition, RoundAnalysis
from tests.plenary import seed_plenary

BUDGET = 50 * 1024  # bytes a phone may receive for a reveal (issue 17)


def size(payload) -> int:
    """Bytes as python-socketio puts them on the wire (compact JSON, non-ASCII as \\u escapes)."""
    return len(json.dumps(payload, separators=(",", ":")).encode())


@pytest.fixture
def plenary(db, world):
    return seed_plenary(db, world, 1000)


def test_a_reveal_of_a_thousand_definitions_fits_a_phone(db, world, plenary):
    announced = {"round": state.round_payload(plenary), **state.revealed_round(db, plenary)}
    analysis = meanings.screen_payload(db, db.get(RoundAnalysis, plenary.id))
    assert size(announced) + size({"analysis": analysis}) <= BUDGET, (size(announced), size(analysis))
    assert announced["definitions"] is None and announced["definition_count"] == 1000
    assert analysis["definitions_paged"] is True and analysis["definition_count"] == 1000
    # Each meaning with its representative as the reveal shows it (named round: author and partner).
    for meaning in analysis["meanings"]:
        representative = meaning["representative"]
        assert str(representative["id"]) == meaning["representative_id"]
        assert representative["text"].endswith(f"(nr. {db.get(Definition, representative['id']).participant.name[-4:].lstrip('0')})")
        assert representative["author"].startswith("Deelnemer") and representative["partner"]
        assert len(meaning["definition_ids"]) == meaning["size"]  # ids stay: "which meaning is mine"
    # No full list: a sample of the map, no languages, no lists of definitions under shared words.
    assert len(analysis["coordinates"]) == meanings.MAP_SAMPLE == analysis["map_sample"]
    assert {m["representative_id"] for m in analysis["meanings"]} <= set(analysis["coordinates"])
    assert "languages" not in analysis
    assert all("definition_ids" not in s for s in analysis["shared_term_details"])
    # The stored record is whole: the summary and exports read it.
    assert len(db.get(RoundAnalysis, plenary.id).result["coordinates"]) == 1000


def test_the_snapshot_of_a_plenary_carries_no_list_but_the_phones_own_definition(db, world, plenary):
    meeting = partnerships.require_meeting(db, world.meeting_id)
    author = plenary.definitions[10]
    snapshot = state.meeting_state(db, meeting, Viewer("participant", participant_id=author.participant_id))
    assert snapshot["definitions"] is None and snapshot["definitions_paged"] and snapshot["definition_count"] == 1000
    assert snapshot["my_definition"]["id"] == author.id
    assert any(str(author.id) in m["definition_ids"] for m in snapshot["analysis"]["meanings"])
    assert size(snapshot) <= BUDGET
    staff = state.meeting_state(db, meeting, Viewer("projector", facilitator_id=world.facilitator_id))
    assert staff["definitions"] is None and staff["analysis"]["definitions_paged"]


def test_the_map_sample_is_the_same_every_time_and_spread_over_the_meanings(db, plenary):
    first = meanings.screen_payload(db, db.get(RoundAnalysis, plenary.id))
    again = meanings.screen_payload(db, db.get(RoundAnalysis, plenary.id))
    assert first["coordinates"] == again["coordinates"]
    for meaning in first["meanings"]:
        shown = [i for i in meaning["definition_ids"] if i in first["coordinates"]]
        assert len(shown) >= meaning["size"] * meanings.MAP_SAMPLE // 1000 - 1


def test_a_small_round_is_revealed_whole_as_before(db, world):
    round_ = seed_plenary(db, world, rounds.FULL_REVEAL_LIMIT)
    revealed = state.revealed_round(db, round_)
    assert len(revealed["definitions"]) == rounds.FULL_REVEAL_LIMIT and "definitions_paged" not in revealed
    analysis = db.get(RoundAnalysis, round_.id)
    assert meanings.screen_payload(db, analysis) == meanings.analysis_payload(analysis)


def test_pages_follow_the_reveal_order_and_count_what_matches(db, plenary):
    first = state.definitions_page(db, plenary.id)
    assert (first["total"], first["offset"], first["limit"], len(first["definitions"])) == (1000, 0, 50, 50)
    assert [d["number"] for d in first["definitions"]] == list(range(1, 51))
    last = state.definitions_page(db, plenary.id, offset=990, limit=100)
    assert [d["number"] for d in last["definitions"]] == list(range(991, 1001))


def test_a_meaning_s_definitions_and_a_search(db, plenary):
    meaning = meanings.screen_payload(db, db.get(RoundAnalysis, plenary.id))["meanings"][2]
    page = state.definitions_page(db, plenary.id, meaning_id=meaning["id"], limit=100)
    assert page["total"] == meaning["size"]
    assert {str(d["id"]) for d in page["definitions"]} <= set(meaning["definition_ids"])
    # Case-insensitive, in the text, the example or the (visible) author.
    found = state.definitions_page(db, plenary.id, query="DIJK")
    assert found["total"] == 125 and all("dijk" in d["text"] for d in found["definitions"])
    assert state.definitions_page(db, plenary.id, query="deelnemer 0042")["total"] == 1
    assert state.definitions_page(db, plenary.id, query="Voorbeeld 10:")["total"] == 1
    # Wildcards are letters, not patterns.
    assert state.definitions_page(db, plenary.id, query="%")["total"] == 0
    both = state.definitions_page(db, plenary.id, meaning_id=meaning["id"], query="nr. 1")
    assert 0 < both["total"] < meaning["size"]


def test_a_search_by_name_finds_nothing_when_the_round_hides_people(db, world):
    round_ = seed_plenary(db, world, 100, anonymity="hide_all")
    assert state.definitions_page(db, round_.id, query="Deelnemer")["total"] == 0
    page = state.definitions_page(db, round_.id, query="protocol")
    assert page["total"] > 0 and all(d["author"] is None and d["partner"] is None for d in page["definitions"])


def test_no_page_before_the_reveal(db, world):
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="regie")
    with pytest.raises(Conflict, match="nog niet onthuld"):
        state.definitions_page(db, round_.id)


@pytest.mark.parametrize("bad", [
    {"round_id": "1"}, {"offset": -1}, {"offset": 1.5}, {"limit": 0}, {"limit": 101}, {"limit": True},
    {"query": 5}, {"query": "x" * 101}, {"meaning_id": 1},
])
def test_bad_page_requests_are_refused_in_words(db, plenary, bad):
    arguments = {"round_id": plenary.id, **bad}
    with pytest.raises(InvalidInput):
        state.definitions_page(db, arguments.pop("round_id"), **arguments)


def test_an_unknown_meaning_or_round(db, plenary):
    with pytest.raises(NotFound):
        state.definitions_page(db, plenary.id, meaning_id="m99")
    with pytest.raises(NotFound):
        state.definitions_page(db, plenary.id + 100)


def test_even_representatives_of_the_longest_texts_fit(db, world, plenary):
    for meaning in db.get(RoundAnalysis, plenary.id).result["meanings"]:
        representative = db.get(Definition, int(meaning["representative_id"]))
        # Dutch is mostly ASCII; each of text, example and practice at its longest.
        representative.text = representative.example = representative.observable = "kwaliteit " * (rounds.MAX_DEFINITION_LENGTH // 10)
    db.commit()
    analysis = meanings.screen_payload(db, db.get(RoundAnalysis, plenary.id))
    assert size({"analysis": analysis}) <= BUDGET


def test_a_phone_s_snapshot_reads_the_same_few_rows_in_a_room_of_5_or_a_plenary(db, world):
    """Every phone asks for its snapshot on connect and again once joined: 500 joins within 10 s
    are 1,000 snapshots, so what one costs must not grow with the room."""
    from sqlalchemy import event

    rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def statements_for(viewer: Viewer) -> int:
        db.expire_all()
        statements.clear()
        event.listen(db.get_bind(), "before_cursor_execute", count)
        try:
            state.snapshot(db, world.meeting_id, viewer)
        finally:
            event.remove(db.get_bind(), "before_cursor_execute", count)
        db.rollback()
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    people = [partnerships.join_meeting(db, world.meeting_id, f"P{i}", "Gemeente Oostdam").participant for i in range(5)]
    small = (statements_for(Viewer("guest")), statements_for(Viewer("participant", participant_id=people[0].id)))
    for i in range(5, 300):
        partnerships.join_meeting(db, world.meeting_id, f"P{i}", "Gemeente Oostdam")
    large = (statements_for(Viewer("guest")), statements_for(Viewer("participant", participant_id=people[0].id)))
    assert small == large
    # Meeting with its partnership, partners, terms, the head count, the rounds, the round's count;
    # a participant also reads their own row and definition.
    assert large == (6, 8)
