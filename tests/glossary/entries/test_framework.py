"""Frameworks: the default Partnership Capability Model file, choosing and uploading another."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from glossary import accounts
from glossary.entries import editing, framework
from glossary.errors import InvalidInput, NotFound

SEED = Path(__file__).resolve().parents[4] / "shared" / "seed"


def test_the_default_framework_has_twelve_conditions_in_four_domains_in_both_languages():
    pcm = framework.load_builtin()
    assert pcm.key == "pcm" and len(pcm.domains) == 4
    assert [c.id for c in pcm.conditions] == [f"{d}.{c}" for d in range(1, 5) for c in range(1, 4)]
    for condition in pcm.conditions:
        assert condition.name["nl"] and condition.name["en"]
        assert len(condition.description["nl"]) > 40 and len(condition.description["en"]) > 40
    assert pcm.condition("1.1").label("en") == "1.1 Commitment at the top"


@pytest.mark.skipif(not SEED.exists(), reason="the seed article is not beside the project")
def test_the_descriptions_are_written_in_our_own_words():
    article = " ".join(p.read_text(errors="ignore") for p in SEED.glob("*.txt")).lower()
    article_words = re.findall(r"\w+", article)
    shingles = {" ".join(article_words[i:i + 7]) for i in range(len(article_words) - 6)}
    for condition in framework.load_builtin().conditions:
        words = re.findall(r"\w+", condition.description["nl"].lower())
        copied = [" ".join(words[i:i + 7]) for i in range(len(words) - 6) if " ".join(words[i:i + 7]) in shingles]
        assert copied == [], condition.id


def test_a_partnership_can_upload_its_own_framework(db, world):
    own = {
        "id": "Eigen Model",
        "name": {"nl": "Ons model", "en": "Our model"},
        "domains": [{"id": "A", "name": "Mensen", "conditions": [{"id": "A1", "name": "Vertrouwen", "description": "Elkaar iets gunnen."}]}],
    }
    chosen = framework.set_framework(db, world.facilitator_id, world.partnership_id, upload=json.dumps(own).encode())
    assert chosen.key == "eigen-model" and chosen.uploaded
    assert [c.id for c in framework.framework_for(db, world.partnership_id).conditions] == ["A1"]
    entry = editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "gunnen", "definition": "x", "condition_ids": ["A1"]})
    assert entry.current.condition_ids == ["A1"]
    with pytest.raises(InvalidInput):
        editing.create_entry(db, world.facilitator_id, world.partnership_id, {"term": "top", "definition": "x", "condition_ids": ["1.1"]})
    framework.set_framework(db, world.facilitator_id, world.partnership_id, key="pcm")
    assert len(framework.framework_for(db, world.partnership_id).conditions) == 12


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ("{", "geen geldige JSON"),
        ('{"domains": []}', "domains"),
        ('{"domains": [{"id": "1", "name": "X", "conditions": []}]}', "geen voorwaarden"),
        ('{"domains": [{"id": "1", "name": "X", "conditions": [{"id": "1.1", "name": "a"}, {"id": "1.1", "name": "b"}]}]}', "uniek id"),
        ('{"domains": [{"id": "1", "name": "X", "conditions": [{"id": "1.1", "name": {"fr": "a"}}]}]}', "ongeldige tekst"),
    ],
)
def test_a_broken_framework_file_is_refused_with_a_reason(db, world, upload, message):
    with pytest.raises(InvalidInput, match=message):
        framework.set_framework(db, world.facilitator_id, world.partnership_id, upload=upload)
    assert framework.framework_for(db, world.partnership_id).key == "pcm"


def test_only_the_partnerships_facilitators_choose_its_framework(db, world):
    other = accounts.create_facilitator(db, "olga", "correct horse battery", "Olga")
    with pytest.raises(NotFound):
        framework.set_framework(db, other.id, world.partnership_id, key="pcm")
    with pytest.raises(NotFound):
        framework.set_framework(db, world.facilitator_id, world.partnership_id, key="../etc/passwd")


def test_a_domain_id_that_cannot_be_part_of_an_address_is_refused(db, world):
    upload = {"domains": [{"id": "a b", "name": "X", "conditions": [{"id": "1.1", "name": "a"}]}]}
    with pytest.raises(InvalidInput, match="domein 1 heeft geen geldig, uniek id"):
        framework.set_framework(db, world.facilitator_id, world.partnership_id, upload=json.dumps(upload))


def test_ids_stored_before_they_were_checked_still_export_as_valid_turtle(db, world):
    from rdflib import Graph

    from glossary.entries import exports
    from glossary.models import GlossarySettings

    bad = {"id": "x", "domains": [{"id": "a b<>\"{}", "name": "X", "conditions": [{"id": "1.1", "name": "a"}]}]}
    db.add(GlossarySettings(partnership_id=world.partnership_id, framework_key="x y", framework_data=bad))
    db.commit()
    editing.create_entry(db, world.facilitator_id, world.partnership_id,
                         {"term": "gunnen", "definition": "x", "condition_ids": ["1.1"], "status": "vastgesteld"})
    turtle = exports.export(db, world.partnership_id, "ttl", base_iri="http://example.org/a b").content
    graph = Graph().parse(data=turtle, format="turtle")
    assert any(str(o) == "a b<>\"{}" for o in graph.objects())
