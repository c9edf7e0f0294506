"""Full-text search over a partnership's glossary that forgives inflection, in Dutch and English.

Every word is reduced to the stems of its lemmas: spaCy's lookup lemmatiser (spacy-lookups-data)
maps irregular forms to their lemma (``liep`` → ``lopen``, ``children`` → ``child``) and the
Snowball stemmer folds regular inflection (``samenwerkingen`` → ``samenwerk``). Each word yields a
Dutch and an English stem, since a glossary mixes both languages and a word rarely says which it is.
Entries store these stems (``search_term``, ``search_body``); queries are reduced the same way.

- SQLite: the FTS5 table ``glossary_search`` (rowid = entry id), kept in step by ``index_entry``
  inside the writing use case's own transaction, ranked with bm25 (term weighs most).
- PostgreSQL: a generated ``search_vector`` column (term weighted above the rest) with a GIN index.

When that finds nothing, a misspelling is forgiven: the terms and synonyms most similar to the
query by trigrams ("kwalitijt" finds "kwaliteit"). PostgreSQL computes it with pg_trgm's
``similarity`` when migration 0008 could install the extension; otherwise (SQLite, or PostgreSQL
without pg_trgm) it is computed here in Python, over the partnership's terms and synonyms — a
glossary holds tens to hundreds of them, so that takes well under a millisecond per term.

Called by entries.editing (after every change of an entry) and by the glossary pages and API.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from glossary.models import EntryVersion, GlossaryEntry

WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 12
MAX_QUERY_LENGTH = 200
#: How similar (shared trigrams / all trigrams, 0..1) a term must be to count as a misspelling of the
#: query; pg_trgm's own default. "kwalitijt" and "kwaliteit" score 0.43, unrelated words below 0.2.
TRIGRAM_THRESHOLD = 0.3


@lru_cache(maxsize=1)
def _lemma_tables():
    """The Dutch and English lemma lookup tables, loaded once per process on first use (~3 s).

    Only the lookup table is used: running a spaCy pipeline per word would be far slower, and
    the tables are read-only, so threads can share them.
    """
    import spacy

    tables = []
    for lang in ("nl", "en"):
        nlp = spacy.blank(lang)
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        tables.append(nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup"))
    return tuple(tables)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.nl.stop_words import STOP_WORDS as NL

    return frozenset(NL | EN)


def _fold(word: str) -> str:
    """Lowercase without diacritics, so ``ideeën`` and ``ideeen`` meet."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


class _Stemmers:
    # Snowball stemmer objects keep state while stemming, so each caller makes its own pair.
    def __init__(self) -> None:
        self.nl = snowballstemmer.stemmer("dutch")
        self.en = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def variants(word: str) -> tuple[str, ...]:
    """The search forms of one word: the Dutch and the English stem of its lemma."""
    word = word.lower()
    nl_table, en_table = _lemma_tables()
    stemmers = _Stemmers()
    forms = {
        _fold(stemmers.nl.stemWord(nl_table.get(word, word))),
        _fold(stemmers.en.stemWord(en_table.get(word, word))),
    }
    return tuple(sorted(f for f in forms if f))


def words(value: str) -> list[str]:
    return [w.lower() for w in WORD.findall(value or "")]


def document(*texts: str) -> str:
    """The stems of all content words in ``texts`` (stop words left out), space-separated."""
    stop = _stop_words()
    out: list[str] = []
    for value in texts:
        for word in words(value):
            if word not in stop:
                out.extend(variants(word))
    return " ".join(out)


