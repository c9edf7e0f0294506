"""Check a text against the glossary: every glossary term in it, with inflections and compounds.

`find_spans(text, terms)` marks each word (or run of words) that is a glossary term, an inflected
form of one (kwaliteiten, afspraken) or a compound built on one (kwaliteitseisen, zorgkwaliteit).
Word forms meet through `glossary.entries.search.variants` (lemma, then the Dutch and English
Snowball stem, the same forms the glossary search uses); compounds are words that begin or end with
a term's form where the rest is at least three letters. Pure: `library.check_text` supplies the
terms of a partnership (or of a share link) and their flags.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from glossary.entries.search import variants

MAX_TEXT_LENGTH = 200_000
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
#: Terms this short match only whole words and their inflections, never inside compounds.
MIN_COMPOUND_PART = 4
MIN_REST = 3


@dataclass(frozen=True)
class CheckTerm:
    """A term to look for, and what to say about it."""

    term: str
    entry_id: int | None = None
    definition: str = ""
    status: str | None = None
    unsettled: bool = False  # partners use it in different senses, or it is not agreed yet
    synonyms: tuple[str, ...] = ()


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))


def _forms(word: str) -> set[str]:
    return {_fold(word)} | set(variants(word))


class _Matcher:
    """The terms' names (term and synonyms) indexed by word form, so a long text with a large
    glossary costs a few dictionary lookups per word instead of a comparison with every name."""

    def __init__(self, terms: list[CheckTerm]):
        # (word-form sets, plain words, term) per name; longest names first so "eigen regie" wins over "regie"
        self.names = []
        for t in terms:
            for name in (t.term, *t.synonyms):
                ws = _WORD.findall(name)
                if ws:
                    self.names.append(([_forms(w) for w in ws], [_fold(w) for w in ws], t))
        self.names.sort(key=lambda n: -len(n[0]))
        self.by_form: dict[str, list[int]] = {}
        self.compound_parts: dict[str, list[int]] = {}
        for i, (forms, plains, _t) in enumerate(self.names):
            for f in forms[0] | {plains[0]}:
                self.by_form.setdefault(f, []).append(i)
            if len(forms) == 1 and len(plains[0]) >= MIN_COMPOUND_PART:
                # Only forms as long as the term itself: a short stem ("regi") would find "regionaal".
                for f in {f for f in forms[0] if len(f) >= len(plains[0])} | {plains[0]}:
                    self.compound_parts.setdefault(f, []).append(i)

    @staticmethod
    def word_matches(word: str, forms: set[str], name_forms: set[str], plain: str, last: bool) -> bool:
        folded = _fold(word)
        if folded == plain or forms & name_forms:
            return True
        if not last or len(plain) < MIN_COMPOUND_PART:
            return False
        stems = {f for f in name_forms if len(f) >= len(plain)} | {plain}
        for stem in stems:
            if folded.startswith(stem) and len(folded) - len(stem) >= MIN_REST:
                return True
            for v in forms:
                if v.endswith(stem) and len(v) - len(stem) >= MIN_REST:
                    return True
        return False

    def candidates(self, word: str, forms: set[str]) -> list[int]:
        """Names that may start at this word: by its forms, or as a compound part of it."""
        found = set()
        for f in forms | {_fold(word)}:
            found.update(self.by_form.get(f, ()))
        folded = _fold(word)
        for i in range(MIN_COMPOUND_PART, len(folded) - MIN_REST + 1):
            found.update(self.compound_parts.get(folded[:i], ()))
        for v in forms:
            for i in range(MIN_REST, len(v) - MIN_COMPOUND_PART + 1):
                found.update(self.compound_parts.get(v[i:], ()))
        return sorted(found)  # names are sorted longest first, so their indexes are too


def find_spans(text: str, terms: list[CheckTerm]) -> list[dict]:
    """Spans of glossary terms in `text`, in text order, not overlapping.

    Each span: {"start", "end" (character offsets), "text", "term", "entry_id", "definition",
    "status", "unsettled"}.
    """
    matcher = _Matcher(terms)
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    token_forms = [_forms(w) for w, _s, _e in tokens]
    spans = []
    i = 0
    while i < len(tokens):
        found = None
        for index in matcher.candidates(tokens[i][0], token_forms[i]):
            name_forms, plains, term = matcher.names[index]
            n = len(name_forms)
            if i + n > len(tokens):
                continue
            if all(
                matcher.word_matches(tokens[i + k][0], token_forms[i + k], name_forms[k], plains[k], last=(k == n - 1))
                for k in range(n)
            ):
                found = (n, term)
                break
        if found:
            n, term = found
            start, end = tokens[i][1], tokens[i + n - 1][2]
            spans.append({
                "start": start,
                "end": end,
                "text": text[start:end],
                "term": term.term,
                "entry_id": term.entry_id,
                "definition": term.definition,
                "status": term.status,
                "unsettled": term.unsettled,
            })
            i += n
        else:
            i += 1
    return spans
