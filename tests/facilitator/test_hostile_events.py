"""Hostile input over Socket.IO: every event of /meeting gets junk from hypothesis — wrong types,
missing and extra fields, None, nested junk, huge strings and lists, unicode edge cases,
negative and huge numbers — from the role that may send it, in the phase where it matters.

Every answer must be the documented ack (a readable refusal, never the catch-all server error
or exception text), and afterwards the meeting must still work: the state is readable and a
valid action succeeds. The list of fuzzed events is checked against the namespace's handlers,
so a new handler cannot go unfuzzed.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
from flask_socketio import Namespace
from hypothesis import example, given
from hypothesis import strategies as st

from facilitator.events import MeetingNamespace
from tests.facilitator.conftest import NS
from tests.facilitator.hostile import EVENT_LIMITS, FUZZ, JOIN_LIMITS, assert_ack, assert_readable_refusal, integers, junk, texts, without_limits

PEOPLE = [
    ("Ans", "Gemeente Oostdam", "Foutloos werken volgens de vastgelegde procedures."),
    ("Bram", "Waterschap Rivierenland", "Elke stap afvinken op de checklist, zonder fouten."),
    ("Cor", "Zorggroep De Linde", "Je uiterste best doen om iets zo goed mogelijk te maken."),
    ("Dirk", "Gemeente Oostdam", "Met toewijding blijven schaven tot je er trots op bent."),
]

# event -> (who may send it, the phase in which it is fuzzed, the payload's documented fields)
EVENTS = {
    "join": ("guest", "collect", ["name", "partner"]),
    "get_state": ("participant", "collect", []),
    "submit_definition": ("participant", "collect", ["client_id", "text", "example", "observable", "round_id"]),
    "start_round": ("facilitator", "collect", ["term_id", "term"]),
    "reveal": ("facilitator", "collect", ["round_id", "anonymity"]),
    "close_round": ("facilitator", "collect", ["round_id"]),
    "update_terms": ("facilitator", "collect", ["terms"]),
    "lock_round": ("facilitator", "collect", ["round_id", "locked"]),
    "set_timer": ("facilitator", "collect", ["round_id", "seconds"]),
    "restart_round": ("facilitator", "collect", ["round_id"]),
    "nudge": ("facilitator", "collect", ["round_id"]),
    "reopen": ("facilitator", "reveal", ["round_id"]),
    "correct_meanings": ("facilitator", "reveal",
                         ["round_id", "action", "definition_id", "meaning_id", "meaning_ids", "definition_ids", "label"]),
    "start_discussion": ("facilitator", "reveal", ["round_id"]),
    "start_sorting": ("facilitator", "reveal", ["round_id"]),
    "get_definitions": ("participant", "reveal", ["round_id", "meaning_id", "query", "offset", "limit"]),
    "judge_meaning": ("participant", "sort", ["definition_id", "verdict"]),
    "end_sorting": ("facilitator", "sort", ["round_id"]),
    "react": ("participant", "discuss", ["definition_id", "kind"]),
    "ask_question": ("participant", "discuss", ["definition_id", "text"]),
    "answer_question": ("participant", "discuss", ["question_id", "text"]),
    "start_listening_check": ("facilitator", "discuss", ["round_id"]),
    "restate": ("participant", "discuss", ["text"]),
    "judge_restatement": ("participant", "discuss", ["restatement_id", "verdict"]),
    "assemble_draft": ("facilitator", "discuss", ["round_id"]),
    "check_draft": ("facilitator", "discuss", ["round_id", "text"]),
    "share_draft": ("facilitator", "discuss", ["round_id", "text"]),
    "show_questions": ("facilitator", "discuss", ["round_id", "shown"]),
    "propose": ("facilitator", "discuss", ["round_id", "text", "scope", "examples"]),
    "vote": ("participant", "consent", ["proposal_id", "choice", "reason"]),
    "adopt": ("facilitator", "consent", ["round_id", "override_reason", "not_to_confuse_with", "condition_ids"]),
}
ROLES = ("facilitator", "projector", "participant", "guest")
# Events that more roles than the one fuzzed above may send (get_state: everyone).
ALSO_ALLOWED = {"get_state": set(ROLES), "get_definitions": {"facilitator", "projector", "participant"}}


def handled_events() -> set[str]:
    inherited = set(dir(Namespace))
    return {name[3:] for name in dir(MeetingNamespace)
            if name.startswith("on_") and name not in inherited and name not in ("on_connect", "on_disconnect")}


def test_every_event_handler_is_fuzzed():
    assert handled_events() == set(EVENTS), "add the new event to EVENTS (and to docs/protocol.md)"


@pytest.fixture
def app(app):
    # Fuzzing sends far more events than a person: the flood and guessing limits have their own tests.
    return without_limits(app, *EVENT_LIMITS, *JOIN_LIMITS)


class Room:
    """A meeting with a facilitator, a projector, four participants and a guest, brought into a
    phase with valid actions only; ``ids`` are the real ids a fuzzer may mix into its junk."""

    def __init__(self, connect, app):
        self.connect, self.app = connect, app
        self.facilitator = connect("facilitator")
        self.projector = connect("projector")
        self.people = [connect("participant", name, partner) for name, partner, _ in PEOPLE]
        self.guest = connect("guest")
        self.serial = itertools.count()
        self.ids: dict[str, list] = {}

    def ok(self, screen, event, payload=None):
        ack = screen.emit(event, payload or {})
        assert isinstance(ack, dict) and ack.get("ok") is True, (event, payload, ack)
        return ack

    def state(self, screen=None):
        return self.ok(screen or self.facilitator, "get_state")["state"]

    def wait_for_background(self):
        # One worker thread: a no-op queued behind the analysis finishes after it.
        self.app.extensions["samenspraak.background"].drain(timeout=120)

    def drive(self, phase: str, state: dict | None = None) -> None:
        """Bring the open round into ``phase`` (closing whatever the fuzzer left behind)."""
        state = state or self.state()
        round_ = state["round"]
        if not (round_ and round_["phase"] == phase and not round_["locked"] and self.ids.get("round_id") == [round_["id"]]):
            if round_:
                self.ok(self.facilitator, "close_round", {"round_id": round_["id"]})
            round_id = self.ok(self.facilitator, "start_round", {"term": "kwaliteit"})["round"]["id"]
            self.ids = {"round_id": [round_id], "definition_id": []}
            for person, (_name, _partner, text) in zip(self.people, PEOPLE):
                ack = self.ok(person, "submit_definition", {"client_id": uuid.uuid4().hex, "text": text})
                self.ids["definition_id"].append(ack["definition"]["id"])
            if phase != "collect":
                self.ok(self.facilitator, "reveal", {"round_id": round_id})
                self.wait_for_background()
                analysis = self.state()["analysis"]
                assert analysis and analysis.get("meanings"), analysis
                self.ids["meaning_id"] = [m["id"] for m in analysis["meanings"]]
            if phase == "sort":
                self.ok(self.facilitator, "start_sorting", {"round_id": round_id})
            if phase in ("discuss", "consent"):
                self.ok(self.facilitator, "start_discussion", {"round_id": round_id})
                asked = self.ok(self.people[1], "ask_question", {"definition_id": self.ids["definition_id"][0], "text": "Welke?"})
                self.ids["question_id"] = [asked["question_id"]]
                self.ok(self.facilitator, "start_listening_check", {"round_id": round_id})
                self.ids["restatement_id"] = []
                for person in self.people:
                    self.ok(person, "restate", {"text": "Netjes en zonder fouten werken."})
                    mine = self.state(person)["my_discussion"]["my_restatement"]
                    self.ids["restatement_id"].append(mine["id"])
            if phase == "consent":
                proposal = self.ok(self.facilitator, "propose", {"round_id": round_id, "text": "Foutloos en met zorg werken."})
                self.ids["proposal_id"] = [proposal["proposal"]["id"]]
        self.ids["term_id"] = [t["id"] for t in state["meeting"]["terms"]]

    def still_works(self, phase: str) -> None:
        """After junk: every screen reads its state, the phase holds or is restored with valid
        actions, and a valid action of the phase succeeds."""
        state = self.state()
        assert self.state(self.people[0])["me"]["name"] == PEOPLE[0][0]
        if len(state["participants"]) > len(self.people) and self.state(self.guest)["role"] != "guest":
            self.guest = self.connect("guest")  # the fuzzer joined with it: take a fresh guest
        self.drive(phase, state)
        round_id = self.ids["round_id"][0]
        self.ok(self.facilitator, "set_timer", {"round_id": round_id, "seconds": 0})
        last = self.people[-1]
        if phase == "collect":
            self.ok(last, "submit_definition", {"client_id": uuid.uuid4().hex, "text": PEOPLE[-1][2]})
        elif phase == "sort":
            self.ok(last, "judge_meaning", {"definition_id": self.ids["definition_id"][0], "verdict": "same"})
        elif phase == "discuss":
            self.ok(last, "react", {"definition_id": self.ids["definition_id"][0], "kind": "eens"})
        elif phase == "consent":
            self.ok(last, "vote", {"proposal_id": self.ids["proposal_id"][0], "choice": "akkoord"})

    def sender(self, role: str):
        return {"facilitator": self.facilitator, "projector": self.projector, "participant": self.people[0],
                "guest": self.guest}[role]


@pytest.fixture
def rooms(connect, app):
    made: dict[str, Room] = {}

    def room_in(phase: str) -> Room:
        if phase not in made:
            made[phase] = Room(connect, app)
            made[phase].drive(phase)
        return made[phase]

    return room_in


# Valid values per field, so that junk in one field meets real values in the others.
GOOD = {
    "name": ["Eva", "Femke van Dijk"], "partner": ["Gemeente Oostdam", "Hogeschool Noord"],
    "client_id": ["c-1", "x" * 64], "text": ["Iets zinnigs.", "x" * 1000], "example": ["Bijvoorbeeld dit."],
    "observable": ["Dat merk je."], "term": ["kwaliteit", "regie", "vertrouwen"], "anonymity": ["named", "hide_people", "hide_all"],
    "terms": [["kwaliteit", "regie"], ["kwaliteit"] * 31], "locked": [True, False], "seconds": [0, 60, 3600, 3601],
    "action": ["move", "merge", "split", "rename"], "label": ["Procedures", ""], "kind": ["herken", "eens", "oneens", "pas", None],
    "verdict": ["klopt", "deels", "nee", "same", "different", "unsure"], "scope": ["In de zorg."], "examples": [["Een voorbeeld."], []],
    "choice": ["akkoord", "leven", "bezwaar"], "reason": ["Omdat.", ""], "override_reason": ["Het moet door.", None],
    "condition_ids": [["1.1"], ["9.9"]],
}


def field_value(draw, room: Room, name: str):
    real = room.ids.get(name) or room.ids.get(name.removesuffix("s")) or []
    if name in ("definition_ids", "meaning_ids", "not_to_confuse_with"):
        pool = room.ids.get("definition_id" if name == "definition_ids" else "meaning_id", [])
        real = [list(pool), list(pool[:1]), [str(x) for x in pool], pool[:1] * 2] if pool else []
    choices = [junk()]
    if real:
        choices.append(st.sampled_from(real))
    if name in GOOD:
        choices.append(st.sampled_from(GOOD[name]))
    if name.endswith("_id") or name == "seconds":
        choices.append(integers())
    return draw(st.one_of(*choices))


@st.composite
def payloads(draw, room: Room, fields: list[str]):
    """An object with some of the event's fields (junk or real) and maybe extra keys — or no
    object at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(junk().filter(lambda v: not isinstance(v, dict)))
    payload = {name: field_value(draw, room, name) for name in fields if draw(st.booleans()) or draw(st.booleans())}
    if draw(st.integers(0, 3)) == 0:
        payload.update(draw(st.dictionaries(texts(12), junk(), max_size=3)))
    if "meaning_id" in fields and draw(st.booleans()):
        payload["meaning_id"] = draw(st.sampled_from([*room.ids.get("meaning_id", []), "new"]) | junk())
    return payload