def index_entry(session: Session, entry: GlossaryEntry) -> None:
    """Bring the SQLite FTS5 row of a flushed entry in step (PostgreSQL's index follows by itself).

    Called inside the writing use case's transaction, so the index and the entry commit together.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(text("DELETE FROM glossary_search WHERE rowid = :id"), {"id": entry.id})
    session.execute(
        text("INSERT INTO glossary_search (rowid, search_term, search_body) VALUES (:id, :term, :body)"),
        {"id": entry.id, "term": entry.search_term, "body": entry.search_body},
    )


def rebuild(session: Session) -> int:
    """Rebuild the SQLite index from the entries' search columns (bench, repairs); returns the count.

    The caller commits.
    """
    if session.get_bind().dialect.name != "sqlite":
        return 0
    session.execute(text("DELETE FROM glossary_search"))
    result = session.execute(
        text(
            "INSERT INTO glossary_search (rowid, search_term, search_body) "
            "SELECT id, search_term, search_body FROM glossary_entries"
        )
    )
    return result.rowcount


def _query_groups(query: str) -> list[tuple[str, ...]]:
    """Per query word its search forms; stop words are dropped unless nothing else is left."""
    found = words(query[:MAX_QUERY_LENGTH])[:MAX_QUERY_WORDS]
    stop = _stop_words()
    content = [w for w in found if w not in stop] or found
    return [variants(w) for w in content]


def search(session: Session, partnership_id: int, query: str, *, limit: int = 50) -> list[int]:
    """Ids of the partnership's entries matching every word of ``query``, best match first.

    The last word also matches as a prefix, so results appear while someone is still typing.
    """
    groups = _query_groups(query or "")
    if not groups:
        return []
    if session.get_bind().dialect.name == "postgresql":
        found = _search_postgres(session, partnership_id, groups, limit)
    else:
        found = _search_sqlite(session, partnership_id, groups, limit)
    return found or similar_terms(session, partnership_id, query, limit=limit)


# --- misspellings: trigram similarity -------------------------------------------------------------


def trigrams(value: str) -> set[str]:
    """The trigrams of ``value`` as pg_trgm counts them: per word (lower-case, diacritics folded),
    padded with two spaces in front and one behind."""
    grams: set[str] = set()
    for word in words(value):
        padded = f"  {_fold(word)} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """Shared trigrams over all trigrams of both (0..1), as pg_trgm's ``similarity``."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def similar_terms(session: Session, partnership_id: int, query: str, *, limit: int = 50) -> list[int]:
    """Ids of the entries whose term or a synonym looks like ``query`` (a misspelling), most similar first."""
    query = " ".join(words((query or "")[:MAX_QUERY_LENGTH])[:MAX_QUERY_WORDS])
    if not query:
        return []
    if session.get_bind().dialect.name == "postgresql" and _has_pg_trgm(session):
        return _similar_postgres(session, partnership_id, query, limit)
    rows = session.execute(
        select(GlossaryEntry.id, GlossaryEntry.term, GlossaryEntry.term_key, EntryVersion.synonyms)
        .join(EntryVersion, (EntryVersion.entry_id == GlossaryEntry.id) & (EntryVersion.number == GlossaryEntry.version))
        .where(GlossaryEntry.partnership_id == partnership_id)
    ).all()
    scored = []
    for entry_id, term, term_key, synonyms in rows:
        score = max(similarity(query, name) for name in [term, *(synonyms or [])])
        if score >= TRIGRAM_THRESHOLD:
            scored.append((-score, term_key, entry_id))
    return [entry_id for _score, _key, entry_id in sorted(scored)[:limit]]


def _has_pg_trgm(session: Session) -> bool:
    return session.scalar(text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')"))


def _similar_postgres(session: Session, partnership_id: int, query: str, limit: int) -> list[int]:
    rows = session.execute(
        text(
            "SELECT e.id FROM glossary_entries e "
            "JOIN entry_versions v ON v.entry_id = e.id AND v.number = e.version "
            "LEFT JOIN LATERAL json_array_elements_text(v.synonyms) AS s(name) ON true "
            "WHERE e.partnership_id = :partnership "
            "GROUP BY e.id, e.term, e.term_key "
            "HAVING GREATEST(similarity(lower(e.term), :query), COALESCE(MAX(similarity(lower(s.name), :query)), 0)) >= :threshold "
            "ORDER BY GREATEST(similarity(lower(e.term), :query), COALESCE(MAX(similarity(lower(s.name), :query)), 0)) DESC, "
            "e.term_key LIMIT :limit"
        ),
        {"query": query.lower(), "partnership": partnership_id, "threshold": TRIGRAM_THRESHOLD, "limit": limit},
    )
    return [row[0] for row in rows]


def _search_sqlite(session: Session, partnership_id: int, groups: list[tuple[str, ...]], limit: int) -> list[int]:
    parts = []
    for index, forms in enumerate(groups):
        star = "*" if index == len(groups) - 1 else ""
        # Forms are \w-only, but quoting keeps FTS5 from reading words like NOT or NEAR as operators.
        parts.append("(" + " OR ".join(f'"{f}"{star}' for f in forms) + ")")
    rows = session.execute(
        text(
            "SELECT e.id FROM glossary_search JOIN glossary_entries e ON e.id = glossary_search.rowid "
            "WHERE glossary_search MATCH :query AND e.partnership_id = :partnership "
            "ORDER BY bm25(glossary_search, 10.0, 1.0), e.term_key LIMIT :limit"
        ),
        {"query": " AND ".join(parts), "partnership": partnership_id, "limit": limit},
    )
    return [row[0] for row in rows]


def _search_postgres(session: Session, partnership_id: int, groups: list[tuple[str, ...]], limit: int) -> list[int]:
    parts = []
    for index, forms in enumerate(groups):
        star = ":*" if index == len(groups) - 1 else ""
        parts.append("(" + " | ".join(f"'{f}'{star}" for f in forms) + ")")
    rows = session.execute(
        text(
            "SELECT id FROM glossary_entries, to_tsquery('simple', :query) AS q "
            "WHERE partnership_id = :partnership AND search_vector @@ q "
            "ORDER BY ts_rank(search_vector, q) DESC, term_key LIMIT :limit"
        ),
        {"query": " & ".join(parts), "partnership": partnership_id, "limit": limit},
    )
    return [row[0] for row in rows]
