"""Search over the glossary: inflected Dutch and English forms find each other, per partnership."""

from __future__ import annotations

import pytest

from glossary import partnerships
from glossary.entries import editing

ENTRIES = [
    {"term": "samenwerking", "definition": "Organisaties die samen optrekken en elkaars **kinderen** kennen.",
     "examples": ["De wijkteams liepen samen op met de bewoners."]},
    {"term": "kwaliteit", "definition": "Werk zonder fouten dat de afgesproken procedures volgt.",
     "notes": "Partners measured it by the errors they found in audits."},
    {"term": "regie", "definition": "Wie de leiding neemt als het spannend wordt.", "synonyms": ["coördinatie"]},
]


@pytest.fixture
def glossary(db, world):
    for data in ENTRIES:
        editing.create_entry(db, world.facilitator_id, world.partnership_id, data)
    return world


def terms(db, partnership_id, query):
    return [e.term for e in editing.search_entries(db, partnership_id, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("samenwerkingen", ["samenwerking"]),  # Dutch plural of the term
        ("organisatie", ["samenwerking"]),  # singular finds the plural in the definition
        ("lopen", ["samenwerking"]),  # irregular past tense "liepen" in an example
        ("bewoner", ["samenwerking"]),
        ("fout", ["kwaliteit"]),  # "fouten"
        ("procedure", ["kwaliteit"]),
        ("measuring error", ["kwaliteit"]),  # English inflection in the notes
        ("coordinatie", ["regie"]),  # synonyms, without the diaeresis
        ("leiding nemen", ["regie"]),
    ],
)
def test_inflected_forms_find_the_entry(db, glossary, query, expected):
    assert terms(db, glossary.partnership_id, query) == expected


def test_every_word_must_match_and_the_last_may_be_unfinished(db, glossary):
    assert terms(db, glossary.partnership_id, "samen fouten") == []
    assert terms(db, glossary.partnership_id, "kwalit") == ["kwaliteit"]
    assert terms(db, glossary.partnership_id, "afgesproken proced") == ["kwaliteit"]
    assert terms(db, glossary.partnership_id, "") == []
    assert terms(db, glossary.partnership_id, 'NOT "OR" * (') == []


def test_the_term_itself_ranks_first_and_edits_are_searchable_at_once(db, glossary):
    regie = editing.find_entry(db, glossary.partnership_id, "regie")
    editing.update_entry(db, glossary.facilitator_id, regie.id, 1, {**editing.content_of(regie.current), "definition": "Over kwaliteit van de sturing."})
    assert terms(db, glossary.partnership_id, "kwaliteit") == ["kwaliteit", "regie"]
    assert terms(db, glossary.partnership_id, "spannend") == []


def test_other_partnerships_entries_are_never_found(db, glossary):
    other = partnerships.create_partnership(db, glossary.facilitator_id, "Regio West", ["A"])
    editing.create_entry(db, glossary.facilitator_id, other.id, {"term": "kwaliteitszorg", "definition": "Fouten voorkomen."})
    assert terms(db, glossary.partnership_id, "fout") == ["kwaliteit"]
    assert terms(db, other.id, "fout") == ["kwaliteitszorg"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kwalitijt", ["kwaliteit"]),  # a misspelling of the term
        ("Kwaliteid", ["kwaliteit"]),
        ("samenwerkng", ["samenwerking"]),
        ("coordinasie", ["regie"]),  # a misspelled synonym
        ("regi", ["regie"]),  # (found by the prefix search already)
        ("xylofoon", []),  # nothing alike: still nothing
    ],
)
def test_a_misspelling_finds_the_term_when_nothing_matches_exactly(db, glossary, query, expected):
    assert terms(db, glossary.partnership_id, query) == expected


def test_misspellings_stay_within_the_partnership_and_exact_matches_win(db, glossary, world):
    other = partnerships.create_partnership(db, world.facilitator_id, "Regio West", ["A"])
    editing.create_entry(db, world.facilitator_id, other.id, {"term": "kwaliteiten", "definition": "Iets anders."})
    assert terms(db, glossary.partnership_id, "kwalitijt") == ["kwaliteit"]
    assert terms(db, other.id, "kwalitijt") == ["kwaliteiten"]
    # When the full-text search finds something, no look-alikes are mixed in.
    assert terms(db, glossary.partnership_id, "procedure") == ["kwaliteit"]


def test_trigram_similarity_counts_as_pg_trgm_does():
    from glossary.entries import search

    assert search.trigrams("kwaliteit") == {"  k", " kw", "kwa", "wal", "ali", "lit", "ite", "tei", "eit", "it "}
    assert round(search.similarity("kwalitijt", "kwaliteit"), 2) == 0.43
    assert search.similarity("ideeën", "ideeen") == 1.0
    assert search.similarity("", "kwaliteit") == 0.0


def test_postgresql_without_pg_trgm_falls_back_to_python(db, glossary, monkeypatch):
    from glossary.entries import search

    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("only PostgreSQL can have pg_trgm")
    assert search._has_pg_trgm(db)  # migration 0008 installed it on the test server
    monkeypatch.setattr(search, "_has_pg_trgm", lambda session: False)
    assert terms(db, glossary.partnership_id, "kwalitijt") == ["kwaliteit"]
    assert terms(db, glossary.partnership_id, "coordinasie") == ["regie"]
