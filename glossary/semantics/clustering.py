"""Grouping definitions into meanings: centred similarities, average linkage, silhouette, one-meaning test.

Why this recipe (measured with bench/analysis_quality.py on the dev set and bench/data):
- Raw cosine similarities of these encoders have no usable fixed threshold: every pair of
  sentences about the same term is "similar". Centring a round's vectors on the round's own mean
  removes what all definitions share and leaves what sets them apart.
- Views (two encoders, sentence and content words) are centred separately and their cosine
  similarities averaged; the ensemble beat every single view.
- Average linkage, with the number of meanings chosen by the silhouette, was as good as spectral
  clustering and consensus clustering on our sets, and is simpler and exactly reproducible.
- Silhouette cannot say "one meaning". For that, `calibration` maps raw similarities per view
  onto a scale where 0 is the typical similarity of two definitions of *different* meanings of a
  term and 1 that of two definitions of the *same* meaning. A round is one meaning when its
  average calibrated similarity is clearly above 1: its definitions are closer to each other than
  definitions that share a meaning usually are.
"""

from __future__ import annotations

import math

import numpy as np

from .calibration import calibrated

#: Most meanings the analysis proposes. A reveal with more groups than this is not readable,
#: and the facilitator can still split.
MAX_MEANINGS = 8

#: Rounds smaller than this are not clustered (silhouette needs a few points per group); their
#: definitions are compared pairwise instead.
MIN_CLUSTER_ROUND = 4

#: One-meaning test: the round's mean calibrated similarity must exceed 1 (a typical same-meaning
#: pair) by this many standard errors: a one-sided test at the 5 % level. Being conservative is
#: deliberate, because calling a round of different meanings "one meaning" hides exactly what the
#: product is for. On our sets the closest multi-meaning round (samenwerking) scores 0.76 against
#: the threshold of 1, the three one-meaning rounds 1.15 to 1.72.
UNANIMITY_Z = 1.645

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


def is_one_meaning(raw_cal: np.ndarray) -> bool:
    """One-meaning test for a round of at least MIN_CLUSTER_ROUND definitions.

    Each definition's mean calibrated similarity to the others is one observation; the round is
    one meaning when their mean exceeds 1 by UNANIMITY_Z standard errors.
    """
    n = raw_cal.shape[0]
    if n < 2:
        return True
    off = raw_cal[~np.eye(n, dtype=bool)].reshape(n, n - 1)
    per_def = off.mean(axis=1)
    mean = float(per_def.mean())
    se = float(per_def.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0
    return mean - UNANIMITY_Z * se > 1.0


def average_linkage(dist: np.ndarray) -> list[tuple[int, int]]:
    """Average-linkage (UPGMA) merge order for a symmetric distance matrix.

    Returns n-1 merges as (kept, absorbed) cluster indices, where a cluster is named by its
    smallest member index. Ties are broken by the lowest index pair, so the result depends only on
    the matrix. Own implementation instead of scipy: importing scipy.cluster costs ~0.7 s of the
    command line's 5 s, and O(n^3) numpy is a few milliseconds for rounds of a few hundred.
    """
    n = dist.shape[0]
    d = np.array(dist, dtype=np.float64, copy=True)
    np.fill_diagonal(d, np.inf)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    merges = []
    for _ in range(n - 1):
        masked = np.where(alive[:, None] & alive[None, :], d, np.inf)
        flat = int(np.argmin(masked))  # first minimum in row-major order: lowest (i, j)
        i, j = divmod(flat, n)
        if i > j:
            i, j = j, i
        # Lance-Williams update for average linkage.
        new = (size[i] * d[i] + size[j] * d[j]) / (size[i] + size[j])
        d[i, :] = new
        d[:, i] = new
        d[i, i] = np.inf
        d[j, :] = np.inf
        d[:, j] = np.inf
        size[i] += size[j]
        alive[j] = False
        merges.append((i, j))
    return merges


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


def silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette width; definitions alone in their meaning count 0 (Rousseeuw's convention)."""
    n = len(labels)
    k = int(labels.max()) + 1
    onehot = np.zeros((n, k))
    onehot[np.arange(n), labels] = 1.0
    counts = onehot.sum(axis=0)
    sums = dist @ onehot  # (n, k): total distance from each point to each cluster
    own = counts[labels]
    a = np.where(own > 1, sums[np.arange(n), labels] / np.maximum(own - 1, 1), 0.0)
    other = sums / np.where(counts > 0, counts, 1.0)
    other[np.arange(n), labels] = np.inf
    b = other.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def cluster(view_vectors: dict[str, np.ndarray], raw_cal: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """Groups a round of at least MIN_CLUSTER_ROUND definitions into meanings.

    Called by `analyse` with the round's vectors in a fixed order (sorted by id). Returns
    (labels, method): labels 0..k-1 per definition, and "one_meaning" when the one-meaning test
    holds or "clustered" otherwise.
    """
    n = next(iter(view_vectors.values())).shape[0]
    if raw_cal is None:
        raw_cal = raw_calibrated_similarity(view_vectors)
    if is_one_meaning(raw_cal):
        return np.zeros(n, dtype=np.int64), "one_meaning"
    dist = np.clip(1.0 - centred_similarity(view_vectors), 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    merges = average_linkage(dist)
    best = None
    for k in range(2, min(MAX_MEANINGS, n - 1) + 1):
        labels = cut(merges, n, k)
        score = silhouette(dist, labels)
        # Strictly better only: on ties the smaller number of meanings wins.
        if best is None or score > best[0] + 1e-12:
            best = (score, labels)
    return best[1], "clustered"
