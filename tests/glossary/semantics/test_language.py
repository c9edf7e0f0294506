"""Language detection and the text the encoders see."""

from __future__ import annotations

import pytest

from glossary.semantics.language import detect_language, encoder_inputs, is_term_word, opening_alias, term_prefixes


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Kwaliteit is dat we foutloos werken en ons aan de procedures houden.", "nl"),
        ("Quality means that our customers are happy with what they get.", "en"),
        ("Vakmanschap.", "nl"),
        ("Craftsmanship.", "en"),
        ("Inleverdatum", "nl"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["👍", "🎉🎉", "42", "?!"])
def test_no_language_without_words(text):
    assert detect_language(text) is None


def test_encoder_inputs_drop_the_opening_that_names_the_term():
    sentence, words = encoder_inputs("Kwaliteit is dat we foutloos werken.")
    assert sentence == "dat we foutloos werken."
    assert words == "foutloos werken"
    assert encoder_inputs("Quality means zero defects.")[0] == "zero defects."


def test_encoder_inputs_keep_something_for_emoji_and_one_word():
    assert encoder_inputs("👍") == ("👍", "👍")
    assert encoder_inputs("Vakmanschap") == ("Vakmanschap", "vakmanschap")


def test_encoder_inputs_cut_very_long_texts():
    sentence, _ = encoder_inputs("woord " * 5000)
    assert len(sentence) <= 1000


def test_term_forms():
    prefixes = term_prefixes("Kwaliteit")
    assert is_term_word("kwaliteiten", prefixes)
    assert not is_term_word("klant", prefixes)
    assert term_prefixes("de regie") == ("regie",)
    assert is_term_word("regierol", term_prefixes("regie"))
    assert not is_term_word("regio", term_prefixes("regie"))
    assert not is_term_word("item", term_prefixes("IT"))
    assert opening_alias("Quality means zero defects") == "quality"
    assert opening_alias("Vakmanschap: met toewijding") is None