def send(screen, event: str, args: tuple):
    """Emit with an ack and any number of arguments (none, one, or more than the protocol has)."""
    return screen.client.emit(event, *args, namespace=NS, callback=True)


@pytest.mark.parametrize("event", sorted(EVENTS))
@FUZZ
@given(data=st.data())
def test_junk_payloads_get_an_error_ack_and_the_meeting_keeps_working(rooms, event, data):
    role, phase, fields = EVENTS[event]
    room = rooms(phase)
    screen = room.sender(role)
    payload = data.draw(payloads(room, fields), label="payload")
    arity = data.draw(st.sampled_from([1, 1, 1, 0, 2]), label="arguments")
    args = () if arity == 0 else (payload,) if arity == 1 else (payload, data.draw(junk(), label="extra"))
    ack = send(screen, event, args)
    assert_ack(ack, (event, payload))
    room.still_works(phase)


def test_only_the_right_role_may_send_each_event(rooms):
    room = rooms("reveal")
    before = [s.drain()[:] for s in room.people]
    for event, (role_allowed, _phase, _fields) in sorted(EVENTS.items()):
        allowed = ALSO_ALLOWED.get(event, {role_allowed})
        for role in set(ROLES) - allowed:
            ack = room.sender(role).emit(event, {"round_id": room.ids["round_id"][0], "text": "x", "term": "x", "terms": ["x"]})
            assert ack["ok"] is False, (role, event, ack)
            assert_readable_refusal(ack["error"], (role, event))
    # A refused action is announced to nobody.
    assert [s.drain() for s in room.people] == before
    room.still_works("reveal")


