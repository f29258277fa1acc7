"""kg build and kg remove from the command line: incremental builds, bad input, Ctrl-C,
--jobs, --shard, progress, and a real `oxigraph serve` as a Graph Store Protocol endpoint."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.build import build, in_shard, parse_shard
from kg.errors import KgError
from kg.progress import Progress
from kg.store import LocalStore

from .conftest import ROOT, SEEDS, SHARED, run_kg

CORPUS = SHARED / "corpus" / "articles"


def graphs(trig: bytes | Path) -> dict[str, Graph]:
    ds = Dataset()
    if isinstance(trig, Path):
        ds.parse(trig, format="trig")
    else:
        ds.parse(data=trig, format="trig")
    return {str(g.identifier): Graph() + g for g in ds.graphs() if len(g)}


def assert_same_graphs(a: dict[str, Graph], b: dict[str, Graph]) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        assert isomorphic(a[name], b[name]), name


def test_a_second_build_skips_unchanged_articles_and_remove_drops_one(tmp_path: Path, seed_build: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(seed_build, out)
    again = run_kg("build", str(SEEDS), "--out", str(out), check=True)
    assert "(0 new, 0 changed, 2 unchanged)" in again.stdout
    gone = run_kg("remove", "000_7adc603aba545191.txt", "--out", str(out), check=True)
    assert "1 removed" in gone.stdout
    assert not any("000_7adc603aba545191" in name for name in graphs(out / "graph.trig"))
    missing = run_kg("remove", "nosuch", "--out", str(out))
    assert (
        missing.returncode == 1
        and missing.stderr.strip() == "kg: nosuch: not in the store (stem nosuch); nothing removed"
    )
    back = run_kg("build", str(SEEDS), "--out", str(out), check=True)
    assert "(1 new, 0 changed, 1 unchanged)" in back.stdout
    for name in ("graph.trig", "graph.ttl"):
        assert (out / name).read_bytes() == (seed_build / name).read_bytes(), name


def test_new_extraction_code_rebuilds_unchanged_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = SEEDS / "002_956eee948fb02a5b.txt"
    assert build([seed], tmp_path, progress=False).added == 1
    assert build([seed], tmp_path, progress=False).unchanged == 1
    monkeypatch.setattr("kg.build.builder_id", lambda: "another-extractor")
    assert build([seed], tmp_path, progress=False).replaced == 1


def test_jobs_give_the_same_bytes(tmp_path: Path, seed_build: Path) -> None:
    run_kg("build", str(SEEDS), "--out", str(tmp_path), "--jobs", "2", check=True)
    for name in ("graph.trig", "graph.ttl"):
        assert (tmp_path / name).read_bytes() == (seed_build / name).read_bytes(), name


def test_bad_files_are_reported_one_line_each_and_the_rest_is_built(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS / "002_956eee948fb02a5b.txt", src)
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02PK" * 10)
    (src / "latin1.txt").write_bytes("Caf\u00e9 title\n\nbody".encode("latin-1"))
    proc = run_kg("build", str(src), str(tmp_path / "nowhere.txt"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("kg: skipped ") for line in lines), lines
    for name in ("empty.txt", "binary.txt", "latin1.txt:1", "nowhere.txt"):
        assert sum(name in line for line in lines) == 1, name
    assert "Traceback" not in proc.stderr
    assert "1 articles (1 new" in proc.stdout


def test_nothing_buildable_is_an_error_of_one_line(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    proc = run_kg("build", str(tmp_path / "empty.txt"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("kg: no article could be built: ")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("spec", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_a_bad_shard_is_one_line(tmp_path: Path, spec: str) -> None:
    proc = run_kg("build", str(SEEDS), "--out", str(tmp_path), "--shard", spec)
    assert proc.returncode == 2
    assert proc.stderr == f"kg: --shard {spec}: give I/N with 1 <= I <= N, e.g. --shard 1/4 ... --shard 4/4\n"


def test_shards_are_disjoint_and_cover_everything() -> None:
    stems = [p.stem for p in CORPUS.glob("*.txt")] or [f"a{i}" for i in range(1000)]
    for n in (1, 2, 3, 7):
        owners = [[i for i in range(1, n + 1) if in_shard(s, (i, n))] for s in stems]
        assert all(len(o) == 1 for o in owners)
        if n > 1:
            sizes = [sum(o == [i] for o in owners) for i in range(1, n + 1)]
            assert min(sizes) > len(stems) / n / 2  # roughly even
    assert parse_shard("2/4") == (2, 4)
    with pytest.raises(KgError):
        parse_shard("5/4")


def test_shards_into_one_store_equal_one_build(tmp_path: Path, seed_build: Path) -> None:
    for i in (1, 2):
        build([SEEDS], tmp_path, shard=(i, 2), progress=False)
    assert (tmp_path / "graph.trig").read_bytes() == (seed_build / "graph.trig").read_bytes()


def test_ctrl_c_leaves_a_consistent_store_and_says_so_in_one_line(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is missing")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "build", str(CORPUS), "--out", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    store = tmp_path / "store"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(store.glob("*.log")):
        time.sleep(0.1)
    time.sleep(3)  # a few articles in
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.count("\n") == 1 and err.startswith("kg: interrupted; the store keeps the "), err
    assert not (tmp_path / "graph.trig").exists()
    with LocalStore(store) as s:
        for stem in s.articles():
            assert s.store.contains_named_graph(
                __import__("pyoxigraph").NamedNode(f"https://w3id.org/newskg/resource/article_{stem}")
            )


def test_progress_draws_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    p = Progress(10, stream=quiet)
    for _ in range(10):
        p.advance()
    p.close()
    assert quiet.getvalue() == ""
    loud = io.StringIO()
    p = Progress(4, stream=loud, enabled=True)
    p.start -= 2.0  # two seconds in
    p.advance(2)
    assert "[############............] 2/4 articles  1.0 articles/s  ETA 2s" in loud.getvalue()


# --- a real Oxigraph server as the Graph Store Protocol endpoint ---------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str | None:
    return shutil.which("oxigraph", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the `oxigraph` server (PyPI package oxigraph) is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(tmp_path / "oxigraph"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not start: " + (proc.stderr.read1().decode() if proc.stderr else ""))  # type: ignore[attr-defined]
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fetch_all(url: str) -> dict[str, Graph]:
    """Every graph on the server, read back with a plain SPARQL query (N-Quads)."""
    q = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), 'urn:x-kg:')) }"
    req = urllib.request.Request(
        f"{url}/query",
        data=q.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    rows = json.load(urllib.request.urlopen(req, timeout=30))["results"]["bindings"]
    lines = []
    for r in rows:
        terms = []
        for v in ("s", "p", "o"):
            t = r[v]
            if t["type"] == "uri":
                terms.append(f"<{t['value']}>")
            else:
                dt = t.get("datatype")
                terms.append(json.dumps(t["value"]) + (f"^^<{dt}>" if dt else ""))
        lines.append(" ".join(terms) + f" <{r['g']['value']}> .")
    ds = Dataset()
    ds.parse(data="\n".join(lines), format="nquads")
    return {str(g.identifier): Graph() + g for g in ds.graphs() if len(g)}


def test_build_writes_each_article_to_a_graph_store_endpoint(oxigraph_server: str, seed_build: Path) -> None:
    proc = run_kg("build", str(SEEDS), "--endpoint", f"{oxigraph_server}/store", check=True)
    assert f"-> {oxigraph_server}/store" in proc.stdout and "2 articles (2 new" in proc.stdout
    assert_same_graphs(fetch_all(oxigraph_server), graphs(seed_build / "graph.trig"))
    again = run_kg("build", str(SEEDS), "--endpoint", f"{oxigraph_server}/store", check=True)
    assert "(0 new, 0 changed, 2 unchanged)" in again.stdout


def test_shards_meet_on_one_endpoint_and_remove_works_there(
    oxigraph_server: str, seed_build: Path, tmp_path: Path
) -> None:
    endpoint = f"{oxigraph_server}/store"
    for i in (2, 1):
        build([SEEDS], None, endpoint=endpoint, shard=(i, 2), progress=False)
    assert_same_graphs(fetch_all(oxigraph_server), graphs(seed_build / "graph.trig"))
    proc = run_kg("remove", "002_956eee948fb02a5b", "--endpoint", endpoint, check=True)
    assert "1 removed" in proc.stdout
    local = tmp_path / "local"
    build([SEEDS / "000_7adc603aba545191.txt"], local, progress=False)
    assert_same_graphs(fetch_all(oxigraph_server), graphs(local / "graph.trig"))


def test_an_unreachable_endpoint_is_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    proc = run_kg("build", str(SEEDS), "--endpoint", url)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("kg: http://127.0.0.1:") and "cannot reach the endpoint" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_endpoint_url_must_be_http(tmp_path: Path) -> None:
    proc = run_kg("build", str(SEEDS), "--endpoint", "ftp://x/store")
    assert proc.returncode == 2
    assert proc.stderr == "kg: ftp://x/store: --endpoint wants an http:// or https:// Graph Store Protocol URL\n"


def test_query_url_guess() -> None:
    from kg.store import query_url_for

    assert query_url_for("http://h:7878/store") == "http://h:7878/query"
    assert query_url_for("http://h:3030/ds/data") == "http://h:3030/ds/query"
    assert query_url_for("http://h/repositories/kg/rdf-graphs/service") == "http://h/repositories/kg"
    assert query_url_for("http://h:8890/sparql-graph-crud") == "http://h:8890/sparql"
    assert query_url_for("https://h:8182/sparql/gsp/") == "https://h:8182/sparql"
    assert urllib.parse.urlsplit(query_url_for("http://h/other")).path == "/other"
