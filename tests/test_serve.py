"""kg serve with real clients: SPARQLWrapper, rdflib's SPARQLStore, plain HTTP and a
headless Chromium on the page at /. The server is the real command, on a free
loopback port, stopped by the fixture."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from kg.build import build
from kg.serve import forbidden_keywords, negotiate

from .conftest import ROOT, SEEDS

TIMEOUT = 4.0
MAX_ROWS = 300
KGO = "https://w3id.org/newskg/ontology#"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("served")
    build([SEEDS], out, progress=False)
    return out


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg",
            "serve",
            "--store",
            str(built),
            "--port",
            "0",
            "--timeout",
            str(TIMEOUT),
            "--max-rows",
            str(MAX_ROWS),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving "), line + (proc.stderr.read() if proc.stderr else "")
        url = line.split(" at ", 1)[1].split()[0].rstrip("/")
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def post_query(url: str, query: str, accept: str = "application/sparql-results+json") -> tuple[int, str, bytes]:
    return request(
        f"{url}/sparql",
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
    )


def seed_union(built: Path) -> Graph:
    ds = Dataset()
    ds.parse(built / "graph.trig", format="trig")
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


# --- real clients ------------------------------------------------------------------------

STATEMENTS = "SELECT ?st ?quote WHERE { ?st a kgo:Statement ; kgo:quote ?quote } ORDER BY ?st"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_in_every_format(server: str, fmt: str, method: str) -> None:
    from SPARQLWrapper import CSV, GET, JSON, POST, TSV, XML, SPARQLWrapper

    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(f"PREFIX kgo: <{KGO}> " + STATEMENTS)
    client.setMethod(GET if method == "GET" else POST)
    client.setReturnFormat({"json": JSON, "xml": XML, "csv": CSV, "tsv": TSV}[fmt])
    result = client.query()
    assert (
        result.response.headers["Content-Type"].split(";")[0]
        == {
            "json": "application/sparql-results+json",
            "xml": "application/sparql-results+xml",
            "csv": "text/csv",
            "tsv": "text/tab-separated-values",
        }[fmt]
    )
    converted = result.convert()
    if fmt == "json":
        quotes = [b["quote"]["value"] for b in converted["results"]["bindings"]]
    elif fmt == "xml":
        quotes = [
            n.firstChild.firstChild.data
            for n in converted.getElementsByTagName("binding")
            if n.getAttribute("name") == "quote"
        ]
    else:
        lines = converted.decode("utf-8") if isinstance(converted, bytes) else converted
        quotes = lines.strip().splitlines()[1:]
    assert len(quotes) > 20


@pytest.mark.parametrize("fmt,parse_as", [("turtle", "turtle"), ("n3", "n3"), ("json-ld", "json-ld")])
def test_sparqlwrapper_construct_as_rdf(server: str, built: Path, fmt: str, parse_as: str) -> None:
    from SPARQLWrapper import JSONLD, N3, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery("CONSTRUCT { ?e a ?t } WHERE { GRAPH <https://w3id.org/newskg/resource/entities> { ?e a ?t } }")
    client.setReturnFormat({"turtle": TURTLE, "n3": N3, "json-ld": JSONLD}[fmt])
    raw = client.query().response.read()
    got = Graph().parse(data=raw, format=parse_as)
    expected = Graph()
    ds = Dataset()
    ds.parse(built / "graph.trig", format="trig")
    for t in ds.graph(URIRef("https://w3id.org/newskg/resource/entities")).triples(
        (None, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None)
    ):
        expected.add(t)
    assert len(got) > 30 and isomorphic(got, expected)


def test_construct_as_ntriples_by_accept_header(server: str) -> None:
    status, ctype, body = post_query(
        server, "CONSTRUCT { ?s a ?t } WHERE { GRAPH kgr:entities { ?s a ?t } } LIMIT 5", accept="application/n-triples"
    )
    assert status == 200 and ctype.startswith("application/n-triples")
    assert len(Graph().parse(data=body, format="nt")) == 5


def test_rdflib_sparqlstore_reads_the_union_of_the_articles(server: str, built: Path) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    remote = Graph(store=SPARQLStore(f"{server}/sparql", returnFormat="json"))
    rows = remote.query(f"SELECT ?s ?o WHERE {{ ?s <{KGO}attacks> ?o }}")
    got = {(str(s), str(o)) for s, o in rows}
    union = seed_union(built)
    assert got == {(str(s), str(o)) for s, o in union.subject_objects(URIRef(KGO + "attacks"))} and got
    count = remote.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    ds = Dataset()
    ds.parse(built / "graph.trig", format="trig")
    assert int(next(iter(count))[0]) == len(
        list(ds.quads((None, None, None, None)))
    )  # the named graphs are the content


# --- what the endpoint refuses ---------------------------------------------------------------


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bystander() -> Iterator[str]:
    """A server a forged request would reach; the test checks nobody called it."""
    Recorder.hits = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_service_is_refused_and_no_request_leaves(server: str, bystander: str) -> None:
    for q in (
        f"SELECT * WHERE {{ SERVICE <{bystander}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ ?a ?b ?c OPTIONAL {{ service silent <{bystander}/x> {{ ?s ?p ?o }} }} }}",
    ):
        status, _, body = post_query(server, q)
        assert status == 403 and body.decode().startswith("SERVICE (federated query) is disabled"), body
        status, _, _ = request(f"{server}/sparql?" + urllib.parse.urlencode({"query": q}))
        assert status == 403
    assert Recorder.hits == []


def test_sparqlwrapper_sees_the_refusal(server: str, bystander: str) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
    from urllib.error import HTTPError

    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(f"SELECT * WHERE {{ SERVICE <{bystander}/> {{ ?s ?p ?o }} }}")
    client.setReturnFormat(JSON)
    with pytest.raises((SPARQLWrapperException, HTTPError)):
        client.query()
    assert Recorder.hits == []


def test_updates_and_load_are_refused(server: str, bystander: str) -> None:
    for body, ctype in (
        (urllib.parse.urlencode({"update": "LOAD <file:///etc/passwd>"}).encode(), "application/x-www-form-urlencoded"),
        (f"LOAD <{bystander}/data.ttl>".encode(), "application/sparql-update"),
        (b"INSERT DATA { <http://a> <http://b> <http://c> }", "application/sparql-update"),
    ):
        status, _, text = request(f"{server}/sparql", data=body, headers={"Content-Type": ctype})
        assert status == 403 and b"read-only" in text
    status, _, text = post_query(server, "LOAD <file:///etc/passwd>")
    assert status == 403 and text.decode().startswith("LOAD is disabled")
    status, _, _ = request(
        f"{server}/sparql?graph=http://x",
        data=b"<http://a> <http://b> <http://c> .",
        headers={"Content-Type": "application/n-triples"},
        method="PUT",
    )
    assert status == 403
    assert Recorder.hits == []
    status, _, body = post_query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert status == 200


@pytest.mark.parametrize(
    "query,refused",
    [
        ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", ["SERVICE"]),
        ("SELECT * { sErViCe <http://x/> { ?s ?p ?o } }", ["SERVICE"]),
        ("SELECT * { ?s ?p 'SERVICE <http://x/>' }", []),
        ('SELECT * { ?s ?p """a\nSERVICE"\nLOAD""" }', []),
        ("SELECT ?service { ?service ?p ?o } # SERVICE in a comment", []),
        ("PREFIX service: <http://x/> SELECT * { service:a ?p ?o . ?s ex:SERVICE ?o }", []),
        ("SELECT * { <http://x/SERVICE> ?p ?o }", []),
        ("LOAD <file:///etc/passwd>", ["LOAD"]),
        ("SELECT * {?s ?p ?o}\nSERVICE", ["SERVICE"]),
        ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", ["SERVICE"]),
    ],
)
def test_forbidden_keywords_ignore_strings_iris_comments_and_names(query: str, refused: list[str]) -> None:
    assert forbidden_keywords(query) == refused


