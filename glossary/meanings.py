"""Meanings of a revealed round: sentence vectors, the analysis, and the facilitator's corrections.

Called by the web layer: ``needs_vector`` and ``store_vector`` from the background encoder after
each submission, ``analyse_round`` right after a reveal (it stores the vectors the encoder had not
reached yet), ``correct_meanings`` from the facilitator's correction events, and
``analysis_payload`` whenever a screen needs the meanings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from glossary.db import begin_write
from glossary.entries import drift_for_round
from glossary.errors import Conflict, InvalidInput, NotFound, _
from glossary.models import Definition, Participant, Round, RoundAnalysis, utcnow
from glossary.partnerships import require_facilitator_of_meeting
from glossary.rounds import analysis_payload, is_revealed, shows_partners  # noqa: F401 - re-exported for callers
from glossary.validation import clean_text, is_id

MAX_LABEL_LENGTH = 80
VECTOR_DTYPE = "<f4"


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def vector_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=VECTOR_DTYPE)


def store_vector(session: Session, definition_id: int, text: str, vector: np.ndarray, engine: str) -> bool:
    """Cache a definition's sentence vector, unless its text changed meanwhile (then a newer job follows).

    Returns whether the vector was stored.
    """
    begin_write(session)
    stored = _stage_vector(session, definition_id, text, vector, engine)
    session.commit()
    return stored


def needs_vector(session: Session, definition_id: int, text: str, engine: str) -> bool:
    """Whether this text of the definition still lacks a vector of ``engine``: the background
    encoder asks before it spends the CPU, since a reveal's analysis may have stored it already."""
    return session.scalar(
        select(Definition.id).where(
            Definition.id == definition_id, Definition.text == text,
            (Definition.vector.is_(None)) | (Definition.vector_engine != engine),
        )
    ) is not None


def _stage_vector(session: Session, definition_id: int, text: str, vector: np.ndarray, engine: str) -> bool:
    result = session.execute(
        update(Definition)
        .where(Definition.id == definition_id, Definition.text == text)
        .values(vector=vector_to_bytes(vector), vector_engine=engine)
    )
    return result.rowcount == 1


def _round_inputs(session: Session, round_: Round) -> tuple[list[dict], dict[str, np.ndarray]]:
    """The analysis input for a round: definitions with partner names as the anonymity allows,
    and the cached vectors that the current engine made."""
    from glossary.semantics import ENGINE

    definitions = session.scalars(
        select(Definition)
        .options(selectinload(Definition.participant).selectinload(Participant.partner))
        .where(Definition.round_id == round_.id)
        .order_by(Definition.id)
    ).all()
    show_partner = shows_partners(round_)
    inputs = [
        {"id": str(d.id), "text": d.text, "partner": d.participant.partner.name if show_partner else None}
        for d in definitions
    ]
    vectors = {
        str(d.id): vector_from_bytes(d.vector) for d in definitions if d.vector and d.vector_engine == ENGINE
    }
    return inputs, vectors


