"""Doc -> candidate mentions: names, acting groups, facilities, regions, titles.

Pure functions of the parse and the data files. Candidates are plain records
(token and character indices into the Doc); `resolve.py` turns them into
entities.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.attrs import ORTH
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from ..lexicon import gazetteer, norm, table
from ..nlp import pipeline, tokens_where, with_pos

NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
# group modifiers that describe rather than identify the group
VAGUE_MODIFIERS = {
    "senior", "dangerous", "top", "former", "many", "several", "other", "same", "some", "few",
    "more", "most", "local", "anonymous", "unnamed", "high", "ranking", "high-ranking", "new",
    "current", "thousand", "hundred", "dozen", "million", "such", "these", "those", "two",
    "three", "four", "five", "additional", "remaining", "suspected", "alleged", "armed",
    "captured", "more", "estimated", "various", "numerous", "dozens", "thousands", "hundreds",
}
DEFINITE_ORG_HEADS = {
    "group", "department", "agency", "ministry", "organization", "organisation", "militia",
    "company", "administration", "government", "committee", "council", "movement", "party",
}


@dataclass(frozen=True)
class Candidate:
    start: int  # token span [start, end)
    end: int
    text: str
    kind: str  # name | group | facility | region | military | title | definite
    label: str  # spaCy label for names; class for groups/facilities; the title or head word
    sentence: int
    gaz: str | None = None  # gazetteer id
    modifier: int | None = None  # index of the name candidate this one is built on
    modifier_text: str = ""
    plural: bool = False
    titles: tuple[str, ...] = ()  # office words written just before a person's name
    char_start: int = 0  # Doc character offsets
    char_end: int = 0


@lru_cache(maxsize=1)
def gazetteer_matcher() -> PhraseMatcher:
    nlp = pipeline()
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    forms = gazetteer().surfaces
    matcher.add("GAZ", list(nlp.tokenizer.pipe(forms)))
    return matcher


def _lex() -> dict:
    return table("lexicons")


@lru_cache(maxsize=None)
def _words(*path: str) -> frozenset[str]:
    """A word list of lexicons.toml as a set, made once: `_words("titles", "honorifics")`."""
    node = _lex()
    for key in path:
        node = node[key]
    return frozenset(node)


def _trim(span: Span) -> Span | None:
    """Drop determiners, honorifics, possessives, '#' and line breaks from a name."""
    honorifics = _words("titles", "honorifics")
    start, end = span.start, span.end
    doc = span.doc
    for i in range(start, end):
        if "\n" in doc[i].text:
            end = i
            break
    while start < end and (
        doc[start].lower_ in honorifics and (span.label_ == "PERSON" or doc[start].lower_ == "the")
        or doc[start].text in {"#", "@", "“", '"', "‘", "'", "(", "-", "—"}
    ):
        start += 1
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct and doc[end - 1].text != "."):
        end -= 1
    if span.label_ == "PERSON":
        # "Defense Secretary Jim Mattis": the name starts after the last office word
        titles = _lex()["titles"]
        offices = honorifics | set(titles["command"]) | set(titles["member"]) | set(titles["head_of_state"])
        last = max((i for i in range(start, end - 1) if doc[i].lower_ in offices), default=None)
        if last is not None:
            start = last + 1
        if all(doc[i].lower_ in offices for i in range(start, end)):
            return None  # "Col." alone is an office, not a name
    if end <= start:
        return None
    return Span(doc, start, end, label=span.label_)


def _sentence_index(doc: Doc) -> list[int]:
    index = [0] * len(doc)
    for n, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            index[i] = n
    return index


def _modifier_only(tokens: list[Token]) -> bool:
    """Tokens a gazetteer name may drop from a model span ("Kurdish" in "Kurdish YPG")."""
    gaz = gazetteer()
    modifiers = set(_lex()["names"]["modifiers"])
    return all(t.lower_ in modifiers or gaz.demonym(t.text) or t.is_lower or t.is_punct for t in tokens)


def find_names(doc: Doc, sent_of: list[int]) -> list[Candidate]:
    gaz = gazetteer()
    gaz_spans = [Span(doc, s, e, label="GAZ") for _, s, e in gazetteer_matcher()(doc)]
    model_spans = [t for t in (_trim(e) for e in doc.ents if e.label_ in NAME_LABELS) if t]
    chosen: list[Span] = []
    taken: set[int] = set()

    def take(span: Span) -> None:
        chosen.append(span)
        taken.update(range(span.start, span.end))

    # a model span wins over gazetteer spans inside it unless it only adds modifiers,
    # and loses to a longer gazetteer span ("Islamic" NORP inside "Islamic State")
    bounds = [(g.start, g.end, g) for g in gaz_spans]  # plain ints: compared for every pair of spans
    for span in sorted(model_spans, key=lambda s: (s.start - s.end, s.start)):
        start, end = span.start, span.end
        if taken & set(range(start, end)):
            continue
        if any(gs < end and start < ge and ge - gs > end - start for gs, ge, _ in bounds):
            continue
        inner = [g for gs, ge, g in bounds if start <= gs and ge <= end]
        best = max(inner, key=lambda g: (len(g), -g.start), default=None)
        if best is not None and len(best) < len(span):
            rest = [t for t in span if not best.start <= t.i < best.end]
            if _modifier_only(rest):
                continue  # the gazetteer span is taken below
        take(span)
    for span in sorted(gaz_spans, key=lambda s: (s.start - s.end, s.start)):
        if not taken & set(range(span.start, span.end)):
            take(span)
    # a surname the model missed ("Sales said"), once the article has given the full name
    surnames = {s[-1].text for s in chosen if s.label_ == "PERSON" and len(s) >= 2}
    # an acronym the model missed, once the article has spelt the name out: "(SOHR)"
    acronyms = {"".join(t.text[0] for t in s if t.text[:1].isupper()) for s in chosen if s.label_ == "ORG" and len(s) >= 3}
    for tok in tokens_where(doc, ORTH, acronyms.__contains__):
        if tok.is_upper and len(tok.text) >= 3 and tok.i not in taken:
            take(Span(doc, tok.i, tok.i + 1, label="ORG"))
    for tok in tokens_where(doc, ORTH, surnames.__contains__):
        if tok.i not in taken and tok.is_title:
            take(Span(doc, tok.i, tok.i + 1, label="PERSON"))
    titles = _lex()["titles"]
    offices = set(titles["command"]) | set(titles["member"]) | set(titles["head_of_state"]) | set(titles["honorifics"])
    out = []
    for span in sorted(chosen, key=lambda s: s.start):
        # "President Barack Obama" in the gazetteer: the office is not part of the name
        while len(span) > 1 and span[0].lower_ in offices and gaz.lookup(span[1:].text):
            span = Span(doc, span.start + 1, span.end, label=span.label_)
        entry = gaz.lookup(span.text)
        label = span.label_
        gaz_id = entry.id if entry else None
        root = span.root
        if label == "PERSON" and entry is None and root.dep_ in {"appos", "compound"} and root.head.lemma_.lower() in _words("names", "org_nouns"):
            label = "ORG"  # "the newspaper Yediot Aharonot"
        if entry is None and (country := gaz.demonym(span.text)) is not None:
            label, gaz_id = "NORP", country.id  # "Ukrainian", whatever the model's label
        elif label == "NORP" and entry is None:
            continue  # an ethnicity or creed, not an actor
        out.append(
            Candidate(span.start, span.end, span.text, "name", label, sent_of[span.start], gaz_id,
                      titles=_titles_before(doc, span.start), char_start=span.start_char, char_end=span.end_char)
        )
    return out


@lru_cache(maxsize=1)
def _office_words() -> frozenset[str]:
    return _words("titles", "command") | _words("titles", "member") | _words("titles", "honorifics")


def _titles_before(doc: Doc, start: int) -> tuple[str, ...]:
    """Office words in the capitalised run before a name: "Turkish President", "Secretary of Defense"."""
    words = _office_words()
    found = []
    run: list[str] = []  # the office as written, "deputy prime minister", without names before it
    i = start - 1
    while i >= 0 and (doc[i].is_title or doc[i].is_upper or doc[i].lower_ == "of") and "\n" not in doc[i].text_with_ws:
        if doc[i].lower_ in words:
            found.append(doc[i].lower_)
        if doc[i].ent_type_ == "" and len(run) == start - 1 - i:
            run.append(doc[i].lower_)
        i -= 1
    phrase = " ".join(reversed(run)).strip()
    if phrase and phrase not in found and any(w in words for w in phrase.split()):
        found.append(phrase)
    return tuple(reversed(found))


def _chunk_bounds(head: Token) -> tuple[int, int]:
    """The core of a noun phrase: its head and the contiguous modifiers that name it."""
    doc = head.doc
    start = head.i
    while start > 0:
        t = doc[start - 1]
        inside = head.i in [a.i for a in t.ancestors] and all(a.i <= head.i for a in t.ancestors if a.i < head.i)
        if not inside or t.pos_ in {"DET", "NUM", "ADP", "CCONJ", "VERB", "AUX", "PRON", "SCONJ"} or t.like_num:
            break
        if t.lower_ in VAGUE_MODIFIERS or t.tag_ == "POS" or (t.is_punct and t.text != "-"):
            break
        start -= 1
    return start, head.i + 1


def find_derived(doc: Doc, names: list[Candidate], sent_of: list[int]) -> list[Candidate]:
    lex = _lex()
    gaz = gazetteer()
    group_classes: dict[str, str] = lex["groups"]
    military_heads = set(lex["military"]["heads"])
    institutions = set(lex["institutions"]["heads"])
    org_member_heads = set(lex["military"]["org_member_heads"])
    org_self_heads = set(lex["military"]["org_self_heads"])
    facility_of: dict[str, str] = {}
    for cls, heads in lex["facilities"].items():
        if cls == "anaphoric":
            continue
        for h in heads:
            facility_of[h] = cls
    anaphoric_facilities = set(lex["facilities"]["anaphoric"])
    directions = set(lex["places"]["directions"])
    title_words = set(lex["titles"]["command"]) | set(lex["titles"]["member"])
    name_at = {i: n for n, c in enumerate(names) for i in range(c.start, c.end)}

    def country_of(n: int) -> str | None:
        c = names[n]
        entry = gaz.entries.get(c.gaz) if c.gaz else None
        if entry is not None and entry.type.value == "Country":
            return entry.id
        return None

    out: list[Candidate] = []
    for n, c in enumerate(names):
        # "northern Syria": a region of a country
        before = c.start - 1
        if before >= 0 and doc[before].lower_ in directions and c.label in {"GPE", "LOC", "GAZ"} and doc[before].pos_ in {"ADJ", "PROPN", "NOUN"} and doc[before].dep_ in {"amod", "compound"}:
            out.append(Candidate(before, c.end, doc[before : c.end].text, "region", "Location", c.sentence, modifier=n))
    for tok in with_pos(doc, "NOUN", "PROPN"):
        if tok.i in name_at:
            continue
        lemma = tok.lemma_.lower()
        mods = [name_at[t.i] for t in tok.lefts if t.i in name_at and t.dep_ in {"compound", "amod", "nmod", "poss"}]
        # "Kurdish YPG forces": the name sits inside a compound chain (the
        # subtree is walked only when a name lies in its span)
        if not mods and any(i in name_at for i in range(tok.left_edge.i, tok.i)):
            mods = [name_at[t.i] for t in tok.subtree if t.i < tok.i and t.i in name_at and t.head.i != tok.i and t.head.dep_ == "compound" and t.head.head.i == tok.i]
        mod = mods[-1] if mods else None
        # "the German foreign ministry", "Turkish police": an institution of a country
        if mod is not None and country_of(mod) and tok.dep_ != "compound" and names[mod].end <= tok.i:
            first = names[mod].end + (1 if doc[names[mod].end].tag_ == "POS" else 0)  # "Russia's defense ministry"
            phrase = doc[first : tok.i + 1].text.lower()
            if phrase in institutions or (phrase.split()[-1] in institutions and len(phrase.split()) <= 3 and tok.pos_ == "NOUN"):
                out.append(Candidate(names[mod].start, tok.i + 1, doc[names[mod].start : tok.i + 1].text, "institution", phrase, sent_of[tok.i], modifier=mod))
                continue
        # "US troops", "the Turkish military": the armed forces of a country
        if tok.lower_ in military_heads or lemma in military_heads:
            if mod is not None and tok.dep_ != "compound":
                if country_of(mod):
                    out.append(Candidate(names[mod].start, tok.i + 1, doc[names[mod].start : tok.i + 1].text, "military", "Organization", sent_of[tok.i], modifier=mod))
                    continue
        if mod is not None and names[mod].label in {"ORG", "GAZ"} and not country_of(mod) and tok.dep_ != "compound" and (tok.lower_ in org_self_heads or lemma in org_self_heads):
            # "YPG forces", "the ISIS group" are the organisation itself
            out.append(Candidate(names[mod].start, tok.i + 1, doc[names[mod].start : tok.i + 1].text, "orgforces", "Organization", sent_of[tok.i], modifier=mod))
            continue
        two = f"{tok.nbor(-1).lower_} {lemma}" if tok.i > 0 else lemma
        three = f"{doc[tok.i - 2].lower_} {two}" if tok.i > 1 else two
        fac = facility_of.get(three) or facility_of.get(two) or facility_of.get(lemma)
        if fac and tok.dep_ != "compound":
            start, end = _chunk_bounds(tok)
            out.append(Candidate(start, end, doc[start:end].text, "facility", fac, sent_of[tok.i], modifier=mod, plural=tok.tag_ in {"NNS", "NNPS"}))
            continue
        if lemma in anaphoric_facilities and tok.dep_ != "compound" and any(t.lower_ == "the" for t in tok.lefts) and len(list(tok.lefts)) == 1:
            out.append(Candidate(tok.i - 1, tok.i + 1, doc[tok.i - 1 : tok.i + 1].text, "facility", "", sent_of[tok.i]))
            continue
        cls = group_classes.get(lemma)
        if cls and tok.dep_ != "compound":
            start, end = _chunk_bounds(tok)
            mod_text = ""
            if mod is None and start < tok.i:
                mod_text = " ".join(t.text if t.pos_ == "PROPN" or t.ent_type_ == "NORP" else t.lower_ for t in doc[start : tok.i])
            plural = tok.tag_ in {"NNS", "NNPS"} or lemma == "personnel"
            if mod is None and not mod_text and not plural:
                out.append(Candidate(start, end, doc[start:end].text, "definite", cls, sent_of[tok.i], plural=False))
            else:
                out.append(Candidate(start, end, doc[start:end].text, "group", cls, sent_of[tok.i], modifier=mod, modifier_text=mod_text, plural=plural))
            continue
        # "the department", "the terrorist group": a definite description of an organisation
        if lemma in DEFINITE_ORG_HEADS and tok.dep_ != "compound" and tok.tag_ == "NN":
            lefts = list(tok.lefts)
            if lefts and lefts[0].lower_ == "the" and all(t.pos_ == "ADJ" for t in lefts[1:]):
                out.append(Candidate(lefts[0].i, tok.i + 1, doc[lefts[0].i : tok.i + 1].text, "definite", lemma, sent_of[tok.i]))
                continue
        # "the President" with no name after it: the holder named elsewhere in the article
        if tok.is_title and tok.lower_ in title_words and tok.dep_ != "compound" and tok.ent_type_ == "":
            j = tok.i
            while j > 0 and doc[j - 1].is_title and doc[j - 1].ent_type_ == "" and doc[j - 1].pos_ in {"PROPN", "NOUN", "ADJ"}:
                j -= 1  # "the Prime Minister", "the Deputy Prime Minister"
            out.append(Candidate(j, tok.i + 1, doc[j : tok.i + 1].text, "title", doc[j : tok.i + 1].text.lower(), sent_of[tok.i]))
    return out


def find_candidates(doc: Doc) -> tuple[list[Candidate], list[Candidate]]:
    sent_of = _sentence_index(doc)
    names = find_names(doc, sent_of)
    derived = [
        replace(c, char_start=doc[c.start].idx, char_end=doc[c.end - 1].idx + len(doc[c.end - 1]))
        for c in find_derived(doc, names, sent_of)
    ]
    return names, derived


__all__ = ["Candidate", "find_candidates", "norm"]
