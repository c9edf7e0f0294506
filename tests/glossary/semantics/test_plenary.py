"""A plenary (issue 17): `analyse` and `cards_for` on 1,000 definitions, and the large-round shortcuts.

Speed is measured by bench/analysis_speed.py (its plenary part), not here; these tests check that a
round of 1,000 comes out whole and that the faster algorithms give what the plain ones give.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from glossary.semantics import clustering, layout, round_analysis
from glossary.semantics.encoders import vector_dim

# Four meanings of "kwaliteit", in clauses people combine; written for this test.
CLAUSES = {
    "norms": ["we foutloos werken volgens de procedures", "elke stap wordt afgevinkt op de checklist",
              "de dossiers zijn volledig en de termijnen gehaald", "bij de audit zijn er geen afwijkingen"],
    "customer": ["de klant is tevreden en komt terug", "huurders geven ons een hoog rapportcijfer",
                 "inwoners bevelen ons aan bij hun buren", "de reparatie gaat in één keer goed"],
    "craft": ["je uiterste best doen om iets mooi te maken", "vakmanschap en trots op je werk",
              "blijven schaven tot het echt goed is", "het beste materiaal kiezen"],
    "attention": ["de medewerker neemt de tijd voor een gesprek", "echt luisteren naar wat iemand nodig heeft",
                  "met collega's leren van wat misging", "oprechte aandacht voor de cliënt"],
}
OPENERS = ["", "Kwaliteit is dat ", "Voor mij: ", "Volgens mij: ", "Kort gezegd: "]


def plenary(n: int, dim: int) -> tuple[list[dict], dict[str, np.ndarray], list[str]]:
    """n definitions with vectors that form one tight cloud per meaning (as cached at submit time)."""
    rng = random.Random(1)
    np_rng = np.random.default_rng(1)
    names = sorted(CLAUSES)
    centres = {m: np_rng.standard_normal(dim) for m in names}
    definitions, vectors, gold = [], {}, []
    for i in range(n):
        meaning = names[i % len(names)]
        text = rng.choice(OPENERS) + " en ".join(rng.sample(CLAUSES[meaning], rng.randint(1, 2))) + "."
        did = str(5000 + i)
        definitions.append({"id": did, "text": text[0].upper() + text[1:], "partner": f"Partner {i % 30}"})
        vectors[did] = (centres[meaning] + 0.6 * np_rng.standard_normal(dim)).astype(np.float32)
        gold.append(meaning)
    return definitions, vectors, gold


def test_a_round_of_a_thousand_definitions_is_analysed_whole(semantics):
    definitions, vectors, gold = plenary(1000, vector_dim())
    ids = [d["id"] for d in definitions]
    result = semantics.analyse("kwaliteit", definitions, vectors=vectors)

    placed = [i for m in result["meanings"] for i in m["definition_ids"]]
    assert sorted(placed) == sorted(ids) and len(placed) == len(set(placed))  # every id exactly once
    assert sum(m["size"] for m in result["meanings"]) == 1000
    # The four planted meanings are found, each whole.
    by_gold = {}
    for did, meaning in zip(ids, gold):
        by_gold.setdefault(meaning, set()).add(did)
    assert {frozenset(m["definition_ids"]) for m in result["meanings"]} == {frozenset(g) for g in by_gold.values()}
    for m in result["meanings"]:
        assert m["representative_id"] in m["definition_ids"]
        assert m["label"] and m["label"] == m["suggested_label"]
        assert m["terms"]
    assert set(result["coordinates"]) == set(ids)
    assert all(-1.0 <= c <= 1.0 for xy in result["coordinates"].values() for c in xy)
    assert set(result["languages"]) == set(ids)
    assert result["similarities"] == []  # pairs are listed for rounds of two or three only
    assert sum(sum(row.values()) for row in result["partners"].values()) == 1000
    assert len(result["shared_term_details"]) <= 10
    json.dumps(result)

    # Same input, same output, whether or not the texts were tokenised before.
    round_analysis._doc_cache.clear()
    assert semantics.analyse("kwaliteit", list(reversed(definitions)), vectors=vectors) == result


def test_a_thousand_authors_each_get_their_cards(semantics):
    from glossary.semantics.sorting import cards_for

    definitions, vectors, _ = plenary(1000, vector_dim())
    cards = cards_for("kwaliteit", definitions, vectors, [], per_author=6)
    assert set(cards) == {d["id"] for d in definitions}
    assert all(len(others) == 6 and own not in others and len(set(others)) == 6 for own, others in cards.items())
    assert {o for others in cards.values() for o in others} == set(cards)  # every definition is judged


def plain_linkage(dist: np.ndarray, sizes=None):
    """Average linkage by searching the whole matrix at every step: the definition `linkage` keeps to."""
    n = dist.shape[0]
    d = np.array(dist, dtype=np.float64)
    np.fill_diagonal(d, np.inf)
    size = np.ones(n) if sizes is None else np.array(sizes, dtype=np.float64)
    alive = np.ones(n, dtype=bool)
    merges, heights = [], []
    for _ in range(n - 1):
        i, j = divmod(int(np.argmin(np.where(alive[:, None] & alive[None, :], d, np.inf))), n)
        i, j = min(i, j), max(i, j)
        heights.append(d[i, j])
        new = (size[i] * d[i] + size[j] * d[j]) / (size[i] + size[j])
        d[i, :] = d[:, i] = new
        d[i, i] = d[j, :] = d[:, j] = np.inf
        size[i] += size[j]
        alive[j] = False
        merges.append((i, j))
    return merges, np.maximum.accumulate(np.array(heights)) if heights else np.zeros(0)


@pytest.mark.parametrize("kind", ["points", "ties", "uneven ties", "uneven"])
def test_linkage_merges_as_a_search_of_the_whole_matrix_does(kind):
    rng = np.random.default_rng(len(kind))
    for trial in range(60):
        n = int(rng.integers(1, 30))
        if kind == "points":
            x = rng.standard_normal((n, 4))
            dist = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
        elif kind == "ties":
            dist = rng.integers(0, 3, (n, n)).astype(float)
            dist = (dist + dist.T) / 2
        else:  # fuse's group means need not be exactly symmetric
            dist = rng.integers(0, 3, (n, n)).astype(float) if kind == "uneven ties" else rng.random((n, n))
        np.fill_diagonal(dist, 0.0)
        sizes = rng.integers(1, 4, n) if trial % 2 else None
        merges, heights = clustering.linkage(dist, sizes)
        expected_merges, expected_heights = plain_linkage(dist, sizes)
        assert merges == expected_merges
        assert np.array_equal(heights, expected_heights)


def test_the_map_of_a_large_round_matches_the_exact_scaling(monkeypatch):
    rng = np.random.default_rng(3)
    n = layout.EXACT_UP_TO + 50
    x = rng.standard_normal((n, 6)) + np.repeat(rng.standard_normal((3, 6)) * 3, [n // 3, n // 3, n - 2 * (n // 3)], axis=0)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sim = x @ x.T
    fast = layout.coordinates(sim, None, n)
    assert np.array_equal(layout.coordinates(sim, None, n), fast)  # deterministic
    monkeypatch.setattr(layout, "EXACT_UP_TO", n)
    exact = layout.coordinates(sim, None, n)
    assert np.abs(fast - exact).max() < 1e-8
    assert np.abs(fast).max() == pytest.approx(1.0)
