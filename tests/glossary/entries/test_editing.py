"""Glossary entries: writing, optimistic locking, adoption with provenance, revisits, history,
the framework view and drift — without Flask."""

from __future__ import annotations

import threading

import pytest

from glossary import accounts, partnerships
from glossary.db import make_engine, make_session_factory
from glossary.entries import editing, views
from glossary.errors import Conflict, InvalidInput, NotFound
from glossary.meeting import drift, rounds
from glossary.models import RoundAnalysis
from tests import adoption
from tests.conftest import PASSWORD

QUALITY = {
    "term": "kwaliteit",
    "definition": "Werk dat **foutloos** is en de afgesproken procedures volgt.",
    "scope": "Geldt voor de uitvoering in de wijk.",
    "not_to_confuse_with": ["inzet: zo hard mogelijk je best doen"],
    "examples": ["Elke stap afgevinkt op de checklist."],
    "synonyms": ["kwaliteitsniveau"],
    "condition_ids": ["3.1", "1.3"],
    "notes": "Besproken in de startbijeenkomst.",
}


def edit(entry, **changes):
    return {**editing.content_of(entry.current), **changes}


def test_a_new_entry_starts_as_concept_with_version_one(db, world):
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    assert (entry.version, entry.status, entry.current.number) == (1, "concept", 1)
    # Conditions follow the framework's order, whatever order they were given in.
    assert entry.current.condition_ids == ["1.3", "3.1"]
    assert entry.current.author_name == "Fien Facilitator"


def test_an_edit_adds_a_version_and_keeps_the_old_one(db, world):
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    editing.update_entry(db, world.facilitator_id, entry.id, 1, edit(entry, definition="Doen wat je belooft.", status="vastgesteld"), change_note="korter")
    assert entry.version == 2 and entry.status == "vastgesteld"
    assert [v.definition for v in entry.versions] == [QUALITY["definition"], "Doen wat je belooft."]
    assert entry.versions[1].change_note == "korter"
    # Saving without a change adds nothing.
    editing.update_entry(db, world.facilitator_id, entry.id, 2, edit(entry))
    assert entry.version == 2


def test_a_stale_edit_gets_both_texts_and_overwrites_nothing(db, world):
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    editing.update_entry(db, world.facilitator_id, entry.id, 1, edit(entry, definition="Tekst van Fien."))
    with pytest.raises(editing.EditConflict) as conflict:
        editing.update_entry(db, world.facilitator_id, entry.id, 1, {**QUALITY, "definition": "Tekst van Joost."})
    assert conflict.value.status == 409
    assert conflict.value.current["definition"] == "Tekst van Fien."
    assert conflict.value.attempted["definition"] == "Tekst van Joost."
    assert (conflict.value.base_version, conflict.value.current_version) == (1, 2)
    db.expire_all()
    assert editing.require_entry(db, world.partnership_id, entry.id).current.definition == "Tekst van Fien."


