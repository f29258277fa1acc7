"""Who said what: direct quotes and reported speech, with their speakers.

Rules, in the order they are tried for each quoted span:
- a speech verb (data/cues.toml) in the quote's sentence whose clause holds the
  quote ("..., Sales said", "replying, '...'", "warned that '...' could");
- "according to X" in the same sentence;
- a quote with no cue of its own continues the speaker of the statement just
  before it (a second quote in the paragraph, or the next paragraph);
- a short quoted phrase with no cue is a scare quote and no statement.
Reported speech is a speech verb with a clausal complement and no quote in it.
Speakers given as pronouns, titles or roles resolve to the entity the article
makes clear, else to an unnamed-speaker Group (kept off the record).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.attrs import LEMMA, LOWER
from spacy.tokens import Doc, Span, Token

from ..lexicon import table
from ..model import EntityType, SpeechMode, Statement
from ..nlp import Parsed, tokens_where
from ..resolve import Resolution

OPEN = "“"
CLOSE = "”"
PRONOUNS = {"he", "she"}
ORG_PRONOUNS = {"it"}
NAMING_VERBS = {"describe", "call", "dub", "term"}  # their quote follows them: called it "a stab in the back"
CLAUSE_DEPS = {"ccomp", "xcomp", "parataxis", "dobj", "advcl", "conj", "attr", "oprd", "npadvmod"}
ON_RECORD = {EntityType.PERSON, EntityType.ORGANIZATION, EntityType.COUNTRY}


@dataclass(frozen=True)
class Quote:
    start: int  # Doc characters inside the quote marks
    end: int
    runs_on: bool  # no closing mark before the paragraph ended


def find_quotes(text: str) -> list[Quote]:
    """Quoted stretches in the Doc text; curly and straight double quotes."""
    quotes = []
    for para in re.finditer(r"[^\n]+", text):
        p_start, p_text = para.start(), para.group()
        i = 0
        open_at = None
        straight = False
        while i < len(p_text):
            ch = p_text[i]
            if ch == OPEN or (ch == '"' and open_at is None):
                if open_at is not None and i > open_at:
                    quotes.append(Quote(p_start + open_at, p_start + i, True))
                open_at = i + 1
                straight = ch == '"'
            elif (ch == CLOSE or (ch == '"' and straight)) and open_at is not None:
                if i > open_at:
                    quotes.append(Quote(p_start + open_at, p_start + i, False))
                open_at = None
            i += 1
        if open_at is not None and len(p_text) > open_at:
            quotes.append(Quote(p_start + open_at, p_start + len(p_text), True))
    return [q for q in quotes if text[q.start : q.end].strip()]


def _cues() -> dict:
    return table("cues")


def _negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def _subject(verb: Token) -> Token | None:
    """The speaker token of a speech verb, climbing from "replying" or "telling" to the main verb."""
    v = verb
    for _ in range(5):
        for c in v.children:
            if c.dep_ in {"nsubj", "nsubjpass"} and c.dep_ != "expl":
                return c
        if v.dep_ in {"advcl", "xcomp", "conj", "pcomp"} and v.head.i != v.i:
            v = v.head
        elif v.dep_ == "acl" and v.head.dep_ in {"dobj", "pobj", "attr"}:
            # "released a statement saying ...": the one who released it
            v = v.head.head if v.head.dep_ != "pobj" else v.head.head.head
        elif v.dep_ in {"dobj", "pobj"} and v.pos_ == "NOUN":
            v = v.head
        else:
            return None
    return None


def last_subject(doc: Doc, res: Resolution, tok: Token, types: set[EntityType]) -> str | None:
    """"it": the entity of one of `types` last named as a subject in this or the previous sentence."""
    sents = list(doc.sents)
    idx = next(n for n, s in enumerate(sents) if s.start <= tok.i < s.end)
    window = sents[max(0, idx - 1)].start
    found = None
    for start, end, key, _s in res.mentions:
        if start >= tok.i:
            break
        if start >= window and start not in range(tok.i, tok.i + 1) and res.entities[key].type in types \
                and doc[start:end].root.dep_.startswith("nsubj"):
            found = key
    return found


class Speakers:
    """Resolves a subject token to the speaking entity."""

    def __init__(self, doc: Doc, res: Resolution, quoted: frozenset[int] = frozenset()):
        self.doc = doc
        self.res = res
        self.quoted = quoted  # tokens inside quotation marks: never a speaker's antecedent
        lex = table("lexicons")["titles"]
        self.roles = set(lex["command"]) | set(lex["member"]) | {"spokesman", "spokeswoman", "source", "official"}

    def entity_in(self, tok: Token) -> str | None:
        for t in [tok, *[c for c in tok.children if c.dep_ == "appos"]]:
            key = self.res.token_entity.get(t.i)
            if key:
                return key
        for c in tok.children:
            if c.dep_ == "appos":
                for t in c.subtree:
                    key = self.res.token_entity.get(t.i)
                    if key and self.res.entities[key].type == EntityType.PERSON:
                        return key
        return None

    def pronoun(self, tok: Token) -> str | None:
        """"he said": the person last named as a subject (or speaker) within two sentences."""
        sents = list(self.doc.sents)
        idx = next(n for n, s in enumerate(sents) if s.start <= tok.i < s.end)
        window_start = sents[max(0, idx - 2)].start
        best = fallback = None
        for start, end, key, _s in self.res.mentions:
            if start >= tok.i:
                break
            if start < window_start or self.res.entities[key].type != EntityType.PERSON or start in self.quoted:
                continue
            fallback = key
            root = self.doc[start:end].root
            if root.dep_.startswith("nsubj"):
                best = key
        return best or fallback

    def role(self, tok: Token) -> str | None:
        """"the department's anti-ISIS chief said ...": named by "Ambassador X's statement" next."""
        sent = tok.sent
        nxt = self.doc[sent.end : min(len(self.doc), sent.end + 12)]
        speech_nouns = set(_cues()["speech_nouns"])
        for t in nxt:
            if t.lower_ in speech_nouns and t.i > 0:
                for c in t.children:
                    if c.dep_ == "poss":
                        key = self.res.token_entity.get(c.i)
                        if key and self.res.entities[key].type == EntityType.PERSON:
                            return key
        return None

    def resolve(self, tok: Token | None) -> str | None:
        if tok is None:
            return None
        if tok.lower_ in PRONOUNS:
            return self.pronoun(tok)
        if tok.lower_ in ORG_PRONOUNS:
            return last_subject(self.doc, self.res, tok, {EntityType.ORGANIZATION})  # "..., it added"
        key = self.entity_in(tok)
        if key:
            return key
        if tok.lemma_.lower() in self.roles or any(c.lower_ in self.roles for c in tok.lefts):
            return self.role(tok)
        return None


def _quote_span(doc: Doc, q: Quote) -> Span | None:
    return doc.char_span(q.start, q.end, alignment_mode="expand")


def _path_child(verb: Token, tok: Token) -> Token | None:
    """The child of `verb` on the path down to `tok`, if `verb` dominates it."""
    t = tok
    while t.head.i != t.i:
        if t.head.i == verb.i:
            return t
        t = t.head
    return None


def _cue_for(doc: Doc, span: Span, whole: bool) -> tuple[Token, str] | None:
    """The speech verb (or "according to") that attributes the quote, and how."""
    cues = _cues()
    verbs = set(cues["speech_verbs"])
    quote_only = set(cues["quote_only_verbs"])
    sents = {span[0].sent.start: span[0].sent, span[-1].sent.start: span[-1].sent}
    inside = set(range(span.start, span.end))
    found: list[tuple[int, Token, str]] = []
    for sent in sents.values():
        for t in sent:
            if t.i in inside:
                continue
            lemma = t.lemma_.lower()
            if lemma == "accord" and t.lower_ == "according" and t.nbor(1).lower_ == "to":
                found.append((abs(t.i - span.start), t, "according to"))
                continue
            if lemma not in verbs or t.pos_ not in {"VERB", "AUX"} or _negated(t) or t.i in inside:
                continue
            gap = min(abs(t.i - span.start), abs(t.i - span.end))
            if lemma in quote_only and (gap > cues.get("quote_only_window", 3) or (lemma in NAMING_VERBS and t.i > span.start)):
                continue
            child = _path_child(t, span.root)
            near = gap <= 4
            if whole or near:
                found.append((gap, t, lemma))
            elif child is not None and child.dep_ in CLAUSE_DEPS:
                found.append((gap, t, lemma))
    if not found and not any("\n" in t.text for t in doc[span.end : min(len(doc), span.end + 3)]):
        # '"... research." Song said.': the attribution parsed as a sentence of its own
        after = span.end
        while after < len(doc) and doc[after].is_punct and after - span.end < 3:
            after += 1
        if after < len(doc) and doc[after].sent.start == after and len(doc[after].sent) <= 8:
            for t in doc[after].sent:
                if t.lemma_.lower() in verbs and t.pos_ == "VERB" and not _negated(t) and _subject(t) is not None:
                    found.append((t.i - span.end, t, t.lemma_.lower()))
    if not found:
        # "She ended with the plea: '...'": a speech noun just before the quote
        nouns = set(cues["speech_nouns"])
        for t in doc[max(span[0].sent.start, span.start - 4) : span.start]:
            if t.lemma_.lower() in nouns and t.head.pos_ in {"VERB", "AUX", "ADP"}:
                verb = t.head if t.head.pos_ != "ADP" else t.head.head
                found.append((span.start - t.i, verb, t.lemma_.lower()))
    if not found:
        return None
    # the outermost cue wins ("Trump said Kobani assured him '...'"), then the nearest
    found.sort(key=lambda f: (len(list(f[1].ancestors)), f[0]))
    return found[0][1], found[0][2]


def _according_speaker(tok: Token) -> Token | None:
    to = tok.nbor(1)
    for c in to.children:
        if c.dep_ == "pobj":
            return c
    for c in tok.children:
        for g in c.children:
            if g.dep_ == "pobj":
                return g
    return None


def _mentions(res: Resolution, start: int, end: int) -> tuple[str, ...]:
    return tuple(sorted({k for a, b, k, _ in res.mentions if a >= start and b <= end}))


def _is_work_title(span: Span) -> bool:
    """"Meet the Press", "Fox News Sunday": a short quoted title of a show or book, not words said."""
    words = [t for t in span if t.is_alpha]
    small = {"the", "a", "an", "of", "and", "in", "on", "for", "to", "with", "at", "by"}
    return 0 < len(words) <= 6 and all(t.is_title or t.is_upper or t.lower_ in small for t in words) and (words[0].is_title or words[0].is_upper)


def _is_whole(doc: Doc, span: Span) -> bool:
    """True when the quote is a sentence or more, not a phrase inside one."""
    words = [t for t in span if not t.is_punct]
    return len(words) >= 6 or span.start <= span[0].sent.start + 1


def find_statements(parsed: Parsed, res: Resolution) -> list[Statement]:
    doc = parsed.doc
    quotes = find_quotes(parsed.text)
    quoted_all: set[int] = set()
    for q in quotes:
        qs = _quote_span(doc, q)
        if qs is not None:
            quoted_all.update(range(qs.start, qs.end))
    speakers = Speakers(doc, res, frozenset(quoted_all))
    out: list[tuple[int, Statement]] = []  # (first token, statement)
    last: tuple[int, str, str] | None = None  # (sentence index, speaker key, cue) of the latest statement
    sent_index = {s.start: n for n, s in enumerate(doc.sents)}
    sents = list(doc.sents)

    def sent_no(tok: Token) -> int:
        return sent_index[tok.sent.start]

    def emit(first_tok: Token, key: str, text: str, start: int, end: int, cue: str, mode: SpeechMode,
             rule: str, conf: float, sent_numbers: tuple[int, ...]) -> None:
        entity = res.entities[key]
        text = " ".join(text.split())
        # "according to the UN", "the Post reported": sourcing for the reporter's own sentence,
        # kept as a statement but off the record unless a person is named
        on_record = entity.type in ON_RECORD and not (mode == SpeechMode.REPORTED and (
            _is_media(entity.name) or cue == "according to" and entity.type != EntityType.PERSON))
        if not text:
            return
        out.append((first_tok.i, Statement(
            speaker=key,
            on_record=on_record,
            quote=text,
            start=parsed.to_source(start),
            end=parsed.to_source(end),
            cue=cue,
            mode=mode,
            sentences=sent_numbers,
            rule=rule,
            confidence=conf,
            mentions=_mentions(res, *_tok_range(doc, start, end)),
        )))

    quoted_tokens: set[int] = set()
    for q in quotes:
        span = _quote_span(doc, q)
        if span is None or not len(span):
            continue
        quoted_tokens.update(range(span.start, span.end))
        if _is_work_title(span) or span[0].sent.start == 0 or len([t for t in span if not t.is_punct]) < 2:
            continue  # a show's name, the headline (a summary), or one quoted word (a scare quote)
        whole = _is_whole(doc, span)
        cue = _cue_for(doc, span, whole)
        key = None
        rule = ""
        conf = 0.0
        cue_word = ""
        if cue is not None:
            tok, cue_word = cue
            if cue_word == "according to":
                key = speakers.resolve(_according_speaker(tok))
                rule, conf = "quote/according-to", 0.85
            else:
                subj = _subject(tok)
                if subj is not None and span.start <= subj.i < span.end:
                    # the parser took a word of the quote for the subject: "..., the Nation of Islam, ...," Ansi said
                    outside = [t for t in (tok.nbor(-1) if tok.i > 0 else None, tok.nbor(1) if tok.i + 1 < len(doc) else None)
                               if t is not None and not span.start <= t.i < span.end and t.pos_ in {"PROPN", "PRON", "NOUN"}]
                    subj = outside[0] if outside else None
                key = speakers.resolve(subj)
                rule = "quote/pronoun-speaker" if subj is not None and subj.lower_ in PRONOUNS else "quote/speech-verb"
                conf = 0.75 if rule == "quote/pronoun-speaker" else 0.9
                if key is None and subj is not None and subj.pos_ in {"NOUN", "PROPN"}:
                    key = _unnamed(res, subj)
                    rule, conf = "quote/unnamed-speaker", 0.6
        elif whole and last is not None and sent_no(span[0]) - last[0] <= 2:
            key, cue_word = last[1], last[2]
            rule, conf = "quote/continues-previous-speaker", 0.8
        if key is None:
            continue  # a scare quote or one with no speaker the article makes clear
        numbers = tuple(sorted({sent_no(span[0]), sent_no(span[-1])}))
        emit(span[0], key, parsed.text[q.start : q.end], q.start, q.end, cue_word, SpeechMode.DIRECT, rule, conf, numbers)
        last = (numbers[-1], key, cue_word)

    # reported speech: "Esper says the forces weren't ordered to leave"
    verbs = set(_cues()["speech_verbs"]) - set(_cues()["quote_only_verbs"])
    # the candidate tokens of each sentence, found over the whole Doc at once
    starts = [sent.start for sent in sents]
    cue_verbs: list[list[Token]] = [[] for _ in sents]
    for t in tokens_where(doc, LEMMA, lambda lemma: lemma.lower() in verbs):
        cue_verbs[bisect_right(starts, t.i) - 1].append(t)
    according: list[list[Token]] = [[] for _ in sents]
    for t in tokens_where(doc, LOWER, "according".__eq__):
        according[bisect_right(starts, t.i) - 1].append(t)
    for n_sent, sent in enumerate(sents):
        for t in cue_verbs[n_sent]:
            if t.pos_ != "VERB" or _negated(t):
                continue
            if t.dep_ == "conj" and t.head.lemma_.lower() in verbs:
                continue  # folded into the first verb's statement below
            clauses = [c for c in t.children if c.dep_ == "ccomp"]
            for conj in t.children:
                if conj.dep_ == "conj" and conj.lemma_.lower() in verbs and not _subject_own(conj):
                    clauses += [c for c in conj.children if c.dep_ == "ccomp"]
            if not clauses:
                continue
            start = min(c.left_edge.i for c in clauses)
            end = max(c.right_edge.i for c in clauses) + 1
            while start < end and doc[start].lower_ in {"that", ",", "“"}:
                start += 1
            while end > start and doc[end - 1].is_punct:
                end -= 1
            if end - start < 3 or quoted_tokens & set(range(start, end)):
                continue
            subj = _subject(t)
            key = speakers.resolve(subj)
            rule, conf = "reported/speech-verb", 0.7
            if key is None and subj is not None and subj.pos_ in {"NOUN", "PROPN"}:
                key = _unnamed(res, subj)
                rule, conf = "reported/unnamed-speaker", 0.5
            if key is None:
                continue
            span = doc[start:end]
            emit(span[0], key, span.text, span.start_char, span.end_char, t.lemma_.lower(),
                 SpeechMode.REPORTED, rule, conf, (sent_index[sent.start],))
        # "..., according to US defense officials."
        for t in according[n_sent]:
            if t.i + 1 < sent.end and t.nbor(1).lower_ == "to":
                if quoted_tokens & set(range(sent.start, sent.end)):
                    continue
                who = _according_speaker(t)
                key = speakers.resolve(who)
                if key is None:
                    continue
                phrase_end = max(t.right_edge.i, who.right_edge.i if who is not None else t.i)
                if t.i > sent.start + 2:
                    kept = [x for x in sent if x.i < t.i]  # "Y, according to X."
                else:
                    kept = [x for x in sent if x.i > phrase_end]  # "According to X, Y."
                while kept and kept[-1].is_punct:
                    kept.pop()
                while kept and kept[0].is_punct:
                    kept.pop(0)
                if len(kept) < 3:
                    continue
                emit(kept[0], key, doc[kept[0].i : kept[-1].i + 1].text, kept[0].idx, kept[-1].idx + len(kept[-1]),
                     "according to", SpeechMode.REPORTED, "reported/according-to", 0.7, (sent_index[sent.start],))
    out.sort(key=lambda x: (x[0], x[1].start))
    seen: set[tuple[str, str]] = set()
    unique = []
    for _, st in out:
        key = (st.speaker, st.quote.lower())
        if key not in seen and st.sentences[0] != 0:  # the headline restates the body
            seen.add(key)
            unique.append(st)
    return unique


def _is_media(name: str) -> bool:
    """A news outlet relaying what happened is sourcing, not an actor's statement."""
    words = set(_cues()["media_words"])
    low = name.lower()
    return low in words or any(w in words for w in low.split()) and len(low.split()) <= 4


def _subject_own(verb: Token) -> bool:
    return any(c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children)


def _tok_range(doc: Doc, start: int, end: int) -> tuple[int, int]:
    span = doc.char_span(start, end, alignment_mode="expand")
    return (span.start, span.end) if span is not None else (0, 0)


def _unnamed(res: Resolution, subj: Token) -> str | None:
    """An unnamed speaker ("a senior US defense official") is the Group its noun phrase resolved to."""
    key = res.token_entity.get(subj.i)
    if key and res.entities[key].type == EntityType.GROUP:
        return key
    return None
