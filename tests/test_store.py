"""The persistent store: incremental writes, removal, entity rows, atomicity, determinism.

Articles are extracted once per module; the tests then drive `kg.store`
directly, so each store operation costs milliseconds.
"""

from __future__ import annotations

import itertools
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.build import _extract_chunk
from kg.ingest import read_article
from kg.store import (
    ArticleWrite,
    EntityRecord,
    LocalStore,
    StoreError,
    describe,
    forget_read_locks,
    is_meta,
    open_source,
)
from kg.vocab import PREFIXES

from .conftest import ROOT, SEEDS, SHARED

CORPUS = SHARED / "corpus" / "articles"
SMALL = ["zLQJt57VJhgE65D4", "TLbWZAxEWD3FJdOd"]
ENTITIES = "https://w3id.org/newskg/resource/entities"


def _writes(paths: list[Path]) -> dict[str, ArticleWrite]:
    out = {}
    for stem, write, err in _extract_chunk([(read_article(p), str(p)) for p in paths]):
        assert write is not None, err
        out[stem] = write
    return out


@pytest.fixture(scope="module")
def writes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ArticleWrite]:
    """Four articles, plus a changed version of the first seed under the same name."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is missing: the shared corpus sits beside the project")
    seeds = sorted(SEEDS.glob("*.txt"))
    w = _writes([*seeds, *(CORPUS / f"{s}.txt" for s in SMALL)])
    changed_dir = tmp_path_factory.mktemp("changed")
    text = seeds[0].read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    (changed_dir / seeds[0].name).write_text("\n\n".join(paragraphs[: len(paragraphs) // 2]) + "\n", encoding="utf-8")
    w["changed"] = _writes([changed_dir / seeds[0].name])[seeds[0].stem]
    return w


def export(store: LocalStore, out: Path) -> tuple[bytes, bytes]:
    store.export(out / "graph.trig", out / "graph.ttl", dict(sorted(PREFIXES.items())))
    return (out / "graph.trig").read_bytes(), (out / "graph.ttl").read_bytes()


def dataset(trig: bytes) -> Dataset:
    ds = Dataset()
    ds.parse(data=trig, format="trig")
    return ds


def assert_isomorphic(a: bytes, b: bytes) -> None:
    da, db = dataset(a), dataset(b)
    names_a = {str(g.identifier) for g in da.graphs() if len(g)}
    names_b = {str(g.identifier) for g in db.graphs() if len(g)}
    assert names_a == names_b
    for name in names_a:
        assert isomorphic(Graph() + da.graph(name), Graph() + db.graph(name)), name


def build_in(path: Path, steps: list[tuple[str, ArticleWrite | str]]) -> tuple[bytes, bytes]:
    with LocalStore(path / "store") as store:
        for op, arg in steps:
            if op == "put":
                assert isinstance(arg, ArticleWrite)
                store.put(arg)
            else:
                assert store.remove(str(arg))
        return export(store, path)


def test_incremental_build_equals_a_fresh_one(tmp_path: Path, writes: dict[str, ArticleWrite]) -> None:
    a, b, c, d = (writes[k] for k in sorted(k for k in writes if k != "changed"))
    fresh = build_in(tmp_path / "fresh", [("put", a), ("put", b), ("put", c)])
    # the changed version first, an extra article, then the real version replaces it and the extra goes
    steps = [("put", writes["changed"]), ("put", c), ("put", d), ("put", b), ("put", a), ("remove", d.stem)]
    incremental = build_in(tmp_path / "incremental", steps)
    assert_isomorphic(fresh[0], incremental[0])
    assert isomorphic(
        Graph().parse(data=fresh[1], format="turtle"), Graph().parse(data=incremental[1], format="turtle")
    )
    assert fresh == incremental  # same content, same bytes


def test_spliced_exports_equal_a_whole_one(tmp_path: Path, writes: dict[str, ArticleWrite]) -> None:
    a, b, c, d = (writes[k] for k in sorted(k for k in writes if k != "changed"))
    reference = build_in(tmp_path / "ref", [("put", a), ("put", b), ("put", c)])
    out = tmp_path / "spliced"
    with LocalStore(out / "store") as store:
        for op, arg in [("put", d), ("put", writes["changed"]), ("put", c), ("remove", d.stem), ("put", b), ("put", a)]:
            if op == "put":
                store.put(arg)  # type: ignore[arg-type]
            else:
                store.remove(str(arg))
            assert export(store, out)[0].startswith(b"@prefix")
        assert export(store, out) == reference
        # a file that is not what the last export wrote is written whole
        (out / "graph.trig").write_bytes(b"# edited by hand\n" + (out / "graph.trig").read_bytes())
        (out / "graph.ttl").unlink()
        assert export(store, out) == reference


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_output_does_not_depend_on_article_order(
    tmp_path: Path, writes: dict[str, ArticleWrite], order: tuple[int, ...]
) -> None:
    keys = sorted(k for k in writes if k != "changed")[:3]
    reference = build_in(tmp_path / "ref", [("put", writes[k]) for k in keys])
    shuffled = build_in(tmp_path / "shuffled", [("put", writes[keys[i]]) for i in order])
    assert shuffled == reference


def test_the_trig_parses_as_trig_and_declares_the_prefixes(tmp_path: Path, writes: dict[str, ArticleWrite]) -> None:
    trig, ttl = build_in(tmp_path, [("put", w) for k, w in sorted(writes.items()) if k != "changed"])
    head = trig.decode().split("\n{", 1)[0]
    for prefix in ("kgo", "kgr", "rdf", "rdfs", "skos", "owl", "wd", "xsd"):
        assert f"@prefix {prefix}: <{PREFIXES[prefix]}>" in head
    ds = dataset(trig)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert ENTITIES in names
    assert not any(n.startswith("urn:x-kg:") for n in names), "bookkeeping graphs leak into graph.trig"
    assert "urn:x-kg:" not in trig.decode() and "urn:x-kg:" not in ttl.decode()
    union = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    assert isomorphic(union, Graph().parse(data=ttl, format="turtle"))


def test_entity_rows_follow_the_articles_that_mention_them(tmp_path: Path, writes: dict[str, ArticleWrite]) -> None:
    a, b = writes[SEEDS.joinpath("000_7adc603aba545191.txt").stem], writes[SMALL[0]]
    only_b = {e.key for e in b.entities} - {e.key for e in a.entities}
    assert only_b
    with LocalStore(tmp_path / "store") as store:
        store.put(a)
        store.put(b)
        store.put(b)  # the same article again: nothing doubles
        rows = store.store.query(
            f"SELECT ?e (COUNT(?l) AS ?n) WHERE {{ GRAPH <{ENTITIES}> {{ ?e rdfs:label ?l }} }} GROUP BY ?e",
            prefixes=PREFIXES,
        )
        assert {int(r["n"].value) for r in rows} == {1}
        store.remove(b.stem)
        left = {
            q.subject.value.rsplit("/", 1)[1]
            for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(ENTITIES))
        }
        assert left == {e.key for e in a.entities}
        assert not left & only_b


def test_an_entity_takes_the_majority_type_and_name_ties_by_name() -> None:
    records = [
        EntityRecord("a1", "x", "Hamas", "Organization"),
        EntityRecord("a2", "x", "Hamas", "Group"),
        EntityRecord("a3", "x", "HAMAS", "Group", "Q38799"),
        EntityRecord("a0", "y", "Ankara", "Location"),
        EntityRecord("a9", "y", "Ankara", "Country", "Q3640"),
    ]
    rows = {
        (t.subject.value.rsplit("/", 1)[1], t.predicate.value.rsplit("#", 1)[1], getattr(t.object, "value", ""))
        for t in describe(records)
    }
    assert ("x", "type", "https://w3id.org/newskg/ontology#Group") in rows
    assert ("x", "label", "Hamas") in rows  # the name most articles use
    assert ("y", "type", "https://w3id.org/newskg/ontology#Country") in rows  # a tie goes to the class name


class FailingAtTheEnd:
    """A store whose updates fail after all of put()'s operations have run."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def update(self, text: str) -> None:
        self.store.update(text + " ;\nLOAD <http://127.0.0.1:9/unreachable>")


