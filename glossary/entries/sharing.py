"""Share links: read-only, revocable access to one partnership's glossary for its members.

Called by the glossary pages (create, list, revoke; reading through ``/g/<token>``) and the JSON
API. The token is 32 random bytes shown once; only its SHA-256 is stored, like API tokens. A link
opens exactly one partnership's glossary: entry ids of other partnerships answer NotFound.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from glossary.accounts import hash_secret
from glossary.db import begin_write
from glossary.errors import InvalidInput, NotFound, _
from glossary.models import Partnership, ShareLink, utcnow
from glossary.partnerships import require_partnership
from glossary.validation import clean_text

MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class NewShareLink:
    link: ShareLink
    token: str


def create_share_link(session: Session, facilitator_id: int, partnership_id: int, label: object = "") -> NewShareLink:
    """A new read-only link to the partnership's glossary; the token is returned once."""
    label = clean_text(label, _("omschrijving"), max_length=120, required=False)
    begin_write(session)
    require_partnership(session, facilitator_id, partnership_id)
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        partnership_id=partnership_id, label=label, token_hash=hash_secret(token), prefix=token[:8], created_by_id=facilitator_id
    )
    session.add(link)
    session.commit()
    return NewShareLink(link=link, token=token)


def share_links_of(session: Session, facilitator_id: int, partnership_id: int) -> list[ShareLink]:
    require_partnership(session, facilitator_id, partnership_id)
    return list(
        session.scalars(select(ShareLink).where(ShareLink.partnership_id == partnership_id).order_by(ShareLink.created_at.desc(), ShareLink.id.desc()))
    )


def revoke_share_link(session: Session, facilitator_id: int, partnership_id: int, link_id: int) -> ShareLink:
    """Revoke a link at once: whoever has it sees nothing from now on."""
    begin_write(session)
    require_partnership(session, facilitator_id, partnership_id)
    link = session.get(ShareLink, link_id)
    if link is None or link.partnership_id != partnership_id:
        raise NotFound(_("Deze deellink bestaat niet."))
    if link.revoked_at is None:
        link.revoked_at = utcnow()
    session.commit()
    return link


def share_token_for(session: Session, facilitator_id: int, partnership_id: int, link: object) -> str:
    """The token of a live share link of this partnership, from the link as the facilitator pasted
    it (the whole address ``…/g/<token>`` or the token alone): used to point a meeting summary's
    links at pages the partners can open. Only the token's hash is stored, so the facilitator
    supplies it; a wrong, revoked or foreign link is refused."""
    require_partnership(session, facilitator_id, partnership_id)
    text = link.strip() if isinstance(link, str) else ""
    token = text.split("/g/", 1)[1].split("/", 1)[0].split("?", 1)[0] if "/g/" in text else text
    wrong = InvalidInput(_("Deze deellink hoort niet bij dit samenwerkingsverband of is ingetrokken. Plak de link zoals je hem met de partners deelde."))
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise wrong
    found = session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_secret(token)))
    if found is None or found.revoked_at is not None or found.partnership_id != partnership_id:
        raise wrong
    return token


def has_live_share_link(session: Session, partnership_id: int) -> bool:
    return session.scalar(
        select(ShareLink.id).where(ShareLink.partnership_id == partnership_id, ShareLink.revoked_at.is_(None)).limit(1)
    ) is not None


def partnership_for_token(session: Session, token: object) -> Partnership:
    """The partnership a live share link opens; a wrong or revoked token gets NotFound."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(_("Deze link werkt niet (meer). Vraag de facilitator om een nieuwe."))
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_secret(token)))
    if link is None or link.revoked_at is not None:
        raise NotFound(_("Deze link werkt niet (meer). Vraag de facilitator om een nieuwe."))
    return session.get(Partnership, link.partnership_id)
