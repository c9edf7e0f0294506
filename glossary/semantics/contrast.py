"""Distinguishing words, labels and "same word, different meaning" for a grouping of definitions.

Words no frequency list knows (Zipf 0) are mostly misspellings ("enrgie"); they never count as
distinguishing words, because the rarity weight would otherwise make every typo a label. A meaning of
two or more definitions is named only by words that at least two of its definitions use. Its label is
a short phrase (2 to 5 words) cut from one of its own definitions around those words, so a
facilitator can read it aloud ("aandacht van de medewerker" rather than "bijzaak, uitdragen").

Lemma TF-IDF cannot *find* meanings (ARI about 0 on our sets) but it is the right tool to *name*
them: a lemma that occurs in many definitions of one meaning and in few other meanings sets that
meaning apart. Its weight is multiplied by how rare the word is in everyday language (wordfreq,
in the definition's own language), so "klant" beats "goed". Stop words, the term itself (and its
inflections, compounds and translations in "Quality means ..." openings), numbers, punctuation and
one-letter words never count.
"""

from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache

from .language import is_term_word, opening_alias, stop_words, term_prefixes

#: Distinguishing words reported per meaning.
WORDS_PER_MEANING = 5
#: Words in the fallback label of a meaning (when no phrase can be cut from its definitions).
LABEL_WORDS = 2
#: Shortest and longest label phrase, in words.
PHRASE_WORDS = (2, 5)
#: Words a label phrase does not run across: they join clauses, and a phrase spanning two clauses
#: ("loket gestuurd worden en achteraf") cannot be said as one idea.
CLAUSE_BREAKS = frozenset("en of maar want dat die omdat zodat als wanneer terwijl and or but that which because when".split())
#: Shared words reported for a round.
MAX_SHARED = 10
#: Words more common than this (Zipf 5: about once in 10,000 words) are too everyday to be
#: interesting as "the same word used differently" ("zodat", "elkaar", "mensen").
SHARED_MAX_ZIPF = 5.0


#: Function words spaCy's stop lists lack but that never distinguish a meaning: Dutch pronominal
#: adverbs ("eraan", "ervoor") and common abbreviations.
EXTRA_STOP_WORDS = frozenset(
    """
    eraan erachter erbij erdoor erheen erin erlangs ermee erna ernaar erom erop erover ertegen ertoe
    eruit ervan ervoor hieraan hierbij hierin hiermee hierover hiervan hiervoor daaraan daarbij daarin
    daarmee daarover daarvan daarvoor waaraan waarbij waarin waarmee waarover waarvan waarvoor
    hoeveel bijv bv oa ipv evt etc enz ed dwz se
    """.split()
)


