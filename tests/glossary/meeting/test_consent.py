"""Discussion and consent rules, without Flask: reactions, questions, the listening check's
assignment, votes, objections, overrides and adoption with provenance."""

from __future__ import annotations

import pytest

from glossary import partnerships
from glossary.entries import editing
from glossary.errors import Conflict, Forbidden, InvalidInput
from glossary.meeting import consent, discussion, rounds, state


@pytest.fixture
def discussed(db, world):
    """Four participants of three partners have defined 'kwaliteit'; the round is in discuss."""
    people = [
        partnerships.join_meeting(db, world.meeting_id, name, partner).participant
        for name, partner in [("Ans", "Gemeente Oostdam"), ("Bram", "Waterschap Rivierenland"),
                              ("Cor", "Zorggroep De Linde"), ("Dirk", "Gemeente Oostdam")]
    ]
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="kwaliteit")
    texts = ["Foutloos werken volgens protocol.", "Alles afvinken op de checklist.",
             "Je uiterste best doen.", "Aandacht van het management."]
    definitions = [rounds.submit_definition(db, p.id, client_id=f"c{p.id}", text=t).definition for p, t in zip(people, texts)]
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    consent.start_discussion(db, world.facilitator_id, round_.id)
    return round_, people, definitions


def test_reactions_are_counted_once_per_person_and_can_change(db, world, discussed):
    round_, people, definitions = discussed
    discussion.react(db, people[1].id, definitions[0].id, "eens")
    discussion.react(db, people[1].id, definitions[0].id, "oneens")
    discussion.react(db, people[2].id, definitions[0].id, "herken")
    support = state.support(db, rounds.require_round(db, round_.id))
    assert support["by_definition"][str(definitions[0].id)] == {"oneens": 1, "herken": 1}
    assert support["by_partner"]["Waterschap Rivierenland"]["?"] == {"oneens": 1}
    discussion.react(db, people[1].id, definitions[0].id, None)
    assert state.support(db, round_)["by_definition"][str(definitions[0].id)] == {"herken": 1}
    with pytest.raises(InvalidInput):
        discussion.react(db, people[1].id, definitions[0].id, "geweldig")


def test_reactions_only_in_the_discuss_phase(db, world, discussed):
    round_, people, definitions = discussed
    consent.propose(db, world.facilitator_id, round_.id, "Kwaliteit is foutloos werken.")
    with pytest.raises(Conflict):
        discussion.react(db, people[1].id, definitions[0].id, "eens")


def test_only_the_author_answers_a_question(db, world, discussed):
    round_, people, definitions = discussed
    question = discussion.ask_question(db, people[1].id, definitions[0].id, "Wat bedoel je met protocol?")
    with pytest.raises(Forbidden):
        discussion.answer_question(db, people[2].id, question.id, "Ik weet het niet")
    answered = discussion.answer_question(db, people[0].id, question.id, "De vastgelegde werkwijze.")
    assert answered.answer == "De vastgelegde werkwijze."
    with pytest.raises(InvalidInput, match="eigen definitie"):
        discussion.ask_question(db, people[0].id, definitions[0].id, "Zelfvraag")


def test_restatements_go_across_partners_and_cover_every_definition():
    definitions = [(1, 10), (2, 20), (3, 30), (4, 10)]
    people = [(101, 10), (102, 20), (103, 30), (104, 10)]
    assignment = discussion.assign_restatements(definitions, people)
    partner_of_definition = dict(definitions)
    partner_of_person = dict(people)
    assert set(assignment) == {101, 102, 103, 104}
    assert all(partner_of_definition[d] != partner_of_person[p] for p, d in assignment.items())
    assert set(assignment.values()) == {1, 2, 3, 4}
    # One partner only: nobody can restate another partner's definition.
    assert discussion.assign_restatements([(1, 10)], [(101, 10)]) == {}


def test_listening_check_assignment_in_a_meeting(db, world, discussed):
    round_, people, definitions = discussed
    discussion.start_listening_check(db, world.facilitator_id, round_.id)
    for person in people:
        mine = state.personal_discussion(db, round_, person.id)["my_restatement"]
        author = next(d for d in definitions if d.id == mine["definition_id"]).participant
        assert author.partner_id != person.partner_id


def test_an_objection_blocks_adoption_until_amended_or_overridden(db, world, discussed):
    round_, people, definitions = discussed
    proposal = consent.propose(db, world.facilitator_id, round_.id, "Kwaliteit is foutloos werken.")
    consent.vote(db, people[0].id, proposal.id, "akkoord")
    consent.vote(db, people[1].id, proposal.id, "leven", "Mits we het meten.")
    with pytest.raises(InvalidInput, match="reden"):
        consent.vote(db, people[2].id, proposal.id, "bezwaar", "")
    consent.vote(db, people[2].id, proposal.id, "bezwaar", "Inzet telt ook.")
    results = consent.consent_results(db, proposal)
    assert results["blocked"] and results["counts"] == {"akkoord": 1, "leven": 1, "bezwaar": 1}
    assert results["per_partner"]["Zorggroep De Linde"]["bezwaar"] == 1
    with pytest.raises(Conflict, match="bezwaar"):
        consent.adopt(db, world.facilitator_id, round_.id)
    # Amended and asked again: old votes no longer count; a vote for the old proposal is refused.
    amended = consent.propose(db, world.facilitator_id, round_.id, "Kwaliteit is foutloos werken met inzet.")
    assert amended.number == 2
    with pytest.raises(Conflict, match="aangepast"):
        consent.vote(db, people[0].id, proposal.id, "akkoord")
    assert consent.consent_results(db, amended)["voted"] == 0