@FUZZ
# A bare number as auth is left out: python-socketio's packet format reads its digits as a packet
# id, so such a CONNECT packet cannot be decoded at all (it is dropped before the app sees it).
@given(auth=junk(binary=False).filter(lambda a: not isinstance(a, (int, float)) or isinstance(a, bool)) | st.fixed_dictionaries({}, optional={
    "meeting": junk(binary=False) | st.just("CODE"),
    "view": junk(binary=False) | st.sampled_from(["participant", "facilitator", "projector"]),
    "token": junk(binary=False), "api_token": junk(binary=False) | st.just("ssp_\ud800")}))
@example(auth={"meeting": "ABC\ud800DE"})
@example(auth={"meeting": "ABC\x00DE"})
@example(auth={"meeting": "CODE", "token": "x\ud800"})
@example(auth={"meeting": "CODE", "view": "facilitator", "api_token": "ssp_\ud800"})
def test_junk_connection_auth_is_refused_or_a_guest(app, socketio, world, auth):
    if isinstance(auth, dict) and auth.get("meeting") == "CODE":
        auth = {**auth, "meeting": world.code}
    client = socketio.test_client(app, namespace=NS, auth=auth)
    if client.is_connected(NS):
        ack = client.emit("get_state", {}, namespace=NS, callback=True)
        assert ack["ok"] and ack["state"]["role"] == "guest", (auth, ack)
        client.disconnect(NS)
    good = socketio.test_client(app, namespace=NS, auth={"meeting": world.code})
    assert good.emit("get_state", {}, namespace=NS, callback=True)["ok"]
    good.disconnect(NS)