def _encode_missing(inputs: list[dict], cached: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The vectors the cache lacks (the background encoder had not reached them yet)."""
    from glossary.semantics import encode

    missing = [d for d in inputs if d["id"] not in cached]
    if not missing:
        return {}
    return dict(zip((d["id"] for d in missing), encode([d["text"] for d in missing])))


def _stage_vectors(session: Session, inputs: list[dict], fresh: dict[str, np.ndarray]) -> None:
    # Kept so that corrections and a later analysis need not encode the same texts again.
    from glossary.semantics import ENGINE

    texts = {d["id"]: d["text"] for d in inputs}
    for definition_id, vector in fresh.items():
        _stage_vector(session, int(definition_id), texts[definition_id], vector, ENGINE)


def _save(session: Session, round_id: int, result: dict, *, corrected: bool) -> RoundAnalysis:
    from glossary.semantics import ENGINE

    analysis = session.get(RoundAnalysis, round_id)
    if analysis is None:
        analysis = RoundAnalysis(round_id=round_id, result=result, engine=ENGINE, version=1, corrected=corrected)
        session.add(analysis)
    else:
        analysis.result = result
        analysis.engine = ENGINE
        analysis.version += 1
        analysis.corrected = corrected
        analysis.updated_at = utcnow()
    return analysis


def analyse_round(session: Session, round_id: int) -> RoundAnalysis:
    """Group a revealed round's definitions into meanings and store the result.

    Runs right after the reveal (and again after a reopen and a new reveal); replaces any earlier
    analysis of the round, corrections included, since the definitions may have changed.
    """
    from glossary.semantics import analyse

    round_ = session.get(Round, round_id)
    if round_ is None or not is_revealed(round_):
        raise Conflict(_("Betekenissen zijn er pas na de onthulling."))
    definitions, vectors = _round_inputs(session, round_)
    # Encoded before the write lock is taken: that takes about 45 ms of CPU per text.
    fresh = _encode_missing(definitions, vectors)
    result = analyse(round_.term, definitions, vectors={**vectors, **fresh})
    result["label_overrides"] = {}
    # A term the partnership agreed on before: how far the new definitions drifted from it.
    result["drift"] = drift_for_round(session, round_id)
    begin_write(session)
    _stage_vectors(session, definitions, fresh)
    analysis = _save(session, round_id, result, corrected=False)
    session.commit()
    return analysis


def get_analysis(session: Session, round_id: int) -> RoundAnalysis | None:
    return session.get(RoundAnalysis, round_id)


# --- corrections --------------------------------------------------------------------------

Groups = list[dict]  # [{"id": "m1", "definition_ids": ["12", "15"]}, ...] in display order


def _groups_of(result: dict) -> Groups:
    return [{"id": m["id"], "definition_ids": list(m["definition_ids"])} for m in result["meanings"]]


def _meaning(groups: Groups, meaning_id: object) -> dict:
    found = next((g for g in groups if g["id"] == meaning_id), None)
    if found is None:
        raise NotFound(_("Deze betekenis bestaat niet (meer); ververs het scherm."))
    return found


def _definition_id(groups: Groups, definition_id: object) -> str:
    key = str(definition_id) if isinstance(definition_id, (int, str)) and not isinstance(definition_id, bool) else None
    if key is None or not any(key in g["definition_ids"] for g in groups):
        raise NotFound(_("Deze definitie hoort niet bij deze ronde."))
    return key


def _new_meaning_id(groups: Groups) -> str:
    numbers = [int(g["id"][1:]) for g in groups if g["id"][1:].isdigit()]
    return f"m{max(numbers, default=0) + 1}"


def _move(groups: Groups, payload: dict) -> None:
    definition_id = _definition_id(groups, payload.get("definition_id"))
    target_id = payload.get("meaning_id")
    for group in groups:
        if definition_id in group["definition_ids"]:
            group["definition_ids"].remove(definition_id)
    if target_id in (None, "new"):
        groups.append({"id": _new_meaning_id(groups), "definition_ids": [definition_id]})
    else:
        _meaning(groups, target_id)["definition_ids"].append(definition_id)


def _merge(groups: Groups, payload: dict) -> None:
    ids = payload.get("meaning_ids")
    if not isinstance(ids, list) or len(ids) < 2 or len(set(map(str, ids))) != len(ids):
        raise InvalidInput(_("Kies minstens twee verschillende betekenissen om samen te voegen."))
    keep = _meaning(groups, ids[0])
    for other_id in ids[1:]:
        other = _meaning(groups, other_id)
        keep["definition_ids"].extend(other["definition_ids"])
        other["definition_ids"] = []


def _split(groups: Groups, payload: dict) -> None:
    source = _meaning(groups, payload.get("meaning_id"))
    ids = payload.get("definition_ids")
    if not isinstance(ids, list) or not ids:
        raise InvalidInput(_("Kies de definities die een eigen betekenis worden."))
    moving = [_definition_id(groups, d) for d in ids]
    if any(d not in source["definition_ids"] for d in moving):
        raise InvalidInput(_("Alleen definities uit deze betekenis kunnen worden afgesplitst."))
    if len(set(moving)) >= len(source["definition_ids"]):
        raise InvalidInput(_("Laat minstens één definitie in de oorspronkelijke betekenis achter."))
    source["definition_ids"] = [d for d in source["definition_ids"] if d not in moving]
    groups.append({"id": _new_meaning_id(groups), "definition_ids": list(dict.fromkeys(moving))})


CORRECTIONS: dict[str, Callable[[Groups, dict], None]] = {"move": _move, "merge": _merge, "split": _split}


def correct_meanings(session: Session, facilitator_id: int, round_id: object, action: object, payload: dict) -> RoundAnalysis:
    """Apply one correction by the facilitator: move a definition, merge or split meanings, or
    rename a meaning (``action`` is move / merge / split / rename). The meanings' words,
    representatives and divergence are worked out again for the corrected grouping.
    """
    from glossary.semantics import analyse

    if not isinstance(round_id, int) or isinstance(round_id, bool):
        raise InvalidInput(_("round_id moet een getal zijn."))
    if action not in (*CORRECTIONS, "rename"):
        raise InvalidInput(_("Onbekende correctie; kies move, merge, split of rename."))
    begin_write(session)
    round_ = session.get(Round, round_id) if is_id(round_id) else None
    if round_ is None:
        raise NotFound(_("Deze ronde bestaat niet."))
    require_facilitator_of_meeting(session, facilitator_id, round_.meeting_id)
    analysis = session.get(RoundAnalysis, round_id)
    if analysis is None or not is_revealed(round_):
        raise Conflict(_("Er zijn nog geen betekenissen om te corrigeren; onthul eerst de definities."))
    result = analysis.result
    overrides = dict(result.get("label_overrides", {}))
    groups = _groups_of(result)

    if action == "rename":
        meaning = _meaning(groups, payload.get("meaning_id"))
        label = clean_text(payload.get("label"), _("naam van de betekenis"), max_length=MAX_LABEL_LENGTH, required=False)
        if label:
            overrides[meaning["id"]] = label
        else:
            overrides.pop(meaning["id"], None)  # empty: back to the label the app suggests
        new_result = {**result, "meanings": [dict(m) for m in result["meanings"]]}
    else:
        CORRECTIONS[action](groups, payload)
        groups = [g for g in groups if g["definition_ids"]]
        definitions, vectors = _round_inputs(session, round_)
        fresh = _encode_missing(definitions, vectors)  # none once the reveal's analysis stored them
        _stage_vectors(session, definitions, fresh)
        new_result = analyse(round_.term, definitions, vectors={**vectors, **fresh}, groups=[g["definition_ids"] for g in groups])
        # The analysis numbers meanings afresh; keep the ids people have been looking at.
        ids_by_members = {frozenset(g["definition_ids"]): g["id"] for g in groups}
        renamed = {m["id"]: ids_by_members[frozenset(m["definition_ids"])] for m in new_result["meanings"]}
        for meaning in new_result["meanings"]:
            meaning["id"] = renamed[meaning["id"]]
        new_result["partners"] = {
            partner: {renamed.get(mid, mid): count for mid, count in row.items()}
            for partner, row in new_result.get("partners", {}).items()
        }
        overrides = {mid: label for mid, label in overrides.items() if mid in renamed.values()}
        new_result["drift"] = result.get("drift")
    for meaning in new_result["meanings"]:
        meaning.setdefault("suggested_label", meaning["label"])
        meaning["label"] = overrides.get(meaning["id"], meaning["suggested_label"])
    new_result["label_overrides"] = overrides
    analysis = _save(session, round_id, new_result, corrected=True)
    session.commit()
    return analysis


def map_data(session: Session, meeting_id: int, round_id: int) -> tuple[dict, dict[str, int]]:
    """The analysis of a revealed round of this meeting and the number each definition has on
    screen (its place in the reveal), for drawing the map."""
    round_ = session.get(Round, round_id)
    if round_ is None or round_.meeting_id != meeting_id or not is_revealed(round_):
        raise NotFound(_("Voor deze ronde is (nog) geen kaart."))
    analysis = session.get(RoundAnalysis, round_id)
    if analysis is None:
        raise NotFound(_("De betekenissen worden nog gezocht; probeer het zo opnieuw."))
    ids = session.scalars(select(Definition.id).where(Definition.round_id == round_id).order_by(Definition.id)).all()
    return analysis.result, {str(definition_id): number for number, definition_id in enumerate(ids, start=1)}
