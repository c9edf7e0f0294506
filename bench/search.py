"""Glossary search latency with 10,000 entries: prints p50/p95 of what a person waits for.

Usage: ``.venv/bin/python bench/search.py [--entries 10000] [--queries 300] [--database-url URL]``.
Without a URL it uses a fresh SQLite file (FTS5); pass a PostgreSQL URL to measure its GIN index.
Each timed query is ``entries.editing.search_entries``: the full-text match (forgiving inflection), ranking
and loading the 50 best entries with their current version — the list page's search.

Texts are drawn from Dutch word frequencies (wordfreq), so common words match thousands of entries
and rare ones a few, as in a real glossary; queries mix one and two words, inflected forms and
unfinished words (the last word is matched as a prefix).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from wordfreq import top_n_list  # noqa: E402

from glossary import accounts, partnerships  # noqa: E402
from glossary.entries import editing, search  # noqa: E402
from glossary.db import make_engine, make_session_factory  # noqa: E402
from glossary.migrate import upgrade  # noqa: E402
from glossary.models import EntryVersion, GlossaryEntry, utcnow  # noqa: E402

TARGET_P95_MS = 50.0


def sentence(rng: random.Random, words: list[str], weights: list[float], length: int) -> str:
    return " ".join(rng.choices(words, weights=weights, k=length)).capitalize() + "."


def fill(session, partnership_id: int, count: int, rng: random.Random, words: list[str], weights: list[float]) -> None:
    """Insert ``count`` entries with one version each, in bulk, then index them."""
    now = utcnow()
    terms: set[str] = set()
    batch = []
    while len(terms) < count:
        term = " ".join(rng.choices(words[200:], k=rng.choice((1, 1, 2))))
        if term in terms:
            continue
        terms.add(term)
        definition = sentence(rng, words, weights, rng.randint(12, 30))
        examples = [sentence(rng, words, weights, rng.randint(6, 14)) for _ in range(rng.randint(0, 2))]
        notes = sentence(rng, words, weights, rng.randint(0, 20)) if rng.random() < 0.3 else ""
        entry = GlossaryEntry(partnership_id=partnership_id, term=term, term_key=term.casefold(), status="vastgesteld",
                              version=1, created_at=now, updated_at=now)
        entry.search_term, entry.search_body = editing.search_documents(
            {"term": term, "synonyms": [], "definition": definition, "scope": "", "examples": examples, "notes": notes})
        entry.versions.append(EntryVersion(number=1, term=term, definition=definition, scope="", not_to_confuse_with=[],
                                           examples=examples, synonyms=[], condition_ids=[], notes=notes,
                                           status="vastgesteld", source="import", created_at=now))
        batch.append(entry)
        if len(batch) == 1000:
            session.add_all(batch)
            session.flush()
            batch.clear()
    session.add_all(batch)
    session.flush()
    search.rebuild(session)
    session.commit()


def queries(rng: random.Random, words: list[str], count: int) -> list[str]:
    content = [w for w in words[100:3000] if len(w) > 3]
    made = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.45:
            made.append(rng.choice(content))
        elif kind < 0.75:
            made.append(f"{rng.choice(content)} {rng.choice(content)}")
        elif kind < 0.9:
            word = rng.choice(content)
            made.append(word + rng.choice(("en", "s", "e", "ing", "t")))  # inflected or misinflected
        else:
            word = rng.choice(content)
            made.append(word[: max(3, len(word) - 2)])  # still typing
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        if args.database_url and engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(url)
        sessions = make_session_factory(engine)
        rng = random.Random(5)
        words = [w for w in top_n_list("nl", 6000) if w.isalpha()]
        weights = [1 / (rank + 10) for rank in range(len(words))]  # Zipf-like
        with sessions() as session:
            facilitator = accounts.create_facilitator(session, "bench", "correct horse battery", "Bench")
            partnership = partnerships.create_partnership(session, facilitator.id, "Bench", ["A"])
            started = time.perf_counter()
            fill(session, partnership.id, args.entries, rng, words, weights)
            print(f"{engine.dialect.name}: {args.entries} entries written and indexed in {time.perf_counter() - started:.1f} s")
            asked = queries(rng, words, args.queries)
            for query in asked[:20]:  # warm the lemma tables and the database cache
                editing.search_entries(session, partnership.id, query)
                session.rollback()
            timings, hits = [], []
            for query in asked:
                started = time.perf_counter()
                found = editing.search_entries(session, partnership.id, query)
                timings.append((time.perf_counter() - started) * 1000)
                hits.append(len(found))
                session.rollback()
        engine.dispose()
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"{len(timings)} queries, median {statistics.median(hits):.0f} results (max 50 shown)")
    print(f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {timings[-1]:.1f} ms  (target p95 <= {TARGET_P95_MS:.0f} ms)")
    if p95 > TARGET_P95_MS:
        sys.exit(1)


if __name__ == "__main__":
    main()