def test_two_facilitators_saving_the_same_version_at_once_one_wins_one_gets_the_conflict(database_url, world, db):
    joost = accounts.create_facilitator(db, "joost", PASSWORD, "Joost")
    db.execute(partnerships.PartnershipFacilitator.__table__.insert().values(partnership_id=world.partnership_id, facilitator_id=joost.id))
    db.commit()
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    sessions = make_session_factory(make_engine(database_url))
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(facilitator_id, text):
        with sessions() as session:
            barrier.wait()
            try:
                editing.update_entry(session, facilitator_id, entry.id, 1, {**QUALITY, "definition": text})
                outcomes[text] = "saved"
            except editing.EditConflict as error:
                outcomes[text] = error

    threads = [threading.Thread(target=save, args=args) for args in ((world.facilitator_id, "Versie Fien"), (joost.id, "Versie Joost"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [text for text, outcome in outcomes.items() if outcome == "saved"]
    conflicts = [outcome for outcome in outcomes.values() if isinstance(outcome, editing.EditConflict)]
    assert len(saved) == 1 and len(conflicts) == 1
    assert conflicts[0].current["definition"] == saved[0]
    db.expire_all()
    stored = editing.require_entry(db, world.partnership_id, entry.id)
    assert stored.version == 2 and stored.current.definition == saved[0]


def test_terms_are_unique_per_partnership_and_conditions_must_exist(db, world):
    editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    with pytest.raises(Conflict, match="staat al in de woordenlijst"):
        editing.create_entry(db, world.facilitator_id, world.partnership_id, {**QUALITY, "term": "Kwaliteit"})
    with pytest.raises(InvalidInput, match="Onbekende voorwaarde.*9.9"):
        editing.create_entry(db, world.facilitator_id, world.partnership_id, {**QUALITY, "term": "regie", "condition_ids": ["1.1", "9.9"]})
    with pytest.raises(InvalidInput, match="status"):
        editing.create_entry(db, world.facilitator_id, world.partnership_id, {**QUALITY, "term": "regie", "status": "klaar"})


def test_facilitators_of_other_partnerships_cannot_see_or_edit(db, world):
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    other = accounts.create_facilitator(db, "olga", PASSWORD, "Olga")
    theirs = partnerships.create_partnership(db, other.id, "Regio West", ["A"])
    with pytest.raises(NotFound):
        editing.update_entry(db, other.id, entry.id, 1, QUALITY)
    with pytest.raises(NotFound):
        editing.add_comment(db, other.id, entry.id, "hallo")
    with pytest.raises(NotFound):
        editing.create_entry(db, other.id, world.partnership_id, {**QUALITY, "term": "x"})
    with pytest.raises(NotFound):
        editing.require_entry(db, theirs.id, entry.id)


def revealed_round(db, world, term="kwaliteit", texts=(("Ans", "Gemeente Oostdam", "Foutloos werken volgens de procedures."),)):
    round_ = rounds.start_round(db, world.facilitator_id, world.meeting_id, term=term)
    for name, partner, text in texts:
        participant = partnerships.join_meeting(db, world.meeting_id, name, partner).participant
        rounds.submit_definition(db, participant.id, client_id=f"{name}-{round_.id}", text=text)
    rounds.reveal_round(db, world.facilitator_id, round_.id)
    return round_


def test_adopting_creates_an_entry_with_complete_provenance_and_then_a_new_version(db, world):
    round_ = revealed_round(db, world)
    provenance = {
        "meeting": {"id": world.meeting_id, "title": "Startbijeenkomst", "date": "2026-11-28"},
        "round": {"id": round_.id, "term": "kwaliteit"},
        "definitions": [{"id": 1, "text": "Foutloos werken volgens de procedures.", "partner": "Gemeente Oostdam", "author": "Ans"}],
        "votes": [{"participant": "Ans", "partner": "Gemeente Oostdam", "vote": "kan ermee leven", "reservation": "Let op de wijk."}],
        "reservations": [{"participant": "Ans", "partner": "Gemeente Oostdam", "text": "Let op de wijk."}],
        "divergence": 0.42,
    }
    version = adoption.stage(
        db, world.facilitator_id, world.partnership_id, "kwaliteit", "Foutloos werk dat de procedures volgt.",
        not_to_confuse_with=["inzet"], condition_ids=["1.3"], provenance=provenance, round_id=round_.id,
    )
    assert (version.number, version.status, version.source) == (1, "vastgesteld", "meeting")
    assert (version.round_id, version.meeting_id) == (round_.id, world.meeting_id)
    assert version.provenance == provenance
    entry = version.entry
    editing.update_entry(db, world.facilitator_id, entry.id, 1, edit(entry, notes="Toelichting achteraf."))
    second = adoption.agree(db, world.facilitator_id, world.partnership_id, "Kwaliteit", "Nieuwe tekst.")
    assert second.entry.id == entry.id and second.number == 3
    # Notes written between meetings survive a new adoption that does not mention them.
    assert second.notes == "Toelichting achteraf."
    assert [v.source for v in entry.versions] == ["meeting", "edit", "meeting"]


def test_adoption_refuses_a_round_of_another_partnership_and_bad_provenance(db, world):
    round_ = revealed_round(db, world)
    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    with pytest.raises(NotFound):
        adoption.stage(db, world.facilitator_id, other.id, "kwaliteit", "Tekst.", provenance={}, round_id=round_.id)
    with pytest.raises(InvalidInput, match="lijst"):
        adoption.stage(db, world.facilitator_id, world.partnership_id, "kwaliteit", "Tekst.", provenance={"votes": "ja"})
    assert editing.entries_of(db, world.partnership_id) == []


def test_revisit_marks_the_entry_and_puts_the_term_on_a_meeting(db, world):
    version = adoption.agree(db, world.facilitator_id, world.partnership_id, "samenwerking", "Samen optrekken.")
    later = partnerships.create_meeting(db, world.facilitator_id, world.partnership_id, "Voorjaar", ["regie"])
    revisit = editing.revisit_entry(db, world.facilitator_id, version.entry.id, meeting_id=later.id)
    assert revisit.term_added and [t.text for t in revisit.meeting.terms] == ["regie", "samenwerking"]
    assert revisit.entry.status == "te_herzien" and revisit.entry.revisit_meeting_id == later.id
    assert revisit.entry.current.source == "revisit" and revisit.entry.current.definition == "Samen optrekken."
    fresh = editing.revisit_entry(db, world.facilitator_id, version.entry.id, new_meeting_title="Najaar")
    assert fresh.meeting.title == "Najaar" and [t.text for t in fresh.meeting.terms] == ["samenwerking"]
    assert fresh.entry.version == 2  # already te herzien: no extra version
    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    foreign = partnerships.create_meeting(db, world.facilitator_id, other.id, "Elders")
    with pytest.raises(NotFound):
        editing.revisit_entry(db, world.facilitator_id, version.entry.id, meeting_id=foreign.id)
    with pytest.raises(InvalidInput):
        editing.revisit_entry(db, world.facilitator_id, version.entry.id)


def test_the_diff_between_two_versions_marks_removed_and_added_words(db, world):
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    editing.update_entry(db, world.facilitator_id, entry.id, 1, edit(entry, definition="Werk dat foutloos en op tijd is.", examples=[]))
    diff = {d.name: d for d in views.version_diff(entry, 1, 2)}
    assert not diff["term"].changed and diff["definition"].changed and diff["examples"].changed
    ops = diff["definition"].segments
    assert ("insert", "op tijd ") in ops or any(op == "insert" and "tijd" in text for op, text in ops)
    assert any(op == "delete" and "procedures" in text for op, text in ops)
    assert "".join(t for op, t in ops if op != "insert") == QUALITY["definition"]
    with pytest.raises(NotFound):
        views.version_diff(entry, 1, 7)


def test_comments_are_kept_in_order_with_their_author(db, world):
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    editing.add_comment(db, world.facilitator_id, entry.id, "Eerst dit.")
    editing.add_comment(db, world.facilitator_id, entry.id, "Dan dat.")
    with pytest.raises(InvalidInput):
        editing.add_comment(db, world.facilitator_id, entry.id, "   ")
    assert [(c.author_name, c.body) for c in entry.comments] == [("Fien Facilitator", "Eerst dit."), ("Fien Facilitator", "Dan dat.")]


def test_the_framework_view_places_terms_per_condition_with_their_divergence(db, world):
    round_ = revealed_round(db, world)
    db.add(RoundAnalysis(round_id=round_.id, result={"divergence": 0.7, "meanings": []}, engine="test"))
    db.commit()
    adoption.stage(db, world.facilitator_id, world.partnership_id, "kwaliteit", "Foutloos.", provenance={}, condition_ids=["1.3"], round_id=round_.id)
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {**QUALITY, "term": "regie", "condition_ids": ["1.3"]})
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {**QUALITY, "term": "vertrouwen", "condition_ids": []})
    view = views.framework_view(db, world.partnership_id)
    assert [len(d["cells"]) for d in view["domains"]] == [3, 3, 3, 3]
    culture = view["domains"][0]["cells"][2]
    assert culture["condition"].id == "1.3"
    assert [e.term for e in culture["agreed"]] == ["kwaliteit"] and [e.term for e in culture["open"]] == ["regie"]
    assert (culture["divergence"], culture["reading"], culture["explored"]) == (0.7, "large", 1)
    assert view["domains"][0]["cells"][0]["reading"] is None
    assert [e.term for e in view["unlinked"]] == ["vertrouwen"]


def test_drift_is_none_before_the_reveal_and_without_an_agreed_definition(db, world):
    round_ = revealed_round(db, world)
    assert drift.drift_for_round(db, round_.id) is None  # no entry yet
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {**QUALITY, "status": "concept"})
    assert drift.drift_for_round(db, round_.id) is None  # only a concept, nothing agreed
    rounds.close_round(db, world.facilitator_id, round_.id)
    second = rounds.start_round(db, world.facilitator_id, world.meeting_id, term="regie")
    adoption.agree(db, world.facilitator_id, world.partnership_id, "regie", "Wie de leiding heeft.")
    assert drift.drift_for_round(db, second.id) is None  # still collecting: texts are private


