"""Checking a text against the glossary: inflections, compounds, flags, and who may see what."""

from __future__ import annotations

import pytest

from glossary import accounts
from glossary.documents import library
from glossary.entries import editing, sharing
from glossary.errors import InvalidInput, NotFound
from tests.conftest import PASSWORD


@pytest.fixture
def glossary_world(db, world):
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "kwaliteit", "definition": "Werk zonder fouten.", "status": "vastgesteld"})
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "afspraak", "definition": "Wat we samen vastleggen.", "status": "vastgesteld"})
    editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "wijkteam", "definition": "Nog een concept.", "status": "concept"})
    return world


TEXT = "De kwaliteitseisen en de zorgkwaliteit staan in de afspraken. Kwaliteiten tellen. Het wijkteam heeft regie."


def test_terms_are_marked_with_inflections_and_compounds_and_their_definition(db, glossary_world):
    spans = library.check_text(db, glossary_world.facilitator_id, glossary_world.partnership_id, TEXT)
    found = {(s["text"], s["term"]) for s in spans}
    assert {("kwaliteitseisen", "kwaliteit"), ("zorgkwaliteit", "kwaliteit"), ("afspraken", "afspraak"), ("Kwaliteiten", "kwaliteit")} <= found
    first = spans[0]
    assert TEXT[first["start"]:first["end"]] == first["text"]
    assert first["definition"] == "Werk zonder fouten." and first["entry_id"] and not first["unsettled"]


def test_terms_without_an_agreed_definition_are_flagged_not_agreed_yet(db, glossary_world):
    spans = {s["text"]: s for s in library.check_text(db, glossary_world.facilitator_id, glossary_world.partnership_id, TEXT)}
    assert spans["wijkteam"]["unsettled"] and spans["wijkteam"]["status"] == "concept"
    # "regie" was explored in a meeting (world's term list) without an entry
    assert spans["regie"]["unsettled"] and spans["regie"]["entry_id"] is None


def test_a_share_reader_checks_against_the_shared_glossary_only(db, glossary_world):
    token = sharing.create_share_link(db, glossary_world.facilitator_id, glossary_world.partnership_id, "partners").token
    partnership_id, spans = library.check_for_share_link(db, token, TEXT)
    assert partnership_id == glossary_world.partnership_id
    terms = {s["term"] for s in spans}
    assert terms == {"kwaliteit", "afspraak"}  # no concept entry, no meeting terms


def test_another_facilitator_cannot_check_against_this_glossary(db, glossary_world):
    other = accounts.create_facilitator(db, "otto", PASSWORD, "Otto")
    with pytest.raises(NotFound):
        library.check_text(db, other.id, glossary_world.partnership_id, TEXT)


def test_an_empty_text_is_refused_with_a_message(db, glossary_world):
    with pytest.raises(InvalidInput, match="Plak of upload"):
        library.check_text(db, glossary_world.facilitator_id, glossary_world.partnership_id, "   ")
