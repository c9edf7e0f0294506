"""The room sorts: which definitions each author is asked to judge against their own.

After the reveal each author says, for a handful of other definitions, "means the same as mine",
"something else" or "don't know". Those answers go back into `analyse(..., judgements=...)`.
Asking about pairs the analysis is already sure of wastes the room's attention, so the cards are
the pairs whose fused probability of sharing a meaning (similarities plus the answers so far, as in
`clustering.fuse`) lies closest to the cut-off, spread so that every definition is judged by
somebody and no definition is on everybody's cards.
"""

from __future__ import annotations

import numpy as np

from . import clustering
from .calibration import to_unit
from .encoders import split_views
from .round_analysis import (
    _natural_key,
    _vectors,
    judgement_evidence,
    machine_prior,
    validate_definitions,
    validate_judgements,
)

#: Extra log-odds distance per card a definition already holds: spreads the cards over the round.
SPREAD = 0.5


def cards_for(
    term: str,
    definitions: list[dict],
    vectors: dict[str, np.ndarray] | None,
    judgements: list[dict] | None,
    per_author: int = 6,
) -> dict[str, list[str]]:
    """Which other definitions each author should judge against their own.

    Called by the web layer after the reveal and after each batch of answers, with the vectors
    cached at submit time (missing ones are encoded) and the judgements so far (the format of
    `analyse`; validated the same way, AnalysisInputError on bad input). Returns {definition id:
    [up to `per_author` other ids, most useful first]} for every definition: never the author's own,
    never a definition that author has already judged, the pairs nearest the cut-off first, and in
    the first card of each author every definition that nobody has on a card yet comes first, so
    that every definition is judged when the round has at least two. Same input, same output.
    """
    defs = validate_definitions(term, definitions)
    ids = [d["id"] for d in defs]
    judged = validate_judgements(judgements if judgements is not None else [], ids)
    n = len(ids)
    if n < 2 or per_author <= 0:
        return {did: [] for did in ids}
    views = split_views(_vectors(defs, vectors, None))
    raw_cal = clustering.raw_calibrated_similarity(views)
    centred = clustering.centred_similarity(views) if n >= 3 else None
    prior, _ = machine_prior(defs, views, raw_cal, to_unit(raw_cal), centred)
    fused = prior + judgement_evidence(judged, ids)
    cut_logit = float(np.log(clustering.FUSED_CUT / (1.0 - clustering.FUSED_CUT)))
    doubt = np.abs((fused + fused.T) / 2 - cut_logit)
    index = {did: i for i, did in enumerate(ids)}
    asked = np.eye(n, dtype=bool)
    for a, b, _ in judged:
        asked[index[a], index[b]] = True

    cards: dict[int, list[int]] = {i: [] for i in range(n)}
    held = np.zeros(n)  # cards each definition is on
    # Each choice sees the cards dealt before it, so authors are served one after the other; the
    # choice itself is a vector minimum (argmin takes the first: the lowest index wins ties), which
    # keeps a plenary of 1,000 at a fraction of a second.
    for slot in range(min(per_author, n - 1)):
        for i in range(n):
            free = ~asked[i]
            if not free.any():
                continue
            if slot == 0:
                # Coverage first: a definition nobody holds yet beats a more doubtful one.
                unheld = free & (held == 0)
                j = int(np.argmin(np.where(unheld if unheld.any() else free, doubt[i], np.inf)))
            else:
                j = int(np.argmin(np.where(free, doubt[i] + SPREAD * held, np.inf)))
            cards[i].append(j)
            asked[i, j] = True
            held[j] += 1
    return {
        ids[i]: [ids[j] for j in sorted(cards[i], key=lambda j: (doubt[i, j], _natural_key(ids[j])))]
        for i in range(n)
    }
