"""Sorting by the room: which definitions each author is asked about, and how their answers
change the grouping.

INTERIM: a small stand-in written on the ``sorting`` branch against the contract agreed with the
``semantics`` branch, so that the sorting step works end to end before that branch lands:

    cards_for(term, definitions, vectors, judgements, per_author=6) -> {definition_id: [other ids]}

``judgements`` are [{"by": "<judging author's definition id>", "same": [ids], "different": [ids]}].
When the semantics branch's version arrives, it replaces this file.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def _unit(vectors: dict[str, np.ndarray], ids: list[str]) -> np.ndarray:
    matrix = np.array([np.asarray(vectors[i], dtype=np.float64) for i in ids])
    matrix = matrix - matrix.mean(axis=0) if len(ids) >= 3 else matrix  # centred on the round, as the grouping does
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def _answered(judgements) -> set[tuple[str, str]]:
    return {(j["by"], other) for j in judgements or () for other in (*j.get("same", ()), *j.get("different", ()))}


def cards_for(term: str, definitions: list[dict], vectors: dict[str, np.ndarray], judgements=None,
              per_author: int = 6) -> dict[str, list[str]]:
    """For each definition's author, the other definitions to judge against their own: the pairs
    the vectors are least sure about (similarity nearest the round's median), while every
    definition is shown about equally often so the whole round gets covered. Never one's own;
    pairs already judged are left out. Deterministic: same input, same cards."""
    ids = [str(d["id"]) for d in definitions]
    if len(ids) < 2:
        return {i: [] for i in ids}
    unit = _unit(vectors, ids)
    sim = unit @ unit.T
    upper = sim[np.triu_indices(len(ids), k=1)]
    middle = float(np.median(upper))
    done = _answered(judgements)
    shown: dict[str, int] = defaultdict(int)
    cards: dict[str, list[str]] = {}
    for a, author in enumerate(ids):
        candidates = [(b, other) for b, other in enumerate(ids) if other != author and (author, other) not in done]
        candidates.sort(key=lambda c: (shown[c[1]], abs(float(sim[a, c[0]]) - middle), c[1]))
        chosen = [other for _b, other in candidates[:per_author]]
        for other in chosen:
            shown[other] += 1
        cards[author] = chosen
    return cards
