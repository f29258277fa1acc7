"""The entity network: entities as nodes; relations, and who talks about whom, as edges.

This is the graph an analyst draws (`kg.render`) or takes to another tool
(`kg.export`): one node per entity, one edge per (source, relation, target)
with the number of assertions or statements behind it. Parallel evidence is
collapsed here, once, so that every diagram and export counts the same way.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from .errors import KgError
from .query import Result, display, entity_index, select
from .vocab import ONTOLOGY, PREFIXES

__all__ = [
    "STATEMENTS",
    "Article",
    "Edge",
    "Network",
    "Node",
    "ego",
    "entity_network",
    "from_result",
    "relation_title",
    "restrict",
    "to_networkx",
]

STATEMENTS = "statements"  # the pseudo-relation speaker -> entity named in the quote


@dataclass(frozen=True)
class Node:
    id: str  # the entity's IRI (or the text of a query value that is no entity)
    label: str
    type: str  # Person, Organization, Country, Location, Group, or Other
    mentions: int = 0  # sentences naming it
    wikidata: str = ""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str  # a kgo: relation's local name, STATEMENTS, or a query's column names
    count: int = 1  # assertions (or statements, or result rows) behind the edge
    claimed: int = 0  # how many of them were found only inside someone's words
    articles: tuple[str, ...] = ()  # IRIs of the articles they come from

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.relation, self.target)

    @property
    def claimed_only(self) -> bool:
        return self.relation != STATEMENTS and self.count > 0 and self.claimed >= self.count

    @property
    def label(self) -> str:
        name = relation_title(self.relation)
        if self.relation == STATEMENTS or self.count > 1:
            return f"{name}: {self.count}"
        return name


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    file: str


@dataclass
class Network:
    nodes: dict[str, Node]
    edges: list[Edge]
    articles: dict[str, Article] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what a view left out, for the caption
    unlinked: tuple[str, ...] = ()  # labels of the entities with no edge, left out of the network

    def relations(self) -> list[str]:
        return sorted({e.relation for e in self.edges})

    def used_articles(self) -> list[Article]:
        ids = {a for e in self.edges for a in e.articles}
        return sorted((self.articles[a] for a in ids if a in self.articles), key=lambda a: (a.file, a.id))

    def degree(self) -> dict[str, int]:
        """Distinct neighbours of each node, either direction."""
        nbrs: dict[str, set[str]] = defaultdict(set)
        for e in self.edges:
            nbrs[e.source].add(e.target)
            nbrs[e.target].add(e.source)
        return {n: len(nbrs.get(n, ())) for n in self.nodes}


def relation_title(relation: str) -> str:
    """`designatesAsTerrorist` -> `designates as terrorist`."""
    if relation == STATEMENTS or " " in relation or "→" in relation:
        return relation
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", relation).lower()


def _q(store: ox.Store, sparql: str) -> list[ox.QuerySolution]:
    return select(store, sparql)


def _articles(store: ox.Store) -> dict[str, Article]:
    out = {}
    for r in _q(store, "SELECT ?a ?title ?file WHERE { ?a a kgo:Article . "
                       "OPTIONAL { ?a kgo:title ?title } OPTIONAL { ?a kgo:sourceFile ?file } }"):
        iri = r["a"].value
        file = r["file"].value if r["file"] else iri.rsplit("/", 1)[-1]
        out[iri] = Article(iri, r["title"].value if r["title"] else file, file)
    return out


def _nodes(store: ox.Store) -> dict[str, Node]:
    wikidata = {
        r["e"].value: r["wd"].value
        for r in _q(store, "SELECT ?e ?wd WHERE { ?e owl:sameAs ?wd . FILTER(STRSTARTS(STR(?wd), STR(wd:))) }")
    }
    return {
        e.iri: Node(e.iri, e.label, e.type, e.mentions, wikidata.get(e.iri, ""))
        for e in entity_index(store)
    }


def entity_network(store: ox.Store, *, statements: bool = True) -> Network:
    """All entities linked by a relation or a statement, with counts and source articles."""
    nodes = _nodes(store)
    edges: dict[tuple[str, str, str], dict] = {}

    def add(s: str, rel: str, o: str, item: str, claimed: bool, article: str | None) -> None:
        acc = edges.setdefault((s, rel, o), {"items": set(), "claimed": set(), "articles": set()})
        acc["items"].add(item)
        if claimed:
            acc["claimed"].add(item)
        if article:
            acc["articles"].add(article)

    # relations with their assertion records
    for r in _q(store, """
        SELECT ?a ?s ?p ?o ?claim ?art WHERE {
          ?a a kgo:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          OPTIONAL { ?a kgo:claimedIn ?claim }
          OPTIONAL { ?a kgo:evidence/kgo:inArticle ?art }
        }"""):
        s, p, o = r["s"].value, r["p"].value, r["o"].value
        if s in nodes and o in nodes and p.startswith(ONTOLOGY):
            add(s, p[len(ONTOLOGY):], o, r["a"].value, r["claim"] is not None, r["art"].value if r["art"] else None)
    # a relation triple without an assertion record still counts once
    seen = {(s, ONTOLOGY + rel, o) for (s, rel, o) in edges}
    for r in _q(store, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o . ?s a ?c1 . ?o a ?c2 . "
                       "FILTER(STRSTARTS(STR(?p), STR(kgo:))) }"):
        s, p, o = r["s"].value, r["p"].value, r["o"].value
        if s in nodes and o in nodes and (s, p, o) not in seen and s != o:
            add(s, p[len(ONTOLOGY):], o, f"{s} {p} {o}", False, None)
    if statements:
        for r in _q(store, """
            SELECT ?st ?who ?m ?art WHERE {
              ?st a kgo:Statement ; kgo:attributedTo ?who ; kgo:mentions ?m .
              OPTIONAL { ?st kgo:evidence/kgo:inArticle ?art }
              FILTER(?who != ?m)
            }"""):
            who, m = r["who"].value, r["m"].value
            if who in nodes and m in nodes:
                add(who, STATEMENTS, m, r["st"].value, False, r["art"].value if r["art"] else None)
    built = [
        Edge(s, o, rel, len(acc["items"]), len(acc["claimed"]), tuple(sorted(acc["articles"])))
        for (s, rel, o), acc in edges.items()
    ]
    net = restrict(Network(nodes, built, _articles(store)), built, keep_isolated=False)
    net.unlinked = tuple(sorted((nodes[n].label for n in nodes if n not in net.nodes), key=str.casefold))
    return net


def restrict(network: Network, edges: Iterable[Edge], *, keep_isolated: bool = False,
             nodes: Iterable[str] = ()) -> Network:
    """The same network with only `edges`, their end points, and `nodes`."""
    edges = sorted(edges, key=lambda e: e.key)
    keep = {e.source for e in edges} | {e.target for e in edges} | set(nodes)
    if keep_isolated:
        keep |= set(network.nodes)
    kept = {n: network.nodes[n] for n in sorted(keep) if n in network.nodes}
    return Network(kept, [e for e in edges if e.source in kept and e.target in kept],
                   network.articles, list(network.notes))


def by_relation(network: Network, relation: str) -> Network:
    return restrict(network, [e for e in network.edges if e.relation == relation])


def ego(network: Network, centers: Iterable[str], depth: int = 1) -> Network:
    """Everything within `depth` links of the centres, either direction."""
    g = nx.Graph()
    g.add_nodes_from(network.nodes)
    g.add_edges_from((e.source, e.target) for e in network.edges)
    keep: set[str] = set()
    for c in centers:
        if c in g:
            keep |= set(nx.single_source_shortest_path_length(g, c, cutoff=depth))
    return restrict(network, [e for e in network.edges if e.source in keep and e.target in keep], nodes=keep)


def to_networkx(network: Network) -> nx.MultiDiGraph:
    """A MultiDiGraph keyed by relation; attributes are plain strings and ints (GraphML/GEXF safe)."""
    g = nx.MultiDiGraph()
    for n in sorted(network.nodes):
        node = network.nodes[n]
        g.add_node(n, label=node.label, type=node.type, mentions=node.mentions, wikidata=node.wikidata)
    for e in sorted(network.edges, key=lambda e: e.key):
        articles = [network.articles[a].file if a in network.articles else a for a in e.articles]
        g.add_edge(
            e.source, e.target, key=e.relation, relation=e.relation, label=e.label, count=e.count,
            claimed=e.claimed, articles=" ".join(articles),
        )
    return g


# ---------------------------------------------------------------------------
# query results as a network
# ---------------------------------------------------------------------------

_SPO = (("s", "p", "o"), ("subject", "predicate", "object"), ("subject", "relation", "object"))


def from_result(store: ox.Store, result: Result, *, statements_name: str = STATEMENTS) -> Network:
    """Edges from a query result, so that any question can be drawn.

    CONSTRUCT/DESCRIBE: each triple between two IRIs. SELECT with ?s ?p ?o (or
    ?subject ?predicate|?relation ?object): each row. Any other SELECT: each row
    links the values of its first two columns that hold entities (IRIs, or
    names of entities), and the edge is named after those columns.
    """
    index = entity_index(store)
    by_iri = {e.iri: e for e in index}
    by_label: dict[str, str] = {}
    for e in index:
        for n in e.names:
            by_label.setdefault(n.casefold(), e.iri)
    articles = _articles(store)
    by_file = {a.file: a.id for a in articles.values()}
    nodes: dict[str, Node] = {}
    left_out = 0

    def node_for(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
        if term is None:
            return None
        if isinstance(term, ox.NamedNode):
            iri = term.value
            if iri not in by_iri and iri in articles:
                nodes.setdefault(iri, Node(iri, articles[iri].file, "Article"))
                return iri
        elif isinstance(term, ox.Literal):
            iri = by_label.get(term.value.casefold(), "")
            if not iri:
                text = term.value.strip()
                if not text:
                    return None
                nodes.setdefault("literal:" + text, Node("literal:" + text, text, "Other"))
                return "literal:" + text
        else:
            iri = f"_:{term.value}"
        if iri in by_iri:
            e = by_iri[iri]
            nodes.setdefault(iri, Node(iri, e.label, e.type, e.mentions))
        else:
            nodes.setdefault(iri, Node(iri, display(term), "Other"))
        return iri

    names, rows = result.as_rows()
    triples: list[tuple[ox.NamedNode | ox.Literal | ox.BlankNode | None, str, ox.NamedNode | ox.Literal | ox.BlankNode | None, Mapping[str, str]]] = []
    if result.kind == "ask":
        raise KgError("an ASK query answers yes or no: there is nothing to draw; use SELECT or CONSTRUCT")
    spo = next((c for c in _SPO if all(v in names for v in c)), None)
    if result.kind == "graph" or spo:
        s_var, p_var, o_var = spo or ("subject", "predicate", "object")
        for row in rows:
            rec = dict(zip(names, row))
            s, p, o = rec[s_var], rec[p_var], rec[o_var]
            if isinstance(o, ox.Literal) and isinstance(p, ox.NamedNode) and result.kind == "graph":
                left_out += 1  # labels, quotes, offsets: values, not links
                continue
            rel = _relation_name(p)
            triples.append((s, rel, o, {n: display(v) for n, v in rec.items()}))
    else:
        cols = _entity_columns(names, rows, by_iri, by_label)
        if len(cols) < 2:
            raise KgError(
                "the query result has fewer than two columns of entities to link; select two, "
                "e.g. SELECT ?speaker ?entity, or ?s ?p ?o, or use CONSTRUCT"
            )
        a, b = cols[:2]
        rel_col = next((n for n in ("relation", "predicate", "p") if n in names), None)
        for row in rows:
            rec = dict(zip(names, row))
            rel = _relation_name(rec[rel_col]) if rel_col and rec[rel_col] is not None else f"{a} → {b}"
            triples.append((rec[a], rel, rec[b], {n: display(v) for n, v in rec.items()}))
    acc: dict[tuple[str, str, str], list] = {}
    for s, rel, o, rec in triples:
        sid, oid = node_for(s), node_for(o)
        if sid is None or oid is None or sid == oid:
            continue
        item = acc.setdefault((sid, rel, oid), [0, 0, set()])
        item[0] += 1
        if rec.get("claimed_by"):
            item[1] += 1
        art = rec.get("article", "")
        if art in by_file:
            item[2].add(by_file[art])
        elif art.startswith("kgr:") and PREFIXES["kgr"] + art[4:] in articles:
            item[2].add(PREFIXES["kgr"] + art[4:])
    edges = [Edge(s, o, rel, n, c, tuple(sorted(arts))) for (s, rel, o), (n, c, arts) in acc.items()]
    net = restrict(Network(nodes, edges, articles), edges)
    if left_out:
        net.notes.append(f"{left_out} triples with literal values (labels, quotes, numbers) are not drawn.")
    return net


def _relation_name(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str:
    if term is None:
        return "related"
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(ONTOLOGY):
            return term.value[len(ONTOLOGY):]
        return display(term)
    return term.value


def _entity_columns(names, rows, by_iri, by_label) -> list[str]:
    """Columns whose values are mostly entities (IRIs of entities, or their names)."""
    cols = []
    for i, n in enumerate(names):
        values = [row[i] for row in rows if row[i] is not None]
        if not values:
            continue
        hits = sum(
            1 for v in values
            if (isinstance(v, ox.NamedNode) and v.value in by_iri)
            or (isinstance(v, ox.Literal) and v.value.casefold() in by_label)
        )
        iris = sum(1 for v in values if isinstance(v, ox.NamedNode))
        if hits * 2 >= len(values) or iris * 2 >= len(values):
            cols.append(n)
    return cols

