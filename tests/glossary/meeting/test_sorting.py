"""Sorting by the room: cards dealt once, the rules of answering, and the live regrouping
(with the facilitator's corrections having the last word). No sockets here."""

from __future__ import annotations

import pytest

from glossary import partnerships
from glossary.errors import Conflict, InvalidInput, NotFound
from glossary.meeting import consent, meanings, rounds, sorting
from glossary.meeting.state import timer_payload
from glossary.models import SortJudgement

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")

PARTNERS = ["Gemeente Oostdam", "Waterschap Rivierenland", "Zorggroep De Linde"]
TEXTS = [
    "Foutloos werken volgens de vastgelegde procedures.",
    "Alles volgens protocol afvinken op de checklist.",
    "Geen fouten maken en de regels precies volgen.",
    "Je uiterste best doen, met vakmanschap en toewijding.",
    "De moeite die je erin steekt om het mooiste resultaat te halen.",
    "Hoeveel aandacht en prioriteit iets krijgt in de organisatie.",
    "Dat het bestuur er tijd en geld voor vrijmaakt.",
    "Met liefde en zorg iets zo goed mogelijk maken.",
]


class Room:
    def __init__(self, db, world, count=len(TEXTS)):
        self.round = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
        self.people = []
        for n, text in enumerate(TEXTS[:count]):
            person = partnerships.join_meeting(db, world.meeting_id, f"P{n}", PARTNERS[n % 3]).participant
            rounds.submit_definition(db, person.id, client_id=f"c{n}", text=text)
            self.people.append(person.id)
        self.spectator = partnerships.join_meeting(db, world.meeting_id, "Kijker", PARTNERS[0]).participant.id
        rounds.reveal_round(db, world.facilitator_id, self.round.id)
        meanings.analyse_round(db, self.round.id)
        self.definition_of = {d.participant_id: d.id for d in self.round.definitions}


@pytest.fixture
def room(db, world):
    return Room(db, world)


def test_cards_are_dealt_once_never_ones_own_and_cover_the_round(db, world, room):
    round_ = sorting.start_sorting(db, world.facilitator_id, room.round.id, meeting_id=world.meeting_id)
    assert round_.phase == "sort"
    dealt = {p: sorting.my_sorting(db, round_, p) for p in room.people}
    shown = set()
    for person, part in dealt.items():
        ids = [c["id"] for c in part["cards"]]
        assert len(ids) == sorting.CARDS_PER_PERSON == len(set(ids))
        assert room.definition_of[person] not in ids
        assert part["my_definition"]["id"] == room.definition_of[person]
        shown.update(ids)
    assert shown == set(room.definition_of.values())
    # Answers, ending and starting again: nobody's cards shift.
    sorting.judge(db, room.people[0], dealt[room.people[0]]["cards"][0]["id"], "same")
    sorting.end_sorting(db, world.facilitator_id, room.round.id)
    again = sorting.start_sorting(db, world.facilitator_id, room.round.id)
    assert {p: [c["id"] for c in sorting.my_sorting(db, again, p)["cards"]] for p in room.people} == {
        p: [c["id"] for c in part["cards"]] for p, part in dealt.items()}
    assert sorting.my_sorting(db, again, room.spectator)["cards"] == []


def test_answering_rules_and_refusals(db, world, room):
    me, other = room.people[0], room.definition_of[room.people[1]]
    with pytest.raises(Conflict):
        sorting.judge(db, me, other, "same")  # not sorting yet
    sorting.start_sorting(db, world.facilitator_id, room.round.id)
    with pytest.raises(InvalidInput):
        sorting.judge(db, me, other, "misschien")
    with pytest.raises(InvalidInput):
        sorting.judge(db, me, room.definition_of[me], "same")
    with pytest.raises(NotFound):
        sorting.judge(db, me, 999_999, "same")
    with pytest.raises(Conflict):
        sorting.judge(db, room.spectator, other, "same")  # wrote nothing to compare with
    sorting.judge(db, me, other, "same")
    sorting.judge(db, me, other, "different")  # answering again changes the answer
    sorting.judge(db, room.people[2], other, "unsure")
    rows = db.query(SortJudgement).filter_by(other_definition_id=other).all()
    assert sorted(r.verdict for r in rows) == ["different", "unsure"]
    assert sorting.judgements_of(db, room.round.id) == [
        {"by": str(room.definition_of[me]), "same": [], "different": [str(other)]}]
    progress = sorting.sorting_progress(db, room.round)
    assert (progress["answers"], progress["people"], progress["active"]) == (2, 2, True)
    assert sorting.my_sorting(db, room.round, me)["answers"] == {str(other): "different"}
    with pytest.raises(Conflict):
        sorting.start_sorting(db, world.facilitator_id, room.round.id)  # already sorting
    sorting.end_sorting(db, world.facilitator_id, room.round.id)
    with pytest.raises(Conflict):
        sorting.judge(db, me, other, "same")  # ended
    with pytest.raises(Conflict):
        sorting.end_sorting(db, world.facilitator_id, room.round.id)


