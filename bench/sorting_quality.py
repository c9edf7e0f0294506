"""How much does the room's sorting (judgements) add to the machine's first grouping?

    .venv/bin/python bench/sorting_quality.py [--repeats 5] [--per-author 6] [--wrong 0.1] [FILE.json ...]

For every labelled term (the dev set and bench/data/*.json, or the files given) it simulates the
sorting after the reveal: each author gets `glossary.semantics.sorting.cards_for` cards (six by
default), answers "the same" when the other definition has the same intended meaning ("gold") and
"something else" otherwise, and a tenth of the answers are flipped (people misread). The answers go
into `analyse(..., judgements=...)`. Prints the adjusted Rand index per term without and with the
judgements (mean over --repeats seeded repetitions), the mean per file, split into short and long
definitions (a file whose "form" is "long"), and the number of meanings found for one-meaning terms.

The prior (clustering.PRIOR) is fitted on these same sets; the judgements' weight (log 9) and the
cut-off (0.5) are not tuned, so the "with" figures are only mildly flattered by the data.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from analysis_quality import adjusted_rand_index, label_files, predicted_labels  # noqa: E402


def simulate(term: str, defs: list[dict], gold: list[str], vectors: dict, rng, per_author: int, wrong: float) -> list[dict]:
    """One batch of answers: cards from `cards_for`, truthful answers, each flipped with probability `wrong`."""
    from glossary.semantics.sorting import cards_for

    where = {d["id"]: g for d, g in zip(defs, gold)}
    cards = cards_for(term, defs, vectors, [], per_author=per_author)
    out = []
    for by, others in cards.items():
        same, different = [], []
        for other in others:
            answer = where[by] == where[other]
            if rng.random() < wrong:
                answer = not answer
            (same if answer else different).append(other)
        out.append({"by": by, "same": same, "different": different})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--per-author", type=int, default=6)
    parser.add_argument("--wrong", type=float, default=0.1)
    args = parser.parse_args()
    from glossary.semantics import analyse, encode

    t0 = time.perf_counter()
    summary = []
    for path in label_files(args.files):
        data = json.loads(path.read_text(encoding="utf-8"))
        form = data.get("form", "short")
        print(f"== {path.name} ({form} definitions)")
        alone, fused = [], []
        for t in data["terms"]:
            defs = [{"id": d["id"], "text": d["text"], "partner": d.get("partner")} for d in t["definitions"]]
            gold = [d["gold"] for d in t["definitions"]]
            ids = [d["id"] for d in defs]
            vectors = dict(zip(ids, encode([d["text"] for d in defs])))
            base = analyse(t["term"], defs, vectors=vectors)
            a = adjusted_rand_index(gold, predicted_labels(base, ids))
            scores, ks = [], []
            for rep in range(args.repeats):
                rng = np.random.default_rng(1000 + rep)
                judgements = simulate(t["term"], defs, gold, vectors, rng, args.per_author, args.wrong)
                r = analyse(t["term"], defs, vectors=vectors, judgements=judgements)
                scores.append(adjusted_rand_index(gold, predicted_labels(r, ids)))
                ks.append(len(r["meanings"]))
            f = float(np.mean(scores))
            alone.append(a)
            fused.append(f)
            one = "   one-meaning term" if len(set(gold)) == 1 else ""
            print(
                f"  {t['term']:<16} ARI alone {a:6.3f}  with judgements {f:6.3f} (min {min(scores):.3f})   "
                f"meanings: intended {len(set(gold))}, alone {len(base['meanings'])}, judged {ks}{one}"
            )
        print(f"  mean ARI alone {np.mean(alone):.3f}   with judgements {np.mean(fused):.3f}")
        summary.append((path.name, form, float(np.mean(alone)), float(np.mean(fused))))
    print("== summary (judgements: %d per author, %.0f %% wrong, %d repeats)" % (args.per_author, 100 * args.wrong, args.repeats))
    for name, form, a, f in summary:
        print(f"  {name:<24} {form:<5}  alone {a:.3f}   with judgements {f:.3f}")
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
