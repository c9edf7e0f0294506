"""Where does the term finder rank the planted confusing terms, and the shared controls?

    .venv/bin/python bench/terms_quality.py [CORPUS_DIR ...] [--top N]

A corpus is a folder with one sub-folder of documents per partner and a `truth.json`:
{"planted": [lemma, ...], "controls": [lemma, ...]}. Default: bench/data/terms_corpus (written by
bench/make_terms_corpus.py) and bench/data/terms_corpus_en (bench/make_terms_corpus_en.py). Prints per corpus the rank and score of every planted term and
control, how many planted terms rank above every control, and the wall time of the analysis.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as run.py and the command line do
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from glossary.documents import reading, terms  # noqa: E402


def _truth(corpus: Path) -> dict:
    """{"planted": [...], "controls": [...]} from truth.json; "confusing"/"ambiguous" and "shared"
    are read as the same lists, and a {term: ...} mapping as its keys."""
    raw = json.loads((corpus / "truth.json").read_text())

    def terms_of(*keys):
        for k in keys:
            if k in raw:
                value = raw[k]
                return [str(t).lower() for t in (value.keys() if isinstance(value, dict) else value)]
        return []

    return {"planted": terms_of("planted", "confusing", "ambiguous"), "controls": terms_of("controls", "control", "shared")}


def run(corpus: Path, top: int) -> None:
    truth = _truth(corpus)
    partners = {d.name: [t for _f, t in reading.read_path(str(d))] for d in sorted(corpus.iterdir()) if d.is_dir()}
    words = sum(len(t.split()) for texts in partners.values() for t in texts)
    t0 = time.perf_counter()
    result = terms.find_terms(partners, top=top)
    seconds = time.perf_counter() - t0
    ranked = [t["term"] for t in result["terms"]]
    score = {t["term"]: t["score"] for t in result["terms"]}
    print(f"{corpus.name}: {len(partners)} partners, {result['documents']} documents, {words} words, "
          f"{seconds:.1f} s (models loaded in the first run), load {os.getloadavg()[0]:.1f}")
    for kind in ("planted", "controls"):
        for term in truth[kind]:
            rank = ranked.index(term) + 1 if term in ranked else None
            print(f"  {'planted' if kind == 'planted' else 'control':8} {term:<16} rank {rank or f'>{len(ranked)}':>4}  score {score.get(term, 0):.2f}")
    control_ranks = [ranked.index(t) + 1 if t in ranked else len(ranked) + 1 for t in truth["controls"]]
    best_control = min(control_ranks) if control_ranks else len(ranked) + 1
    above = sum(1 for t in truth["planted"] if t in ranked and ranked.index(t) + 1 < best_control)
    planted_ranks = [ranked.index(t) + 1 if t in ranked else len(ranked) + 1 for t in truth["planted"]]
    print(f"  planted terms above every control: {above}/{len(truth['planted'])}; planted ranks {planted_ranks}, "
          f"best control rank {best_control}")
    print(f"  top 10: {', '.join(ranked[:10])}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpora", nargs="*", default=[str(ROOT / "bench/data/terms_corpus"), str(ROOT / "bench/data/terms_corpus_en")])
    parser.add_argument("--top", type=int, default=200)
    args = parser.parse_args()
    for corpus in args.corpora:
        run(Path(corpus), args.top)


if __name__ == "__main__":
    main()
