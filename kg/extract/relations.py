"""Typed relations from the parse: titles, appositions, verbs and event nouns.

Each rule is a small function over the dependency parse that yields
(subject token-entity, predicate, object entity, anchor token, rule id,
confidence). The words come from data/relations.toml and the title lists of
data/lexicons.toml. A relation is dropped when its verb is negated, modal or
hypothetical, and one inside a statement's words is kept as that statement's
claim, not as the article's fact.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from spacy.attrs import LEMMA, LOWER
from spacy.tokens import Doc, Token

from ..lexicon import gazetteer, table
from ..model import Entity, EntityType, Relation, Statement
from ..nlp import Parsed, tokens_where, with_pos
from ..resolve import Resolution
from .statements import Speakers, last_subject

P, O, C, L, G = (EntityType.PERSON, EntityType.ORGANIZATION, EntityType.COUNTRY, EntityType.LOCATION, EntityType.GROUP)
DOMAIN = {
    "commands": ({P, O, C}, {O, C}),
    "guards": ({O, G, C}, {G, L}),
    "designatesAsTerrorist": ({C, O}, {O, G}),
    "memberOf": ({P, O, G}, {O}),
    "attacks": ({C, O, G}, {P, O, C, L, G}),
    "withdrawsFrom": ({C, O, G}, {L, C}),
}
RELATIVE = {"which", "who", "that", "whom"}


@dataclass(frozen=True)
class Found:
    subject: str
    predicate: str
    object: str
    anchor: int  # token the relation is read from (for sentence and claim)
    rule: str
    confidence: float


def _rel() -> dict:
    return table("relations")


class Context:
    def __init__(self, parsed: Parsed, res: Resolution):
        self.parsed = parsed
        self.doc: Doc = parsed.doc
        self.res = res
        self.main_place = _main_place(parsed, res)

    def entity(self, tok: Token | None) -> Entity | None:
        """The entity a token stands for: itself, its relative-clause antecedent, or a vague place."""
        if tok is None:
            return None
        if tok.lower_ in RELATIVE and tok.head.dep_ == "relcl":
            tok = tok.head.head
        if tok.lower_ == "it" and tok.dep_.startswith("nsubj"):
            # "it launched a naval bombardment": the state or organisation last named as a subject
            key = last_subject(self.doc, self.res, tok, {O, C})
            return self.res.entities[key] if key else None
        if tok.dep_.startswith("nsubj") and tok.lemma_.lower() in _rel()["attacks"]["nouns"]:
            # "a drone attack by the United States killed ...": the attacker
            for a in _pobjs(tok, {"by"}):
                if (e := self.entity(a)) is not None:
                    return e
        e = self.res.entity_at(tok.i)
        if tok.dep_ == "appos" and (e is None or e.type == G):
            head = self.res.entity_at(tok.head.i)
            if head is not None and head.type != G:
                return head  # "the Peshmerga -- armed fighters who ...": one referent
        if e is not None:
            return e
        quantities = set(table("lexicons")["quantities"]["words"])
        for c in tok.children:  # "all of the prisons", "thousands of ISIS prisoners"
            if c.dep_ == "prep" and c.lower_ == "of":
                for g in c.children:
                    if g.dep_ == "pobj" and (tok.pos_ in {"DET", "PRON", "NUM", "ADJ"} or tok.lower_ in quantities):
                        return self.entity(g)
        for c in tok.children:  # "the newspaper Yediot Aharonot", "the group Hamas"
            if c.dep_ in {"appos", "compound"} and tok.pos_ == "NOUN" and tok.dep_ in {"pobj", "dobj", "nsubj"} and (e := self.res.entity_at(c.i)) is not None and e.type in {O, G} and c.i > tok.i:
                return e
        targets = table("lexicons")["targets"]
        if tok.lemma_.lower() in targets["named_by_modifier"] or tok.lower_ in targets["named_by_modifier"]:
            for c in tok.children:  # "Hamas targets", "ISIS positions", "Egypt's government"
                if c.dep_ in {"compound", "poss", "amod", "nmod"} and (e := self.res.entity_at(c.i)) is not None and e.type != P:
                    return e
            for o in _pobjs(tok, {"in", "inside", "across"}):  # "targets in Syria"
                if (e := self.res.entity_at(o.i)) is not None and e.type in {L, C}:
                    return e
        if tok.lower_ in targets["of_nouns"]:
            for o in _pobjs(tok, {"of"}):  # "the town of Douma", "areas of Aleppo"
                if (e := self.res.entity_at(o.i)) is not None and e.type in {L, C}:
                    return e
        vague = set(table("lexicons")["places"]["vague"])
        if tok.lemma_.lower() in vague:
            for c in tok.children:  # "the Kirkuk area"
                if c.dep_ in {"compound", "nmod"} and (e := self.res.entity_at(c.i)) is not None and e.type in {L, C}:
                    return e
        if tok.lemma_.lower() in vague and any(c.lower_ in {"the", "this", "that"} for c in tok.children) and self.main_place:
            return self.res.entities[self.main_place]
        return None


LOCATIVE = {"in", "into", "inside", "across", "throughout", "from", "to", "within", "near"}


def _main_place(parsed: Parsed, res: Resolution) -> str | None:
    """The place an article is about: most named after "in", "into"... in its first sentences."""
    counts: Counter[str] = Counter()
    doc = parsed.doc
    facilities = {k for k in table("lexicons")["facilities"] if k != "anaphoric"}
    for start, end, key, sent in res.mentions:
        if res.entities[key].name in facilities:
            continue  # "prisons in Syria": the prisons are not the article's place
        root = doc[start:end].root
        if sent <= 3 and res.entities[key].type in {L, C} and root.dep_ == "pobj" and root.head.lower_ in LOCATIVE:
            counts[key] += 1
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


@lru_cache(maxsize=1)
def _modality() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    modality = _rel()["modality"]
    return frozenset(modality["auxiliaries"]), frozenset(modality["governors"]), frozenset(modality["conditional_marks"])


def _hypothetical(verb: Token) -> bool:
    """Negated, modal, conditional, or under a verb like "refuse" or "plan"."""
    aux, governors, marks = _modality()
    t = verb
    for _ in range(6):
        for c in t.children:
            if c.dep_ == "neg" or (c.dep_ == "aux" and c.lower_ in aux) or (c.dep_ == "mark" and c.lower_ in marks):
                return True
        if t.dep_ in {"xcomp", "ccomp", "conj", "acl", "csubj", "advcl"} and t.head.i != t.i:
            t = t.head
            if t.lemma_.lower() in governors and t.dep_ != "relcl":
                return True
        else:
            break
    return False


def _unrealised(verb: Token) -> bool:
    """"to attack Ukrainian forces": an infinitive names an aim, not an act."""
    return verb.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and _possessive_agent(verb) is None


def _against(tok: Token) -> bool:
    """"anti-ISIS", "counter-ISIS": a modifier naming what someone works against."""
    doc = tok.doc
    i = tok.left_edge.i
    prev = doc[i - 1].lower_ if i > 0 else ""
    prev2 = doc[i - 2].lower_ if i > 1 else ""
    return prev in {"anti", "counter", "anti-", "counter-"} or (prev == "-" and prev2 in {"anti", "counter"}) or tok.lower_.startswith(("anti-", "counter-"))


def _children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def _pobjs(tok: Token, preps: set[str]) -> list[Token]:
    out = []
    for p in tok.children:
        if p.dep_ in {"prep", "agent", "prt"} and p.lower_ in preps:
            out += _children(p, "pobj")
            for pp in _children(p, "prep"):  # "out of"
                out += _children(pp, "pobj")
    return out


def _conjuncts(tok: Token) -> list[Token]:
    return [tok, *tok.conjuncts]


def _subject_of(verb: Token) -> Token | None:
    t = verb
    for _ in range(3):
        subj = _children(t, "nsubj")
        if subj:
            return subj[0]
        if t.dep_ == "acl" and t.tag_ == "VBG":  # "personnel guarding the prisons"
            return t.head
        if t.dep_ in {"xcomp", "conj", "advcl"}:
            t = t.head
        elif t.dep_ == "pcomp" and t.head.head.i != t.head.i:  # "worked ... before joining al Qaeda"
            t = t.head.head
        else:
            return _possessive_agent(verb)
    return _possessive_agent(verb)


AGENT_NOUNS = {"ability", "capacity", "job", "responsibility", "duty", "mission", "task", "role"}


def _repair_head(tok: Token) -> Token:
    """"a prison holding ISIS detainees": the parser may make the held the head; the holder is."""
    for c in tok.children:
        if c.tag_ == "VBG" and c.i < tok.i:
            for n in c.children:
                if n.dep_ in {"npadvmod", "nsubj", "compound"} and n.pos_ == "NOUN" and n.i < c.i:
                    return n
    return tok


def _possessive_agent(verb: Token) -> Token | None:
    """"the SDF's [ability] to guard ...": the possessor of an ability to act is the actor.

    Read off the tokens, not the parse: the parser breaks on bracketed insertions.
    """
    doc = verb.doc
    i = verb.i - 1
    if i < 0 or doc[i].lower_ != "to":
        return None
    i -= 1
    while i >= 0 and doc[i].text in {"[", "]", "(", ")"}:
        i -= 1
    if i < 0 or doc[i].lemma_.lower() not in AGENT_NOUNS:
        return None
    i -= 1
    while i >= 0 and doc[i].text in {"[", "]", "(", ")"}:
        i -= 1
    if i >= 0 and doc[i].text in {"’s", "'s", "’", "'"}:
        return doc[i - 1] if i > 0 else None
    return None


# ---- rules ---------------------------------------------------------------

def titles(ctx: Context) -> Iterator[Found]:
    """"SDF spokesman Mustafa Bali", "Turkish President Erdogan", "the department's chief, X"."""
    lex = table("lexicons")["titles"]
    heads_of_state = set(lex["head_of_state"])
    command, member = set(lex["command"]) | heads_of_state, set(lex["member"])
    words = command | member
    markers = set(lex["portfolio_markers"])
    honorifics = set(lex["honorifics"])
    words_or_honorifics = words | honorifics
    honorific_only = honorifics - words
    doc, res = ctx.doc, ctx.res

    def kind(title: Token, org: Entity, phrase: str = "") -> str | None:
        word = phrase or title.lower_
        if word not in words:
            word = title.lemma_.lower()
        if word not in words:
            return None
        if org.type == C:
            return "commands" if word in heads_of_state else None
        left = " ".join(t.lower_ for t in title.lefts if t.dep_ in {"amod", "compound", "npadvmod"} and res.token_entity.get(t.i) is None)
        portfolio = any(m in left for m in markers) or any(t.lower_.startswith(("anti", "counter")) for t in title.subtree if t.i < title.i)
        indefinite = any(c.dep_ == "det" and c.lower_ in {"a", "an", "another"} for c in title.children)
        if word in command and not portfolio and not indefinite:
            return "commands"
        return "memberOf"  # "an exiled leader of the movement": one of its leaders

    def emit(person: str, title: Token, org: Entity, anchor: int, rule: str, conf: float, phrase: str = "") -> Iterator[Found]:
        pred = kind(title, org, phrase)
        if pred is None:
            return
        domain, range_ = DOMAIN[pred]
        if res.entities[person].type in domain and org.type in range_ and org.key != person:
            yield Found(person, pred, org.key, anchor, rule, conf)

    # compound run before a person's name: ORG/COUNTRY TITLE PERSON
    for start, end, key, _s in res.mentions:
        person = res.entities[key]
        if person.type != P:
            continue
        i = start - 1
        title_tok = None
        phrase = ""
        sent_start = doc[start].sent.start
        while i >= sent_start and (doc[i].is_title or doc[i].is_upper or doc[i].lower_ in words or doc[i].tag_ == "POS"
                                   or doc[i].text == "-" and title_tok is not None
                                   or doc[i].text == "." and i > 0 and doc[i - 1].lower_ in honorifics
                                   or title_tok is not None and f"{doc[i].lower_} {phrase or title_tok.lower_}" in words) and "\n" not in doc[i].text_with_ws:
            if title_tok is not None and f"{doc[i].lower_} {phrase or title_tok.lower_}" in words_or_honorifics:
                phrase = f"{doc[i].lower_} {phrase or title_tok.lower_}"
                i -= 1  # "Prime Minister", "Supreme Leader": one title
                continue
            org = res.entity_at(i)
            if org is not None and title_tok is not None:
                j = i
                while j > 0 and res.entity_at(j - 1) is org:
                    j -= 1
                if f"{doc[j : i + 1].text.lower()} {title_tok.lower_}" in words:
                    i = j - 1  # "National Security Adviser": a title the model read as a name
                    continue
            if org is not None and org.key != key:
                if title_tok is not None and org.type in {O, C}:
                    yield from emit(key, title_tok, org, start, "title/org-title-person", 0.85, phrase)
                break
            if doc[i].lower_ in words and doc[i].lower_ not in honorific_only:
                title_tok = doc[i]  # the title nearest the organisation: "Pentagon press secretary Rear Adm. X"
                phrase = ""
            elif doc[i].lower_ in words and title_tok is None:
                title_tok = doc[i]
            i -= 1
    # TITLE noun with a possessive or "of" organisation, and a person in apposition or resolved as speaker
    speakers = Speakers(doc, res)
    by_form = {t.i for t in tokens_where(doc, LOWER, words.__contains__)}
    by_lemma = {t.i for t in tokens_where(doc, LEMMA, lambda lemma: lemma.lower() in words)}
    for i in sorted(by_form | by_lemma):
        tok = doc[i]
        if res.token_entity.get(tok.i) and res.entities[res.token_entity[tok.i]].type == P:
            continue
        orgs = [res.entity_at(c.i) for c in _children(tok, "poss", "compound", "amod", "nmod") if not _against(c)]
        for c in _children(tok, "poss"):
            if c.lower_ in {"its", "their"}:  # "Its leader, X": the organisation last named
                key = res.last_before(c.i, lambda e: e.type == O and e.acts_for is None)
                orgs.append(res.entities[key] if key else None)
        orgs += [ctx.entity(o) for o in _pobjs(tok, {"of", "for", "at", "with"})]
        for conj in tok.conjuncts:  # "president and CEO of the International Crisis Group"
            orgs += [ctx.entity(o) for o in _pobjs(conj, {"of", "for", "at"})]
        orgs = [o for o in orgs if o is not None and o.type in {O, C}]
        if not orgs:
            continue
        people = []
        for a in _children(tok, "appos"):
            e = ctx.entity(a)
            if e is not None and e.type == P:
                people.append(e)
        head = tok.head if tok.dep_ == "appos" else tok.head.head if tok.dep_ == "conj" and tok.head.dep_ == "appos" else None
        if head is not None:
            e = ctx.entity(head)
            if e is not None and e.type == P:
                people.append(e)
        for o in _pobjs(tok, {"of", "for", "at"}):  # "a leader of the Brotherhood, Ibrahim Munir": apposed to the body
            for a in _children(o, "appos"):
                if (e := ctx.entity(a)) is not None and e.type == P and not people:
                    people.append(e)
        edge = max(tok.i, *(o.right_edge.i for o in _pobjs(tok, {"of", "for", "at"}))) if _pobjs(tok, {"of", "for", "at"}) else tok.i
        if not people and edge + 1 < len(doc) and doc[edge + 1].text == ",":
            # "the Iraqi Defense Ministry spokesman, Brig. Gen. Tahseen Ibrahim,": read off the tokens
            j = edge + 2
            while j < len(doc) and j < tok.i + 7 and (doc[j].lower_ in words_or_honorifics or doc[j].text == "."):
                j += 1
            e = res.entity_at(j) if j < len(doc) else None
            if e is not None and e.type == P:
                people.append(e)
        if not people and tok.dep_.startswith("nsubj"):
            key = speakers.role(tok)
            if key:
                people.append(res.entities[key])
        for person in people:
            for org in orgs:
                yield from emit(person.key, tok, org, tok.i, "title/possessive-title", 0.8)


def regimes(ctx: Context) -> Iterator[Found]:
    """"the Syrian regime of President Bashar al-Assad": the person heads the state."""
    heads = {"regime", "government", "administration", "dictatorship"}
    for n in tokens_where(ctx.doc, LEMMA, lambda lemma: lemma.lower() in heads):
        states = [e for c in n.children if c.dep_ in {"amod", "compound", "poss"} and (e := ctx.res.entity_at(c.i)) is not None and e.type == C]
        for c in n.children:  # "the Syrian regime", which the gazetteer names as a body of its own
            if c.dep_ in {"amod", "compound"} and (country := gazetteer().demonym(c.text)) is not None:
                states.append(ctx.res.adopt(country.id))
        for p_ in _pobjs(n, {"of"}):
            person = ctx.entity(p_)
            if person is not None and person.type == P:
                for state in states:
                    yield Found(person.key, "commands", state.key, n.i, "commands/regime-of", 0.7)


def person_of(ctx: Context) -> Iterator[Found]:
    """"Kang Seok-ho, of the Liberty Korea Party", "Al Jazeera's Osama Bin Javaid": a person of an organisation."""
    doc, res = ctx.doc, ctx.res
    for start, end, key, _s in res.mentions:
        if res.entities[key].type != P:
            continue
        root = doc[start:end].root
        if start >= 2 and doc[start - 1].tag_ == "POS":
            org = res.entity_at(start - 2)
            if org is not None and org.type == O and org.key != key:
                yield Found(key, "memberOf", org.key, root.i, "memberOf/organisations-person", 0.65)
        if end < len(doc) and doc[end].text == ",":
            for o in _pobjs(root, {"of", "from"}):
                org = ctx.entity(o)
                if org is not None and org.type == O:
                    yield Found(key, "memberOf", org.key, root.i, "memberOf/person-of-organisation", 0.7)


def verbs(ctx: Context) -> Iterator[Found]:
    """Subject-verb-object patterns for attacks, guards, commands, withdrawsFrom, memberOf."""
    rel = _rel()
    doc = ctx.doc
    for v in with_pos(doc, "VERB", "AUX"):
        lemma = v.lemma_.lower()
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in v.children)
        if passive:
            agents = _pobjs(v, {"by"}) or (_pobjs(v.head, {"by"}) if v.dep_ == "xcomp" else [])
            subj_toks = agents
            objs = [_repair_head(o) for o in _children(v, "nsubjpass")] or ([_subject_of(v)] if _subject_of(v) is not None else [])
            if v.dep_ == "relcl":
                objs.append(v.head)
            places = [o for o in objs if (e := ctx.entity(o)) is not None and e.type in {L, C}]
            objs = places or objs
        else:
            s = _subject_of(v)
            subj_toks = [s] if s is not None else []
            objs = _children(v, "dobj")
        particle = next((c.lower_ for c in v.children if c.dep_ == "prt"), "")
        phrasal = f"{lemma} {particle}" in rel["attacks"]["phrasal"]
        if (lemma in rel["attacks"]["fight_verbs"] or phrasal) and not passive and not _hypothetical(v) and not _unrealised(v):
            for s in subj_toks:
                for o in _children(v, "dobj"):
                    e = ctx.entity(o)
                    if e is not None and (phrasal or e.type in {O, C, G}):
                        yield from _found(ctx, s, "attacks", o, v, "attacks/" + ("phrasal-verb" if phrasal else "fight"), 0.65)
        for pred in ("attacks", "guards", "commands"):
            if lemma not in rel[pred]["verbs"]:
                continue
            if _hypothetical(v) or _unrealised(v):
                break
            if pred == "attacks" and any(t.lemma_.lower() in rel["attacks"]["non_violent"] or t.lower_ in rel["attacks"]["non_violent"] for o in _pobjs(v, {"with"}) for t in o.subtree):
                break  # "hit North Korea with sanctions"
            for s in subj_toks:
                for o in objs:
                    for oc in _conjuncts(o):
                        if pred == "attacks" and ctx.entity(oc) is None and oc.lemma_.lower() in table("lexicons")["targets"]["named_by_modifier"]:
                            # "hit targets in Syria": the place the targets are in
                            for place in _pobjs(v, {"in", "inside", "across"}):
                                yield from _found(ctx, s, pred, place, v, "attacks/verb-targets-in", 0.6)
                        yield from _found(ctx, s, pred, oc, v, f"{pred}/verb" + ("-passive" if passive else ""), 0.75)
                if pred == "attacks" and not passive and not any(ctx.entity(o) is not None for o in objs):
                    for place in _pobjs(v, set(rel["attacks"]["landing_preps"])):  # "fired 26 missiles into Syria"
                        yield from _found(ctx, s, pred, place, v, "attacks/verb-into", 0.6)
            if passive and pred == "attacks":
                # "was hit in a Turkish airstrike": the attacker is the airstrike's nationality
                for n in _pobjs(v, {"in", "by"}):
                    if n.lemma_.lower() in rel["attacks"]["nouns"]:
                        for a in n.children:
                            if a.dep_ in {"amod", "compound", "poss"} and ctx.entity(a) is not None:
                                for o in objs:
                                    yield from _found(ctx, a, pred, o, v, "attacks/passive-event-noun", 0.7)
        # "Turkey launched a military offensive in northeastern Syria"
        if lemma in rel["attacks"]["light_verbs"] and not _hypothetical(v):
            for n in _children(v, "dobj"):
                if n.lemma_.lower() in rel["attacks"]["nouns"]:
                    for s in subj_toks:
                        for o in _pobjs(n, set(rel["attacks"]["target_preps"])) + _pobjs(v, {"against", "on", "in", "into"}):
                            yield from _found(ctx, s, "attacks", o, v, "attacks/launch-event-noun", 0.75)
                        # "launched a fierce attack to capture the city of Ramadi": the purpose names the target
                        for aim in [c for c in list(v.children) + list(n.children) if c.dep_ in {"advcl", "xcomp", "acl"}]:
                            if aim.lemma_.lower() in rel["attacks"]["verbs"]:
                                for o in _children(aim, "dobj"):
                                    yield from _found(ctx, s, "attacks", o, v, "attacks/launch-to-take", 0.65)
        # withdrawal: "pull US troops from the area", "Russia withdrew from Crimea"
        if lemma in rel["withdrawsFrom"]["verbs"] and not _hypothetical(v):
            places = _pobjs(v, set(rel["withdrawsFrom"]["from_preps"]))
            if lemma in rel["withdrawsFrom"]["direct_object_verbs"]:
                places += _children(v, "dobj")
            movers = [t for t in _children(v, "dobj") if (e := ctx.entity(t)) is not None and e.type in {O, C, G}]
            movers = movers or subj_toks
            for m in movers:
                for p in places:
                    yield from _found(ctx, m, "withdrawsFrom", p, v, "withdrawsFrom/verb", 0.75)
        # membership: "X is part of Y", "fighters who make up part of Y", "X joined Y"
        if not _hypothetical(v):
            if lemma in rel["memberOf"]["verbs"]:
                for s in subj_toks:
                    for o in _children(v, "dobj") + _pobjs(v, {"to"}):
                        yield from _found(ctx, s, "memberOf", o, v, "memberOf/verb", 0.7)
            for n in _children(v, "attr", "dobj"):
                if n.lemma_.lower() in rel["memberOf"]["part_nouns"] and lemma in {"be", "make", "remain", "become", "form"}:
                    for s in subj_toks:
                        for o in _pobjs(n, {"of"}):
                            yield from _found(ctx, s, "memberOf", o, v, "memberOf/part-of", 0.75)
        # designation: "which Turkey considers a branch of the PKK, a designated terrorist organization"
        if lemma in rel["designatesAsTerrorist"]["verbs"] and not _hypothetical(v):
            if passive:
                yield from _passive_designations(ctx, v)
            else:
                yield from _designations(ctx, v, subj_toks)


def _designations(ctx: Context, v: Token, subj_toks: list[Token]) -> Iterator[Found]:
    rel = _rel()["designatesAsTerrorist"]
    markers = set(rel["markers"])
    if v.dep_ == "relcl":
        # "the YPG, which Ankara considers a terrorist group": the antecedent is designated
        subjects = [c for c in _children(v, "nsubj") if c.lower_ not in RELATIVE]
        if subjects:
            subj_toks = subjects
            relatives = [c for c in v.children if c.lower_ in RELATIVE or (c.dep_ == "poss" and c.lower_ == "whose")]
            relatives += [g for c in v.children for g in c.children if g.lower_ == "whose"]
            if relatives or any(c.lower_ in RELATIVE for c in v.subtree):
                antecedent = v.head
                complements = [o for o in _children(v, "dobj", "oprd", "xcomp", "ccomp", "attr") if o.lower_ not in RELATIVE and not any(g.lower_ == "whose" for g in o.children)]
                if any(t.lower_.startswith(tuple(markers)) for c in complements for t in c.subtree):
                    for s in subj_toks:
                        yield from _found(ctx, s, "designatesAsTerrorist", antecedent, v, "designatesAsTerrorist/relative-clause", 0.75)
                        for c in complements:  # "which Turkey considers a branch of the PKK, a ... terrorist organization"
                            if c.lemma_.lower() in rel["part_nouns"]:
                                for parent in _pobjs(c, {"of"}):
                                    yield from _found(ctx, s, "designatesAsTerrorist", parent, v, "designatesAsTerrorist/parent-of-branch", 0.6)
                return
    objs = _children(v, "dobj", "dative", "nsubj", "ccomp")
    designee = [o for o in objs if ctx.entity(o) is not None and not o.dep_ == "nsubj"]
    complements = [o for o in _children(v, "dobj", "oprd", "xcomp", "ccomp", "attr") if o not in designee]
    complements += [a for d in designee for a in _children(d, "appos")]  # "declared the Brotherhood a terrorist organization"
    complements += _pobjs(v, {"as"})
    if len(designee) == 0:
        # "X considers Y a terrorist group" parses as dobj Y with the complement inside
        for o in _children(v, "dobj", "ccomp"):
            inner = _children(o, "nsubj")
            if inner and ctx.entity(inner[0]) is not None:
                designee.append(inner[0])
                complements.append(o)
    terror = any(t.lower_.startswith(tuple(markers)) for c in complements for t in c.subtree)
    if not terror:
        return
    for s in [x for x in subj_toks if x.dep_ != "ccomp"]:
        for d in designee:
            yield from _found(ctx, s, "designatesAsTerrorist", d, v, "designatesAsTerrorist/verb", 0.75)
        for c in complements:
            if c.lemma_.lower() in rel["part_nouns"]:
                for parent in _pobjs(c, {"of"}):
                    yield from _found(ctx, s, "designatesAsTerrorist", parent, v, "designatesAsTerrorist/parent-of-branch", 0.6)


def attack_nouns(ctx: Context) -> Iterator[Found]:
    """"ISIS has made progress against the Peshmerga", "after heavy clashes with the Peshmerga"."""
    rel = _rel()["attacks"]
    nouns_ = set(rel["against_nouns"])
    preps = set(rel["against_preps"])
    for n in with_pos(ctx.doc, "NOUN"):
        if n.lemma_.lower() not in nouns_ and n.lower_ not in nouns_:
            continue
        targets = _pobjs(n, preps if n.lemma_.lower() == "clash" or n.lower_ in {"clashes", "fighting"} else {"against"})
        if not targets or (n.dep_ == "pobj" and n.head.lower_ in {"for", "to"}):
            continue  # "gear up for a fight with Turkey": not yet
        # the attacker: a named modifier ("a coalition strike", "Israel's offensive"), else the clause's subject
        attackers = [c for c in n.children if c.dep_ in {"poss", "compound", "amod", "nmod"} and ctx.entity(c) is not None]
        verb = n.head
        while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
            verb = verb.head
        if not attackers and verb.pos_ in {"VERB", "AUX"} and not _hypothetical(verb) and verb.lemma_.lower() not in set(_rel()["modality"]["governors"]):
            s = _subject_of(verb)
            attackers = [s] if s is not None else []
        for a in attackers:
            for t in targets:
                yield from _found(ctx, a, "attacks", t, n, "attacks/against-noun", 0.6)


def responsibility(ctx: Context) -> Iterator[Found]:
    """"ISIS claimed responsibility for the attack in Kabul", "the attack was claimed by Ansar"."""
    rel = _rel()["attacks"]
    nouns_ = set(rel["nouns"]) | set(rel["against_nouns"])
    for v in with_pos(ctx.doc, "VERB"):
        lemma = v.lemma_.lower()
        if lemma not in rel["responsibility_verbs"] or _hypothetical(v):
            continue
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in v.children)
        if passive:  # "Tuesday's attack was claimed by Ansar Bayt al-Maqdis"
            attacks_ = [n for n in _children(v, "nsubjpass") if n.lemma_.lower() in nouns_]
            claimants = _pobjs(v, {"by"})
        else:
            if not any(o.lemma_.lower() == "responsibility" for o in _children(v, "dobj")):
                continue
            attacks_ = [n for o in _children(v, "dobj") for n in _pobjs(o, {"for"}) if n.lemma_.lower() in nouns_]
            attacks_ += [n for n in _pobjs(v, {"for"}) if n.lemma_.lower() in nouns_]
            s = _subject_of(v)
            claimants = [s] if s is not None else []
        for n in attacks_:
            for t in _pobjs(n, set(rel["target_preps"])):
                for c in claimants:
                    yield from _found(ctx, c, "attacks", t, v, "attacks/claimed-responsibility", 0.7)


def _passive_designations(ctx: Context, v: Token) -> Iterator[Found]:
    """"which is considered a terrorist organization by the United States"."""
    markers = tuple(_rel()["designatesAsTerrorist"]["markers"])
    designees = _children(v, "nsubjpass")
    complements = _children(v, "oprd", "xcomp", "attr", "dobj") + _pobjs(v, {"as"})
    if not any(t.lower_.startswith(markers) for c in complements for t in c.subtree):
        return
    agents = [t for t in v.subtree if t.dep_ == "pobj" and t.head.lower_ == "by"]
    for a in agents:
        for d in designees:
            yield from _found(ctx, a, "designatesAsTerrorist", d, v, "designatesAsTerrorist/passive", 0.7)


def nouns(ctx: Context) -> Iterator[Found]:
    """Event nouns: "a U.S. troop withdrawal from northern Syria", "Trump's decision to pull US troops"."""
    rel = _rel()
    doc = ctx.doc
    for n in with_pos(doc, "NOUN", "PROPN"):
        lemma = n.lemma_.lower()
        if lemma in rel["withdrawsFrom"]["nouns"]:
            movers = [c for c in n.children if c.dep_ in {"compound", "amod", "poss", "nmod"} and ctx.entity(c) is not None]
            movers += _pobjs(n, {"of"})
            places = _pobjs(n, {"from"}) + [p for m in _pobjs(n, {"of"}) for p in _pobjs(m, {"in", "from"})]
            if n.dep_ == "dobj" and n.head.lemma_.lower() in {"order", "announce", "direct"} and not _hypothetical(n.head):
                # "Trump ordered a withdrawal of US troops": the one who orders commands the troops
                for s in _children(n.head, "nsubj"):
                    for m in movers:
                        if (e := ctx.entity(m)) is not None and e.acts_for is not None:
                            yield from _found(ctx, s, "commands", m, n.head, "commands/orders-withdrawal", 0.7)
            for m in movers:
                for p in places:
                    yield from _found(ctx, m, "withdrawsFrom", p, n, "withdrawsFrom/event-noun", 0.7)
        if lemma in rel["commands"]["decision_nouns"]:
            owners = _children(n, "poss")
            for v in n.children:
                if v.dep_ in {"acl", "relcl", "xcomp"} and v.lemma_.lower() in rel["commands"]["troop_verbs"]:
                    for o in _children(v, "dobj"):
                        e = ctx.entity(o)
                        if e is None or e.acts_for is None:
                            continue  # only forces: "to pull US troops", not "to pull the plug"
                        for s in owners:
                            yield from _found(ctx, s, "commands", o, n, "commands/decision-to-move-forces", 0.7, lift_object=False)


def _found(ctx: Context, s: Token, pred: str, o: Token, anchor: Token, rule: str, conf: float,
           *, lift_object: bool = True) -> Iterator[Found]:
    subj = ctx.entity(s)
    obj = ctx.entity(o)
    if subj is None or obj is None:
        return
    if subj.type == L and (state := table("lexicons")["metonyms"].get(subj.name)):
        subj = ctx.res.adopt(state) or subj  # "Washington designated ...": the US government
    # a country's forces or an organisation's fighters act for it
    if subj.acts_for and pred in {"attacks", "guards", "withdrawsFrom"}:
        subj = ctx.res.entities.get(subj.acts_for) or ctx.res.adopt(subj.acts_for) or subj
    if obj.acts_for and pred == "attacks" and obj.type == O:
        # "shot down a Russian warplane": the blow is against Russia
        obj = ctx.res.entities.get(obj.acts_for) or ctx.res.adopt(obj.acts_for) or obj
    if _generic(subj) or _generic(obj):
        return  # "fighters", "officials": no identifiable actor
    domain, range_ = DOMAIN[pred]
    if pred == "guards" and obj.type == P and anchor.lemma_.lower() in _rel()["guards"]["captivity"]:
        range_ = range_ | {P}  # a hostage is held
    if subj.key == obj.key or subj.type not in domain or obj.type not in range_:
        return
    yield Found(subj.key, pred, obj.key, anchor.i, rule, conf)


def _generic(e: Entity) -> bool:
    return e.type == G and e.name in set(table("lexicons")["groups"].values())


def headlines(ctx: Context) -> Iterator[Found]:
    """"Turkey invades Syria": entity, verb, entity in a row, for headlines the parser misreads."""
    rel = _rel()
    doc, res = ctx.doc, ctx.res
    aux = set(rel["modality"]["auxiliaries"])
    for v in with_pos(doc, "VERB", "AUX"):  # VBZ, VBD and VBP tokens are verbs or auxiliaries
        lemma = v.lemma_.lower()
        pred = next((p for p in ("attacks", "withdrawsFrom") if lemma in rel[p]["verbs"]), None)
        if pred is None or v.tag_ not in {"VBZ", "VBD", "VBP"} or v.i == 0 or v.i + 1 >= len(doc):
            continue
        if v.i >= 2 and doc[v.i - 2].lower_ in aux or _hypothetical(v) or (v.i >= 2 and doc[v.i - 2].lower_ in set(rel["modality"]["conditional_marks"])):
            continue
        if v.sent.start != 0:
            continue  # the parser reads body text well enough; this is for the headline
        before, after = res.entity_at(v.i - 1), res.entity_at(v.i + 1)
        if before is None or after is None:
            continue
        yield from _found(ctx, doc[v.i - 1], pred, doc[v.i + 1], v, f"{pred}/entity-verb-entity", 0.6)


RULES = (titles, regimes, person_of, verbs, nouns, attack_nouns, responsibility, headlines)


def find_relations(parsed: Parsed, res: Resolution, statements: list[Statement]) -> list[Relation]:
    ctx = Context(parsed, res)
    doc = ctx.doc
    sent_index = {s.start: n for n, s in enumerate(doc.sents)}
    seen: dict[tuple[str, str, str, int | None], Relation] = {}
    for rule in RULES:
        for f in rule(ctx):
            tok = doc[f.anchor]
            where = parsed.to_source(tok.idx)
            claimed = next((n for n, st in enumerate(statements) if st.start <= where < st.end), None)
            key = (f.subject, f.predicate, f.object, claimed)
            if key in seen:
                continue
            seen[key] = Relation(f.subject, f.predicate, f.object, sent_index[tok.sent.start], f.rule, f.confidence, claimed)
    return sorted(seen.values(), key=lambda r: (r.sentence, r.predicate, r.subject, r.object))
