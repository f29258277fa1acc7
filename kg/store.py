"""Where graphs live: graph files, an on-disk Oxigraph store, or an endpoint.

`open_source(path)` gives a pyoxigraph Store for anything a user may point
`kg query` or `kg render` at: a build folder, its `store/`, or a graph file.

`LocalStore` (an Oxigraph folder) and `RemoteStore` (any SPARQL 1.1 Graph
Store Protocol endpoint) are what `kg build` and `kg remove` write to. Both
keep, next to each article's graphs, its bookkeeping: the file's sha256 and
path (an unchanged file is skipped) and the name, type and Wikidata id the
article gave each entity it mentions, from which the entity's description in
`kgr:entities` is recomputed when an article that mentions it is added,
replaced or removed. A local store keeps it in the store's default graph
(never a named graph, so `GRAPH ?g` never meets it); an endpoint, where the
Graph Store Protocol can only replace whole graphs, in one graph per article,
`<urn:x-kg:meta:{stem}>`. Bookkeeping uses only `urn:x-kg:` IRIs and literals,
so it never joins with the content; `graph.trig` leaves it out.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from .errors import InputError, KgError

__all__ = [
    "ArticleWrite",
    "LocalStore",
    "META",
    "RemoteStore",
    "StoreError",
    "article_graphs",
    "content_graphs",
    "forget_read_locks",
    "is_meta",
    "load_file",
    "open_source",
]

FORMATS = {
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
}

META = "urn:x-kg:"  # bookkeeping IRIs: predicates, nodes and graphs
META_GRAPH = META + "meta:"
LOCK_FILE = "kg.lock"  # flock: one writer and no reader, or any number of readers
RESOURCE = "https://w3id.org/newskg/resource/"
ENTITIES = ox.NamedNode(RESOURCE + "entities")


class StoreError(KgError):
    """A store that cannot be opened or written; says what holds it or what to do."""


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(META + name)


P_STEM, P_SHA, P_SOURCE, P_BUILDER = _p("stem"), _p("sha256"), _p("source"), _p("builder")
P_KEY, P_NAME, P_TYPE, P_WIKIDATA = _p("key"), _p("name"), _p("type"), _p("wikidata")


def is_meta(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
    """Bookkeeping: the default graph (a local store) or a `urn:x-kg:` graph (an endpoint)."""
    return isinstance(graph, ox.DefaultGraph) or (isinstance(graph, ox.NamedNode) and graph.value.startswith(META))


def meta_graph(stem: str) -> ox.NamedNode:
    return ox.NamedNode(META_GRAPH + stem)


def article_graphs(stem: str) -> tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode]:
    """The article's own graph, its claims graph and its bookkeeping graph."""
    return (
        ox.NamedNode(f"{RESOURCE}article_{stem}"),
        ox.NamedNode(f"{RESOURCE}article_{stem}_claims"),
        meta_graph(stem),
    )


# --- reading ---------------------------------------------------------------

_read_locks: list[IO[str]] = []  # held for the life of the process that reads


