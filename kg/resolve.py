"""Candidate mentions -> entities, within one article and across articles.

Within an article: a surname or short form resolves to the full name used
in the article ("Jeffrey" -> "James Jeffrey"), an acronym to its expansion,
a bare title to the person who holds it ("the President" -> Donald Trump when
the article says "President Donald Trump"), a demonym to its country, and
definite descriptions ("the department", "the official") to the last fitting
entity. Across articles an entity is one key: its gazetteer id, else the slug
of its canonical name.
"""
from __future__ import annotations

from bisect import insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .extract.mentions import Candidate
from .lexicon import gazetteer, norm, slug, table
from .model import Entity, EntityType, Mention

LABEL_TYPES = {
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.ORGANIZATION,
    "GPE": EntityType.LOCATION,  # countries come from the gazetteer; other GPEs are places
    "LOC": EntityType.LOCATION,
    "FAC": EntityType.LOCATION,
}


@dataclass
class Resolution:
    """What the resolver knows about one article; handed to the extractors."""

    entities: dict[str, Entity] = field(default_factory=dict)
    token_entity: dict[int, str] = field(default_factory=dict)  # Doc token -> entity key
    mentions: list[tuple[int, int, str, int]] = field(default_factory=list)  # (tok start, tok end, key, sentence)
    aliases: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    holders: dict[str, str] = field(default_factory=dict)  # title word -> person key

    def last_before(self, token: int, accept: Callable[[Entity], bool]) -> str | None:
        """The key of the latest mention starting before `token` whose entity passes `accept`."""
        best = None
        for start, _end, key, _s in self.mentions:
            if start >= token:
                break
            if accept(self.entities[key]):
                best = key
        return best

    def adopt(self, gid: str) -> Entity | None:
        """A gazetteer entity the article implies without naming it ("Washington" -> the US)."""
        if gid not in self.entities and gid in gazetteer().entries:
            self.entities[gid] = _entity_from_gazetteer(gid)
        return self.entities.get(gid)

    def entity_at(self, token: int) -> Entity | None:
        key = self.token_entity.get(token)
        return self.entities[key] if key else None


def _entity_from_gazetteer(gid: str) -> Entity:
    e = gazetteer().entries[gid]
    return Entity(e.id, e.name, e.type, e.wikidata)


def _person_name(text: str) -> str:
    return " ".join(text.replace("’s", "").replace("'s", "").split())