def test_a_long_query_is_stopped_at_the_timeout_and_the_server_goes_on(server: str) -> None:
    start = time.monotonic()
    status, _, body = post_query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    elapsed = time.monotonic() - start
    assert status == 503 and b"ran out of time" in body
    assert TIMEOUT - 0.5 < elapsed < TIMEOUT + 3
    for _ in range(3):  # the workers left serve the next queries at once
        status, _, body = post_query(server, "ASK { ?s ?p ?o }")
        assert status == 200 and json.loads(body)["boolean"] is True


def test_a_result_over_the_limit_is_refused_not_cut(server: str) -> None:
    status, _, body = post_query(server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 400 and f"more than {MAX_ROWS} rows".encode() in body
    status, _, body = post_query(server, "CONSTRUCT WHERE { ?s ?p ?o }", accept="text/turtle")
    assert status == 400 and f"more than {MAX_ROWS} triples".encode() in body
    status, _, body = post_query(server, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == MAX_ROWS


def test_bad_queries_and_formats_say_what_is_wrong(server: str) -> None:
    status, _, body = post_query(server, "SELECT ?s WHERE { ?s ?p }")
    assert status == 400 and body.startswith(b"the query does not parse")
    status, _, body = post_query(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", accept="image/png")
    assert status == 406
    status, _, body = request(f"{server}/sparql")
    assert status == 400 and b"give exactly one query" in body


@pytest.mark.parametrize(
    "kind,accept,expected",
    [
        ("select", "", "json"),
        ("select", "text/csv", "csv"),
        ("select", "application/sparql-results+xml;q=0.5, text/tab-separated-values", "tsv"),
        ("select", "text/html,application/xhtml+xml,*/*;q=0.8", "json"),
        ("graph", "application/n-triples, text/turtle;q=0.5", "ntriples"),
        ("graph", "application/sparql-results+json, application/n-triples;q=0.9", "ntriples"),
        ("graph", "application/ld+json", "jsonld"),
        ("graph", "image/png", None),
    ],
)
def test_negotiation(kind: str, accept: str, expected: str | None) -> None:
    assert negotiate(kind, accept) == expected


# --- the page -------------------------------------------------------------------------------------


def test_the_page_and_the_diagram_endpoint(server: str) -> None:
    status, ctype, body = request(f"{server}/")
    assert status == 200 and ctype.startswith("text/html") and b'<textarea id="query"' in body
    status, ctype, body = post_query(server, f"SELECT ?s ?o WHERE {{ ?s <{KGO}attacks> ?o }}", accept="image/svg+xml")
    status, ctype, body = request(
        f"{server}/render",
        data=urllib.parse.urlencode({"query": f"SELECT ?s ?o WHERE {{ ?s <{KGO}attacks> ?o }}"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200 and ctype == "image/svg+xml" and b"<svg" in body


def chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def test_a_person_types_a_query_and_sees_a_table_and_a_diagram(server: str, tmp_path: Path) -> None:
    found = chromium()
    if found is None:
        pytest.skip("Chromium and chromedriver are not installed: apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=found[1]), options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.get(f"{server}/")
        box = driver.find_element(By.ID, "query")
        box.clear()
        box.send_keys(f"SELECT ?attacker ?target WHERE {{ ?attacker <{KGO}attacks> ?target }}")
        driver.find_element(By.ID, "run").click()
        wait = WebDriverWait(driver, 30, poll_frequency=0.2)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-done"))
        headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#results thead th")]
        assert headers == ["attacker", "target"]
        cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#results tbody td")]
        assert "kgr:turkey" in cells
        assert driver.find_element(By.ID, "status").text.startswith(f"{len(cells) // 2} rows in ")
        wait.until(
            lambda d: d.execute_script(
                "const i = document.getElementById('diagram-image'); return i && i.complete && i.naturalWidth > 0"
            )
        )
        # an error reads as one line on the page
        box.clear()
        box.send_keys("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        driver.find_element(By.ID, "run").click()
        wait.until(lambda d: "Error 403" in d.find_element(By.ID, "status").text)
    finally:
        driver.quit()


def test_serving_a_folder_without_a_store_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--store", str(tmp_path), "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert proc.returncode == 2
    assert (
        proc.stderr
        == f"kg: {tmp_path}: no Oxigraph store here; build one with `kg build ARTICLES --out DIR` and serve DIR\n"
    )
