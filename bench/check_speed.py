"""How fast is the glossary check of a text?

    .venv/bin/python bench/check_speed.py

Prints the time of `glossary.documents.check.find_spans` on the largest text the check accepts
(200,000 characters, from bench/data/terms_corpus) against a glossary of about 500 terms, first
with the lemma tables still loading (a fresh process) and then warm, as the web server runs it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from glossary.documents.check import MAX_TEXT_LENGTH, CheckTerm, find_spans  # noqa: E402


def main() -> None:
    corpus = " ".join(p.read_text() for p in sorted((ROOT / "bench/data/terms_corpus").rglob("*.txt")))
    text = ((corpus + " ") * (MAX_TEXT_LENGTH // len(corpus) + 1))[:MAX_TEXT_LENGTH]
    words = sorted({w.lower().strip(".,:;") for w in corpus.split() if len(w) > 5 and w.isalpha()})[:500]
    terms = [CheckTerm(w, i, "definitie") for i, w in enumerate(words)] + [CheckTerm("eigen regie", 10_000, "definitie")]
    for label in ("first (lemma tables loading)", "warm"):
        t0 = time.perf_counter()
        spans = find_spans(text, terms)
        print(f"{label}: {len(text)} characters, {len(terms)} terms, {len(spans)} marks in {time.perf_counter() - t0:.2f} s, "
              f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