def resolve(names: list[Candidate], derived: list[Candidate]) -> Resolution:
    gaz = gazetteer()
    res = Resolution()
    people: dict[str, str] = {}  # last name -> full name, for names not in the gazetteer
    clashes: set[str] = set()
    orgs: list[str] = []
    for c in names:
        if c.gaz is None and c.label == "PERSON" and len(c.text.split()) >= 2:
            full = _person_name(c.text)
            words = full.split()
            last = words[-1]
            known = people.get(last)
            if known and known != full:
                if known.split()[0] == words[0]:
                    # "Emmet G. Sullivan" and "Emmet Sullivan": one person; keep the shorter form
                    people[last] = min(known, full, key=len)
                    continue
                if not full.endswith(known) and not known.endswith(full):
                    clashes.add(last)
            people.setdefault(last, full)
        if c.gaz is None and c.label in {"ORG", "FAC", "LOC", "GPE"} and len(c.text.split()) >= 2:
            orgs.append(norm_name(c.text))
    firsts: dict[str, str] = {}  # first word -> full name, when only one person has it
    for c in names:
        words = _person_name(c.text).split()
        if len(words) >= 2 and (c.label == "PERSON" or c.gaz and gaz.entries[c.gaz].type == EntityType.PERSON):
            full = gaz.entries[c.gaz].name if c.gaz else _person_name(c.text)
            firsts[words[0]] = full if firsts.get(words[0], full) == full else ""
    firsts = {k: v for k, v in firsts.items() if v}
    gaz_people = {}
    for c in names:
        if c.gaz and gaz.entries[c.gaz].type == EntityType.PERSON:
            gaz_people[gaz.entries[c.gaz].name.split()[-1]] = c.gaz
            gaz_people[_person_name(c.text).split()[-1]] = c.gaz  # "Mazloum Kobani" -> "Kobani"
    military_heads = set(table("lexicons")["military"]["heads"])
    org_suffixes = set(table("lexicons")["names"]["org_suffixes"])

    def country_in(text: str) -> str | None:
        """"US troops", "Turkish forces": the country whose armed forces a name names."""
        words = text.split()
        if len(words) < 2 or words[-1].lower() not in military_heads:
            return None
        lead = " ".join(words[:-1])
        entry = gaz.lookup(lead) or gaz.demonym(lead)
        return entry.id if entry is not None and entry.type == EntityType.COUNTRY else None

    org_heads: dict[str, str] = {}  # "Brotherhood" -> "Muslim Brotherhood": an organisation's short form
    for c in names:
        if c.label in {"ORG", "GAZ"} and len(c.text.split()) >= 2:
            entry = gaz.lookup(c.text) if c.gaz else None
            if c.gaz and (entry is None or entry.type != EntityType.ORGANIZATION):
                continue
            org_heads.setdefault(_person_name(c.text).split()[-1], c.gaz or c.text)

    def acronym_of(text: str) -> str | None:
        if not (text.isupper() and 2 <= len(text) <= 6) or text in gaz.by_form:
            return None
        for full in orgs:
            initials = "".join(w[0] for w in full.split() if w[0].isupper())
            if initials == text:
                return full
        return None

    def add(c: Candidate, entity: Entity, *, cover: Iterable[int] | None = None, alias: bool = True) -> None:
        known = res.entities.get(entity.key)
        if known is None:
            res.entities[entity.key] = entity
        insort(res.mentions, (c.start, c.end, entity.key, c.sentence))
        for i in cover if cover is not None else range(c.start, c.end):
            res.token_entity[i] = entity.key
        if alias:
            res.aliases[entity.key].add(c.text)

    def foreign_before(n: int) -> bool:
        """"Russian Defense Minister": the ministry is not the US department."""
        if n == 0 or names[n - 1].end != names[n].start:
            return False
        prev = gaz.entries.get(names[n - 1].gaz or "")
        return prev is not None and prev.type == EntityType.COUNTRY and prev.id != "united_states"

    # a name the article also gives as an acronym is an organisation, whatever the model said
    spelt_out = {full for c in names if c.label == "ORG" and c.gaz is None and (full := acronym_of(c.text))}
    name_entity: dict[int, str] = {}
    for n, c in enumerate(names):
        entity = None
        text = _person_name(c.text)
        if not text:
            continue  # a lone "'s" the model tagged
        single = len(text.split()) == 1
        if c.gaz and single and gaz.entries[c.gaz].type in {EntityType.LOCATION, EntityType.ORGANIZATION} and (
            text in people and text not in clashes or text in gaz_people
        ):
            # "Kobani" after "Mazloum Kobani" is the man, not the town
            entity = (Entity(slug(people[text]), people[text], EntityType.PERSON) if text in people
                      else _entity_from_gazetteer(gaz_people[text]))
        elif c.gaz:
            entity = _entity_from_gazetteer(c.gaz)
            if c.label == "NORP":
                add(c, entity)
                name_entity[n] = entity.key
                continue
            if entity.type == EntityType.ORGANIZATION and (country := country_in(text)):
                entity = Entity(entity.key, entity.name, entity.type, entity.wikidata, acts_for=country)
        elif single and text in firsts and text not in people and c.label in {"PERSON", "ORG", "GPE"}:
            full = firsts[text]  # "Ban" after "Ban Ki-moon": family name first
            hit = gaz.lookup(full)
            entity = _entity_from_gazetteer(hit.id) if hit else Entity(slug(full), full, EntityType.PERSON)
        elif len(text.split()) == 1 and text in people and text not in clashes:
            full = people[text]
            entity = Entity(slug(full), full, EntityType.PERSON)
        elif len(text.split()) == 1 and text in gaz_people:
            entity = _entity_from_gazetteer(gaz_people[text])
        elif c.label == "ORG" and single and text in org_heads and text[0].isupper() and text.lower() not in org_suffixes:
            target = org_heads[text]
            entity = _entity_from_gazetteer(target) if target in gaz.entries else Entity(slug(norm_name(target)), norm_name(target), EntityType.ORGANIZATION)
        elif c.label == "ORG" and (full := acronym_of(c.text)):
            hit = gaz.lookup(full)
            entity = _entity_from_gazetteer(hit.id) if hit else Entity(slug(full), norm_name(full), EntityType.ORGANIZATION)
        elif c.label == "ORG" and single and (dept := gaz.lookup(f"{text} Department")) and not foreign_before(n):
            entity = _entity_from_gazetteer(dept.id)  # "Defense Secretary": the Defense Department
        elif c.label in {"GPE", "LOC", "FAC", "PERSON"} and len(text.split()) > 1 and (text.split()[-1].lower() in org_suffixes or norm_name(text) in spelt_out):
            name = norm_name(text)
            entity = Entity(slug(name), name, EntityType.ORGANIZATION)
        elif c.label in LABEL_TYPES:
            last = text.split()[-1]
            known = people.get(last)
            same = known is not None and last not in clashes and (known.split()[0] == text.split()[0] or len(text.split()) == 1)
            name = known if c.label == "PERSON" and same else text
            name = norm_name(name)
            entity = Entity(slug(name), name, LABEL_TYPES[c.label])
        if entity is None:
            continue
        add(c, entity)
        name_entity[n] = entity.key
        if entity.type == EntityType.PERSON:
            for title in c.titles:
                # a title two people hold in the article ("minister") names neither
                if res.holders.setdefault(title, entity.key) != entity.key:
                    res.holders[title] = ""

    facility_last: str | None = None
    for c in sorted(derived, key=lambda d: d.start):
        mod_key = name_entity.get(c.modifier) if c.modifier is not None else None
        mod = res.entities.get(mod_key) if mod_key else None
        if c.kind == "region" and mod is not None:
            name = f"{c.text.split()[0].lower()} {mod.name}"
            add(c, Entity(slug(name), name, EntityType.LOCATION))
        elif c.kind == "military" and mod is not None:
            entry = gaz.entries.get(mod.key)
            adjective = entry.demonyms[0] if entry and entry.demonyms else mod.name
            name = f"{adjective} military"
            add(c, Entity(slug(f"{mod.name} military"), name, EntityType.ORGANIZATION, acts_for=mod.key))
        elif c.kind == "institution" and mod is not None:
            entry = gaz.entries.get(mod.key)
            adjective = entry.demonyms[0] if entry and entry.demonyms else mod.name
            head = " ".join(w.upper() if w in {"tv"} else w.capitalize() for w in c.label.replace("’s", "'s").split())
            add(c, Entity(slug(f"{mod.name} {c.label}"), f"{adjective} {head}", EntityType.ORGANIZATION, acts_for=mod.key))
        elif c.kind == "orgforces" and mod is not None:
            add(c, mod)
        elif c.kind == "facility":
            if c.label:
                facility_last = slug(c.label)
                uncovered = [i for i in range(c.start, c.end) if i not in res.token_entity]
                add(c, Entity(facility_last, c.label, EntityType.LOCATION), cover=uncovered)
            elif facility_last:
                add(c, res.entities[facility_last], alias=False)
        elif c.kind == "group" and mod is None and not c.modifier_text and c.plural and (
            key := res.last_before(c.start, lambda e, cls=c.label: e.type == EntityType.GROUP and e.name.endswith(" " + cls))
        ):
            # "the prisoners" after "ISIS prisoners": the same group
            add(c, res.entities[key], cover=[i for i in range(c.start, c.end) if i not in res.token_entity])
        elif c.kind == "group":
            modifier = mod.name if mod is not None else c.modifier_text
            name = f"{modifier} {c.label}".strip()
            acts_for = mod.key if mod is not None and mod.type == EntityType.ORGANIZATION and c.label == "fighters" else None
            uncovered = [i for i in range(c.start, c.end) if i not in res.token_entity]
            add(c, Entity(slug(name), name, EntityType.GROUP, acts_for=acts_for), cover=uncovered)
        elif c.kind == "definite":
            group_classes = set(table("lexicons")["groups"].values())
            if c.label in group_classes:
                key = res.last_before(c.start, lambda e, cls=c.label: e.type == EntityType.GROUP and e.name.endswith(cls))
                entity = res.entities[key] if key else Entity(slug(c.label), c.label, EntityType.GROUP)
                add(c, entity, alias=key is None)
            else:
                head = c.label
                key = res.last_before(c.start, lambda e, h=head: e.type == EntityType.ORGANIZATION and h in e.name.lower())
                if key is None and head in {"group", "militia", "movement", "organization", "organisation"}:
                    media = set(table("cues")["media_words"])
                    key = res.last_before(c.start, lambda e: e.type == EntityType.ORGANIZATION and e.acts_for is None
                                          and not set(e.name.lower().split()) & media)
                if key:
                    add(c, res.entities[key], alias=False)
        elif c.kind == "title":
            key = res.holders.get(c.label)
            if key is None:
                key = res.holders.get(c.label.split()[-1])
            if key:
                add(c, res.entities[key], alias=False)
    return res


def norm_name(text: str) -> str:
    text = " ".join(text.split())
    for prefix in ("the ", "The "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text


def merge_types(votes: Iterable[tuple[str, EntityType]]) -> dict[str, EntityType]:
    """One type per entity across articles: the most frequent, ties broken by name."""
    counts: dict[str, Counter[EntityType]] = defaultdict(Counter)
    for key, t in votes:
        counts[key][t] += 1
    return {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0].value))[0][0] for k, c in counts.items()}


__all__ = ["Resolution", "resolve", "merge_types", "Mention", "norm"]