ID_FIELDS = {"reveal": "round_id", "reopen": "round_id", "close_round": "round_id", "lock_round": "round_id",
             "set_timer": "round_id", "restart_round": "round_id", "nudge": "round_id", "correct_meanings": "round_id",
             "start_discussion": "round_id", "start_listening_check": "round_id", "assemble_draft": "round_id",
             "check_draft": "round_id", "share_draft": "round_id", "show_questions": "round_id", "propose": "round_id", "adopt": "round_id", "react": "definition_id",
             "ask_question": "definition_id", "answer_question": "question_id", "judge_restatement": "restatement_id"}


@pytest.mark.parametrize("number", [0, -1, 2**31, 2**63, 2**64, -(2**63) - 1])
def test_ids_outside_the_database_range_are_refused_not_a_server_error(rooms, number):
    room = rooms("discuss")
    for event, field in ID_FIELDS.items():
        screen = room.sender(EVENTS[event][0])
        ack = screen.emit(event, {field: number, "text": "Iets.", "action": "rename", "seconds": 0, "locked": True,
                                  "kind": "eens", "verdict": "klopt"})
        assert ack["ok"] is False, (event, ack)
        assert_readable_refusal(ack["error"], (event, number))
    room.still_works("discuss")


@pytest.mark.parametrize("junk_item", [{}, [], None, 1])
def test_adopt_refuses_meanings_that_are_not_meaning_ids(rooms, junk_item):
    room = rooms("consent")
    room.ok(room.people[0], "vote", {"proposal_id": room.ids["proposal_id"][0], "choice": "akkoord"})
    ack = room.facilitator.emit("adopt", {"round_id": room.ids["round_id"][0], "not_to_confuse_with": [junk_item]})
    assert ack["ok"] is False
    assert_readable_refusal(ack["error"])
    room.still_works("consent")


