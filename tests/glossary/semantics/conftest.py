"""Fixtures for the meaning-analysis tests: models load once per test session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DEVSET = Path(os.environ.get("SAMENSPRAAK_DEVSET", REPO.parent / "shared" / "devset" / "definitions_dev.json"))
EXTRA = REPO / "bench" / "data" / "extra_terms.json"


@pytest.fixture(scope="session")
def semantics():
    """The `glossary.semantics` package with encoders and spaCy pipelines loaded (a few seconds, once)."""
    import glossary.semantics as semantics

    semantics.warm_up()
    return semantics


@pytest.fixture(scope="session")
def devset():
    if not DEVSET.exists():
        pytest.skip(f"dev set not found at {DEVSET} (set SAMENSPRAAK_DEVSET)")
    return json.loads(DEVSET.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def extra_set():
    return json.loads(EXTRA.read_text(encoding="utf-8"))


def defs(*texts: str, partners: tuple[str | None, ...] | None = None) -> list[dict]:
    """Definitions d1, d2, ... for `texts`, with partners P1.. (or the given ones)."""
    return [
        {"id": f"d{i + 1}", "text": t, "partner": (partners[i] if partners else f"P{i % 3 + 1}")}
        for i, t in enumerate(texts)
    ]
