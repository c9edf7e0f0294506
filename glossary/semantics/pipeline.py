"""The spaCy side of the meaning analysis: one `nlp` per language, built once per process.

Each pipeline is `spacy.blank(lang)` plus
- spaCy's lookup lemmatizer with the `lemma_lookup` table of spacy-lookups-data;
- `samenspraak_lemma_rules` (`LemmaRules`), which extends it with the package's exception tables
  (`lemma_exc`: gemaakt -> maken, afspraken -> afspraak, kiest -> kiezen), because the Dutch
  lookup table lacks most inflected verbs and plurals, and for words no table knows with the
  suffix rules of `lemma_rules`, accepted only when they give a known lemma (doelen -> doel);
- `samenspraak_sentence_vector`: sets `doc.vector` / `doc.similarity` through `doc.user_hooks`
  to the multilingual sentence vectors of `glossary.semantics.encoders`.

Nothing is downloaded: the tables ship inside spacy-lookups-data and the encoders inside their wheels.
"""

from __future__ import annotations

import threading
from typing import Iterable

from spacy.language import Language

from .calibration import similarity
from .encoders import encode
from .language import DEFAULT_LANGUAGE, LANGUAGES, stop_words

# Parts of speech in the order their exceptions and rules are tried (and win ties). Without a
# tagger we cannot know the part of speech; nouns first because contrast words are mostly nouns.
_POS_ORDER = ("noun", "verb", "adj", "adv", "adp", "det", "pron", "num")
_RULE_POS = ("noun", "verb", "adj")
VECTOR_USER_DATA_KEY = "samenspraak_vector"

_lock = threading.Lock()
_nlps: dict[str, object] = {}
_use_locks = {lang: threading.Lock() for lang in LANGUAGES}


def nlp_lock(lang: str) -> threading.Lock:
    """Lock to hold while running the `lang` pipeline: spaCy does not promise that one Language
    object may process texts in several threads at once, and the web server analyses from
    several (reveal worker, facilitator corrections)."""
    return _use_locks[lang]


def _rule_lemma(word: str, index: dict, rules: dict) -> str | None:
    """Suffix-rule lemma of `word` that the index knows, trying nouns, verbs, adjectives in turn."""
    for pos in _RULE_POS:
        known = index.get(pos)
        if not known:
            continue
        for old, new in rules.get(pos, ()):
            if word.endswith(old) and len(word) > len(old):
                cand = word[: len(word) - len(old)] + new
                if cand in known:
                    return cand
    return None


def _tables(lookups, name: str) -> dict:
    # spaCy tables are keyed by string hashes: read them with .get(str), never dict().
    t = lookups.get_table(name) if lookups.has_table(name) else {}
    return {pos: t.get(pos) for pos in _POS_ORDER if t.get(pos)}


@Language.factory("samenspraak_lemma_rules")
class LemmaRules:
    """spaCy component `samenspraak_lemma_rules`: completes the lookup lemmatizer of its pipeline.

    Added after "lemmatizer" by `get_nlp`, which has initialised that lemmatizer's tables first.
    For each alphabetic token the lookup table left unchanged it tries, in turn:
    1. the lookup table with the lower-cased word (English keys are case-sensitive);
    2. the exception tables of all parts of speech, plus the word itself when the index lists it
       as a lemma; the most common of these words (wordfreq) wins, so afspraken -> afspraak
       (not afspreken), gezonde -> gezond (not zonnen), bezig stays bezig (not bezigen), while
       gemaakt -> maken and kiest -> kiezen;
    3. suffix rules whose result the index knows (doelen -> doel);
    and otherwise keeps the lower-cased word. Stop words are never changed (the tables map
    "en" to "emmen"). Returns the Doc with `lemma_` set; results are cached per word.
    """

    def __init__(self, nlp, name: str):
        lookups = nlp.get_pipe("lemmatizer").lookups
        self.lang = nlp.lang
        self.lookup = lookups.get_table("lemma_lookup")
        self.exc = _tables(lookups, "lemma_exc")
        self.index = {pos: frozenset(words) for pos, words in _tables(lookups, "lemma_index").items()}
        self.rules = _tables(lookups, "lemma_rules")
        self.stops = stop_words().get(self.lang, frozenset())
        # Per-word results: part of the loaded model, bounded by the language's vocabulary.
        self.cache: dict[str, str] = {}

    def resolve(self, lower: str) -> str:
        found = self.lookup.get(lower)
        if isinstance(found, str):
            return found.lower()
        # Without a tagger the part of speech is unknown, and the exception tables disagree:
        # "gezonde" is gezond (adjective) or zonnen (verb), "afspraken" afspraak or afspreken,
        # "bezig" is itself a lemma but also a form of "bezigen". Of the readings the tables allow
        # (the word itself when the index knows it as a lemma), the most common word wins.
        candidates = [lower] if any(lower in words for words in self.index.values()) else []
        for pos in _POS_ORDER:
            lemmas = (self.exc.get(pos) or {}).get(lower)
            if lemmas and lemmas[0] not in candidates:
                candidates.append(lemmas[0])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            from wordfreq import zipf_frequency

            return max(candidates, key=lambda c: zipf_frequency(c, self.lang))  # first wins ties
        return _rule_lemma(lower, self.index, self.rules) or lower

    def __call__(self, doc):
        for tok in doc:
            if not tok.is_alpha:
                continue
            lower = tok.lower_
            if lower in self.stops:
                tok.lemma_ = lower
                continue
            lemma = tok.lemma_
            if lemma and lemma.lower() != lower:
                tok.lemma_ = lemma.lower()
                continue
            if lower not in self.cache:
                self.cache[lower] = self.resolve(lower)
            tok.lemma_ = self.cache[lower]
        return doc


