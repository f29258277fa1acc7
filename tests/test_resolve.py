"""Entity resolution within an article and across articles (sentences written for these tests)."""
from __future__ import annotations

import pytest

from kg.model import EntityType

from .rules import article, names


def mentions_of(text: str) -> dict[str, set[str]]:
    """entity name -> surface forms the article used for it."""
    ag = article(text)
    n = names(ag)
    out: dict[str, set[str]] = {}
    for m in ag.mentions:
        out.setdefault(n[m.entity], set()).add(m.text)
    return out


CASES = [
    # a surname resolves to the full name used earlier
    ("Ambassador Zalmay Khalilzad arrived in Doha. Khalilzad met the delegation.", "Zalmay Khalilzad", {"Khalilzad"}),
    ("Colonel Hamid Rahmani spoke first. Rahmani said little.", "Hamid Rahmani", {"Hamid Rahmani", "Rahmani"}),
    # a middle initial does not make a second person
    ("Judge Emmet G. Sullivan ruled. Emmet Sullivan later explained it.", "Emmet Sullivan", {"Emmet G. Sullivan", "Emmet Sullivan"}),
    # family name first
    ("Ban Ki-moon flew to Seoul. Ban said the talks would go on.", "Ban Ki-moon", {"Ban"}),
    # acronyms and short forms of organisations
    ("The Syrian Observatory for Human Rights (SOHR) counted the dead. SOHR said 40 died.",
     "Syrian Observatory for Human Rights", {"SOHR"}),
    ("The Muslim Brotherhood called for protests. The Brotherhood denied any role.", "Muslim Brotherhood", {"Brotherhood"}),
    # a demonym denotes the state
    ("A Turkish airstrike hit the village.", "Turkey", {"Turkish"}),
    # a direction before a country names a region
    ("Fighting spread across northern Syria.", "northern Syria", {"northern Syria"}),
    # a country's troops are its military
    ("US troops left the base.", "US military", {"US troops"}),
]


@pytest.mark.parametrize("text,entity,forms", CASES, ids=[c[1] for c in CASES])
def test_mentions_resolve_to_one_entity(text: str, entity: str, forms: set[str]) -> None:
    found = mentions_of(text)
    assert entity in found, f"no entity {entity!r} in {sorted(found)}"
    assert forms <= found[entity]


def test_title_resolves_to_its_holder() -> None:
    ag = article("President Donald Trump spoke on Monday. Later the President left for Florida.")
    n = names(ag)
    assert sum(1 for m in ag.mentions if n[m.entity] == "Donald Trump") == 2


def test_definite_description_resolves_to_the_organisation() -> None:
    ag = article("The State Department issued a warning. The department said travel was unsafe.")
    n = names(ag)
    assert [n[m.entity] for m in ag.mentions if m.text.lower() == "the department"] == ["State Department"]


def test_acting_groups_are_group_nodes() -> None:
    ag = article("Thousands of ISIS prisoners are held in camps. The prisoners could escape, US officials said.")
    groups = {e.name for e in ag.entities if e.type == EntityType.GROUP}
    assert "ISIS prisoners" in groups and any(g.endswith("officials") for g in groups)


def test_model_errors_are_corrected_by_the_gazetteer() -> None:
    ag = article("Trump said the #ISIS fighters were beaten.")
    types = {e.name: e.type for e in ag.entities}
    assert types["Donald Trump"] == EntityType.PERSON and types["ISIS"] == EntityType.ORGANIZATION


def test_same_entity_same_key_across_articles() -> None:
    a = article("Recep Tayyip Erdogan spoke in Ankara.")
    b = article("Turkish President Erdogan warned Europe.")
    key = lambda ag: {e.key for e in ag.entities if "Erdogan" in e.name}  # noqa: E731
    assert key(a) == key(b) == {"recep_tayyip_erdogan"}
    assert {e.wikidata for e in a.entities if e.key == "recep_tayyip_erdogan"} == {"Q39259"}
