"""Partnerships, meetings, join codes and joining, without Flask."""

from __future__ import annotations

import pytest

from glossary import accounts, partnerships
from glossary.errors import Conflict, InvalidInput, NotFound
from glossary.partnerships import JOIN_CODE_ALPHABET


def test_join_code_has_six_characters_without_look_alikes(db, world):
    codes = {partnerships.create_meeting(db, world.facilitator_id, world.partnership_id, f"M{i}").join_code for i in range(30)}
    assert len(codes) == 30
    for code in codes:
        assert len(code) == 6 and set(code) <= set(JOIN_CODE_ALPHABET)
    assert not set("0O1IL5S8B2Z") & set(JOIN_CODE_ALPHABET)


def test_code_is_forgiving_about_case_and_spaces(db, world):
    typed = world.code.lower()[:3] + " " + world.code.lower()[3:]
    assert partnerships.require_meeting_by_code(db, typed).id == world.meeting_id


def test_wrong_code_says_what_to_check(db, world):
    with pytest.raises(NotFound, match="Controleer de 6 tekens"):
        partnerships.require_meeting_by_code(db, "QQQQQQ")


def test_join_picks_a_listed_partner_or_adds_one(db, world):
    listed = partnerships.join_meeting(db, world.meeting_id, "Ans", "gemeente oostdam").participant
    assert listed.partner.name == "Gemeente Oostdam"
    added = partnerships.join_meeting(db, world.meeting_id, "Dirk", "Hogeschool Noord").participant
    assert added.partner.name == "Hogeschool Noord"
    names = [p.name for p in partnerships.require_meeting(db, world.meeting_id).partnership.partners]
    assert "Hogeschool Noord" in names


def test_rejoin_token_restores_the_same_participant(db, world):
    joined = partnerships.join_meeting(db, world.meeting_id, "Ans", "Gemeente Oostdam")
    again = partnerships.participant_for_token(db, world.meeting_id, joined.rejoin_token)
    assert again.id == joined.participant.id
    assert partnerships.participant_for_token(db, world.meeting_id, "forged") is None
    assert partnerships.participant_for_token(db, world.meeting_id + 1, joined.rejoin_token) is None


def test_nobody_appears_twice(db, world):
    partnerships.join_meeting(db, world.meeting_id, "Ans", "Gemeente Oostdam")
    with pytest.raises(Conflict, match="doet al mee"):
        partnerships.join_meeting(db, world.meeting_id, " ans ", "Gemeente Oostdam")


def test_join_needs_name_and_partner(db, world):
    with pytest.raises(InvalidInput, match="naam"):
        partnerships.join_meeting(db, world.meeting_id, "", "Gemeente Oostdam")
    with pytest.raises(InvalidInput, match="partnerorganisatie"):
        partnerships.join_meeting(db, world.meeting_id, "Ans", "   ")


def test_terms_are_editable_and_keep_identity(db, world):
    meeting = partnerships.require_meeting(db, world.meeting_id)
    regie_id = meeting.terms[1].id
    updated = partnerships.update_terms(db, world.facilitator_id, world.meeting_id, ["regie", "vertrouwen", "Regie"])
    assert [t.text for t in updated.terms] == ["regie", "vertrouwen"]
    assert updated.terms[0].id == regie_id


def test_other_facilitators_cannot_see_a_partnership(db, world):
    other = accounts.create_facilitator(db, "otto", "another password")
    with pytest.raises(NotFound):
        partnerships.require_partnership(db, other.id, world.partnership_id)
    with pytest.raises(NotFound):
        partnerships.require_meeting_of_facilitator(db, other.id, world.meeting_id)


def test_partnership_needs_a_name(db, world):
    with pytest.raises(InvalidInput):
        partnerships.create_partnership(db, world.facilitator_id, "  ", [])


def test_control_and_direction_characters_are_removed_from_names(db, world):
    participant = partnerships.join_meeting(db, world.meeting_id, "An\x00s\u202e\n", "Gemeente Oostdam").participant
    assert participant.name == "Ans"


def test_thirty_people_of_a_new_organisation_join_at_once(sessions, world):
    """On PostgreSQL the joins run side by side: all but one insert of the new partner hit the
    unique key, and must read the winner's row instead of failing (SQLite serialises them)."""
    import threading

    from sqlalchemy import func, select

    from glossary.models import Participant

    start = threading.Barrier(30)
    errors: list[Exception] = []

    def join(i: int) -> None:
        with sessions() as session:
            start.wait()
            try:
                partnerships.join_meeting(session, world.meeting_id, f"Persoon {i}", "Nieuwe Organisatie BV")
            except Exception as error:  # noqa: BLE001 - collected for the assertion
                errors.append(error)

    threads = [threading.Thread(target=join, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        meeting = partnerships.require_meeting_by_code(session, world.code)
        assert [p.name for p in meeting.partnership.partners].count("Nieuwe Organisatie BV") == 1
        joined = session.scalar(select(func.count(Participant.id)).where(Participant.meeting_id == meeting.id))
        assert joined == 30


def test_join_matches_a_partner_whatever_its_spacing_case_or_unicode_form(db, world):
    partnerships.join_meeting(db, world.meeting_id, "Ans", "Gemeente Oostdam")
    spaced = partnerships.join_meeting(db, world.meeting_id, "Bert", "  gemeente\u00a0\u00a0OOSTDAM \t").participant
    assert spaced.partner.name == "Gemeente Oostdam"
    # A new partner is stored with its white space collapsed; a decomposed "é" matches the composed one.
    added = partnerships.join_meeting(db, world.meeting_id, "Cor", "Café  de   Hoek ").participant
    assert added.partner.name == "Café de Hoek"
    decomposed = partnerships.join_meeting(db, world.meeting_id, "Dien", "CAFE\u0301 DE HOEK").participant
    assert decomposed.partner.id == added.partner.id
    names = [p.name for p in partnerships.require_meeting(db, world.meeting_id).partnership.partners]
    assert names.count("Gemeente Oostdam") == 1 and len([n for n in names if "Hoek" in n]) == 1
