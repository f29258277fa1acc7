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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

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
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


class StoreError(KgError):
    """A store that cannot be opened or written; says what holds it or what to do."""


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(META + name)


P_STEM, P_SHA, P_SOURCE, P_BUILDER = _p("stem"), _p("sha256"), _p("source"), _p("builder")
P_KEY, P_RECORD = _p("key"), _p("record")
P_QUADS, P_DIRTY, P_TRIG, P_TTL = _p("quads"), _p("dirty"), _p("trig"), _p("ttl")
EXPORT = ox.NamedNode(META + "export")  # what the last export wrote, and what changed since


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
            raise StoreError(
                f"{store_dir}: cannot write here ({e.strerror}); give --store a folder you can write"
            ) from None
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


def entity_node(key: str) -> ox.NamedNode:
    """Where the records of what each article says about an entity are kept (bookkeeping)."""
    return ox.NamedNode(f"{META}entity:{key}")


@dataclass(frozen=True)
class EntityRecord:
    """What one article says about one entity: the input of its description."""

    stem: str
    key: str
    name: str
    type: str
    wikidata: str | None = None

    def literal(self) -> ox.Literal:
        # one literal per record: the records of an entity are one index lookup away
        return ox.Literal(
            json.dumps([self.stem, self.key, self.name, self.type, self.wikidata or ""], ensure_ascii=False)
        )

    @classmethod
    def parse(cls, text: str) -> EntityRecord:
        stem, key, name, type_, wikidata = json.loads(text)
        return cls(stem, key, name, type_, wikidata or None)


@dataclass(frozen=True)
class ArticleWrite:
    """One article's graphs, ready to write: N-Triples lines plus the bookkeeping."""

    stem: str
    sha256: str
    source: str  # the path the article was read from
    own: str  # the article's graph, one N-Triples line per triple
    claims: str  # its claims graph, likewise
    entities: tuple[EntityRecord, ...]
    builder: str = ""  # the extraction code and model that made it (kg.build.builder_id)

    def meta_triples(self) -> list[ox.Triple]:
        """The article's node (file, digest, builder, size, the entities it names) and, for each
        entity, the record of what this article says about it, on the entity's node."""
        node = ox.NamedNode(META_GRAPH + self.stem)
        out = [
            ox.Triple(node, P_STEM, ox.Literal(self.stem)),
            ox.Triple(node, P_SHA, ox.Literal(self.sha256)),
            ox.Triple(node, P_SOURCE, ox.Literal(self.source)),
            ox.Triple(node, P_BUILDER, ox.Literal(self.builder)),
            ox.Triple(node, P_QUADS, ox.Literal(str(self.own.count("\n") + self.claims.count("\n")), datatype=XSD_INTEGER)),
        ]
        for e in self.entities:
            out.append(ox.Triple(node, P_KEY, ox.Literal(e.key)))
            out.append(ox.Triple(entity_node(e.key), P_RECORD, e.literal()))
        return out


def _lines(triples: Iterable[ox.Triple]) -> str:
    """Triples as N-Triples lines, the form SPARQL's INSERT DATA takes too."""
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)


def _values(terms: Iterable[ox.Literal | ox.NamedNode]) -> str:
    return " ".join(str(t) for t in terms)


def _scope(pattern: str, remote: bool) -> str:
    """Bookkeeping lives in the default graph of a local store, in graphs of its own on an endpoint."""
    return f"GRAPH ?g {{ {pattern} }}" if remote else pattern


def articles_query(*, remote: bool) -> str:
    pattern = (
        f"?a <{META}sha256> ?sha ; <{META}stem> ?stem ; <{META}source> ?source "
        f"OPTIONAL {{ ?a <{META}builder> ?builder }}"
    )
    return f"SELECT ?stem ?sha ?source ?builder WHERE {{ {_scope(pattern, remote)} }}"


RECORDS_QUERY = f"SELECT ?rec WHERE {{ GRAPH ?g {{ ?e <{META}record> ?rec }} }}"


def describe(records: Iterable[EntityRecord]) -> list[ox.Triple]:
    """The `kgr:entities` rows for the entities in `records` (all their articles' records)."""
    from .graph import describe_entities
    from .model import Entity, EntityType

    ordered = sorted(records, key=lambda r: (r.stem, r.key))
    g = describe_entities(Entity(r.key, r.name, EntityType(r.type), r.wikidata) for r in ordered)
    return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in g]  # type: ignore[arg-type]