@lru_cache(maxsize=20000)
def zipf(word: str, lang: str) -> float:
    """wordfreq Zipf frequency of `word` in `lang` (0 for unknown words); cached per process."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


def rarity(word: str, lang: str) -> float:
    """Weight 0.05..1 that grows as a word gets rarer in everyday language (1 - zipf/8)."""
    return min(1.0, max(0.05, 1.0 - zipf(word, lang) / 8.0))


def content_lemmas(doc, lang: str, term: str) -> list[str]:
    """Lemmas of a definition that may distinguish a meaning, in text order (with repeats).

    Called by `analyse` for each definition's spaCy Doc. Drops stop words (by word and by lemma),
    non-alphabetic tokens, one-letter words, the term's forms and the "X" of an "X is/means"
    opening.
    """
    sw = stop_words()[lang]
    prefixes = term_prefixes(term)
    alias = opening_alias(doc.text)
    out = []
    for tok in doc:
        if not tok.is_alpha or len(tok.text) < 2:
            continue
        lower = tok.lower_
        lemma = (tok.lemma_ or lower).lower()
        if lower in sw or lemma in sw or lower in EXTRA_STOP_WORDS or tok.like_num:
            continue
        if is_term_word(lower, prefixes) or is_term_word(lemma, prefixes):
            continue
        if alias and lower == alias:
            continue
        out.append(lemma)
    return out


def meaning_words(groups: list[list[int]], lemmas: list[list[str]], langs: list[str]) -> list[list[tuple[str, float]]]:
    """Distinguishing words for each group of definitions.

    Called by `analyse`; `groups` holds definition indices, `lemmas` and `langs` are per definition.
    Score of lemma w in meaning m: (share of m's definitions containing w)
    x log((M + 1) / number of meanings containing w) x rarity(w). Words with Zipf 0 (unknown:
    mostly misspellings) never count, and in a meaning of two or more definitions a word must occur
    in at least two of them. Returns per group up to
    WORDS_PER_MEANING (lemma, weight) pairs, weights scaled so the best is 1.0, best first;
    ties are broken alphabetically.
    """
    m_count = len(groups)
    presence: list[dict[str, int]] = []
    lang_of: dict[str, str] = {}
    for g in groups:
        counts: dict[str, int] = defaultdict(int)
        for i in g:
            for w in set(lemmas[i]):
                counts[w] += 1
                lang_of.setdefault(w, langs[i])
        presence.append(counts)
    df: dict[str, int] = defaultdict(int)
    for counts in presence:
        for w in counts:
            df[w] += 1
    out = []
    for g, counts in zip(groups, presence):
        scored = []
        for w, c in counts.items():
            if (len(g) >= 2 and c < 2) or zipf(w, lang_of[w]) <= 0.0:
                continue
            score = (c / len(g)) * math.log((m_count + 1) / df[w]) * rarity(w, lang_of[w])
            if score > 0:
                scored.append((w, score))
        scored.sort(key=lambda x: (-x[1], x[0]))
        top = scored[:WORDS_PER_MEANING]
        best = top[0][1] if top else 1.0
        out.append([(w, round(s / best, 3)) for w, s in top])
    return out


def label_for(words: list[tuple[str, float]], representative_text: str) -> str:
    """Last-resort label of a meaning, when `label_phrase` finds no phrase.

    Called by `analyse`; the facilitator can rename it. The first words of the representative
    definition (at most PHRASE_WORDS[1]), so one-word and emoji-only meanings stay labelled with
    what was actually written; else its best LABEL_WORDS words.
    """
    text = " ".join(representative_text.split())
    head = text.split()[: PHRASE_WORDS[1]]
    if head:
        label = " ".join(head).rstrip(",;:.!?")
        return label if len(head) == len(text.split()) else label + "…"
    return ", ".join(w for w, _ in words[:LABEL_WORDS])


def rare_words(doc, lang: str, term: str) -> list[tuple[str, float]]:
    """(lemma, rarity) of a definition's known content words: what a label leans on when its
    meaning has no distinguishing words (one meaning, or words no two definitions share)."""
    return sorted({(w, rarity(w, lang)) for w in content_lemmas(doc, lang, term) if zipf(w, lang) > 0.0},
                  key=lambda x: (-x[1], x[0]))


def is_label_word(tok, lang: str, term_prefixes_: tuple, alias: str | None) -> bool:
    """Whether a token may open or close a label phrase: a known content word, not the term."""
    if not tok.is_alpha or len(tok.text) < 2:
        return False
    lower = tok.lower_
    lemma = (tok.lemma_ or lower).lower()
    if lower in stop_words()[lang] or lemma in stop_words()[lang] or lower in EXTRA_STOP_WORDS:
        return False
    if is_term_word(lower, term_prefixes_) or is_term_word(lemma, term_prefixes_) or (alias and lower == alias):
        return False
    return zipf(lower, lang) > 0.0 or zipf(lemma, lang) > 0.0


def label_phrase(group: list[int], docs: list, langs: list[str], term: str, words: list[tuple[str, float]],
                 representative: int) -> str | None:
    """A 2-5 word phrase from one of the meaning's own definitions that carries its distinguishing words.

    Called by `analyse` with the meaning's definition indices, every definition's spaCy Doc and
    language, and the meaning's (lemma, weight) words from `meaning_words`. Candidate phrases are
    runs of words within one clause (no punctuation inside) that start and end with a known
    content word; a phrase scores the weights of the distinguishing lemmas it holds, plus a little
    for content lemmas the meaning's other definitions share, less a little per word. The best
    phrase wins (ties: shorter, then from the representative, then the lowest definition index,
    then the earliest). Returns None when no phrase holds a distinguishing word.
    """
    weight = dict(words)
    if not weight:
        return None
    prefixes = term_prefixes(term)
    in_group: dict[str, int] = defaultdict(int)
    for i in group:
        for lemma in {(t.lemma_ or t.lower_).lower() for t in docs[i] if t.is_alpha}:
            in_group[lemma] += 1
    best = None
    low, high = PHRASE_WORDS
    order = [representative] + [i for i in group if i != representative]
    for rank, i in enumerate(order):
        doc, lang = docs[i], langs[i]
        alias = opening_alias(doc.text)
        toks = list(doc)
        ok = [is_label_word(t, lang, prefixes, alias) for t in toks]
        for start, first in enumerate(toks):
            if not ok[start]:
                continue
            for end in range(start + low - 1, min(len(toks), start + high)):
                span = toks[start : end + 1]
                if any(not t.is_alpha or t.lower_ in CLAUSE_BREAKS for t in span):
                    break  # punctuation, a number or a conjunction ends the clause
                if not ok[end]:
                    continue
                lemmas = {(t.lemma_ or t.lower_).lower() for t in span}
                found = sum(weight.get(lm, 0.0) for lm in lemmas)
                if found <= 0:
                    continue
                shared = sum(1 for t, good in zip(span, ok[start : end + 1])
                             if good and in_group[(t.lemma_ or t.lower_).lower()] >= 2)
                score = found + 0.15 * shared - 0.08 * len(span)
                key = (-round(score, 9), len(span), rank, start)
                if best is None or key < best[0]:
                    best = (key, doc[start : end + 1].text)
    return best[1] if best else None


def shared_words(groups: list[list[int]], lemmas: list[list[str]], langs: list[str]) -> list[dict]:
    """Words that occur in more than one meaning: the same word, used for different things.

    Called by `analyse` when there are at least two meanings. Leaves out everyday words (Zipf above
    SHARED_MAX_ZIPF). Returns up to MAX_SHARED {"term", "meanings" (group indices), "definitions"
    (definition indices)}, most meanings first, then rarer words first, then alphabetically.
    """
    if len(groups) < 2:
        return []
    where: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    lang_of: dict[str, str] = {}
    for gi, g in enumerate(groups):
        for i in g:
            for w in dict.fromkeys(lemmas[i]):
                where[w][gi].append(i)
                lang_of.setdefault(w, langs[i])
    found = []
    for w, by_group in where.items():
        if len(by_group) < 2 or zipf(w, lang_of[w]) > SHARED_MAX_ZIPF:
            continue
        found.append((-len(by_group), zipf(w, lang_of[w]), w, by_group))
    found.sort(key=lambda x: (x[0], x[1], x[2]))
    return [
        {
            "term": w,
            "meanings": sorted(by_group),
            "definitions": sorted(i for idx in by_group.values() for i in idx),
        }
        for _, _, w, by_group in found[:MAX_SHARED]
    ]
