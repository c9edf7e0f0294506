"""Frameworks: the domains and conditions that glossary entries are linked to.

A framework is a data file (``glossary/frameworks/<key>.json``; the default is the Partnership
Capability Model, ``pcm``). A partnership may choose another built-in file or upload its own, which
is validated here and kept in ``GlossarySettings.framework_data``.

Called by entries.editing (validating an entry's conditions, the framework view), entries.exports
(SKOS concepts for the conditions) and the web layer (the framework page and its upload form).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from glossary.db import begin_write
from glossary.errors import InvalidInput, NotFound, _
from glossary.models import GlossarySettings, utcnow
from glossary.partnerships import require_partnership
from glossary.validation import strip_unsafe

FRAMEWORKS = Path(__file__).parent / "frameworks"
DEFAULT_FRAMEWORK = "pcm"
LANGUAGES = ("nl", "en")
MAX_DOMAINS = 12
MAX_CONDITIONS = 60
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Condition:
    id: str
    domain_id: str
    name: dict[str, str]
    description: dict[str, str]

    def label(self, lang: str = "nl") -> str:
        return f"{self.id} {_text(self.name, lang)}"


@dataclass(frozen=True)
class Domain:
    id: str
    name: dict[str, str]
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Framework:
    key: str
    name: dict[str, str]
    description: dict[str, str]
    domains: tuple[Domain, ...]
    uploaded: bool = False

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return tuple(c for d in self.domains for c in d.conditions)

    def condition(self, condition_id: str) -> Condition | None:
        return next((c for c in self.conditions if c.id == condition_id), None)

    def text(self, field: dict[str, str], lang: str = "nl") -> str:
        return _text(field, lang)


def _text(field: dict[str, str], lang: str) -> str:
    """The text in ``lang``, falling back to Dutch, then to any language given."""
    return field.get(lang) or field.get("nl") or next(iter(field.values()), "")


def _texts(value: object, where: str, *, required: bool, max_length: int) -> dict[str, str]:
    """A {"nl": ..., "en": ...} field; a plain string counts as Dutch."""
    if isinstance(value, str):
        value = {"nl": value}
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not value:
        raise InvalidInput(_("Raamwerkbestand: %(where)s heeft geen naam of omschrijving (tekst of {\"nl\": …, \"en\": …})."), where=where)
    texts = {}
    for lang, text in value.items():
        if lang not in LANGUAGES or not isinstance(text, str) or len(text) > max_length:
            raise InvalidInput(
                _("Raamwerkbestand: %(where)s heeft een ongeldige tekst (talen nl en en, maximaal %(max)s tekens)."),
                where=where, max=max_length,
            )
        text = strip_unsafe(text).strip()  # an uploaded file's names end up on pages
        if text:
            texts[lang] = text
    if required and not texts:
        raise InvalidInput(_("Raamwerkbestand: %(where)s heeft een lege naam."), where=where)
    return texts


def parse_framework(data: object, key: str, *, uploaded: bool = False, stored: bool = False) -> Framework:
    """Validate a framework's JSON data and build it; errors name the domain or condition at fault.

    ``stored``: data saved earlier, read back; domain ids from before they were checked still load."""
    if not isinstance(data, dict) or not isinstance(data.get("domains"), list) or not data["domains"]:
        raise InvalidInput(_("Raamwerkbestand: verwacht een JSON-object met een lijst ‘domains’."))
    if len(data["domains"]) > MAX_DOMAINS:
        raise InvalidInput(_("Raamwerkbestand: maximaal %(max)s domeinen."), max=MAX_DOMAINS)
    seen: set[str] = set()
    domains = []
    for d_index, raw_domain in enumerate(data["domains"], start=1):
        if not isinstance(raw_domain, dict):
            raise InvalidInput(_("Raamwerkbestand: domein %(n)s is geen object."), n=d_index)
        domain_id = strip_unsafe(str(raw_domain.get("id", d_index))).strip() or str(d_index)
        if not stored and (not ID_PATTERN.match(domain_id) or any(d.id == domain_id for d in domains)):
            raise InvalidInput(_("Raamwerkbestand: domein %(n)s heeft geen geldig, uniek id (zoals ‘1’: letters, cijfers, punt of streepje, zonder spaties)."), n=d_index)
        where = f"domain {domain_id}"
        conditions = []
        raw_conditions = raw_domain.get("conditions")
        if not isinstance(raw_conditions, list) or not raw_conditions:
            raise InvalidInput(_("Raamwerkbestand: domein %(id)s heeft geen voorwaarden (‘conditions’)."), id=domain_id)
        for raw in raw_conditions:
            condition_id = str(raw.get("id", "")) if isinstance(raw, dict) else ""
            if not ID_PATTERN.match(condition_id) or condition_id in seen:
                raise InvalidInput(
                    _("Raamwerkbestand: in domein %(id)s heeft een voorwaarde geen geldig, uniek id (zoals ‘1.1’)."), id=domain_id
                )
            seen.add(condition_id)
            conditions.append(
                Condition(
                    id=condition_id,
                    domain_id=domain_id,
                    name=_texts(raw.get("name"), f"condition {condition_id}", required=True, max_length=120),
                    description=_texts(raw.get("description"), f"condition {condition_id}", required=False, max_length=1000),
                )
            )
        domains.append(Domain(domain_id, _texts(raw_domain.get("name"), where, required=True, max_length=120), tuple(conditions)))
    if len(seen) > MAX_CONDITIONS:
        raise InvalidInput(_("Raamwerkbestand: maximaal %(max)s voorwaarden."), max=MAX_CONDITIONS)
    return Framework(
        key=key,
        name=_texts(data.get("name") or key, "name", required=True, max_length=200),
        description=_texts(data.get("description"), "description", required=False, max_length=2000),
        domains=tuple(domains),
        uploaded=uploaded,
    )


def builtin_keys() -> list[str]:
    return sorted(p.stem for p in FRAMEWORKS.glob("*.json"))


# Built-in files never change while the process runs, and the parsed result is immutable.
@lru_cache(maxsize=16)
def load_builtin(key: str = DEFAULT_FRAMEWORK) -> Framework:
    """A framework shipped with the product, by file name (without ``.json``)."""
    if not KEY_PATTERN.match(key) or key not in builtin_keys():
        raise NotFound(_("Raamwerk ‘%(key)s’ bestaat niet."), key=key[:64])
    return parse_framework(json.loads((FRAMEWORKS / f"{key}.json").read_text(encoding="utf-8")), key)


def framework_for(session: Session, partnership_id: int) -> Framework:
    """The framework a partnership's glossary uses (the default until it chooses another)."""
    settings = session.get(GlossarySettings, partnership_id)
    if settings is None:
        return load_builtin(DEFAULT_FRAMEWORK)
    if settings.framework_data is not None:
        return parse_framework(settings.framework_data, settings.framework_key, uploaded=True, stored=True)
    try:
        return load_builtin(settings.framework_key)
    except NotFound:
        # A built-in file was removed from a later release: fall back rather than break the glossary.
        return load_builtin(DEFAULT_FRAMEWORK)


