"""2-D coordinates of definitions for the map of meanings."""

from __future__ import annotations

import numpy as np


def coordinates(centred_sim: np.ndarray | None, pair_unit_sim: float | None, n: int) -> np.ndarray:
    """Positions in [-1, 1]^2, one row per definition, close together when meanings are close.

    Called by `analyse`. From three definitions on, classical multidimensional scaling of the
    centred-similarity distances (the same distances the grouping uses), so groups show as clouds.
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
    j = np.eye(n) - np.full((n, n), 1.0 / n)
    b = -0.5 * j @ d2 @ j
    vals, vecs = np.linalg.eigh((b + b.T) / 2)
    order = np.argsort(-vals, kind="stable")[:2]
    pts = vecs[:, order] * np.sqrt(np.clip(vals[order], 0.0, None))
    if pts.shape[1] < 2:
        pts = np.hstack([pts, np.zeros((n, 2 - pts.shape[1]))])
    for axis in range(2):
        col = pts[:, axis]
        nz = np.flatnonzero(np.abs(col) > 1e-9)
        if nz.size and col[nz[0]] < 0:
            pts[:, axis] = -col
    scale = float(np.abs(pts).max())
    return pts / scale if scale > 1e-9 else np.zeros((n, 2))