def test_drift_flags_a_definition_that_moved_away_from_the_agreed_one(db, world):
    try:
        from glossary.semantics import encode, similarity  # noqa: F401
    except ImportError:
        pytest.skip("the sentence encoders (glossary.semantics) are not installed here")
    adoption.agree(
        db, world.facilitator_id, world.partnership_id, "kwaliteit",
        "Kwaliteit betekent dat het werk foutloos is en precies volgens de afgesproken procedures en protocollen gaat.",
    )
    round_ = revealed_round(db, world, texts=(
        ("Ans", "Gemeente Oostdam", "Kwaliteit is werk zonder fouten dat de afgesproken procedures en protocollen volgt."),
        ("Bram", "Zorggroep De Linde", "Kwaliteit is hoeveel aandacht en prioriteit de bewoners van ons krijgen, ook als dat geld kost."),
    ))
    measured = drift.drift_for_round(db, round_.id)
    by_author = {d["author"]: d for d in measured["definitions"]}
    assert by_author["Ans"]["distance"] < by_author["Bram"]["distance"]
    assert not by_author["Ans"]["drift"] and by_author["Bram"]["drift"]
    partners = {p["partner"]: p for p in measured["partners"]}
    assert partners["Zorggroep De Linde"]["drift"] and not partners["Gemeente Oostdam"]["drift"]
    assert measured["drifted"] == 1 and measured["threshold"] == drift.DRIFT_THRESHOLD
    entry = editing.find_entry(db, world.partnership_id, "kwaliteit")
    assert drift.latest_revisit_drift(db, entry)["round_id"] == round_.id


