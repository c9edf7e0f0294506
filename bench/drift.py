"""Calibrates the drift threshold of glossary.meeting.drift on labelled definitions.

Usage: ``.venv/bin/python bench/drift.py``. For every term of the labelled sets (the shared dev set
and bench/data/extra_terms.json) each definition in turn plays the agreed definition; every other
definition of the same term is a "new definition" that should count as drifted exactly when its
gold meaning differs. Prints the distance distributions, the threshold with the best balanced
accuracy, and how the current ``DRIFT_THRESHOLD`` does.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from glossary.meeting.drift import DRIFT_THRESHOLD  # noqa: E402
from glossary.semantics import ENGINE, encode, similarity  # noqa: E402

SETS = [ROOT.parent / "shared" / "devset" / "definitions_dev.json", ROOT / "bench" / "data" / "extra_terms.json"]


def pairs() -> list[tuple[float, bool]]:
    """(distance to the reference, whether the gold meaning differs) for every ordered pair."""
    found = []
    for path in SETS:
        if not path.exists():
            print(f"(skipped {path}: not found)")
            continue
        for term in json.loads(path.read_text())["terms"]:
            texts = [d["text"] for d in term["definitions"]]
            gold = [d["gold"] for d in term["definitions"]]
            vectors = encode(texts)
            for i in range(len(texts)):
                for j in range(len(texts)):
                    if i != j:
                        found.append((1.0 - float(similarity(vectors[i], vectors[j])), gold[i] != gold[j]))
    return found


def balanced_accuracy(found: list[tuple[float, bool]], threshold: float) -> float:
    drifted = [d for d, other in found if other]
    same = [d for d, other in found if not other]
    return (sum(d > threshold for d in drifted) / len(drifted) + sum(d <= threshold for d in same) / len(same)) / 2


def main() -> None:
    found = pairs()
    same = [d for d, other in found if not other]
    drifted = [d for d, other in found if other]
    print(f"engine {ENGINE}: {len(found)} pairs")
    for name, values in (("same meaning", same), ("other meaning", drifted)):
        q = statistics.quantiles(values, n=10)
        print(f"  {name:14s} median {statistics.median(values):.3f}  p10 {q[0]:.3f}  p90 {q[-1]:.3f}")
    candidates = [round(0.01 * i, 2) for i in range(1, 100)]
    best = max(candidates, key=lambda t: balanced_accuracy(found, t))
    print(f"best threshold {best:.2f}: balanced accuracy {balanced_accuracy(found, best):.3f}")
    print(f"current DRIFT_THRESHOLD {DRIFT_THRESHOLD:.2f}: balanced accuracy {balanced_accuracy(found, DRIFT_THRESHOLD):.3f}")


if __name__ == "__main__":
    main()
