"""Records -> RDF: the only module that mints IRIs.

Each article is its own named graph (its facts, sentences, statements and
assertions), relations claimed inside someone's words go to the article's
`_claims` graph, and `kgr:entities` holds one description per entity.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Literal, URIRef
from rdflib.term import Node

from .model import ArticleGraph, Entity, EntityType
from .resolve import merge_types
from .vocab import KGO, KGR, PREFIXES, WD

ENTITIES_GRAPH = KGR["entities"]

Triple = tuple[Node, Node, Node]


class Triples:
    """Triples in the order they were added, each once.

    Not an rdflib Graph: a Graph indexes every triple three ways as it is
    added, which cost a build more than the rest of this module.
    """

    def __init__(self) -> None:
        self._seen: dict[Triple, None] = {}

    def add(self, triple: Triple) -> None:
        self._seen.setdefault(triple)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._seen)

    def __len__(self) -> int:
        return len(self._seen)


_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


@lru_cache(maxsize=200_000)
def _nt_iri(iri: str) -> str:
    if _IRI_BAD.search(iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def nt_term(term: Node) -> str:
    """A term as N-Triples (and SPARQL) writes it."""
    if isinstance(term, URIRef):
        return _nt_iri(str(term))
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{text}^^{_nt_iri(str(term.datatype))}"
        return text
    raise TypeError(f"not a term kg writes: {term!r}")


def ntriples(triples: Iterable[Triple]) -> str:
    """N-Triples lines, in the order given.

    Written here rather than by rdflib or pyoxigraph: making a pyoxigraph
    term of every node, and pickling them from --jobs workers, cost a build
    more than the rest of this module.
    """
    return "".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in triples)


def entity_iri(key: str) -> URIRef:
    return KGR[key]


def article_iri(stem: str) -> URIRef:
    return KGR[f"article_{stem}"]


def claims_iri(stem: str) -> URIRef:
    return KGR[f"article_{stem}_claims"]


def sentence_iri(stem: str, index: int) -> URIRef:
    return KGR[f"article_{stem}_s{index}"]


def statement_iri(stem: str, n: int) -> URIRef:
    return KGR[f"article_{stem}_statement{n}"]


def assertion_iri(stem: str, n: int) -> URIRef:
    return KGR[f"article_{stem}_assertion{n}"]


def confidence(x: float) -> Literal:
    return Literal(Decimal(f"{x:.2f}"), datatype=XSD.decimal)


def new_dataset() -> Dataset:
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    return ds


def article_triples(ag: ArticleGraph) -> tuple[Triples, Triples]:
    """The article's own graph and its claims graph (not yet in a Dataset)."""
    art = ag.article
    stem = art.stem
    a = article_iri(stem)
    g = Triples()
    claims = Triples()
    g.add((a, RDF.type, KGO.Article))
    g.add((a, KGO.title, Literal(art.title)))
    g.add((a, KGO.sourceFile, Literal(art.source_file)))
    g.add((a, KGO.sha256, Literal(art.sha256)))

    entities = {e.key: e for e in ag.entities}
    labels = {e.key: e.name for e in ag.entities}
    for key, forms in ag.aliases.items():
        iri = entity_iri(key)
        for form in forms:
            if form != labels.get(key):
                g.add((iri, SKOS.altLabel, Literal(form)))
    for key, e in entities.items():
        g.add((entity_iri(key), KGO.mentionedIn, a))
        # the type this article gives it; kgr:entities holds the majority over articles
        g.add((entity_iri(key), RDF.type, KGO[e.type.value]))

    used_sentences: set[int] = set()

    def sentence(index: int) -> URIRef:
        used_sentences.add(index)
        return sentence_iri(stem, index)

    for m in ag.mentions:
        g.add((sentence(m.sentence), KGO.mentions, entity_iri(m.entity)))

    for n, st in enumerate(ag.statements):
        s = statement_iri(stem, n)
        speaker = entity_iri(st.speaker)
        g.add((s, RDF.type, KGO.Statement))
        g.add((s, KGO.quote, Literal(st.quote)))
        g.add((s, KGO.attributedTo, speaker))
        if st.on_record:
            g.add((speaker, KGO.states, s))
        g.add((s, KGO.cue, Literal(st.cue)))
        g.add((s, KGO.speechMode, KGO[st.mode.value]))
        for key in st.mentions:
            g.add((s, KGO.mentions, entity_iri(key)))
        for index in st.sentences:
            g.add((s, KGO.evidence, sentence(index)))
        g.add((s, KGO.startOffset, Literal(st.start)))
        g.add((s, KGO.endOffset, Literal(st.end)))
        g.add((s, KGO.rule, Literal(st.rule)))
        g.add((s, KGO.confidence, confidence(st.confidence)))

    for n, rel in enumerate(ag.relations):
        triple = (entity_iri(rel.subject), KGO[rel.predicate], entity_iri(rel.object))
        (claims if rel.claimed_in is not None else g).add(triple)
        x = assertion_iri(stem, n)
        g.add((x, RDF.type, KGO.Assertion))
        g.add((x, RDF.subject, triple[0]))
        g.add((x, RDF.predicate, triple[1]))
        g.add((x, RDF.object, triple[2]))
        g.add((x, KGO.evidence, sentence(rel.sentence)))
        g.add((x, KGO.rule, Literal(rel.rule)))
        g.add((x, KGO.confidence, confidence(rel.confidence)))
        if rel.claimed_in is not None:
            g.add((x, KGO.claimedIn, statement_iri(stem, rel.claimed_in)))

    for sent in ag.sentences:
        if sent.index not in used_sentences:
            continue
        s = sentence_iri(stem, sent.index)
        g.add((s, RDF.type, KGO.Sentence))
        g.add((s, KGO.text, Literal(sent.text)))
        g.add((s, KGO.startOffset, Literal(sent.start)))
        g.add((s, KGO.endOffset, Literal(sent.end)))
        g.add((s, KGO.inArticle, a))
    return g, claims


def entity_triples(graphs: Iterable[ArticleGraph]) -> Triples:
    """One description per entity: type by majority vote, label, Wikidata link."""
    return describe_entities(e for ag in graphs for e in ag.entities)


def describe_entities(entities: Iterable[Entity]) -> Triples:
    """`entity_triples` from the entities of each article, in article order.

    The store recomputes an entity's description from these records alone
    when an article that mentions it is added, replaced or removed.
    """
    votes: list[tuple[str, EntityType]] = []
    names: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[str, Entity] = {}
    for e in entities:
        votes.append((e.key, e.type))
        names[e.key][e.name] += 1
        first.setdefault(e.key, e)
    types = merge_types(votes)
    g = Triples()
    for key, e in first.items():
        iri = entity_iri(key)
        g.add((iri, RDF.type, KGO[types[key].value]))
        name = sorted(names[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        g.add((iri, RDFS.label, Literal(name)))
        if e.wikidata:
            g.add((iri, OWL.sameAs, WD[e.wikidata]))
    return g


def build_dataset(graphs: list[ArticleGraph]) -> Dataset:
    ds = new_dataset()
    for ag in graphs:
        own, claims = article_triples(ag)
        target = ds.graph(article_iri(ag.article.stem))
        for t in own:
            target.add(t)
        if len(claims):
            target = ds.graph(claims_iri(ag.article.stem))
            for t in claims:
                target.add(t)
    target = ds.graph(ENTITIES_GRAPH)
    for t in entity_triples(graphs):
        target.add(t)
    return ds