def set_framework(
    session: Session, facilitator_id: int, partnership_id: int, *, key: object = None, upload: object = None
) -> Framework:
    """Choose a built-in framework by ``key`` or upload one (JSON text or bytes) for the partnership.

    Called by the framework page and the JSON API. Entries keep their condition ids; ids that the
    new framework lacks are shown as "not in this framework" rather than removed.
    """
    if upload is not None:
        if isinstance(upload, bytes):
            try:
                upload = upload.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InvalidInput(_("Raamwerkbestand: het bestand is geen UTF-8-tekst.")) from None
        if isinstance(upload, str):
            try:
                upload = json.loads(upload)
            except ValueError as error:
                raise InvalidInput(_("Raamwerkbestand: geen geldige JSON (%(detail)s)."), detail=str(error)[:120]) from None
            except RecursionError:
                raise InvalidInput(_("Raamwerkbestand: geen geldige JSON (%(detail)s)."), detail="nested too deeply") from None
        raw_id = str(upload.get("id", "eigen")) if isinstance(upload, dict) else "eigen"
        framework_key = re.sub(r"[^a-z0-9_-]", "-", raw_id.lower())[:64] or "eigen"
        framework = parse_framework(upload, framework_key, uploaded=True)
        data = upload
    else:
        framework_key = key if isinstance(key, str) else ""
        framework = load_builtin(framework_key)
        data = None
    begin_write(session)
    require_partnership(session, facilitator_id, partnership_id)
    settings = session.get(GlossarySettings, partnership_id)
    if settings is None:
        settings = GlossarySettings(partnership_id=partnership_id)
        session.add(settings)
    settings.framework_key = framework.key
    settings.framework_data = data
    settings.updated_at = utcnow()
    session.commit()
    return framework


def framework_json(framework: Framework) -> dict:
    """The framework as a JSON-ready dict (same shape as the data files)."""
    return {
        "id": framework.key,
        "name": framework.name,
        "description": framework.description,
        "domains": [
            {
                "id": d.id,
                "name": d.name,
                "conditions": [{"id": c.id, "name": c.name, "description": c.description} for c in d.conditions],
            }
            for d in framework.domains
        ],
    }