def test_a_failed_write_leaves_the_store_as_it_was(tmp_path: Path, writes: dict[str, ArticleWrite]) -> None:
    a, b = writes[SMALL[0]], writes[SMALL[1]]
    with LocalStore(tmp_path / "store") as store:
        store.put(a)
        before = sorted(map(str, store.store))
        real, store._store = store._store, FailingAtTheEnd(store._store)  # type: ignore[assignment]
        store.put(b)  # written in the background: the failure shows at the next use of the store
        with pytest.raises(OSError):
            store.flush()
        with pytest.raises(OSError):
            store.remove(a.stem)
        store._store = real
        assert sorted(map(str, store.store)) == before


KILLER = """
import pickle, sys
from kg.store import LocalStore
writes = pickle.load(open(sys.argv[2], "rb"))
with LocalStore(sys.argv[1]) as store:
    print("open", flush=True)
    while True:
        for w in writes:
            store.put(w)
            print("put", flush=True)
"""


def test_a_killed_writer_leaves_whole_articles(tmp_path: Path, writes: dict[str, ArticleWrite]) -> None:
    """SIGKILL in the middle of writing: every article is there whole, or not at all."""
    (tmp_path / "writes.pkl").write_bytes(pickle.dumps([writes[k] for k in sorted(writes)]))
    for delay in (0.01, 0.05, 0.13):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLER, str(tmp_path / "store"), str(tmp_path / "writes.pkl")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout and proc.stdout.readline().strip() == "open"
        for _ in range(3):  # a few whole articles, then kill while the next ones are written
            assert proc.stdout.readline().strip() == "put"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        with LocalStore(tmp_path / "store") as store:
            known = store.articles()
            assert known
            for stem, (sha, _, _) in known.items():
                w = next(x for x in writes.values() if x.stem == stem and x.sha256 == sha)
                graph = ox.NamedNode(f"https://w3id.org/newskg/resource/article_{stem}")
                assert len(list(store.store.quads_for_pattern(None, None, None, graph))) == w.own.count("\n")
            # the entity rows are exactly what the articles in the store give
            keys = {r.key for s in known for r in _records_of(store, s)}
            expected = sorted(map(str, describe(r for s in known for r in _records_of(store, s))))
            stored = sorted(
                str(ox.Triple(q.subject, q.predicate, q.object))
                for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(ENTITIES))
            )
            assert stored == expected and len(keys) > 0


