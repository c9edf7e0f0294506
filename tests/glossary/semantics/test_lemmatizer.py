"""The spaCy pipelines: lookup lemmatizer extended with the exception tables and validated suffix rules."""

from __future__ import annotations

import pytest

from glossary.semantics.pipeline import get_nlp


def lemma(lang: str, word: str) -> str:
    return get_nlp(lang)(word)[0].lemma_


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("gemaakt", "maken"),  # participle, from the verb exceptions
        ("afspraken", "afspraak"),  # plural noun; nouns win over the verb "afspreken"
        ("kiest", "kiezen"),  # verb exceptions win over the adjective "kies"
        ("kozen", "kiezen"),
        ("doelen", "doel"),  # regular plural via suffix rules + index
        ("procedures", "procedure"),
        ("afgevinkt", "afvinken"),  # already in the lookup table
        ("mensen", "mens"),
        ("gezonde", "gezond"),  # adjective, not the verb "zonnen": the more common reading wins
        ("Gebruikers", "gebruiker"),  # capitalised at the start of a sentence
    ],
)
def test_dutch_lemmas(word, expected):
    assert lemma("nl", word) == expected


@pytest.mark.parametrize("word", ["bezig", "helder", "echt", "vast", "zetten"])
def test_dutch_base_forms_keep_their_form(word):
    # The exception tables also hold rare readings (bezig -> bezigen); a known lemma stays itself.
    assert lemma("nl", word) == word


@pytest.mark.parametrize("word", ["en", "de", "het", "wij"])
def test_stop_words_are_not_lemmatised(word):
    assert lemma("nl", word) == word  # the tables map "en" to "emmen"


@pytest.mark.parametrize(("word", "expected"), [("Customers", "customer"), ("chose", "choose"), ("decisions", "decision")])
def test_english_lemmas(word, expected):
    assert lemma("en", word) == expected


def test_pipeline_is_built_once_per_language():
    assert get_nlp("nl") is get_nlp("nl")
    assert get_nlp("en") is not get_nlp("nl")
    with pytest.raises(ValueError):
        get_nlp("fr")


def test_sentence_vector_component_sets_doc_vector_and_similarity(semantics):
    nlp = get_nlp("nl")
    assert nlp.pipe_names[-1] == "samenspraak_sentence_vector"
    a = nlp("Klanten zijn tevreden over wat ze krijgen.")
    b = nlp("De klant is blij met het resultaat.")
    c = nlp("Zonnepanelen op elk dak.")
    assert a.has_vector
    assert a.vector.shape == (semantics.encoders.vector_dim(),)
    assert 0.0 <= a.similarity(c) < a.similarity(b) <= 1.0
    docs = list(nlp.pipe(["Eén.", "Twee."]))
    assert all(d.vector.shape == a.vector.shape for d in docs)
