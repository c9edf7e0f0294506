"""Sentence vectors of definitions: the one place that says "use the cached vector, or encode".

A definition's vector is computed once, by the background encoder right after it is submitted
(``needs_vector``, then ``store_vector``), and kept in the database with the engine that made
it. Everything else that needs vectors (the reveal's analysis and corrections in
``meeting.meanings``, the listening check and the draft's coverage, the drift from an agreed
definition) asks ``of_definitions``, which reads the cache and encodes only what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from glossary import semantics
from glossary.db import begin_write
from glossary.models import Definition

VECTOR_DTYPE = "<f4"


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def vector_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=VECTOR_DTYPE)


def cached(definition: Definition) -> np.ndarray | None:
    """The definition's stored vector if the current engine made it, else None."""
    if definition.vector and definition.vector_engine == semantics.ENGINE:
        return vector_from_bytes(definition.vector)
    return None


@dataclass(frozen=True)
class Vectors:
    """Result of ``of_definitions``: every definition's vector by its id as text, and which of them
    had to be encoded now (``fresh``), so that a writing caller can keep those with ``stage``."""

    by_id: dict[str, np.ndarray]
    fresh: dict[str, np.ndarray]


def of_definitions(definitions: Iterable[Definition]) -> Vectors:
    """The sentence vectors of ``definitions``: cached ones as they are, the rest encoded in one batch.

    Called outside any write transaction (encoding costs about 45 ms of CPU per text) by the
    analysis, the corrections, the listening check, the draft's coverage and the drift.
    """
    definitions = list(definitions)
    by_id: dict[str, np.ndarray] = {}
    missing: list[Definition] = []
    for definition in definitions:
        vector = cached(definition)
        if vector is None:
            missing.append(definition)
        else:
            by_id[str(definition.id)] = vector
    fresh = dict(zip((str(d.id) for d in missing), semantics.encode([d.text for d in missing]))) if missing else {}
    return Vectors(by_id={**by_id, **fresh}, fresh=fresh)


def stage(session: Session, definitions: Iterable[Definition], fresh: dict[str, np.ndarray]) -> None:
    """Keep vectors that ``of_definitions`` had to encode, inside the caller's write transaction,
    so that corrections and a later analysis need not encode the same texts again."""
    texts = {str(d.id): d.text for d in definitions}
    for definition_id, vector in fresh.items():
        _stage_vector(session, int(definition_id), texts[definition_id], vector, semantics.ENGINE)


def store_vector(session: Session, definition_id: int, text: str, vector: np.ndarray, engine: str) -> bool:
    """Cache a definition's sentence vector, unless its text changed meanwhile (then a newer job follows).

    Called by the background encoder after each submission. Returns whether the vector was stored.
    """
    begin_write(session)
    stored = _stage_vector(session, definition_id, text, vector, engine)
    session.commit()
    return stored


def needs_vector(session: Session, definition_id: int, text: str, engine: str) -> bool:
    """Whether this text of the definition still lacks a vector of ``engine``: the background
    encoder asks before it spends the CPU, since a reveal's analysis may have stored it already."""
    return session.scalar(
        select(Definition.id).where(
            Definition.id == definition_id, Definition.text == text,
            (Definition.vector.is_(None)) | (Definition.vector_engine != engine),
        )
    ) is not None


def _stage_vector(session: Session, definition_id: int, text: str, vector: np.ndarray, engine: str) -> bool:
    # Conditional on the text: a definition changed since it was read keeps waiting for its own job.
    result = session.execute(
        update(Definition)
        .where(Definition.id == definition_id, Definition.text == text)
        .values(vector=vector_to_bytes(vector), vector_engine=engine)
    )
    return result.rowcount == 1