def test_a_lapsed_entry_leaves_lists_and_exports_but_keeps_its_history(db, world):
    from glossary.entries import exports

    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, QUALITY)
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "regie", "definition": "Wie de leiding neemt."})
    editing.update_entry(db, world.facilitator_id, entry.id, 1, edit(entry, status="vervallen"), change_note="niet meer in gebruik")
    shown = views.listing(db, world.partnership_id)
    assert [e.term for e in shown["entries"]] == ["regie"]
    assert shown["total"] == 1 and shown["counts"]["vervallen"] == 1
    assert [e.term for e in views.listing(db, world.partnership_id, status="vervallen")["entries"]] == ["kwaliteit"]
    assert [e.term for e in views.listing(db, world.partnership_id, query="kwaliteit")["entries"]] == []
    assert [e.term for e in exports.glossary_document(db, world.partnership_id).entries] == ["regie"]
    assert all(e.term != "kwaliteit" for e in views.framework_view(db, world.partnership_id)["unlinked"])
    assert [v.number for v in entry.versions] == [1, 2]  # nothing is lost
    # Setting the status back brings it back, and its term stays taken meanwhile.
    with pytest.raises(Conflict):
        editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "Kwaliteit", "definition": "Iets anders."})
    db.rollback()
    editing.update_entry(db, world.facilitator_id, entry.id, 2, edit(entry, status="vastgesteld"))
    assert [e.term for e in views.listing(db, world.partnership_id)["entries"]] == ["kwaliteit", "regie"]


def test_editing_the_content_of_an_adopted_entry_marks_it_for_revision(db, world):
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, {**QUALITY, "status": "vastgesteld"})
    # One facilitator changes the agreed text and leaves the status as it was: the partners did not agree to it.
    editing.update_entry(db, world.facilitator_id, entry.id, 1, edit(entry, definition="Doen wat je belooft."))
    assert (entry.version, entry.status) == (2, "te_herzien")
    # Setting the status back (without changing the text) is a deliberate choice and is kept.
    editing.update_entry(db, world.facilitator_id, entry.id, 2, edit(entry, status="vastgesteld"))
    assert (entry.version, entry.status) == (3, "vastgesteld")
    # An edit that chooses another status itself keeps that status.
    editing.update_entry(db, world.facilitator_id, entry.id, 3, edit(entry, notes="Vervangen.", status="vervallen"))
    assert entry.status == "vervallen"
    # Leaving the status out of an edit keeps the current status instead of falling back to concept.
    data = edit(entry, notes="Nog steeds vervallen.")
    del data["status"]
    editing.update_entry(db, world.facilitator_id, entry.id, 4, data)
    assert entry.status == "vervallen"
