"""How well does the meaning analysis find the meanings people intended?

    .venv/bin/python bench/analysis_quality.py [--subsamples N] [--calibrate] [FILE.json ...]

For every labelled term (the dev set in ../shared/devset and every bench/data/*.json, or the
files given) it runs `glossary.semantics.analyse` and prints the adjusted Rand index (ARI) of
the meanings against the authors' intended meanings ("gold"), per term and as the mean per file.
A term with one intended meaning scores 1 only when the analysis finds exactly one meaning.

--subsamples N also analyse N random 80 % subsets of each term (fixed seed) and print their mean
               ARI: less noisy than one round of 14 definitions
--calibrate    print the per-view calibration table (glossary/semantics/calibration.py) measured on
               the labelled multi-meaning terms, plus its spread over leave-one-term-out folds
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from collections import Counter
from math import comb
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEVSET = Path(os.environ.get("SAMENSPRAAK_DEVSET", ROOT.parent / "shared" / "devset" / "definitions_dev.json"))


def adjusted_rand_index(gold: list, predicted: list) -> float:
    """ARI of two labelings of the same items (Hubert & Arabie); 1.0 when both are one group."""
    n = len(gold)
    if n < 2:
        return 1.0
    pairs = Counter(zip(gold, predicted))
    index = sum(comb(c, 2) for c in pairs.values())
    a = sum(comb(c, 2) for c in Counter(gold).values())
    b = sum(comb(c, 2) for c in Counter(predicted).values())
    expected = a * b / comb(n, 2)
    maximum = (a + b) / 2
    if maximum == expected:
        return 1.0 if index == maximum else 0.0
    return (index - expected) / (maximum - expected)


def label_files(args_files: list[str]) -> list[Path]:
    if args_files:
        return [Path(f) for f in args_files]
    files = [DEVSET] if DEVSET.exists() else []
    return files + [Path(p) for p in sorted(glob.glob(str(ROOT / "bench" / "data" / "*.json")))]


def predicted_labels(result: dict, ids: list[str]) -> list[str]:
    where = {did: m["id"] for m in result["meanings"] for did in m["definition_ids"]}
    return [where[i] for i in ids]


def evaluate(path: Path, subsamples: int) -> dict[str, tuple[float, float | None, int, int]]:
    from glossary.semantics import analyse, encode

    data = json.loads(path.read_text(encoding="utf-8"))
    rng = np.random.default_rng(20240601)
    out = {}
    for t in data["terms"]:
        defs = [{"id": d["id"], "text": d["text"], "partner": d.get("partner")} for d in t["definitions"]]
        gold = [d["gold"] for d in t["definitions"]]
        ids = [d["id"] for d in defs]
        vecs = encode([d["text"] for d in defs])
        vectors = dict(zip(ids, vecs))
        result = analyse(t["term"], defs, vectors=vectors)
        full = adjusted_rand_index(gold, predicted_labels(result, ids))
        sub_scores = []
        for _ in range(subsamples):
            keep = sorted(rng.choice(len(defs), size=max(4, round(0.8 * len(defs))), replace=False))
            sub = [defs[i] for i in keep]
            r = analyse(t["term"], sub, vectors=vectors)
            sub_scores.append(adjusted_rand_index([gold[i] for i in keep], predicted_labels(r, [ids[i] for i in keep])))
        out[t["term"]] = (full, float(np.mean(sub_scores)) if sub_scores else None, len(set(gold)), len(result["meanings"]))
    return out


def calibrate(files: list[Path]) -> None:
    from glossary.semantics import encode
    from glossary.semantics.encoders import split_views

    terms = []
    for path in files:
        for t in json.loads(path.read_text(encoding="utf-8"))["terms"]:
            gold = np.array([d["gold"] for d in t["definitions"]])
            if len(set(gold)) < 2:
                continue
            views = split_views(encode([d["text"] for d in t["definitions"]]))
            terms.append((t["term"], gold, views))

    def table(subset):
        res = {}
        for name in subset[0][2]:
            within, between = [], []
            for _, gold, views in subset:
                x = views[name]
                s = x @ x.T
                iu = np.triu_indices(len(gold), 1)
                same = (gold[:, None] == gold[None, :])[iu]
                within += list(s[iu][same])
                between += list(s[iu][~same])
            res[name] = (float(np.mean(within)), float(np.mean(between)))
        return res

    full = table(terms)
    folds = [table([t for t in terms if t[0] != left]) for left, _, _ in terms]
    print("CALIBRATION = {")
    for name, (w, b) in full.items():
        spread_w = np.ptp([f[name][0] for f in folds])
        spread_b = np.ptp([f[name][1] for f in folds])
        print(f'    "{name}": ({w:.3f}, {b:.3f}),  # leave-one-term-out range: within {spread_w:.3f}, between {spread_b:.3f}')
    print("}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--subsamples", type=int, default=0)
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    files = label_files(args.files)
    if not files:
        sys.exit("no labelled files found (set SAMENSPRAAK_DEVSET or pass files)")
    if args.calibrate:
        calibrate(files)
        return
    t0 = time.perf_counter()
    means = []
    for path in files:
        scores = evaluate(path, args.subsamples)
        print(f"== {path.name}")
        for term, (ari, sub, k_gold, k_found) in scores.items():
            extra = f"  subsets {sub:.3f}" if sub is not None else ""
            print(f"  {term:<16} ARI {ari:6.3f}{extra}   meanings: intended {k_gold}, found {k_found}")
        mean = float(np.mean([s[0] for s in scores.values()]))
        multi = [s[0] for s in scores.values() if s[2] > 1]
        line = f"  mean ARI {mean:.3f}   (terms with several meanings: {np.mean(multi):.3f})"
        if args.subsamples:
            line += f"   subsets mean {np.mean([s[1] for s in scores.values()]):.3f}"
        print(line)
        means.append(mean)
    print(f"overall mean ARI over files {np.mean(means):.3f}   ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
