"""2-D coordinates of definitions for the map of meanings."""

from __future__ import annotations

import numpy as np

#: Up to this many definitions the map is the exact classical scaling (a full eigendecomposition,
#: about 20 ms at 400); larger rounds get the same two axes from `_top_two` (Lanczos), because the
#: full decomposition grows with n^3 (0.35 s of CPU at 1,000 definitions).
EXACT_UP_TO = 400
#: Lanczos steps for large rounds: the two largest eigenvalues of a round's map have converged to
#: machine precision well before this on the plenary bench (bench/analysis_speed.py).
LANCZOS_STEPS = 60
#: Seed of the Lanczos start vector: the same round always gives the same picture.
LANCZOS_SEED = 17


def _top_two(b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two largest eigenvalues of symmetric `b` and their eigenvectors, by Lanczos with full
    reorthogonalisation from a fixed start vector (a fixed number of steps, so deterministic)."""
    n = b.shape[0]
    steps = min(n, LANCZOS_STEPS)
    q = np.zeros((n, steps))
    alpha, beta = np.zeros(steps), np.zeros(steps)
    v = np.random.default_rng(LANCZOS_SEED).standard_normal(n)
    v -= v.mean()  # the centred matrix maps the constant vector to zero: start orthogonal to it
    v /= np.linalg.norm(v)
    used = steps
    for k in range(steps):
        q[:, k] = v
        w = b @ v
        alpha[k] = v @ w
        # Twice, so the basis stays orthogonal in floating point.
        w -= q[:, : k + 1] @ (q[:, : k + 1].T @ w)
        w -= q[:, : k + 1] @ (q[:, : k + 1].T @ w)
        norm = float(np.linalg.norm(w))
        if k + 1 == steps or norm < 1e-10:
            used = k + 1
            break
        beta[k] = norm
        v = w / norm
    t = np.diag(alpha[:used]) + np.diag(beta[: used - 1], 1) + np.diag(beta[: used - 1], -1)
    vals, vecs = np.linalg.eigh(t)
    order = np.argsort(-vals, kind="stable")[:2]
    return vals[order], q[:, :used] @ vecs[:, order]


def coordinates(centred_sim: np.ndarray | None, pair_unit_sim: float | None, n: int) -> np.ndarray:
    """Positions in [-1, 1]^2, one row per definition, close together when meanings are close.

    Called by `analyse`. From three definitions on, classical multidimensional scaling of the
    centred-similarity distances (the same distances the grouping uses), so groups show as clouds;
    above EXACT_UP_TO definitions its two axes come from a truncated eigendecomposition.
    Two definitions lie on the x axis at +-(1 - similarity): identical texts coincide at the origin.
    One definition sits at the origin. Each axis is flipped so the first definition with a nonzero
    coordinate is positive, and the layout is scaled so its largest coordinate is 1: the same
    round always gives the same picture.
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        x = 1.0 - float(pair_unit_sim if pair_unit_sim is not None else 0.0)
        return np.array([[-x, 0.0], [x, 0.0]]) if x > 1e-9 else np.zeros((2, 2))
    d2 = np.clip(1.0 - centred_sim, 0.0, None) ** 2
    if n <= EXACT_UP_TO:
        j = np.eye(n) - np.full((n, n), 1.0 / n)
        b = -0.5 * j @ d2 @ j
        vals, vecs = np.linalg.eigh((b + b.T) / 2)
        order = np.argsort(-vals, kind="stable")[:2]
        vals, vecs = vals[order], vecs[:, order]
    else:
        # Double centring by row and column means: what J D J computes, in O(n^2).
        rows = d2.mean(axis=1, keepdims=True)
        cols = d2.mean(axis=0, keepdims=True)
        b = -0.5 * (d2 - rows - cols + rows.mean())
        vals, vecs = _top_two((b + b.T) / 2)
    pts = vecs * np.sqrt(np.clip(vals, 0.0, None))
    if pts.shape[1] < 2:
        pts = np.hstack([pts, np.zeros((n, 2 - pts.shape[1]))])
    for axis in range(2):
        col = pts[:, axis]
        nz = np.flatnonzero(np.abs(col) > 1e-9)
        if nz.size and col[nz[0]] < 0:
            pts[:, axis] = -col
    scale = float(np.abs(pts).max())
    return pts / scale if scale > 1e-9 else np.zeros((n, 2))