def _lookups(lang: str):
    """The lemma tables of spacy-lookups-data for `lang` as a spaCy `Lookups` container."""
    from spacy.lookups import Lookups, Table
    from spacy.util import load_language_data, registry

    class DictTable(Table):
        # spaCy's Table hashes every key when it is filled: 0.5 s for the 213,000 Dutch lookup
        # entries, a tenth of the command line's time budget. The lookup lemmatizer only reads the
        # table with get(str), so this one keeps the plain dict as loaded and answers from it.
        def __init__(self, name, data):
            super().__init__(name=name)
            self._data = data

        def get(self, key, default=None):
            return self._data.get(key, default) if isinstance(key, str) else default

        def __getitem__(self, key):
            return self._data[key]

        def __contains__(self, key):
            return isinstance(key, str) and key in self._data

        def __len__(self):
            return len(self._data)

    files = registry.lookups.get(lang)
    lookups = Lookups()
    lookups.set_table("lemma_lookup", DictTable("lemma_lookup", load_language_data(files["lemma_lookup"])))
    for name in ("lemma_exc", "lemma_index", "lemma_rules"):
        if name in files:
            lookups.add_table(name, load_language_data(files[name]))
    return lookups


def _build(lang: str):
    import spacy

    nlp = spacy.blank(lang)
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lemmatizer.initialize(lookups=_lookups(lang))
    nlp.add_pipe("samenspraak_lemma_rules", after="lemmatizer")
    nlp.add_pipe("samenspraak_sentence_vector", last=True)
    return nlp


def get_nlp(lang: str = DEFAULT_LANGUAGE):
    """The process-wide spaCy pipeline for `lang` ("nl" or "en"), built on first use.

    Called by `analyse` for the contrast words and by anyone who wants tokens, lemmas or sentence
    vectors of a text. Building takes about a second (tokenizer exceptions and lemma tables), so it
    happens once per process and language, guarded by a lock for the web server's threads.
    Returns a `spacy.Language`.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"no pipeline for language {lang!r}; expected one of {LANGUAGES}")
    nlp = _nlps.get(lang)
    if nlp is None:
        with _lock:
            nlp = _nlps.get(lang)
            if nlp is None:
                nlp = _build(lang)
                _nlps[lang] = nlp
    return nlp


@Language.factory("samenspraak_sentence_vector")
def _sentence_vectors(nlp, name: str):
    """Factory of the `SentenceVectors` component; called by spaCy when `_build` adds the pipe."""
    return SentenceVectors()


class SentenceVectors:
    """spaCy component that gives each Doc a multilingual sentence vector.

    Added last to every pipeline by `get_nlp`. It sets `doc.user_hooks["vector"]` and
    `["similarity"]`, so `doc.vector` is the concatenated encoder vector of
    `glossary.semantics.encoders.encode` and `doc.similarity(other)` is
    `glossary.semantics.similarity` (0..1 meaning closeness). The vector is computed lazily on first
    access, unless a caller put a cached one in `doc.user_data[VECTOR_USER_DATA_KEY]`, so
    tokenising for contrast words never runs the encoders. `pipe` encodes a whole batch at once.
    """

    def __call__(self, doc):
        doc.user_hooks["vector"] = _doc_vector
        doc.user_hooks["has_vector"] = lambda d: True
        doc.user_hooks["similarity"] = _doc_similarity
        return doc

    def pipe(self, docs: Iterable, batch_size: int = 64):
        batch = []
        for doc in docs:
            batch.append(self(doc))
            if len(batch) >= batch_size:
                yield from _fill_vectors(batch)
                batch = []
        if batch:
            yield from _fill_vectors(batch)


def _fill_vectors(docs):
    # Only docs without a cached vector are encoded, in one batch. Encoding stays lazy when the
    # caller will provide vectors itself: `analyse` tokenises with `nlp.pipe` and passes cached
    # vectors in, so it disables this component to avoid encoding twice.
    missing = [d for d in docs if VECTOR_USER_DATA_KEY not in d.user_data]
    if missing:
        vecs = encode([d.text for d in missing])
        for d, v in zip(missing, vecs):
            d.user_data[VECTOR_USER_DATA_KEY] = v
    return docs


def _doc_vector(doc):
    v = doc.user_data.get(VECTOR_USER_DATA_KEY)
    if v is None:
        v = encode([doc.text])[0]
        doc.user_data[VECTOR_USER_DATA_KEY] = v
    return v


def _doc_similarity(doc, other):
    return similarity(doc.vector, other.vector)

