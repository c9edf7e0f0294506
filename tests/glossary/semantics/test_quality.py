"""Regression guard: the analysis keeps finding the meanings the authors intended (ARI)."""

from __future__ import annotations

import sys

import numpy as np

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from analysis_quality import adjusted_rand_index  # noqa: E402


def mean_ari(semantics, data: dict) -> tuple[float, dict[str, float]]:
    scores = {}
    for t in data["terms"]:
        definitions = [{"id": d["id"], "text": d["text"], "partner": d.get("partner")} for d in t["definitions"]]
        result = semantics.analyse(t["term"], definitions)
        where = {i: m["id"] for m in result["meanings"] for i in m["definition_ids"]}
        scores[t["term"]] = adjusted_rand_index([d["gold"] for d in t["definitions"]], [where[d["id"]] for d in definitions])
    return float(np.mean(list(scores.values()))), scores


def test_ari_helper():
    assert adjusted_rand_index(list("aabb"), list("xxyy")) == 1.0
    assert adjusted_rand_index(list("aaaa"), list("xxxx")) == 1.0
    assert adjusted_rand_index(list("aaaa"), list("xxyy")) == 0.0
    assert adjusted_rand_index(list("aabbcc"), list("xyxyxy")) < 0  # worse than chance


def test_dev_set_mean_ari_at_least_0_6(semantics, devset):
    mean, scores = mean_ari(semantics, devset)
    assert mean >= 0.6, scores


def test_extra_set_mean_ari_at_least_0_5(semantics, extra_set):
    # Our own harder set (bench/data/extra_terms.json), including two rounds with one meaning.
    mean, scores = mean_ari(semantics, extra_set)
    assert mean >= 0.5, scores
    assert scores["deadline"] == 1.0 and scores["stuurgroep"] == 1.0
