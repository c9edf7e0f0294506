"""Facilitator accounts and personal API tokens.

Called by the setup and login pages, the account page, the ``create-facilitator`` and
``create-token`` commands and the API's bearer authentication.
"""

from __future__ import annotations

import functools
import hashlib
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from glossary.db import begin_write
from glossary.errors import Conflict, InvalidInput, NotFound, _
from glossary.models import ApiToken, Facilitator, LoginSession, utcnow
from glossary.validation import clean_text

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "ssp_"


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret (API and rejoin tokens); such secrets need no slow hash.

    A lone surrogate (possible in JSON) cannot be UTF-8: it is hashed as is and matches nothing."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def has_facilitators(session: Session) -> bool:
    """True once the first facilitator exists; until then the app shows the setup page."""
    return session.scalar(select(func.count(Facilitator.id))) > 0


def create_facilitator(
    session: Session, username: str, password: str, display_name: str = "", *, first_only: bool = False
) -> Facilitator:
    """Create a facilitator account. ``first_only`` makes the setup page refuse once one exists."""
    username = clean_text(username, _("gebruikersnaam"), max_length=64).lower()
    if not all(c.isalnum() or c in "._-" for c in username):
        raise InvalidInput(_("Een gebruikersnaam bestaat uit letters, cijfers, punt, streepje of liggend streepje."))
    display_name = clean_text(display_name or username, _("naam"), max_length=120)
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_("Kies een wachtwoord van minstens %(n)s tekens."), n=MIN_PASSWORD_LENGTH)
    begin_write(session)
    if first_only and has_facilitators(session):
        raise Conflict(_("Er bestaat al een facilitator-account; log in met dat account."))
    if session.scalar(select(Facilitator).where(Facilitator.username == username)):
        raise Conflict(_("De gebruikersnaam ‘%(username)s’ is al in gebruik."), username=username)
    facilitator = Facilitator(
        username=username, display_name=display_name, password_hash=generate_password_hash(password)
    )
    session.add(facilitator)
    session.commit()
    return facilitator


def authenticate(session: Session, username: str, password: str) -> Facilitator | None:
    """Check a login; returns the facilitator or None (the caller says 'wrong name or password')."""
    # Every refusal costs one password hash, like a wrong password of an existing account, so the
    # answer's timing does not tell which usernames exist.
    if not isinstance(password, str):
        password = ""
    facilitator = None
    if isinstance(username, str):
        username = username.strip().lower()
        # Only a name ``create_facilitator`` could have made is looked up (a NUL is a PostgreSQL error).
        if 0 < len(username) <= 64 and all(c.isalnum() or c in "._-" for c in username):
            facilitator = session.scalar(select(Facilitator).where(Facilitator.username == username))
    if facilitator is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(facilitator.password_hash, password):
        return None
    return facilitator


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, compared against for unknown usernames."""
    return generate_password_hash(secrets.token_urlsafe(16))


def find_facilitator(session: Session, facilitator_id: int) -> Facilitator | None:
    return session.get(Facilitator, facilitator_id)


def create_api_token(session: Session, username: str, label: str = "") -> tuple[ApiToken, str]:
    """Create a personal API token; returns the stored row and the secret, which is shown only once."""
    facilitator = session.scalar(select(Facilitator).where(Facilitator.username == username.strip().lower()))
    if facilitator is None:
        raise NotFound(_("Er is geen facilitator met gebruikersnaam ‘%(username)s’."), username=username)
    label = clean_text(label or "API-token", _("omschrijving"), max_length=120)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    begin_write(session)
    token = ApiToken(
        facilitator_id=facilitator.id, label=label, token_hash=hash_secret(secret), prefix=secret[:8]
    )
    session.add(token)
    session.commit()
    return token, secret


def list_api_tokens(session: Session, facilitator_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.facilitator_id == facilitator_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_api_token(session: Session, facilitator_id: int, token_id: int) -> None:
    """Revoke one of the facilitator's own tokens; scripts using it get 401 from then on."""
    begin_write(session)
    token = session.get(ApiToken, token_id)
    if token is None or token.facilitator_id != facilitator_id or token.revoked_at is not None:
        raise NotFound(_("Dit token bestaat niet (meer)."))
    token.revoked_at = utcnow()
    session.commit()


def facilitator_for_token(session: Session, secret: str) -> Facilitator | None:
    """Resolve a bearer token to its facilitator, or None when unknown or revoked."""
    token = api_token_for_secret(session, secret)
    return token.facilitator if token else None


def api_token_for_secret(session: Session, secret: str) -> ApiToken | None:
    """The live (not revoked) token with this secret, or None."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(secret), ApiToken.revoked_at.is_(None))
    )


# --- login sessions: the server's side of the login cookie ---

def start_login_session(session: Session, facilitator: Facilitator) -> str:
    """Record a sign-in; returns the key the login cookie carries (only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    begin_write(session)
    session.add(LoginSession(facilitator_id=facilitator.id, key_hash=hash_secret(key)))
    session.commit()
    return key


def login_session_for_key(session: Session, key: object) -> LoginSession | None:
    """The live login session the cookie's key names, or None (unknown, ended, junk)."""
    if not isinstance(key, str) or not 0 < len(key) <= 200:
        return None
    return session.scalar(
        select(LoginSession).where(LoginSession.key_hash == hash_secret(key), LoginSession.ended_at.is_(None))
    )


def end_login_session(session: Session, key: object) -> None:
    """Logout: the cookie's session ends on the server, so a copy of the cookie no longer works."""
    login = login_session_for_key(session, key)
    if login is None:
        return
    begin_write(session)
    session.execute(
        update(LoginSession).where(LoginSession.id == login.id, LoginSession.ended_at.is_(None)).values(ended_at=utcnow())
    )
    session.commit()


def change_password(session: Session, facilitator_id: int, current: str, new: str) -> None:
    """Set a new password after checking the current one; every login session of the account
    ends (sign in again everywhere). API tokens are separate and stay until revoked."""
    facilitator = session.get(Facilitator, facilitator_id)
    if facilitator is None or not isinstance(current, str) or not check_password_hash(facilitator.password_hash, current):
        raise InvalidInput(_("Het huidige wachtwoord klopt niet."))
    if not isinstance(new, str) or len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_("Kies een wachtwoord van minstens %(n)s tekens."), n=MIN_PASSWORD_LENGTH)
    begin_write(session)
    facilitator = session.get(Facilitator, facilitator_id)
    facilitator.password_hash = generate_password_hash(new)
    session.execute(
        update(LoginSession)
        .where(LoginSession.facilitator_id == facilitator_id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    session.commit()


def credential_is_live(session: Session, *, login_session_id: int | None, api_token_id: int | None) -> bool:
    """For a facilitator's open socket: is the login session or API token it connected with still
    valid? Logout, a password change and revoking the token end it."""
    if login_session_id is not None:
        return session.scalar(
            select(func.count(LoginSession.id)).where(LoginSession.id == login_session_id, LoginSession.ended_at.is_(None))
        ) > 0
    if api_token_id is not None:
        return session.scalar(
            select(func.count(ApiToken.id)).where(ApiToken.id == api_token_id, ApiToken.revoked_at.is_(None))
        ) > 0
    return False