@lru_cache(maxsize=100_000)
def _named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def to_ox(term: Any) -> Any:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return _named(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=_named(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _solution_rows(solutions: ox.QuerySolutions) -> Iterator[dict[str, str | None]]:
    names = [v.value for v in solutions.variables]
    for sol in solutions:
        yield {n: (sol[n].value if sol[n] is not None else None) for n in names}


CACHE_RECORDS = 300_000  # entity records kept in memory while building (about 100 MB)


class LocalStore:
    """An Oxigraph folder written by one process at a time; each article in one transaction.

    `put` hands the article's transaction to a writer thread and returns:
    pyoxigraph lets go of the GIL while it writes, so the write runs on another
    core while the next article is parsed. Every other use of the store waits
    for that write first (`store`), so nothing ever reads a store that is
    behind what `put` was given.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: not a folder; give --store a folder for the Oxigraph store")
        self._lock = _lock(self.path, exclusive=True)
        self._cache: dict[str, list[tuple[EntityRecord, ox.Literal]]] = {}
        self._cached = 0
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-store-writer")
        self._pending: Future[None] | None = None
        try:
            self._store = ox.Store(str(self.path))
        except OSError as e:
            self._lock.close()
            raise StoreError(f"{self.path}: cannot open the store ({e})") from None

    @property
    def store(self) -> ox.Store:
        """The Oxigraph store, once the write `put` started has ended."""
        self._wait()
        return self._store

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            pending.result()
        except BaseException:
            # the records cache already counted the failed article in
            self._cache.clear()
            self._cached = 0
            raise

    def flush(self) -> None:
        """Write RocksDB's in-memory tables to disk: without it they grow with every article."""
        self.store.flush()

    def close(self) -> None:
        if self._lock.closed:
            return
        try:
            self.store.flush()
        finally:
            self._writer.shutdown()
            del self._store
            self._lock.close()

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def articles(self) -> dict[str, tuple[str, str, str]]:
        """stem -> (sha256, source path, builder) of every article in the store."""
        rows = _solution_rows(self.store.query(articles_query(remote=False)))
        return {r["stem"]: (r["sha"], r["source"], r["builder"] or "") for r in rows}  # type: ignore[misc]

    def _records(self, key: str) -> list[tuple[EntityRecord, ox.Literal]]:
        # kept for the life of the build: a popular entity has a record in most articles,
        # and this process is the store's only writer
        if key not in self._cache:
            if self._cached > CACHE_RECORDS:  # memory stays flat however large the corpus
                self._cache.clear()
                self._cached = 0
            found = self.store.quads_for_pattern(entity_node(key), P_RECORD, None, ox.DefaultGraph())
            self._cache[key] = [(EntityRecord.parse(q.object.value), q.object) for q in found]  # type: ignore[union-attr]
            self._cached += len(self._cache[key])
        return self._cache[key]

    def _commit(
        self, update: str, stem: str, keys: Iterable[str], new: Sequence[EntityRecord], *, background: bool = False
    ) -> None:
        """Run the update (one transaction), in the writer thread if `background`; bring the records cache in line."""
        keys = set(keys)
        store = self.store  # the write before this one has ended
        if background:
            self._pending = self._writer.submit(store.update, update)
        else:
            try:
                store.update(update)
            except BaseException:
                for key in keys:
                    self._cache.pop(key, None)
                raise
        for key in keys:
            if key in self._cache:
                self._cache[key] = [(r, lit) for r, lit in self._cache[key] if r.stem != stem]
        for r in new:
            if r.key in self._cache:
                self._cache[r.key].append((r, r.literal()))
                self._cached += 1

    def records(self, stem: str) -> list[EntityRecord]:
        """What the article `stem` in the store said about each entity."""
        node = ox.NamedNode(META_GRAPH + stem)
        keys = [q.object.value for q in self.store.quads_for_pattern(node, P_KEY, None, ox.DefaultGraph())]
        return [r for key in keys for r, _ in self._records(key) if r.stem == stem]

    def _update(self, stem: str, new: Sequence[EntityRecord]) -> tuple[str, list[ox.Triple], set[str]]:
        """The part of an update that drops the article `stem` (graphs, bookkeeping, the rows
        of the entities it named), and the recomputed rows of the entities it names or named."""
        own, claims, _ = article_graphs(stem)
        keys = {r.key for r in self.records(stem)} | {r.key for r in new}
        records: list[EntityRecord] = list(new)
        old: list[str] = []
        for key in sorted(keys):
            for r, lit in self._records(key):
                if r.stem == stem:
                    old.append(f"{entity_node(key)} {P_RECORD} {lit} .")
                else:
                    records.append(r)
        text = (
            f"DROP SILENT GRAPH {own} ;\nDROP SILENT GRAPH {claims} ;\n"
            f"DELETE WHERE {{ {ox.NamedNode(META_GRAPH + stem)} ?p ?o }} ;\n"
        )
        if old:
            text += "DELETE DATA { " + " ".join(old) + " } ;\n"
        if keys:
            text += (
                f"DELETE {{ GRAPH {ENTITIES} {{ ?e ?p ?o }} }} WHERE {{ "
                f"VALUES ?e {{ {_values(ox.NamedNode(RESOURCE + k) for k in sorted(keys))} }} "
                f"GRAPH {ENTITIES} {{ ?e ?p ?o }} }} ;\n"
            )
        return text, describe(records), keys

    @staticmethod
    def _dirty(stem: str) -> str:
        """Bookkeeping: graphs written since graph.trig was, so that the next export rewrites only them."""
        return "".join(f"{EXPORT} {P_DIRTY} {g} .\n" for g in (*article_graphs(stem)[:2], ENTITIES))

    def put(self, w: ArticleWrite) -> None:
        """Add or replace one article: its graphs, bookkeeping and touched entity rows, atomically."""
        own, claims, _ = article_graphs(w.stem)
        drop, rows, keys = self._update(w.stem, w.entities)
        parts = [drop, "INSERT DATA {\n", self._dirty(w.stem), _lines(w.meta_triples())]  # meta: the default graph
        for graph, lines in ((own, w.own), (claims, w.claims), (ENTITIES, _lines(rows))):
            if lines:
                parts.extend((f"GRAPH {graph} {{\n", lines, "}\n"))
        parts.append("}")
        # one SPARQL update is one transaction: an interrupted write leaves the article as it was
        self._commit("".join(parts), w.stem, keys, w.entities, background=True)

    def remove(self, stem: str) -> bool:
        own, _, _ = article_graphs(stem)
        if stem not in self.articles() and not self.store.contains_named_graph(own):
            return False
        drop, rows, keys = self._update(stem, ())
        update = drop + "INSERT DATA {\n" + self._dirty(stem)
        if rows:
            update += f"GRAPH {ENTITIES} {{\n{_lines(rows)}}}\n"
        self._commit(update + "}", stem, keys, ())
        return True

    def quads(self) -> Iterator[ox.Quad]:
        """Every content quad, graph by graph in IRI order (index order within a graph)."""
        for g in content_graphs(self.store):
            yield from self.store.quads_for_pattern(None, None, None, g)

    def count(self) -> int:
        """Quads in the content graphs, from each article's bookkeeping (counting them all takes seconds)."""
        articles = f"SELECT (SUM(?n) AS ?sum) WHERE {{ ?a <{META}quads> ?n }}"
        entities = f"SELECT (COUNT(*) AS ?sum) WHERE {{ GRAPH {ENTITIES} {{ ?s ?p ?o }} }}"
        total = 0
        for q in (articles, entities):
            sol = next(iter(self.store.query(q)))  # type: ignore[arg-type]
            total += int(sol["sum"].value) if sol["sum"] is not None else 0  # type: ignore[index]
        return total

    # graph.trig and graph.ttl are one block per graph, in graph IRI order, each
    # block opened by a `# graph <IRI>` comment line; a later export re-serialises
    # only the graphs written since and splices them in.

    def _blocks(self, graph: ox.NamedNode, prefixes: dict[str, str]) -> dict[ox.RdfFormat, bytes]:
        """The graph's block in graph.trig and in graph.ttl, from one serialisation."""
        # The store serialises the graph's triples itself: handing each quad to
        # Python and back took most of an export. A TriG block is the same
        # lines, indented, inside the graph's braces (Oxigraph writes every
        # triple, literals included, on lines of its own).
        def body(data: bytes) -> list[bytes]:
            return [line for line in data.splitlines(keepends=True) if not line.startswith(b"@prefix ")]

        lines = body(self.store.dump(format=ox.RdfFormat.TURTLE, from_graph=graph, prefixes=prefixes) or b"")
        if not b"".join(lines).strip():
            return {ox.RdfFormat.TRIG: b"", ox.RdfFormat.TURTLE: b""}
        first = next(iter(self.store.quads_for_pattern(None, None, None, graph)))
        opening = body(ox.serialize([first], format=ox.RdfFormat.TRIG, prefixes=prefixes) or b"")[0]  # "kgr:article_x {"
        comment = f"# graph {graph}\n".encode()
        return {
            ox.RdfFormat.TRIG: comment + b"".join([opening, *(b"\t" + line for line in lines), b"}\n"]).rstrip(b"\n") + b"\n",
            ox.RdfFormat.TURTLE: comment + b"".join(lines).rstrip(b"\n") + b"\n",
        }

    @staticmethod
    def _header(prefixes: dict[str, str]) -> bytes:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()).encode() + b"\n"

    @staticmethod
    def _split(data: bytes, header: bytes) -> dict[str, bytes] | None:
        if not data.startswith(header):
            return None
        body = data[len(header) :]
        if body and not body.startswith(b"# graph <"):
            return None
        blocks: dict[str, bytes] = {}
        for chunk in body.split(b"\n# graph <"):
            if not chunk:
                continue
            chunk = chunk.removeprefix(b"# graph <")
            iri, _, _ = chunk.partition(b">")
            blocks[iri.decode()] = b"# graph <" + chunk.rstrip(b"\n") + b"\n"
        return blocks

    def export(self, trig: Path, ttl: Path, prefixes: dict[str, str]) -> None:
        """graph.trig (every content graph) and graph.ttl (their union), written atomically.

        The same store gives the same bytes whether the files are spliced or
        written whole; a file that is not the one the last export wrote (edited,
        from another store, or missing) is written whole.
        """
        import hashlib

        from .fsutil import write_atomic

        header = self._header(prefixes)
        state = {
            q.predicate.value: q.object for q in self.store.quads_for_pattern(EXPORT, None, None, ox.DefaultGraph())
        }
        dirty = {
            t.value
            for p, t in (
                (q.predicate, q.object) for q in self.store.quads_for_pattern(EXPORT, P_DIRTY, None, ox.DefaultGraph())
            )
            if isinstance(t, ox.NamedNode)
        }
        made: dict[str, dict[ox.RdfFormat, bytes]] = {}  # each graph serialised once for both files

        def block(iri: str, fmt: ox.RdfFormat) -> bytes:
            if iri not in made:
                made[iri] = self._blocks(ox.NamedNode(iri), prefixes)
            return made[iri][fmt]

        digests = []
        for path, fmt, pred in ((trig, ox.RdfFormat.TRIG, P_TRIG), (ttl, ox.RdfFormat.TURTLE, P_TTL)):
            old = path.read_bytes() if path.is_file() else b""
            recorded = state.get(pred.value)
            blocks = None
            if old and recorded is not None and recorded.value == hashlib.sha256(old).hexdigest():
                blocks = self._split(old, header)
            if blocks is None:
                blocks = {g.value: block(g.value, fmt) for g in content_graphs(self.store)}
            else:
                for iri in dirty:
                    if data := block(iri, fmt):
                        blocks[iri] = data
                    else:
                        blocks.pop(iri, None)
            data = header + b"".join(blocks[k] for k in sorted(blocks) if blocks[k])
            write_atomic(path, data)
            digests.append((pred, hashlib.sha256(data).hexdigest()))
        update = (
            f"DELETE WHERE {{ {EXPORT} ?p ?o }} ;\nINSERT DATA {{ "
            + " ".join(f"{EXPORT} {pred} {ox.Literal(value)} ." for pred, value in digests)
            + " }"
        )
        self.store.update(update)

    def query(self, sparql: str) -> ox.QuerySolutions:
        return self.store.query(sparql, use_default_graph_as_union=True)  # type: ignore[return-value]


# --- a remote SPARQL 1.1 Graph Store Protocol endpoint -----------------------


def query_url_for(gsp: str) -> str:
    """The query URL next to a Graph Store Protocol URL, for the servers we know."""
    parts = urllib.parse.urlsplit(gsp)
    path = parts.path.rstrip("/")
    known = (
        ("/store", "/query"),  # Oxigraph
        ("/data", "/query"),  # Fuseki
        ("/rdf-graphs/service", ""),  # GraphDB, RDF4J
        ("/sparql-graph-crud", "/sparql"),  # Virtuoso
        ("/sparql/gsp", "/sparql"),  # Amazon Neptune
    )
    for tail, query in known:
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

    def flush(self) -> None:
        pass

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(
        self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> bytes:
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - the user's endpoint
                return bytes(resp.read())
        except urllib.error.HTTPError as e:
            if method == "DELETE" and e.code == 404:
                return b""
            detail = e.read().decode("utf-8", "replace").strip().splitlines()
            raise StoreError(
                f"{url}: {method} failed with HTTP {e.code} {e.reason}" + (f": {detail[0][:200]}" if detail else "")
            ) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"{url}: cannot reach the endpoint ({reason}); is the server running?") from None

    def _graph_url(self, graph: ox.NamedNode) -> str:
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}{urllib.parse.urlencode({'graph': graph.value})}"

    def select(self, sparql: str) -> list[dict[str, str | None]]:
        body = self._request(
            "POST",
            self.query_url,
            sparql.encode("utf-8"),
            {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
        data = json.loads(body)
        names = data["head"]["vars"]
        return [{n: (b[n]["value"] if n in b else None) for n in names} for b in data["results"]["bindings"]]

    def put_graph(self, graph: ox.NamedNode, triples: Sequence[ox.Triple] | str) -> None:
        """Replace the graph by `triples` (or N-Triples lines); none: drop it."""
        if not triples:
            self._request("DELETE", self._graph_url(graph))
            return
        body = triples.encode() if isinstance(triples, str) else ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
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
        rows = describe(EntityRecord.parse(r["rec"] or "") for r in self.select(RECORDS_QUERY))
        self.put_graph(ENTITIES, rows)
        return len(rows)