def _records_of(store: LocalStore, stem: str) -> list[EntityRecord]:
    return store.records(stem)


def test_one_writer_and_no_reader_at_a_time(tmp_path: Path, writes: dict[str, ArticleWrite]) -> None:
    # flock locks belong to open files, so one process can play both sides
    with LocalStore(tmp_path / "store") as store:
        store.put(writes[SMALL[0]])
        with pytest.raises(StoreError, match="kg build is writing this store; try again when it has finished"):
            open_source(tmp_path / "store")
    reader = open_source(tmp_path / "store")
    assert len(reader) > 0
    with pytest.raises(StoreError, match=r"the store is in use \(kg serve, kg query or another kg build\)"):
        LocalStore(tmp_path / "store")
    del reader
    forget_read_locks()
    LocalStore(tmp_path / "store").close()


def test_open_source_reads_a_build_folder_its_store_and_a_file(tmp_path: Path, writes: dict[str, ArticleWrite]) -> None:
    build_in(tmp_path, [("put", writes[SMALL[0]])])
    n = len(list(open_source(tmp_path / "graph.trig")))
    assert len([q for q in open_source(tmp_path) if not is_meta(q.graph_name)]) == n
    assert len([q for q in open_source(tmp_path / "store") if not is_meta(q.graph_name)]) == n
    forget_read_locks()