def _lock(store_dir: Path, *, exclusive: bool) -> IO[str]:
    """Take the store's lock without waiting; StoreError says who holds it."""
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        f = open(store_dir / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
    except OSError as e:
        if exclusive:
            raise StoreError(f"{store_dir}: cannot write here ({e.strerror}); give --store a folder you can write") from None
        return open(os.devnull, encoding="utf-8")  # a read-only copy of a store: nobody writes it
    try:
        fcntl.flock(f, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except OSError as e:
        f.close()
        if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise
        if exclusive:
            raise StoreError(
                f"{store_dir}: the store is in use (kg serve, kg query or another kg build); "
                "stop it and try again, or build into a running server with --endpoint"
            ) from None
        raise StoreError(f"{store_dir}: kg build is writing this store; try again when it has finished") from None
    return f


def forget_read_locks() -> None:
    """Release the read locks `open_source` took; only once the stores it gave are dropped."""
    while _read_locks:
        _read_locks.pop().close()


def load_file(path: Path) -> ox.Store:
    fmt = FORMATS.get(path.suffix)
    if fmt is None:
        raise InputError(f"{path}: unknown graph format; give a .trig, .ttl, .nq or .nt file")
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except SyntaxError as e:
        raise InputError(f"{path}: {e}") from None
    return store


def _open_read_only(path: Path) -> ox.Store:
    _read_locks.append(_lock(path, exclusive=False))
    try:
        return ox.Store.read_only(str(path))
    except OSError as e:
        raise StoreError(f"{path}: cannot open the store ({e})") from None


def is_store_dir(path: Path) -> bool:
    return path.is_dir() and ((path / "CURRENT").exists() or any(path.glob("*.sst")))


def open_source(path: str | Path) -> ox.Store:
    """A queryable store for a build folder, an Oxigraph store folder or a graph file."""
    path = Path(path)
    if path.is_file():
        return load_file(path)
    if path.is_dir():
        if is_store_dir(path / "store"):
            return _open_read_only(path / "store")
        if (path / "graph.trig").is_file():
            return load_file(path / "graph.trig")
        if is_store_dir(path):
            return _open_read_only(path)
        raise InputError(f"{path}: no graph.trig or store/ here; build one with `kg build ARTICLES --out {path}`")
    raise InputError(f"{path}: no such graph file or folder")


def content_graphs(store: ox.Store) -> list[ox.NamedNode | ox.BlankNode]:
    """The named graphs that hold the knowledge graph (not an endpoint's bookkeeping), in IRI order."""
    return sorted((g for g in store.named_graphs() if not is_meta(g)), key=lambda g: g.value)


# --- writing ---------------------------------------------------------------


@dataclass(frozen=True)
class EntityRecord:
    """What one article says about one entity: the input of its description."""

    stem: str
    key: str
    name: str
    type: str
    wikidata: str | None = None


@dataclass(frozen=True)
class ArticleWrite:
    """One article's graphs, ready to write: triples plus the bookkeeping."""

    stem: str
    sha256: str
    source: str  # the path the article was read from
    own: tuple[ox.Triple, ...]
    claims: tuple[ox.Triple, ...]
    entities: tuple[EntityRecord, ...]
    builder: str = ""  # the extraction code and model that made it (kg.build.builder_id)

    def meta_triples(self) -> list[ox.Triple]:
        node = ox.NamedNode(META_GRAPH + self.stem)
        out = [
            ox.Triple(node, P_STEM, ox.Literal(self.stem)),
            ox.Triple(node, P_SHA, ox.Literal(self.sha256)),
            ox.Triple(node, P_SOURCE, ox.Literal(self.source)),
            ox.Triple(node, P_BUILDER, ox.Literal(self.builder)),
        ]
        for e in self.entities:
            row = ox.NamedNode(f"{META_GRAPH}{self.stem}/{e.key}")
            out += [
                ox.Triple(row, P_STEM, ox.Literal(self.stem)),
                ox.Triple(row, P_KEY, ox.Literal(e.key)),
                ox.Triple(row, P_NAME, ox.Literal(e.name)),
                ox.Triple(row, P_TYPE, ox.Literal(e.type)),
            ]
            if e.wikidata:
                out.append(ox.Triple(row, P_WIKIDATA, ox.Literal(e.wikidata)))
        return out


def _values(terms: Iterable[ox.Literal | ox.NamedNode]) -> str:
    return " ".join(str(t) for t in terms)


def _scope(pattern: str, remote: bool) -> str:
    """Bookkeeping lives in the default graph of a local store, in graphs of its own on an endpoint."""
    return f"GRAPH ?g {{ {pattern} }}" if remote else pattern


def articles_query(*, remote: bool) -> str:
    pattern = f"?a <{META}sha256> ?sha ; <{META}stem> ?stem ; <{META}source> ?source OPTIONAL {{ ?a <{META}builder> ?builder }}"
    return f"SELECT ?stem ?sha ?source ?builder WHERE {{ {_scope(pattern, remote)} }}"


def rows_query(keys: Iterable[str] | None, *, remote: bool) -> str:
    """Every article's record of the entities `keys` (of all entities for None)."""
    values = "" if keys is None else f"VALUES ?key {{ {_values(ox.Literal(k) for k in sorted(keys))} }}"
    pattern = (
        f"?r <{META}key> ?key ; <{META}stem> ?stem ; <{META}name> ?name ; <{META}type> ?type . "
        f"OPTIONAL {{ ?r <{META}wikidata> ?wd }}"
    )
    return f"SELECT ?stem ?key ?name ?type ?wd WHERE {{ {values} {_scope(pattern, remote)} }}"


def _records(rows: Iterable[dict[str, str | None]]) -> list[EntityRecord]:
    return [
        EntityRecord(r["stem"] or "", r["key"] or "", r["name"] or "", r["type"] or "", r.get("wd") or None)
        for r in rows
    ]


def describe(records: Iterable[EntityRecord]) -> list[ox.Triple]:
    """The `kgr:entities` rows for the entities in `records` (all their articles' records)."""
    from .graph import describe_entities
    from .model import Entity, EntityType

    ordered = sorted(records, key=lambda r: (r.stem, r.key))
    g = describe_entities(Entity(r.key, r.name, EntityType(r.type), r.wikidata) for r in ordered)
    return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in g]  # type: ignore[arg-type]


def to_ox(term: Any) -> Any:
    """An rdflib term as a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _solution_rows(solutions: ox.QuerySolutions) -> Iterator[dict[str, str | None]]:
    names = [v.value for v in solutions.variables]
    for sol in solutions:
        yield {n: (sol[n].value if sol[n] is not None else None) for n in names}


class LocalStore:
    """An Oxigraph folder written by one process at a time; each article in one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: not a folder; give --store a folder for the Oxigraph store")
        self._lock = _lock(self.path, exclusive=True)
        try:
            self.store = ox.Store(str(self.path))
        except OSError as e:
            self._lock.close()
            raise StoreError(f"{self.path}: cannot open the store ({e})") from None

    def close(self) -> None:
        if self._lock.closed:
            return
        self.store.flush()
        del self.store
        self._lock.close()

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def articles(self) -> dict[str, tuple[str, str, str]]:
        """stem -> (sha256, source path, builder) of every article in the store."""
        rows = _solution_rows(self.store.query(articles_query(remote=False)))
        return {r["stem"]: (r["sha"], r["source"], r["builder"] or "") for r in rows}  # type: ignore[misc]

    def records(self, stem: str) -> list[EntityRecord]:
        """What the article `stem` in the store said about each entity."""
        pattern = f"?r <{META}stem> {ox.Literal(stem)} ; <{META}key> ?key ; <{META}name> ?name ; <{META}type> ?type . OPTIONAL {{ ?r <{META}wikidata> ?wd }}"
        rows = _solution_rows(self.store.query(f"SELECT ?key ?name ?type ?wd WHERE {{ {pattern} }}"))
        return [EntityRecord(stem, r["key"] or "", r["name"] or "", r["type"] or "", r["wd"]) for r in rows]

    def _old_keys(self, stem: str) -> set[str]:
        return {r.key for r in self.records(stem)}

    @staticmethod
    def _drop(stem: str) -> str:
        own, claims, _ = article_graphs(stem)
        return (
            f"DROP SILENT GRAPH {own} ;\nDROP SILENT GRAPH {claims} ;\n"
            f"DELETE WHERE {{ ?r <{META}stem> {ox.Literal(stem)} ; ?p ?o }} ;\n"
        )

    def _entity_update(self, keys: set[str], *, drop: str, add: Sequence[EntityRecord] = ()) -> tuple[str, list[ox.Triple]]:
        """DELETE of the touched entities' rows and their recomputed rows."""
        if not keys:
            return "", []
        found = _records(_solution_rows(self.store.query(rows_query(keys, remote=False))))
        records = [r for r in found if r.stem != drop]
        rows = describe([*records, *add])
        delete = (
            f"DELETE {{ GRAPH {ENTITIES} {{ ?e ?p ?o }} }} WHERE {{ "
            f"VALUES ?e {{ {_values(ox.NamedNode(RESOURCE + k) for k in sorted(keys))} }} "
            f"GRAPH {ENTITIES} {{ ?e ?p ?o }} }} ;\n"
        )
        return delete, rows

    def put(self, w: ArticleWrite) -> None:
        """Add or replace one article: its graphs, bookkeeping and touched entity rows, atomically."""
        own, claims, _ = article_graphs(w.stem)
        keys = self._old_keys(w.stem) | {e.key for e in w.entities}
        delete, rows = self._entity_update(keys, drop=w.stem, add=w.entities)
        parts = [self._drop(w.stem), delete, "INSERT DATA {\n"]
        parts.extend(f"{t.subject} {t.predicate} {t.object} .\n" for t in w.meta_triples())  # the default graph
        for graph, triples in ((own, w.own), (claims, w.claims), (ENTITIES, rows)):
            if triples:
                parts.append(f"GRAPH {graph} {{\n")
                parts.extend(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)
                parts.append("}\n")
        parts.append("}")
        # one SPARQL update is one transaction: an interrupted write leaves the article as it was
        self.store.update("".join(parts))

    def remove(self, stem: str) -> bool:
        own, _, _ = article_graphs(stem)
        if stem not in self.articles() and not self.store.contains_named_graph(own):
            return False
        delete, rows = self._entity_update(self._old_keys(stem), drop=stem)
        update = self._drop(stem) + delete
        if rows:
            update += f"INSERT DATA {{ GRAPH {ENTITIES} {{\n" + "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in rows) + "} }"
        else:
            update = update.rstrip().rstrip(";")
        self.store.update(update)
        return True

    def quads(self) -> Iterator[ox.Quad]:
        """Every content quad, graph by graph in IRI order (index order within a graph)."""
        for g in content_graphs(self.store):
            yield from self.store.quads_for_pattern(None, None, None, g)

    def union(self) -> Iterator[ox.Triple]:
        """The content graphs' triples, each once."""
        return iter(self.store.query(
            f'CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(!STRSTARTS(STR(?s), "{META}")) }}',
            use_default_graph_as_union=True,
        ))  # type: ignore[arg-type]

    def export(self, trig: Path, ttl: Path, prefixes: dict[str, str]) -> None:
        """graph.trig (every content graph) and graph.ttl (their union), written atomically."""
        from .fsutil import write_atomic

        write_atomic(trig, ox.serialize(self.quads(), format=ox.RdfFormat.TRIG, prefixes=prefixes) or b"")
        write_atomic(ttl, ox.serialize(self.union(), format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"")

    def query(self, sparql: str) -> ox.QuerySolutions:
        return self.store.query(sparql, use_default_graph_as_union=True)  # type: ignore[return-value]


# --- a remote SPARQL 1.1 Graph Store Protocol endpoint -----------------------


def query_url_for(gsp: str) -> str:
    """The query URL next to a Graph Store Protocol URL, for the servers we know."""
    parts = urllib.parse.urlsplit(gsp)
    path = parts.path.rstrip("/")
    for tail, query in (("/store", "/query"), ("/data", "/query"), ("/rdf-graphs/service", ""), ("/sparql-graph-crud", "/sparql")):
        if path.endswith(tail):
            return urllib.parse.urlunsplit(parts._replace(path=path[: -len(tail)] + query, query=""))
    return gsp


class RemoteStore:
    """Articles written to a SPARQL 1.1 Graph Store Protocol endpoint, one HTTP PUT per graph.

    The endpoint (Oxigraph's /store, Fuseki's /DATASET/data, GraphDB's
    /repositories/R/rdf-graphs/service, ...) must also answer SPARQL queries,
    at `query_url` (guessed from the GSP URL for those servers).
    """

    def __init__(self, url: str, *, query_url: str | None = None, timeout: float = 60.0) -> None:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise StoreError(f"{url}: --endpoint wants an http:// or https:// Graph Store Protocol URL")
        self.url = url
        self.query_url = query_url or query_url_for(url)
        self.timeout = timeout

    def close(self) -> None:
        pass

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - the user's endpoint
                return bytes(resp.read())
        except urllib.error.HTTPError as e:
            if method == "DELETE" and e.code == 404:
                return b""
            detail = e.read().decode("utf-8", "replace").strip().splitlines()
            raise StoreError(f"{url}: {method} failed with HTTP {e.code} {e.reason}" + (f": {detail[0][:200]}" if detail else "")) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"{url}: cannot reach the endpoint ({reason}); is the server running?") from None

    def _graph_url(self, graph: ox.NamedNode) -> str:
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}{urllib.parse.urlencode({'graph': graph.value})}"

    def select(self, sparql: str) -> list[dict[str, str | None]]:
        body = self._request(
            "POST", self.query_url, sparql.encode("utf-8"),
            {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
        data = json.loads(body)
        names = data["head"]["vars"]
        return [{n: (b[n]["value"] if n in b else None) for n in names} for b in data["results"]["bindings"]]

    def put_graph(self, graph: ox.NamedNode, triples: Sequence[ox.Triple]) -> None:
        if not triples:
            self._request("DELETE", self._graph_url(graph))
            return
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        self._request("PUT", self._graph_url(graph), body, {"Content-Type": "application/n-triples"})

    def articles(self) -> dict[str, tuple[str, str, str]]:
        rows = self.select(articles_query(remote=True))
        return {r["stem"]: (r["sha"], r["source"], r["builder"] or "") for r in rows}  # type: ignore[misc]

    def put(self, w: ArticleWrite) -> None:
        """Each graph is replaced by one PUT; the bookkeeping goes last, so an interrupted
        write is redone by the next build."""
        own, claims, meta = article_graphs(w.stem)
        self._request("DELETE", self._graph_url(meta))
        self.put_graph(claims, w.claims)
        self.put_graph(own, w.own)
        self.put_graph(meta, w.meta_triples())

    def remove(self, stem: str) -> bool:
        own, claims, meta = article_graphs(stem)
        present = self.select(f"SELECT ?s WHERE {{ GRAPH {meta} {{ ?s ?p ?o }} }} LIMIT 1")
        for g in (meta, claims, own):
            self._request("DELETE", self._graph_url(g))
        return bool(present)

    def reindex(self) -> int:
        """Recompute all of `kgr:entities` from the bookkeeping of every article; one PUT."""
        rows = describe(_records(self.select(rows_query(None, remote=True))))
        self.put_graph(ENTITIES, rows)
        return len(rows)
