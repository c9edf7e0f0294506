"""How far apart the meanings of a round are, in words: one set of bands for the analysis, the
glossary's framework grid, the meeting summary and the live gauge (static/js/meanings.js holds a
copy for the browser; tests/glossary/test_readings.py keeps the two equal)."""

from __future__ import annotations

import math

from glossary.errors import _

#: (upper bound of the divergence, key of the reading); the keys are translated where shown.
READINGS = ((0.2, "same"), (0.4, "small"), (0.6, "some"), (0.8, "large"), (math.inf, "very_large"))


#: Lowest divergence of a grouping whose meanings are held by different partners: the upper bound
#: of "same", so such a grouping never reads "same" (the gauge must not contradict the meanings).
SPLIT_FLOOR = READINGS[0][0]


def reading(divergence: float | None) -> str | None:
    """The reading of a divergence between 0 and 1 (None stays None)."""
    if divergence is None:
        return None
    return next(key for limit, key in READINGS if divergence < limit)


def split_between_partners(holders: list[list[str]]) -> bool:
    """Whether two or more meanings are held by two or more partners.

    `holders` lists, per meaning, who holds each of its definitions (partner names; callers use a
    definition's own id where the partner is unknown). True when two different holders sit in two
    different meanings. Called by `reading_of_grouping` and by the meaning analysis's divergence.
    """
    filled = [set(h) for h in holders if h]
    if len(filled) < 2:
        return False
    everyone = set().union(*filled)
    return len(everyone) >= 2


def reading_of_grouping(divergence: float | None, holders: list[list[str]]) -> str | None:
    """The reading of a grouping: `reading(divergence)`, but never "same" when the meanings are
    split between partners (see `split_between_partners`), whatever the divergence says.

    For callers that hold a grouping and a divergence computed elsewhere (an older stored analysis,
    the facilitator's groups); returns a READINGS key or None.
    """
    key = reading(divergence)
    if key == "same" and split_between_partners(holders):
        return READINGS[1][1]
    return key


#: The words for each reading (message ids, translated where shown): the glossary's framework grid,
#: the meeting summary's page and files, and the live gauge (templates/_live.html hands them to the browser).
READING_LABELS = {
    "same": _("Jullie bedoelen hetzelfde"), "small": _("Kleine verschillen"), "some": _("Merkbare verschillen"),
    "large": _("Grote verschillen"), "very_large": _("Grote spraakverwarring"),
}
