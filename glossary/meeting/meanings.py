"""Meanings of a revealed round: the analysis, the facilitator's corrections, and the one grouping
every screen and record reads.

Called by the web layer: ``analyse_round`` right after a reveal (it stores the vectors the
background encoder had not reached yet), ``correct_meanings`` from the facilitator's correction
events, and ``analysis_payload`` whenever a screen needs the meanings; by ``meeting.consent``,
``meeting.state`` and ``meeting.summary`` through ``analysis_result`` and ``meaning_of``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from glossary import semantics
from glossary.db import begin_write
from glossary.errors import Conflict, InvalidInput, NotFound, _
from glossary.meeting import vectors
from glossary.meeting.drift import drift_for_round
from glossary.meeting.rounds import (
    is_revealed,
    revealed_page,
    shows_all_definitions,
    shows_partners,
)
from glossary.models import Definition, Participant, Round, RoundAnalysis, utcnow
from glossary.partnerships import require_facilitator_of_meeting
from glossary.validation import clean_text, is_id

MAX_LABEL_LENGTH = 80
# A plenary's map shows a sample of its definitions: a thousand points are a blot, and bytes.
MAP_SAMPLE = 200


def round_definitions(session: Session, round_: Round) -> list[Definition]:
    return list(session.scalars(
        select(Definition)
        .options(selectinload(Definition.participant).selectinload(Participant.partner))
        .where(Definition.round_id == round_.id)
        .order_by(Definition.id)
    ))


def analysis_input(round_: Round, definitions: list[Definition]) -> list[dict]:
    """The definitions as ``semantics.analyse`` takes them, with partner names as the anonymity allows."""
    show_partner = shows_partners(round_)
    return [
        {"id": str(d.id), "text": d.text, "partner": d.participant.partner.name if show_partner else None}
        for d in definitions
    ]


def _save(session: Session, round_id: int, result: dict, *, corrected: bool) -> RoundAnalysis:
    analysis = session.get(RoundAnalysis, round_id)
    if analysis is None:
        analysis = RoundAnalysis(round_id=round_id, result=result, engine=semantics.ENGINE, version=1, corrected=corrected)
        session.add(analysis)
    else:
        analysis.result = result
        analysis.engine = semantics.ENGINE
        analysis.version += 1
        analysis.corrected = corrected
        analysis.updated_at = utcnow()
    return analysis


def analyse_round(session: Session, round_id: int) -> RoundAnalysis:
    """Group a revealed round's definitions into meanings and store the result.

    Runs right after the reveal (and again after a reopen and a new reveal); replaces any earlier
    analysis of the round, corrections included, since the definitions may have changed.
    """
    round_ = session.get(Round, round_id)
    if round_ is None or not is_revealed(round_):
        raise Conflict(_("Betekenissen zijn er pas na de onthulling."))
    definitions = round_definitions(session, round_)
    # Encoded before the write lock is taken: that takes about 45 ms of CPU per text.
    found = vectors.of_definitions(definitions)
    result = semantics.analyse(round_.term, analysis_input(round_, definitions), vectors=found.by_id)
    result["label_overrides"] = {}
    # A term the partnership agreed on before: how far the new definitions drifted from it.
    result["drift"] = drift_for_round(session, round_id, found.by_id)
    begin_write(session)
    vectors.stage(session, definitions, found.fresh)
    analysis = _save(session, round_id, result, corrected=False)
    session.commit()
    return analysis


def find_analysis(session: Session, round_id: int) -> RoundAnalysis | None:
    return session.get(RoundAnalysis, round_id)


def analysis_payload(analysis: RoundAnalysis | None) -> dict | None:
    """The meanings of a revealed round as screens receive them (everyone sees the same)."""
    if analysis is None:
        return None
    return {**analysis.result, "round_id": analysis.round_id, "version": analysis.version, "corrected": analysis.corrected}


def screen_payload(session: Session, analysis: RoundAnalysis | None) -> dict | None:
    """The meanings as every screen receives them (the announcement after the reveal, regrouping
    and corrections, the snapshot, the correction's acknowledgement).

    Up to ``rounds.FULL_REVEAL_LIMIT`` definitions this is ``analysis_payload``. Above it (a
    plenary) the per-definition parts are left out or cut down, so that a phone receives tens of
    kilobytes, not hundreds: each meaning keeps its ``definition_ids`` (corrections and "which
    meaning is mine") and gets its ``representative`` as a revealed definition; ``coordinates``
    are a sample (``map_sample`` of ``definition_count``), ``languages`` go, the shared words and
    drift keep no lists of definitions. The rest is fetched page by page (``get_definitions``).
    The stored result is unchanged: the summary, exports and glossary read it whole.
    """
    payload = analysis_payload(analysis)
    if payload is None:
        return None
    count = sum(len(m["definition_ids"]) for m in payload["meanings"])
    if shows_all_definitions(count):
        return payload
    round_ = session.get(Round, analysis.round_id)
    representative_ids = [int(m["representative_id"]) for m in payload["meanings"]]
    page, _total = revealed_page(session, round_, ids=representative_ids, limit=len(representative_ids) or 1)
    shown = {str(d["id"]): d for d in page}
    coordinates = payload.get("coordinates") or {}
    sample = map_sample(payload["meanings"], count)
    drift = payload.get("drift")
    return {
        **{key: value for key, value in payload.items() if key not in ("languages", "coordinates", "shared_term_details", "drift")},
        "meanings": [{**m, "representative": shown.get(str(m["representative_id"]))} for m in payload["meanings"]],
        "coordinates": {i: coordinates[i] for i in sample if i in coordinates},
        "shared_term_details": [{k: v for k, v in s.items() if k != "definition_ids"} for s in payload.get("shared_term_details", [])],
        "drift": {k: v for k, v in drift.items() if k != "definitions"} | {"definition_count": len(drift["definitions"])} if drift else None,
        "definition_count": count,
        "definitions_paged": True,
        "map_sample": len(sample),
    }


def map_sample(meanings: list[dict], count: int) -> list[str]:
    """Which definitions a plenary's map shows: at most ``MAP_SAMPLE``, spread over the meanings
    by their size (each meaning at least its representative, first), evenly along each meaning's
    ids. Deterministic: every screen and every redraw shows the same points."""
    if count <= MAP_SAMPLE:
        return [i for m in meanings for i in m["definition_ids"]]
    room = max(0, MAP_SAMPLE - len(meanings))
    shares = [room * len(m["definition_ids"]) / count for m in meanings]
    takes = [int(share) for share in shares]
    # What rounding down left over goes to the largest remainders (ties: the earlier meaning).
    for position in sorted(range(len(meanings)), key=lambda p: takes[p] - shares[p])[:room - sum(takes)]:
        takes[position] += 1
    chosen = []
    for meaning, quota in zip(meanings, takes):
        others = sorted((i for i in meaning["definition_ids"] if i != meaning["representative_id"]), key=int)
        take = min(len(others), quota)
        chosen.append(meaning["representative_id"])
        chosen.extend(others[k * len(others) // take] for k in range(take))
    return chosen


def analysis_result(session: Session, round_id: int) -> dict | None:
    analysis = session.get(RoundAnalysis, round_id)
    return analysis.result if analysis else None


def meaning_of(analysis: dict | None) -> dict[int, str]:
    if not analysis:
        return {}
    return {int(d): m["id"] for m in analysis["meanings"] for d in m["definition_ids"]}


# --- corrections --------------------------------------------------------------------------

Groups = list[dict]  # [{"id": "m1", "definition_ids": ["12", "15"]}, ...] in display order


def _groups_of(result: dict) -> Groups:
    return [{"id": m["id"], "definition_ids": list(m["definition_ids"])} for m in result["meanings"]]


def require_meaning(groups: Groups, meaning_id: object) -> dict:
    """The meaning ``meaning_id`` among ``groups`` (a grouping's or an analysis's ``meanings``),
    or NotFound with what to do (the screen shows an older grouping)."""
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
        require_meaning(groups, target_id)["definition_ids"].append(definition_id)


def _merge(groups: Groups, payload: dict) -> None:
    ids = payload.get("meaning_ids")
    if not isinstance(ids, list) or len(ids) < 2 or len(set(map(str, ids))) != len(ids):
        raise InvalidInput(_("Kies minstens twee verschillende betekenissen om samen te voegen."))
    keep = require_meaning(groups, ids[0])
    for other_id in ids[1:]:
        other = require_meaning(groups, other_id)
        keep["definition_ids"].extend(other["definition_ids"])
        other["definition_ids"] = []


def _split(groups: Groups, payload: dict) -> None:
    source = require_meaning(groups, payload.get("meaning_id"))
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
        meaning = require_meaning(groups, payload.get("meaning_id"))
        label = clean_text(payload.get("label"), _("naam van de betekenis"), max_length=MAX_LABEL_LENGTH, required=False)
        if label:
            overrides[meaning["id"]] = label
        else:
            overrides.pop(meaning["id"], None)  # empty: back to the label the app suggests
        new_result = {**result, "meanings": [dict(m) for m in result["meanings"]]}
    else:
        CORRECTIONS[action](groups, payload)
        groups = [g for g in groups if g["definition_ids"]]
        definitions = round_definitions(session, round_)
        found = vectors.of_definitions(definitions)  # all cached once the reveal's analysis stored them
        vectors.stage(session, definitions, found.fresh)
        new_result = semantics.analyse(
            round_.term, analysis_input(round_, definitions), vectors=found.by_id, groups=[g["definition_ids"] for g in groups]
        )
        # The analysis numbers meanings afresh; keep the ids people have been looking at.
        ids_by_members = {frozenset(g["definition_ids"]): g["id"] for g in groups}
        overrides = _renumber(new_result, {m["id"]: ids_by_members[frozenset(m["definition_ids"])]
                                           for m in new_result["meanings"]}, overrides)
        new_result["drift"] = result.get("drift")
    _apply_labels(new_result, overrides)
    analysis = _save(session, round_id, new_result, corrected=True)
    session.commit()
    return analysis


def _renumber(new_result: dict, renamed: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """Give the new analysis's meanings the ids in ``renamed`` (new id -> kept id); returns the
    label overrides of the ids that still exist."""
    for meaning in new_result["meanings"]:
        meaning["id"] = renamed[meaning["id"]]
    new_result["partners"] = {
        partner: {renamed.get(mid, mid): count for mid, count in row.items()}
        for partner, row in new_result.get("partners", {}).items()
    }
    return {mid: label for mid, label in overrides.items() if mid in renamed.values()}


def _apply_labels(new_result: dict, overrides: dict[str, str]) -> None:
    for meaning in new_result["meanings"]:
        meaning.setdefault("suggested_label", meaning["label"])
        meaning["label"] = overrides.get(meaning["id"], meaning["suggested_label"])
    new_result["label_overrides"] = overrides


def matched_ids(previous: Groups, new: Groups) -> dict[str, str]:
    """New meaning id -> the previous meaning's id it overlaps most (each previous id used once,
    largest overlaps first, so a merge keeps the surviving meaning's id); unmatched new meanings
    get the next free numbers, in their order."""
    pairs = sorted(
        ((len(set(n["definition_ids"]) & set(p["definition_ids"])), -pi, -ni, n["id"], p["id"])
         for ni, n in enumerate(new) for pi, p in enumerate(previous)),
        reverse=True,
    )
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for overlap, _pi, _ni, new_id, old_id in pairs:
        if overlap and new_id not in renamed and old_id not in taken:
            renamed[new_id] = old_id
            taken.add(old_id)
    used = [*previous, *({"id": i} for i in taken)]
    for meaning in new:
        if meaning["id"] not in renamed:
            renamed[meaning["id"]] = _new_meaning_id(used)
            used.append({"id": renamed[meaning["id"]]})
    return renamed


def regroup_with_judgements(session: Session, round_id: int, judgements: list[dict]) -> RoundAnalysis | None:
    """Group a revealed round's definitions again, now with the authors' answers from sorting
    (``judgements`` in the analysis's format), and store it. Meaning ids stay stable (largest
    overlap with the previous grouping) and label overrides follow their ids.

    Called on the analysis thread while the room sorts. The facilitator has the last word: once
    the meanings were corrected, or changed while this ran, nothing is stored and None returned.
    """
    round_ = session.get(Round, round_id)
    analysis = session.get(RoundAnalysis, round_id)
    if round_ is None or not is_revealed(round_) or analysis is None:
        raise Conflict(_("Betekenissen zijn er pas na de onthulling."))
    if analysis.corrected:
        return None
    seen_version, previous = analysis.version, analysis.result
    definitions = round_definitions(session, round_)
    found = vectors.of_definitions(definitions)
    new_result = semantics.analyse(round_.term, analysis_input(round_, definitions), vectors=found.by_id,
                                   judgements=judgements)
    if {frozenset(g["definition_ids"]) for g in _groups_of(new_result)} == {
            frozenset(g["definition_ids"]) for g in _groups_of(previous)}:
        return None  # the answers so far confirm the grouping on the screens
    overrides = _renumber(new_result, matched_ids(_groups_of(previous), _groups_of(new_result)),
                          dict(previous.get("label_overrides", {})))
    new_result["drift"] = previous.get("drift")
    # Meanings that stay keep their place on the screens (and with it their number, colour and shape).
    place = {g["id"]: position for position, g in enumerate(_groups_of(previous))}
    new_result["meanings"].sort(key=lambda m: (place.get(m["id"], len(place)), int(m["id"][1:]) if m["id"][1:].isdigit() else 0))
    _apply_labels(new_result, overrides)
    begin_write(session)
    session.refresh(analysis)
    if analysis.corrected or analysis.version != seen_version:
        session.rollback()
        return None
    vectors.stage(session, definitions, found.fresh)
    analysis = _save(session, round_id, new_result, corrected=False)
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
    # A plenary's map draws the sample its screens got, not a thousand points.
    return screen_payload(session, analysis), {str(definition_id): number for number, definition_id in enumerate(ids, start=1)}
