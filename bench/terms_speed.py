"""How fast is the term finder?

    .venv/bin/python bench/terms_speed.py [--skip-large]

Prints
1. the command line (`python -m glossary.terms`, a fresh process, model loading included) on
   4 partners × 3 documents of about 1,000 words (budget 10 s on two cores), as wall and CPU time;
2. `find_terms` on about 1 MB of text (4 partners × 10 documents; budget 60 s), after the models
   are loaded, as the web server runs it.
Documents come from bench/make_terms_corpus.py with a tail on every sentence, so that almost no
sentence repeats (a repeated sentence is encoded once). The load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as run.py and the command line do
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import make_terms_corpus  # noqa: E402


def words_in(folder: Path) -> int:
    return sum(len(p.read_text().split()) for p in folder.rglob("*.txt"))


def command_line(folder: Path) -> None:
    args = [a for d in sorted(folder.iterdir()) if d.is_dir() for a in ("--partner", f"{d.name}={d}")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "glossary.terms", *args, "--json"], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert result.returncode == 0, result.stderr
    print(f"command line, 4 partners x 3 documents ({words_in(folder)} words): {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"(budget 10 s), load {os.getloadavg()[0]:.1f}")


def large(folder: Path) -> None:
    from glossary.documents import reading, terms
    from glossary.semantics import encode

    encode(["warm-up"], encoders=terms.ENCODERS)
    partners = {d.name: [t for _f, t in reading.read_path(str(d))] for d in sorted(folder.iterdir()) if d.is_dir()}
    size = sum(len(t.encode()) for texts in partners.values() for t in texts)
    steps = []
    t0 = time.perf_counter()
    terms.find_terms(partners, progress=lambda f, m: steps.append((round(time.perf_counter() - t0, 1), m)))
    wall = time.perf_counter() - t0
    first = {}
    for t, m in steps:
        first.setdefault(m, t)
    print(f"find_terms on {size / 1e6:.2f} MB ({words_in(folder)} words): {wall:.1f} s (budget 60 s), load {os.getloadavg()[0]:.1f}; "
          f"steps began at {', '.join(f'{m} {t} s' for m, t in first.items())}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small"
        make_terms_corpus.write(small, seed=11, vary=True, filler=40)
        command_line(small)
        if not args.skip_large:
            big = Path(tmp) / "large"
            docs = [f"document{i}" for i in range(10)]
            make_terms_corpus.write(big, seed=12, vary=True, docs=docs, filler=200, planted=14, shared=11)
            large(big)


if __name__ == "__main__":
    main()
