"""Sorting live: the facilitator starts it, every phone gets its cards, answers stream in and the
meanings regroup on every screen; the facilitator's corrections still win."""

from __future__ import annotations

import threading

import pytest

from glossary import partnerships
from glossary.meeting import rounds

pytest.importorskip("glossary.semantics", reason="the meaning analysis package is not available")

DEFINITIONS = [
    ("Ans", "Gemeente Oostdam", "Kwaliteit is foutloos werken volgens de vastgelegde procedures en protocollen."),
    ("Bram", "Waterschap Rivierenland", "Alles gaat volgens protocol en wordt afgevinkt op de checklist; geen fouten."),
    ("Cor", "Zorggroep De Linde", "Je uiterste best doen om iets zo mooi mogelijk te maken, met vakmanschap en toewijding."),
    ("Dirk", "Gemeente Oostdam", "De moeite en energie die je erin steekt om het beste resultaat te halen, ook als het extra uren kost."),
    ("Eva", "Waterschap Rivierenland", "Hoeveel aandacht en prioriteit het bestuur eraan geeft, in tijd en geld."),
]


class Room:
    def __init__(self, app, connect):
        self.app = app
        self.facilitator = connect("facilitator")
        self.projector = connect("projector")
        self.people = [connect("participant", name, partner) for name, partner, _text in DEFINITIONS]
        self.onlooker = connect("participant", "Fleur", "Zorggroep De Linde")  # writes nothing
        self.round_id = self.facilitator.emit("start_round", {"term": "kwaliteit"})["round"]["id"]
        self.definition_ids = []
        for screen, (name, _partner, text) in zip(self.people, DEFINITIONS):
            ack = screen.emit("submit_definition", {"client_id": f"c-{name}", "text": text})
            assert ack["ok"], ack
            self.definition_ids.append(ack["definition"]["id"])
        assert self.facilitator.emit("reveal", {"round_id": self.round_id})["ok"]
        self.analysis = self.facilitator.last("analysis", timeout=60)["analysis"]
        self.background().drain()

    def background(self):
        return self.app.extensions["samenspraak.background"]

    @property
    def screens(self):
        return [self.facilitator, self.projector, *self.people, self.onlooker]

    def clear(self):
        for screen in self.screens:
            screen.clear()

    def start(self):
        self.clear()
        ack = self.facilitator.emit("start_sorting", {"round_id": self.round_id})
        assert ack["ok"], ack
        return ack


@pytest.fixture
def room(app, connect):
    return Room(app, connect)


def test_starting_deals_every_phone_its_cards_and_staff_see_the_count(room):
    ack = room.start()
    assert ack["round"]["phase"] == "sort"
    for screen in room.screens:
        assert screen.last("round")["round"]["phase"] == "sort"
    for screen, own in zip(room.people, room.definition_ids):
        mine = screen.last("my_sorting")
        ids = [card["id"] for card in mine["cards"]]
        assert mine["my_definition"]["id"] == own and own not in ids
        assert sorted(ids) == sorted(d for d in room.definition_ids if d != own)  # five people: all four others
        assert mine["answers"] == {}
    assert room.onlooker.last("my_sorting")["my_definition"] is None
    for screen in (room.facilitator, room.projector):
        assert screen.last("sorting") == {"round_id": room.round_id, "started": True, "active": True, "answers": 0, "people": 0,
                                          "corrected": False}
    assert not room.people[0].events("sorting")  # the count is for staff and projector


def _apart(room):
    """Definition ids (ints) of two authors whose definitions the analysis put in different meanings."""
    first, second = room.analysis["meanings"][0], room.analysis["meanings"][1]
    a, b = int(first["definition_ids"][0]), int(second["definition_ids"][0])
    return room.definition_ids.index(a), room.definition_ids.index(b)


