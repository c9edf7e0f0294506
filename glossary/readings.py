"""How far apart the meanings of a round are, in words: one set of bands for the analysis, the
glossary's framework grid, the meeting summary and the live gauge (static/js/meanings.js holds a
copy for the browser; tests/glossary/test_readings.py keeps the two equal)."""

from __future__ import annotations

import math

from glossary.errors import _

#: (upper bound of the divergence, key of the reading); the keys are translated where shown.
READINGS = ((0.2, "same"), (0.4, "small"), (0.6, "some"), (0.8, "large"), (math.inf, "very_large"))


def reading(divergence: float | None) -> str | None:
    """The reading of a divergence between 0 and 1 (None stays None)."""
    if divergence is None:
        return None
    return next(key for limit, key in READINGS if divergence < limit)


#: The words for each reading (message ids, translated where shown): the glossary's framework grid,
#: the meeting summary's page and files, and the live gauge (templates/_live.html hands them to the browser).
READING_LABELS = {
    "same": _("Jullie bedoelen hetzelfde"), "small": _("Kleine verschillen"), "some": _("Merkbare verschillen"),
    "large": _("Grote verschillen"), "very_large": _("Grote spraakverwarring"),
}