def test_nobody_reaches_another_meeting_or_partnership_over_the_socket(rooms, app, socketio, db, world, connect):
    """A rejoin token, an API token or an id of another meeting opens nothing there."""
    from glossary import accounts, partnerships
    from tests.conftest import PASSWORD

    room = rooms("discuss")
    otto = accounts.create_facilitator(db, "otto", PASSWORD)
    otto_token = accounts.create_api_token(db, "otto", "x")[1]
    elsewhere = partnerships.create_partnership(db, otto.id, "Elders", ["Gemeente Oostdam"])
    other = partnerships.create_meeting(db, otto.id, elsewhere.id, "Andere", ["regie"])
    ans_token = partnerships.join_meeting(db, world.meeting_id, "Eva", "Gemeente Oostdam").rejoin_token
    # A participant's token of this meeting makes a guest in another one.
    visitor = socketio.test_client(app, namespace=NS, auth={"meeting": other.join_code, "token": ans_token})
    state = visitor.emit("get_state", {}, namespace=NS, callback=True)["state"]
    assert state["role"] == "guest" and "definitions" not in state
    # A facilitator of another partnership is refused as facilitator and as projector.
    for view in ("facilitator", "projector"):
        stranger = socketio.test_client(app, namespace=NS, auth={"meeting": world.code, "view": view, "api_token": otto_token})
        assert not stranger.is_connected(NS)
    # The facilitator of the other meeting cannot act on this meeting's round; its participant cannot touch its definitions.
    other_facilitator = connect("facilitator", code=other.join_code, http=app.test_client(), auth={"api_token": otto_token})
    other_person = connect("participant", "Fenna", "Gemeente Oostdam", code=other.join_code)
    round_id, definition_id = room.ids["round_id"][0], room.ids["definition_id"][0]
    assert other_facilitator.emit("start_round", {"term": "regie"})["ok"]
    for event in ("close_round", "propose", "start_listening_check", "reveal", "adopt"):
        ack = other_facilitator.emit(event, {"round_id": round_id, "text": "x"})
        assert ack["ok"] is False, (event, ack)
    for event, payload in (("react", {"definition_id": definition_id, "kind": "eens"}),
                           ("ask_question", {"definition_id": definition_id, "text": "x"}),
                           ("answer_question", {"question_id": room.ids["question_id"][0], "text": "x"}),
                           ("judge_restatement", {"restatement_id": room.ids["restatement_id"][0], "verdict": "klopt"}),
                           ("submit_definition", {"client_id": "z", "text": "x", "round_id": round_id})):
        ack = other_person.emit(event, payload)
        assert ack["ok"] is False, (event, ack)
    assert room.state()["round"]["phase"] == "discuss"
    assert "Fenna" not in repr(room.state())
    room.still_works("discuss")