def test_override_is_recorded_with_its_reason_and_provenance_is_complete(db, world, discussed):
    round_, people, definitions = discussed
    proposal = consent.propose(db, world.facilitator_id, round_.id, "Kwaliteit is foutloos werken.", scope="In projecten")
    consent.vote(db, people[0].id, proposal.id, "akkoord")
    consent.vote(db, people[1].id, proposal.id, "leven", "Mits we het meten.")
    consent.vote(db, people[2].id, proposal.id, "bezwaar", "Inzet telt ook.")
    consent.vote(db, people[2].id, proposal.id, "bezwaar", "Inzet telt ook mee.")  # changed, still one vote
    closed, version = consent.adopt(db, world.facilitator_id, round_.id, override_reason="Tijdsdruk; volgende keer herzien.")
    assert closed.phase == "closed"
    entry = editing.require_entry(db, world.partnership_id, version.entry_id)
    assert entry.term == "kwaliteit" and entry.status == "vastgesteld"
    provenance = version.provenance
    assert provenance["override"]["reason"] == "Tijdsdruk; volgende keer herzien."
    assert [d["text"] for d in provenance["definitions"]] == [d.text for d in definitions]
    assert len(provenance["votes"]) == 3
    assert {r["text"] for r in provenance["reservations"]} == {"Mits we het meten.", "Inzet telt ook mee."}
    assert provenance["meeting"]["title"] == "Startbijeenkomst"


def test_the_provenance_dates_the_meeting_by_the_organisations_day(db, world, discussed, monkeypatch):
    """Adopted at 00:40 Amsterdam summer time, when UTC still says 30 June: the glossary says 1 July."""
    from datetime import datetime, timezone

    round_, people, _ = discussed
    proposal = consent.propose(db, world.facilitator_id, round_.id, "Kwaliteit is foutloos werken.")
    consent.vote(db, people[0].id, proposal.id, "akkoord")
    monkeypatch.setattr(consent, "utcnow", lambda: datetime(2026, 6, 30, 22, 40, tzinfo=timezone.utc))
    _, version = consent.adopt(db, world.facilitator_id, round_.id, timezone="Europe/Amsterdam")
    assert version.provenance["meeting"]["date"] == "2026-07-01"


@pytest.mark.parametrize("anonymity, people_named, partners_named", [
    ("named", True, True), ("hide_people", False, True), ("hide_all", False, False)])
def test_the_glossary_keeps_who_said_what_only_as_far_as_the_reveal_showed_it(db, world, anonymity, people_named, partners_named):
    people = [partnerships.join_meeting(db, world.meeting_id, name, partner).participant
              for name, partner in [("Ans", "Gemeente Oostdam"), ("Bram", "Waterschap Rivierenland")]]
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="regie")
    for person in people:
        rounds.submit_definition(db, person.id, client_id=f"r{person.id}", text=f"Regie is beslissen, versie {person.id}.")
    rounds.reveal_round(db, world.facilitator_id, round_.id, anonymity)
    consent.start_discussion(db, world.facilitator_id, round_.id)
    proposal = consent.propose(db, world.facilitator_id, round_.id, "Regie is wie beslist.")
    consent.vote(db, people[0].id, proposal.id, "akkoord")
    consent.vote(db, people[1].id, proposal.id, "leven", "Mits we het delen.")
    _closed, version = consent.adopt(db, world.facilitator_id, round_.id)
    stored = repr(version.provenance)
    assert ("Ans" in stored) is people_named and ("Bram" in stored) is people_named
    assert ("Gemeente Oostdam" in stored) is partners_named
    assert "Mits we het delen." in stored  # what was said is kept, whoever said it


def test_adoption_needs_votes_and_a_proposal(db, world, discussed):
    round_, people, _definitions = discussed
    with pytest.raises(Conflict):
        consent.adopt(db, world.facilitator_id, round_.id)
    consent.propose(db, world.facilitator_id, round_.id, "Voorstel")
    with pytest.raises(Conflict, match="Nog niemand"):
        consent.adopt(db, world.facilitator_id, round_.id)


def test_a_participant_cannot_vote_for_someone_else_or_twice(db, world, discussed):
    round_, people, _definitions = discussed
    proposal = consent.propose(db, world.facilitator_id, round_.id, "Voorstel")
    consent.vote(db, people[0].id, proposal.id, "akkoord")
    consent.vote(db, people[0].id, proposal.id, "leven", "toch twijfel")
    results = consent.consent_results(db, proposal)
    assert results["voted"] == 1 and results["counts"]["leven"] == 1


