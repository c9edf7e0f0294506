"""How far apart the meanings of a round are, in words: one set of bands for the analysis, the
glossary's framework grid, the meeting summary and the live gauge (static/js/meanings.js holds a
copy for the browser; tests/glossary/test_readings.py keeps the two equal)."""

from __future__ import annotations

import math

#: (upper bound of the divergence, key of the reading); the keys are translated where shown.
READINGS = ((0.2, "same"), (0.4, "small"), (0.6, "some"), (0.8, "large"), (math.inf, "very_large"))


def reading(divergence: float | None) -> str | None:
    """The reading of a divergence between 0 and 1 (None stays None)."""
    if divergence is None:
        return None
    return next(key for limit, key in READINGS if divergence < limit)