def test_sorting_belongs_to_the_meeting_and_needs_two_definitions(db, world):
    room = Room(db, world, count=1)
    with pytest.raises(NotFound):
        sorting.start_sorting(db, world.facilitator_id, room.round.id, meeting_id=world.meeting_id + 1)
    with pytest.raises(Conflict):
        sorting.start_sorting(db, world.facilitator_id, room.round.id)


def _apart(result):
    """Two definitions that the analysis put in different meanings, and their meanings."""
    groups = result["meanings"]
    first, second = groups[0], groups[1]
    return first, second


def _join(db, room, big, small):
    """The room says: the first definition of ``small`` means what every definition of ``big``
    means, and something else than the rest of ``small`` (both ways). Returns its id."""
    author = {v: k for k, v in room.definition_of.items()}
    b = int(small["definition_ids"][0])
    for x in map(int, big["definition_ids"]):
        sorting.judge(db, author[x], b, "same")
        sorting.judge(db, author[b], x, "same")
    for x in map(int, small["definition_ids"][1:]):
        sorting.judge(db, author[x], b, "different")
        sorting.judge(db, author[b], x, "different")
    return b


def test_the_answers_regroup_the_meanings_with_stable_ids(db, world, room):
    before = meanings.find_analysis(db, room.round.id).result
    assert len(before["meanings"]) >= 2
    big, small = _apart(before)
    sorting.start_sorting(db, world.facilitator_id, room.round.id)
    assert sorting.regroup(db, room.round.id) is None  # no answers yet: nothing changes
    b = _join(db, room, big, small)
    after = sorting.regroup(db, room.round.id)
    assert after is not None and not after.corrected and after.version == 2
    where = meanings.meaning_of(after.result)
    assert where[b] == big["id"]  # b joined the big meaning, which keeps its id
    order = [m["id"] for m in before["meanings"]]
    kept = [m["id"] for m in after.result["meanings"] if m["id"] in order]
    assert kept == sorted(kept, key=order.index)  # and the meanings that stay keep their places
    assert all(where[int(x)] == big["id"] for x in big["definition_ids"])
    previous_ids = {frozenset(m["definition_ids"]): m["id"] for m in before["meanings"]}
    for meaning in after.result["meanings"]:  # meanings the answers did not touch keep their ids
        if frozenset(meaning["definition_ids"]) in previous_ids:
            assert meaning["id"] == previous_ids[frozenset(meaning["definition_ids"])]
    assert sorted(d for m in after.result["meanings"] for d in m["definition_ids"]) == sorted(
        str(d) for d in room.definition_of.values())


def test_the_facilitators_correction_wins_over_later_answers(db, world, room):
    before = meanings.find_analysis(db, room.round.id).result
    big, small = _apart(before)
    sorting.start_sorting(db, world.facilitator_id, room.round.id)
    renamed = meanings.correct_meanings(db, world.facilitator_id, room.round.id, "rename",
                                        {"meaning_id": big["id"], "label": "Foutloos"})
    b = _join(db, room, big, small)
    assert sorting.regroup(db, room.round.id) is None
    now = meanings.find_analysis(db, room.round.id)
    assert now.version == renamed.version and now.corrected
    assert meanings.meaning_of(now.result)[b] == small["id"]
    assert sorting.sorting_progress(db, room.round)["corrected"] is True


def test_label_overrides_follow_their_ids_when_regrouping(db, world, room):
    before = meanings.find_analysis(db, room.round.id)
    big, small = _apart(before.result)
    # A label given before sorting (stored as an override) is kept by id; the analysis is then
    # marked uncorrected again only by a new reveal, so set the override directly here.
    before.result = {**before.result, "label_overrides": {big["id"]: "Foutloos"}}
    db.commit()
    sorting.start_sorting(db, world.facilitator_id, room.round.id)
    _join(db, room, big, small)
    after = sorting.regroup(db, room.round.id)
    kept = next(m for m in after.result["meanings"] if m["id"] == big["id"])
    assert kept["label"] == "Foutloos" and after.result["label_overrides"] == {big["id"]: "Foutloos"}


def test_matching_meanings_by_overlap_keeps_ids():
    previous = [{"id": "m1", "definition_ids": ["1", "2", "3"]}, {"id": "m2", "definition_ids": ["4", "5"]},
                {"id": "m3", "definition_ids": ["6"]}]
    merged = [{"id": "m1", "definition_ids": ["4", "5", "6"]}, {"id": "m2", "definition_ids": ["1", "2"]},
              {"id": "m3", "definition_ids": ["3"]}]
    assert meanings.matched_ids(previous, merged) == {"m1": "m2", "m2": "m1", "m3": "m4"}


def test_discussion_can_start_straight_from_sorting(db, world, room):
    sorting.start_sorting(db, world.facilitator_id, room.round.id)
    assert consent.start_discussion(db, world.facilitator_id, room.round.id).phase == "discuss"


def test_the_timer_works_while_sorting_and_ends_with_it(db, world, room):
    sorting.start_sorting(db, world.facilitator_id, room.round.id)
    timed = rounds.set_timer(db, world.facilitator_id, room.round.id, 120)
    assert timed.timer_phase == "sort"
    back = sorting.end_sorting(db, world.facilitator_id, room.round.id)
    assert back.phase == "reveal" and timer_payload(back) is None
