"""Article -> ArticleGraph: runs the stages in order on parsed articles."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from .extract.mentions import find_candidates
from .extract.relations import find_relations
from .extract.statements import find_statements
from .model import Article, ArticleGraph, Mention, Sentence
from .nlp import Parsed, parse_many
from .resolve import resolve


def extract(parsed: Parsed) -> ArticleGraph:
    doc = parsed.doc
    names, derived = find_candidates(doc)
    res = resolve(names, derived)
    sentences = []
    for n, sent in enumerate(doc.sents):
        start = parsed.to_source(sent.start_char)
        end = parsed.to_source(sent.end_char)
        text = parsed.article.source[start:end].strip()
        sentences.append(Sentence(n, start, start + len(text), text))
    mentions = tuple(
        Mention(
            parsed.to_source(doc[s].idx),
            parsed.to_source(doc[e - 1].idx + len(doc[e - 1])),
            doc[s:e].text,
            key,
            sent,
        )
        for s, e, key, sent in res.mentions
    )
    statements = find_statements(parsed, res)
    relations = find_relations(parsed, res, statements)
    return ArticleGraph(
        article=parsed.article,
        sentences=tuple(sentences),
        entities=tuple(sorted(res.entities.values(), key=lambda e: e.key)),
        mentions=mentions,
        statements=tuple(statements),
        relations=tuple(relations),
        aliases={k: tuple(sorted(v)) for k, v in res.aliases.items()},
    )


def extract_many(articles: Iterable[Article]) -> Iterator[ArticleGraph]:
    for parsed in parse_many(articles):
        yield extract(parsed)


def extract_text(text: str, *, stem: str = "text") -> ArticleGraph:
    """Extract from a string as if it were an article file (first line: the title)."""
    import hashlib

    from .ingest import article_from_text

    return extract(next(parse_many([article_from_text(text, stem=stem, sha256=hashlib.sha256(text.encode()).hexdigest())])))
