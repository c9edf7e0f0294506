"""The rules of a definition round, without Flask or sockets."""

from __future__ import annotations

import uuid

import pytest

from glossary import partnerships
from glossary.errors import Conflict, Forbidden, InvalidInput, NotFound
from glossary.meeting import rounds, state
from glossary.meeting.state import Viewer


def join(db, world, name, partner):
    return partnerships.join_meeting(db, world.meeting_id, name, partner).participant


@pytest.fixture
def people(db, world):
    return [
        join(db, world, "Ans", "Gemeente Oostdam"),
        join(db, world, "Bram", "Waterschap Rivierenland"),
        join(db, world, "Cor", "Zorggroep De Linde"),
    ]


def start(db, world, term="kwaliteit"):
    return rounds.start_round(db, world.facilitator_id, world.meeting_id, term=term)


def submit(db, participant, text, client_id=None, **extra):
    return rounds.submit_definition(db, participant.id, client_id=client_id or uuid.uuid4().hex, text=text, **extra)


def test_round_starts_collecting_for_a_listed_term(db, world):
    meeting = partnerships.require_meeting(db, world.meeting_id)
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term_id=meeting.terms[1].id)
    assert (round_.term, round_.phase) == ("regie", "collect")


def test_a_new_term_is_added_to_the_meeting_list(db, world):
    start(db, world, "eigenaarschap")
    meeting = partnerships.require_meeting(db, world.meeting_id)
    assert [t.text for t in meeting.terms] == ["kwaliteit", "regie", "eigenaarschap"]


def test_only_one_round_open_at_a_time(db, world):
    start(db, world)
    with pytest.raises(Conflict, match="loopt nog"):
        start(db, world, "regie")


def test_only_the_meetings_facilitator_starts_rounds(db, world):
    from glossary import accounts

    other = accounts.create_facilitator(db, "otto", "another password", "Otto")
    with pytest.raises(Forbidden):
        rounds.start_round(db, other.id, world.meeting_id, term="kwaliteit")


def test_definition_is_stored_and_changeable_until_reveal(db, world, people):
    round_ = start(db, world)
    submit(db, people[0], "Foutloos werken volgens protocol.")
    submit(db, people[0], "Foutloos werken, volgens de afspraken.", example="Checklist", observable="Geen klachten")
    db.expire_all()
    [definition] = rounds.require_round(db, round_.id).definitions
    assert definition.text == "Foutloos werken, volgens de afspraken."
    assert (definition.example, definition.observable) == ("Checklist", "Geen klachten")


def test_resent_client_id_stores_nothing_new(db, world, people):
    round_ = start(db, world)
    first = submit(db, people[0], "Eerste versie", client_id="abc")
    again = submit(db, people[0], "Eerste versie", client_id="abc")
    assert again.stored is False and again.definition.id == first.definition.id
    later = submit(db, people[0], "Tweede versie", client_id="def")
    stale = submit(db, people[0], "Eerste versie", client_id="abc")
    db.expire_all()
    assert stale.stored is False
    assert [d.text for d in rounds.require_round(db, round_.id).definitions] == ["Tweede versie"]
    assert later.stored


@pytest.mark.parametrize(
    "text, message",
    [("", "Vul het veld"), ("   ", "Vul het veld"), ("x" * 1001, "te lang"), (42, "moet tekst zijn")],
)
def test_bad_definitions_are_refused_with_a_reason(db, world, people, text, message):
    start(db, world)
    with pytest.raises(InvalidInput, match=message):
        rounds.submit_definition(db, people[0].id, client_id="z", text=text)


def test_a_definition_of_exactly_1000_characters_is_accepted(db, world, people):
    start(db, world)
    assert len(submit(db, people[0], "a" * 1000).definition.text) == 1000


def test_client_id_is_required(db, world, people):
    start(db, world)
    with pytest.raises(InvalidInput, match="client_id"):
        rounds.submit_definition(db, people[0].id, client_id="", text="iets")


def test_no_submissions_outside_collecting(db, world, people):
    with pytest.raises(Conflict, match="afgesloten"):
        submit(db, people[0], "Te vroeg")
    round_ = start(db, world)
    submit(db, people[0], "Op tijd")
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    with pytest.raises(Conflict, match="onthuld"):
        submit(db, people[0], "Te laat")


