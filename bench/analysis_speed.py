"""How fast is the meaning analysis, and how much memory do its models take?

    .venv/bin/python bench/analysis_speed.py [--runs N]

Prints
1. the command line on 200 definitions (budget: 5 s wall, model loading included) and on a
   typical round of 14, as wall time and CPU time (both processes) per run;
2. load times of the encoders and spaCy pipelines, and the resident memory (RSS) of a process
   with everything loaded, as the web server holds it;
3. encoding one definition at submit time;
4. a reveal: `analyse` of 50 definitions with cached vectors (budget: 150 ms), the first one after
   the process has tokenised none of them and then with the tokenised definitions cached;
5. regrouping after a batch of judgements (six per author): `analyse` of the same 50 with
   judgements (budget: 100 ms), and choosing the next cards with `sorting.cards_for`.
The definitions come from the labelled sets (dev set and bench/data), repeated to reach 200.
Timings on a shared machine vary; the one-minute load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEVSET = Path(os.environ.get("SAMENSPRAAK_DEVSET", ROOT.parent / "shared" / "devset" / "definitions_dev.json"))


def sample_definitions(n: int) -> list[dict]:
    """n definitions cycling through every labelled text, with partners P0..P6."""
    files = ([DEVSET] if DEVSET.exists() else []) + sorted(Path(p) for p in glob.glob(str(ROOT / "bench" / "data" / "*.json")))
    texts = [d["text"] for f in files for t in json.loads(f.read_text(encoding="utf-8"))["terms"] for d in t["definitions"]]
    return [{"id": f"d{i:03d}", "text": texts[i % len(texts)], "partner": f"P{i % 7}"} for i in range(n)]


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def time_cli(n: int, runs: int) -> None:
    doc = {"term": "kwaliteit", "definitions": sample_definitions(n)}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
        path = fh.name
    walls, cpus, engine = [], [], None
    try:
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "glossary.analysis", path], cwd=ROOT, capture_output=True, text=True, check=True)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
            engine = json.loads(done.stdout)["engine"]["name"]
    finally:
        os.unlink(path)
    print(
        f"CLI, {n:3d} definitions: wall min {min(walls):.2f} s, median {statistics.median(walls):.2f} s; "
        f"CPU median {statistics.median(cpus):.2f} s; engine {engine}; {load()}"
    )


def in_process(runs: int) -> None:
    import numpy as np
    import psutil

    import glossary.semantics as semantics
    from glossary.semantics.pipeline import get_nlp

    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    start = time.perf_counter()
    semantics.encode(["warm-up"])
    encoders_s = time.perf_counter() - start
    spacy_s = {}
    for lang in ("nl", "en"):
        t = time.perf_counter()
        get_nlp(lang)
        spacy_s[lang] = time.perf_counter() - t
    semantics.warm_up_analysis()
    info = semantics.engine_info(with_timings=True)
    print(f"engine {info['name']}; load seconds {info['load_seconds']} (both encoders, first encode: {encoders_s:.2f} s); {load()}")
    print(f"spaCy pipelines: nl {spacy_s['nl']:.2f} s, en {spacy_s['en']:.2f} s (first one includes importing spaCy)")
    print(f"resident memory with everything loaded: {proc.memory_info().rss / 2**20:.0f} MiB (process start {rss0 / 2**20:.0f} MiB)")

    one = sample_definitions(1)[0]["text"]
    lat = []
    for _ in range(runs):
        t = time.perf_counter()
        semantics.encode([one])
        lat.append(time.perf_counter() - t)
    print(f"submit: encode one definition median {statistics.median(lat) * 1000:.0f} ms; {load()}")

    defs = sample_definitions(50)
    vecs = semantics.encode([d["text"] for d in defs])
    cached = {d["id"]: v for d, v in zip(defs, vecs)}
    semantics.analyse("kwaliteit", defs, vectors=cached)
    times = []
    for _ in range(max(runs, 10)):
        t = time.perf_counter()
        semantics.analyse("kwaliteit", defs, vectors=cached)
        times.append(time.perf_counter() - t)
    print(
        f"reveal: analyse 50 definitions with cached vectors: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (budget 150 ms); {load()}"
    )
    from glossary.semantics import round_analysis
    from glossary.semantics.sorting import cards_for

    cold = []
    for _ in range(max(runs, 3)):
        round_analysis._doc_cache.clear()
        t = time.perf_counter()
        semantics.analyse("kwaliteit", defs, vectors=cached)
        cold.append(time.perf_counter() - t)
    print(f"reveal without cached tokens (first analysis of these texts): median {statistics.median(cold) * 1000:.0f} ms; {load()}")

    t = time.perf_counter()
    cards = cards_for("kwaliteit", defs, cached, [], per_author=6)
    cards_ms = (time.perf_counter() - t) * 1000
    # A batch of answers: everyone answers their six cards; "same" for the first two, as a stand-in.
    judgements = [{"by": by, "same": others[:2], "different": others[2:]} for by, others in cards.items()]
    times = []
    for _ in range(max(runs, 10)):
        t = time.perf_counter()
        semantics.analyse("kwaliteit", defs, vectors=cached, judgements=judgements)
        times.append(time.perf_counter() - t)
    print(
        f"regroup after a batch of {sum(len(c) for c in cards.values())} judgements, 50 definitions: median "
        f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (budget 100 ms); {load()}"
    )
    times = []
    for _ in range(max(runs, 10)):
        t = time.perf_counter()
        cards_for("kwaliteit", defs, cached, judgements, per_author=6)
        times.append(time.perf_counter() - t)
    print(f"cards_for 50 definitions: first {cards_ms:.0f} ms, with judgements median {statistics.median(times) * 1000:.0f} ms; {load()}")
    assert np.all(np.isfinite(vecs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs")
    time_cli(200, args.runs)
    time_cli(14, args.runs)
    in_process(args.runs)


if __name__ == "__main__":
    main()
