"""Facilitator accounts and API tokens."""

from __future__ import annotations

import pytest

from glossary import accounts
from glossary.errors import Conflict, InvalidInput, NotFound


def test_password_is_hashed_and_checked(db):
    facilitator = accounts.create_facilitator(db, "Fien", "long enough pw")
    assert facilitator.username == "fien" and "long enough pw" not in facilitator.password_hash
    assert accounts.authenticate(db, "FIEN", "long enough pw").id == facilitator.id
    assert accounts.authenticate(db, "fien", "wrong password") is None


def test_short_password_and_duplicate_name_are_refused(db):
    with pytest.raises(InvalidInput, match="minstens 10"):
        accounts.create_facilitator(db, "fien", "short")
    accounts.create_facilitator(db, "fien", "long enough pw")
    with pytest.raises(Conflict):
        accounts.create_facilitator(db, "fien", "long enough pw")


def test_setup_creates_only_the_first_account(db):
    accounts.create_facilitator(db, "fien", "long enough pw", first_only=True)
    with pytest.raises(Conflict, match="al een facilitator"):
        accounts.create_facilitator(db, "otto", "long enough pw", first_only=True)


def test_api_token_is_stored_hashed_and_revocable(db):
    facilitator = accounts.create_facilitator(db, "fien", "long enough pw")
    token, secret = accounts.create_api_token(db, "fien", "script")
    assert secret not in token.token_hash and token.prefix == secret[:8]
    assert accounts.facilitator_for_token(db, secret).id == facilitator.id
    accounts.revoke_api_token(db, facilitator.id, token.id)
    assert accounts.facilitator_for_token(db, secret) is None


def test_token_for_unknown_user(db):
    with pytest.raises(NotFound):
        accounts.create_api_token(db, "nobody")