def test_answers_stream_in_and_regroup_the_meanings_on_every_screen(room):
    room.start()
    big = [int(d) for d in room.analysis["meanings"][0]["definition_ids"]]
    b = int(room.analysis["meanings"][1]["definition_ids"][0])
    j = room.definition_ids.index(b)
    room.clear()
    a, i = big[0], room.definition_ids.index(big[0])
    ack = room.people[i].emit("judge_meaning", {"definition_id": b, "verdict": "same"})
    assert ack == {"ok": True, "definition_id": b, "verdict": "same"}
    assert room.projector.last("sorting")["answers"] == 1
    assert room.people[i].last("my_sorting")["answers"] == {str(b): "same"}
    assert room.people[j].emit("judge_meaning", {"definition_id": a, "verdict": "same"})["ok"]
    assert room.people[j].emit("judge_meaning", {"definition_id": a, "verdict": "same"})["ok"]  # again: still one answer
    assert room.facilitator.last("sorting") == {"round_id": room.round_id, "started": True, "active": True, "answers": 2, "people": 2,
                                                "corrected": False}
    for x in big[1:]:  # the whole meaning agrees, both ways
        assert room.people[room.definition_ids.index(x)].emit("judge_meaning", {"definition_id": b, "verdict": "same"})["ok"]
        assert room.people[j].emit("judge_meaning", {"definition_id": x, "verdict": "same"})["ok"]
    mates = [int(d) for d in room.analysis["meanings"][1]["definition_ids"][1:]]
    for x in mates:  # and b's former meaning says: something else, both ways
        assert room.people[room.definition_ids.index(x)].emit("judge_meaning", {"definition_id": b, "verdict": "different"})["ok"]
        assert room.people[j].emit("judge_meaning", {"definition_id": x, "verdict": "different"})["ok"]
    room.background().drain()
    for screen in (room.projector, room.facilitator, *room.people):
        regrouped = screen.last("analysis")["analysis"]
        where = {d: m["id"] for m in regrouped["meanings"] for d in m["definition_ids"]}
        assert where[str(a)] == where[str(b)] == room.analysis["meanings"][0]["id"] and regrouped["corrected"] is False
    assert regrouped["version"] > room.analysis["version"]
    # A reload resumes: the snapshot carries the cards and the answers.
    snapshot = room.people[j].emit("get_state")["state"]
    assert snapshot["my_sorting"]["answers"] == {**{str(x): "same" for x in big}, **{str(x): "different" for x in mates}}
    assert snapshot["sorting"]["answers"] == 2 * (len(big) + len(mates))


def test_the_facilitators_correction_wins_over_later_answers(room):
    room.start()
    i, j = _apart(room)
    first = room.analysis["meanings"][0]["id"]
    ack = room.facilitator.emit("correct_meanings", {"round_id": room.round_id, "action": "rename",
                                                     "meaning_id": first, "label": "Foutloos"})
    assert ack["ok"], ack
    room.clear()
    assert room.people[i].emit("judge_meaning", {"definition_id": room.definition_ids[j], "verdict": "same"})["ok"]
    room.background().drain()
    assert room.projector.last("sorting")["corrected"] is True
    assert not room.projector.events("analysis")  # nothing regrouped


def test_refusals(room, app, world, db):
    other = partnerships.create_meeting(db, world.facilitator_id, world.partnership_id, "Ander", ["regie"])
    other_round = rounds.start_round(db, world.facilitator_id, other.id, term="regie")
    assert "round" not in room.people[0].emit("start_sorting", {"round_id": room.round_id})
    assert not room.people[0].emit("judge_meaning", {"definition_id": room.definition_ids[1], "verdict": "same"})["ok"]  # not yet
    assert not room.facilitator.emit("start_sorting", {"round_id": other_round.id})["ok"]  # another meeting's round
    assert not room.projector.emit("start_sorting", {"round_id": room.round_id})["ok"]
    room.start()
    assert not room.facilitator.emit("judge_meaning", {"definition_id": room.definition_ids[1], "verdict": "same"})["ok"]
    refused = room.people[0].emit("judge_meaning", {"definition_id": room.definition_ids[0], "verdict": "same"})
    assert not refused["ok"] and refused["error"]
    assert not room.people[0].emit("judge_meaning", {"definition_id": room.definition_ids[1], "verdict": "ja"})["ok"]
    assert not room.onlooker.emit("judge_meaning", {"definition_id": room.definition_ids[1], "verdict": "same"})["ok"]
    assert not room.facilitator.emit("end_sorting", {"round_id": other_round.id})["ok"]
    assert not room.facilitator.emit("reopen", {"round_id": room.round_id})["ok"]  # only from the reveal


def test_ending_returns_to_the_reveal_and_the_discussion_can_start_from_either(room):
    room.start()
    ack = room.facilitator.emit("end_sorting", {"round_id": room.round_id})
    assert ack["ok"] and ack["round"]["phase"] == "reveal"
    assert room.projector.last("sorting")["active"] is False
    assert room.people[1].last("round")["round"]["phase"] == "reveal"
    assert not room.people[1].emit("judge_meaning", {"definition_id": room.definition_ids[0], "verdict": "same"})["ok"]
    room.start()  # again: same cards
    assert room.facilitator.emit("start_discussion", {"round_id": room.round_id})["round"]["phase"] == "discuss"


def test_regrouping_is_coalesced_never_one_run_per_answer(app, world):
    background = app.extensions["samenspraak.background"]
    release = threading.Event()
    background.analysis.submit(release.wait)  # the analysis thread is busy
    first = background.regroup_and_announce(12345, world.meeting_id)
    assert first is not None
    assert background.regroup_and_announce(12345, world.meeting_id) is None  # rides along
    assert background.regroup_and_announce(12345, world.meeting_id) is None
    release.set()
    first.result(timeout=60)  # the round does not exist: the run ends quietly
    assert background.regroup_and_announce(12345, world.meeting_id) is not None  # later answers: one more run
    background.drain()
