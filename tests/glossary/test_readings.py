"""One set of divergence readings for the server and the browser's gauge."""

from __future__ import annotations

import json
import math
import re

from glossary.readings import READINGS, reading
from tests.server import ROOT


def test_the_browser_gauge_uses_the_same_bands_as_the_server():
    source = (ROOT / "static" / "js" / "meanings.js").read_text()
    found = re.search(r"const READINGS = (\[.*?\]);", source).group(1)
    browser = [(math.inf if limit > 1 else limit, key) for limit, key in json.loads(found)]
    assert browser == list(READINGS)


def test_readings_at_the_band_edges():
    assert [reading(x) for x in (0.0, 0.19, 0.2, 0.59, 0.6, 0.99, 1.0)] == [
        "same", "same", "small", "some", "large", "very_large", "very_large"]
    assert reading(None) is None