def test_before_reveal_nobody_sees_anothers_text(db, world, people):
    round_ = start(db, world)
    submit(db, people[0], "Geheim van Ans")
    submit(db, people[1], "Geheim van Bram")
    meeting = partnerships.require_meeting(db, world.meeting_id)
    for viewer in (
        Viewer("participant", participant_id=people[1].id),
        Viewer("participant", participant_id=people[2].id),
        Viewer("facilitator", facilitator_id=world.facilitator_id),
        Viewer("projector", facilitator_id=world.facilitator_id),
        Viewer("guest"),
    ):
        snapshot = state.meeting_state(db, meeting, viewer)
        assert "Geheim van Ans" not in repr(snapshot)
        assert "definitions" not in snapshot
    own = state.meeting_state(db, meeting, Viewer("participant", participant_id=people[0].id))
    assert own["my_definition"]["text"] == "Geheim van Ans"
    assert "Geheim van Bram" not in repr(own)
    with pytest.raises(Conflict):
        rounds.revealed_definitions(db, round_)


def test_staff_see_who_has_not_submitted_participants_only_counts(db, world, people):
    start(db, world)
    submit(db, people[0], "Iets")
    meeting = partnerships.require_meeting(db, world.meeting_id)
    staff = state.meeting_state(db, meeting, Viewer("facilitator", facilitator_id=world.facilitator_id))
    assert staff["progress"]["submitted"] == 1 and staff["progress"]["total"] == 3
    assert [p["name"] for p in staff["progress"]["waiting"]] == ["Bram", "Cor"]
    participant = state.meeting_state(db, meeting, Viewer("participant", participant_id=people[1].id))
    assert participant["progress"] == {"round_id": staff["round"]["id"], "submitted": 1, "total": 3}


@pytest.mark.parametrize(
    "anonymity, author, partner",
    [("named", "Ans", "Gemeente Oostdam"), ("hide_people", None, "Gemeente Oostdam"), ("hide_all", None, None)],
)
def test_reveal_shows_everything_at_once_with_chosen_anonymity(db, world, people, anonymity, author, partner):
    round_ = start(db, world)
    submit(db, people[0], "Foutloos werken")
    submit(db, people[1], "Je best doen")
    rounds.reveal_round(db, world.facilitator_id, round_.id, anonymity)
    definitions = rounds.revealed_definitions(db, round_)
    assert [d["text"] for d in definitions] == ["Foutloos werken", "Je best doen"]
    assert (definitions[0]["author"], definitions[0]["partner"]) == (author, partner)


def test_reveal_needs_at_least_one_definition(db, world):
    round_ = start(db, world)
    with pytest.raises(Conflict, match="nog geen enkele definitie"):
        rounds.reveal_round(db, world.facilitator_id, round_.id)


def test_reopen_makes_texts_private_again_and_allows_changes(db, world, people):
    round_ = start(db, world)
    submit(db, people[0], "Eerst")
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    rounds.reopen_collecting(db, world.facilitator_id, round_.id)
    meeting = partnerships.require_meeting(db, world.meeting_id)
    assert "definitions" not in state.meeting_state(db, meeting, Viewer("participant", participant_id=people[1].id))
    submit(db, people[0], "Daarna")
    assert rounds.require_round(db, round_.id).phase == "collect"


def test_closed_round_frees_the_meeting_for_the_next_term(db, world, people):
    round_ = start(db, world)
    rounds.close_round(db, world.facilitator_id, round_.id)
    assert rounds.current_round(db, world.meeting_id) is None
    assert start(db, world, "regie").term == "regie"
    with pytest.raises(Conflict):
        rounds.close_round(db, world.facilitator_id, round_.id)


def test_unknown_round_is_not_found(db, world):
    with pytest.raises(NotFound):
        rounds.reveal_round(db, world.facilitator_id, 9999)


# --- the facilitator's conveniences: lock, timer, restart, reminder ---


def test_a_locked_round_refuses_new_and_changed_definitions_until_unlocked(db, world, people):
    round_ = start(db, world)
    submit(db, people[0], "Eerste versie.")
    rounds.lock_collecting(db, world.facilitator_id, round_.id, True)
    with pytest.raises(Conflict, match="inzenden gesloten"):
        submit(db, people[0], "Tweede versie.")
    with pytest.raises(Conflict, match="inzenden gesloten"):
        submit(db, people[1], "Te laat.")
    assert state.round_payload(round_)["locked"] is True
    rounds.lock_collecting(db, world.facilitator_id, round_.id, False)
    assert submit(db, people[1], "Nu wel.").stored


def test_a_lock_can_still_be_revealed_and_reopening_unlocks(db, world, people):
    round_ = start(db, world)
    submit(db, people[0], "Iets.")
    rounds.lock_collecting(db, world.facilitator_id, round_.id, True)
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    rounds.reopen_collecting(db, world.facilitator_id, round_.id)
    assert submit(db, people[1], "Na heropenen.").stored


def test_lock_needs_a_boolean_and_a_collecting_round(db, world, people):
    round_ = start(db, world)
    with pytest.raises(InvalidInput):
        rounds.lock_collecting(db, world.facilitator_id, round_.id, "ja")
    submit(db, people[0], "Iets.")
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    with pytest.raises(Conflict, match="fase"):
        rounds.lock_collecting(db, world.facilitator_id, round_.id, True)