def test_nobody_reacts_to_their_own_definition(db, world, discussed):
    round_, people, definitions = discussed
    with pytest.raises(InvalidInput, match="eigen definitie"):
        discussion.react(db, people[0].id, definitions[0].id, "eens")
    assert state.support(db, round_)["by_definition"] == {}
    discussion.react(db, people[0].id, definitions[1].id, "eens")  # someone else's: fine


def test_the_draft_starts_as_one_sentence_with_a_gap_per_meaning(db, world, discussed, monkeypatch):
    round_, _people, _definitions = discussed
    monkeypatch.setattr(consent, "analysis_result", lambda _s, _r: {"meanings": [
        {"id": "m1", "label": "foutloos werken"}, {"id": "m2", "label": "inzet"}, {"id": "m3", "label": "aandacht"}]})
    assert consent.assemble_draft(db, round_) == "Kwaliteit is … (foutloos werken), … (inzet) en … (aandacht)."
    english = consent.assemble_draft(db, round_, pattern="{term} means {parts}.", joiner=" and ")
    assert english == "Kwaliteit means … (foutloos werken), … (inzet) and … (aandacht)."
    monkeypatch.setattr(consent, "analysis_result", lambda _s, _r: None)
    with pytest.raises(Conflict):
        consent.assemble_draft(db, round_)


def test_a_shared_draft_is_checked_but_not_stored(db, world, discussed):
    round_, _people, _definitions = discussed
    shared_round, text = consent.share_draft(db, world.facilitator_id, round_.id, "  Kwaliteit is … (inzet).  ")
    assert shared_round.id == round_.id and text == "Kwaliteit is … (inzet)."
    assert consent.open_proposal(db, round_.id) is None
    with pytest.raises(InvalidInput):
        consent.share_draft(db, world.facilitator_id, round_.id, "x" * 2001)
    with pytest.raises(InvalidInput):
        consent.share_draft(db, world.facilitator_id, round_.id, ["geen tekst"])


def test_a_second_proposal_carries_the_word_diff_with_the_first(db, world, discussed):
    round_, _people, _definitions = discussed
    consent.propose(db, world.facilitator_id, round_.id, "Kwaliteit is foutloos werken.")
    assert "previous" not in state.discussion_state(db, round_)["proposal"]
    consent.propose(db, world.facilitator_id, round_.id, "Kwaliteit is foutloos werken met inzet.")
    proposal = state.discussion_state(db, round_)["proposal"]
    assert proposal["previous"]["number"] == 1 and proposal["previous"]["text"] == "Kwaliteit is foutloos werken."
    assert ["insert", "werken met inzet."] in proposal["previous"]["diff"]
    assert ["delete", "werken."] in proposal["previous"]["diff"]


def test_the_snapshot_keeps_the_meetings_closed_rounds_and_their_outcome(db, world, discussed):
    round_, people, _definitions = discussed
    proposal = consent.propose(db, world.facilitator_id, round_.id, "Kwaliteit is foutloos werken met inzet.")
    for person, choice, reason in [(people[0], "akkoord", ""), (people[1], "akkoord", ""), (people[2], "leven", "Mits we het meten."),
                                   (people[3], "akkoord", "")]:
        consent.vote(db, person.id, proposal.id, choice, reason)
    consent.adopt(db, world.facilitator_id, round_.id)
    second = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="regie")
    rounds.close_round(db, world.facilitator_id, second.id)
    meeting = partnerships.require_meeting(db, world.meeting_id)
    for viewer in (state.Viewer("participant", participant_id=people[0].id), state.Viewer("facilitator", facilitator_id=world.facilitator_id)):
        history = state.meeting_state(db, meeting, viewer)["history"]
        assert [h["term"] for h in history] == ["kwaliteit", "regie"]
        agreed, open_ = history
        assert agreed["adopted"] and agreed["text"] == "Kwaliteit is foutloos werken met inzet."
        assert agreed["counts"] == {"akkoord": 3, "leven": 1, "bezwaar": 0}
        assert agreed["reservations"] == [{"choice": "leven", "text": "Mits we het meten."}]
        assert "Cor" not in str(agreed)  # who had the reservation stays off the screens
        assert not open_["adopted"] and open_["text"] is None
    assert "history" not in state.meeting_state(db, meeting, state.Viewer("guest"))


def test_questions_are_shown_on_the_projector_only_while_talking(db, world, discussed):
    round_, _people, _definitions = discussed
    assert discussion.show_questions(db, world.facilitator_id, round_.id, True) == (round_, True)
    with pytest.raises(InvalidInput):
        discussion.show_questions(db, world.facilitator_id, round_.id, "ja")
    rounds.close_round(db, world.facilitator_id, round_.id)
    with pytest.raises(Conflict):
        discussion.show_questions(db, world.facilitator_id, round_.id, False)