def test_a_timer_counts_down_for_its_phase_only(db, world, people):
    round_ = start(db, world)
    rounds.set_timer(db, world.facilitator_id, round_.id, 180)
    timer = state.round_payload(round_)["timer"]
    assert timer["phase"] == "collect" and timer["seconds"] == 180 and 178 <= timer["remaining"] <= 180
    submit(db, people[0], "Iets.")
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    assert state.round_payload(round_)["timer"] is None  # the next phase starts without a countdown


def test_a_timer_can_be_stopped_and_refuses_odd_durations(db, world):
    round_ = start(db, world)
    rounds.set_timer(db, world.facilitator_id, round_.id, 60)
    rounds.set_timer(db, world.facilitator_id, round_.id, 0)
    assert state.round_payload(round_)["timer"] is None
    for seconds in (-1, 3601, 1.5, "60", True, None):
        with pytest.raises(InvalidInput, match="minuten"):
            rounds.set_timer(db, world.facilitator_id, round_.id, seconds)


def test_restart_keeps_the_old_texts_and_opens_the_term_afresh(db, world, people):
    round_ = start(db, world)
    submit(db, people[0], "Verkeerd begrepen vraag.")
    old, new = rounds.restart_round(db, world.facilitator_id, round_.id)
    assert (old.phase, old.restarted_at is not None) == ("closed", True)
    assert (new.phase, new.term, new.term_id) == ("collect", old.term, old.term_id)
    assert [d.text for d in old.definitions] == ["Verkeerd begrepen vraag."]  # kept, not deleted
    assert rounds.current_round(db, world.meeting_id).id == new.id
    snapshot = state.meeting_state(db, partnerships.require_meeting(db, world.meeting_id), Viewer("participant", people[0].id))
    assert snapshot["my_definition"] is None and snapshot["progress"]["submitted"] == 0
    assert submit(db, people[0], "Nu goed begrepen.").round.id == new.id


def test_a_closed_round_cannot_be_restarted(db, world, people):
    round_ = start(db, world)
    rounds.close_round(db, world.facilitator_id, round_.id)
    with pytest.raises(Conflict):
        rounds.restart_round(db, world.facilitator_id, round_.id)


def test_a_reminder_goes_to_those_who_have_not_submitted_and_is_spaced_out(db, world, people):
    round_ = start(db, world)
    submit(db, people[0], "Al gedaan.")
    waiting = rounds.nudge_waiting(db, world.facilitator_id, round_.id)
    assert [p.name for p in waiting] == ["Bram", "Cor"]
    with pytest.raises(Conflict, match="net een seintje"):
        rounds.nudge_waiting(db, world.facilitator_id, round_.id)
    assert state.round_payload(round_)["nudged_at"] is not None


def test_no_reminder_when_everyone_has_submitted(db, world, people):
    round_ = start(db, world)
    for person in people:
        submit(db, person, f"Definitie van {person.name}.")
    with pytest.raises(Conflict, match="Iedereen"):
        rounds.nudge_waiting(db, world.facilitator_id, round_.id)


def test_only_the_meetings_facilitator_uses_the_conveniences(db, world, people):
    from glossary import accounts

    round_ = start(db, world)
    other = accounts.create_facilitator(db, "otto", "another password", "Otto")
    for use in (lambda: rounds.lock_collecting(db, other.id, round_.id, True),
                lambda: rounds.set_timer(db, other.id, round_.id, 60),
                lambda: rounds.restart_round(db, other.id, round_.id),
                lambda: rounds.nudge_waiting(db, other.id, round_.id)):
        with pytest.raises(Forbidden):
            use()
        db.rollback()


def test_a_client_id_reused_in_a_later_round_is_refused_not_acknowledged(db, world, people):
    ans = people[0]
    first = start(db, world)
    submit(db, ans, "Foutloos werken.", client_id="c-1")
    rounds.close_round(db, world.facilitator_id, first.id)
    second = start(db, world, "regie")
    with pytest.raises(Conflict, match="eerdere ronde"):
        submit(db, ans, "Wie de leiding neemt.", client_id="c-1")
    with pytest.raises(Conflict, match="eerdere ronde"):
        submit(db, ans, "Wie de leiding neemt.", client_id="c-1", round_id=second.id)
    # A true resend of the first round's submission is still just acknowledged.
    again = submit(db, ans, "Foutloos werken.", client_id="c-1", round_id=first.id)
    assert again.stored is False and again.definition.round_id == first.id
    assert submit(db, ans, "Wie de leiding neemt.", client_id="c-2").stored is True
