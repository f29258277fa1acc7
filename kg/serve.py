"""kg serve: a read-only SPARQL 1.1 Protocol endpoint over a store, and a page to query it.

Routes:
  /sparql (and /query)  SPARQL 1.1 Protocol: GET ?query=, POST form or
                        application/sparql-query; SELECT/ASK as JSON, XML,
                        CSV or TSV, CONSTRUCT/DESCRIBE as Turtle, N-Triples,
                        JSON-LD or RDF/XML, chosen by the Accept header
                        (or `format=`).
  /render               the same query drawn as an SVG diagram (kg.render).
  /                     a page: type a query, see a table and a diagram.

Every query runs in one of a few worker processes that hold the store open
read-only; a query still running at its deadline is stopped by ending its
process (pyoxigraph cannot be interrupted from Python), and a result with more
rows than the limit is refused rather than cut. Federated queries (SERVICE)
would make the server fetch any URL a client names, and updates could LOAD
files or URLs: both are refused before anything runs. The content graphs are
the default graph (their union, as in `kg query`) and the named graphs.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import re
import signal
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import KgError
from .query import json_term

__all__ = [
    "Answer",
    "Settings",
    "forbidden_keywords",
    "make_server",
    "negotiate",
    "render_svg",
    "serve",
]

MAX_BODY = 1_000_000  # bytes of query text a client may send

SELECT_FORMATS = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
GRAPH_FORMATS = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
ALIASES = {  # media types clients send for the same formats
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
    "application/json-ld": "jsonld",
}


@dataclass(frozen=True)
class Settings:
    store: Path
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 10.0  # seconds per query, rendering included
    max_rows: int = 10_000  # rows (or triples) in one answer
    workers: int = 2  # queries run at the same time


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def error(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


# --- what a query may do -----------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\s]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>[\w.-]*:[\w.:%\\-]*)
    | (?P<word>[A-Za-z_][\w-]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
FORBIDDEN = {
    "SERVICE": "SERVICE (federated query) is disabled: the server would fetch whatever URL the query names",
    "LOAD": "LOAD is disabled: the server would read whatever file or URL the query names",
}


def forbidden_keywords(sparql: str) -> list[str]:
    """SPARQL keywords in `sparql` that this endpoint refuses, found by tokenising the text:
    a keyword inside a string, an IRI, a comment, a variable or a prefixed name does not count."""
    # SPARQL lets \u and \U escapes stand for any character of a query; look through them
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)
    found = []
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "word" and m.group().upper() in FORBIDDEN and m.group().upper() not in found:
            found.append(m.group().upper())
    return found


def _accepted(accept: str) -> list[str]:
    """Media types of an Accept header, best first (stable for equal q)."""
    items = []
    for n, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((-q, n, fields[0].lower()))
    return [t for _, _, t in sorted(items)]


def negotiate(kind: str, accept: str, fmt: str | None = None) -> str | None:
    """The format key for a `kind` ("select" or "graph") result; None when nothing acceptable."""
    table = SELECT_FORMATS if kind == "select" else GRAPH_FORMATS
    if fmt:
        key = ALIASES.get(fmt, fmt).replace("-", "").lower()
        key = {"ttl": "turtle", "nt": "ntriples", "n3": "turtle"}.get(key, key)
        return key if key in table else None
    default = "json" if kind == "select" else "turtle"
    types = _accepted(accept or "*/*")
    if not types:
        return default
    by_type = {mt: k for k, (mt, _) in table.items()}
    for t in types:
        key = by_type.get(t) or ALIASES.get(t)
        if key in table:
            return key
        if t in ("*/*", "application/*", "text/*"):
            return default
    return None


# --- answering, in a worker process ----------------------------------------------


def _too_many(max_rows: int, what: str) -> Answer:
    return error(
        HTTPStatus.BAD_REQUEST,
        f"the result has more than {max_rows} {what} (the server's limit); add a LIMIT or narrow the query",
    )


class Worker:
    """Holds the store open and answers one request at a time."""

    def __init__(self, store_path: str) -> None:
        from .vocab import PREFIXES

        self.store = ox.Store.read_only(store_path)
        self.prefixes = dict(PREFIXES)

    def query(self, sparql: str, default: list[str] | None, named: list[str] | None) -> Any:
        if default or named:  # the protocol's default-graph-uri and named-graph-uri
            return self.store.query(
                sparql,
                prefixes=self.prefixes,
                default_graph=[ox.NamedNode(g) for g in default] if default else ox.DefaultGraph(),
                named_graphs=[ox.NamedNode(g) for g in named] if named else None,
            )
        # Oxigraph's union default graph is 10-25 times faster than the same graphs listed
        # one by one (measured on the named queries); the union also holds the build's
        # bookkeeping (urn:x-kg: terms only, in the store's default graph)
        return self.store.query(sparql, prefixes=self.prefixes, use_default_graph_as_union=True)

    def answer(self, req: dict[str, Any]) -> Answer:
        try:
            result = self.query(req["query"], req.get("default"), req.get("named"))
        except SyntaxError as e:
            return error(HTTPStatus.BAD_REQUEST, f"the query does not parse: {e}")
        except (OSError, ValueError, RuntimeError, TypeError) as e:
            return error(HTTPStatus.INTERNAL_SERVER_ERROR, f"the query failed while running: {e}")
        try:
            if req["op"] == "render":
                return self.render(result, req)
            return self.serialize(result, req)
        except (OSError, ValueError, RuntimeError, TypeError) as e:
            return error(HTTPStatus.INTERNAL_SERVER_ERROR, f"the query failed while running: {e}")

    def serialize(self, result: Any, req: dict[str, Any]) -> Answer:
        max_rows = req["max_rows"]
        if isinstance(result, ox.QueryTriples):
            key = negotiate("graph", req.get("accept", ""), req.get("format"))
            if key is None:
                return error(
                    HTTPStatus.NOT_ACCEPTABLE,
                    "CONSTRUCT and DESCRIBE answer in " + ", ".join(m for m, _ in GRAPH_FORMATS.values()),
                )
            triples = []
            for t in result:
                triples.append(t)
                if len(triples) > max_rows:
                    return _too_many(max_rows, "triples")
            media, fmt = GRAPH_FORMATS[key]
            prefixes = self.prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
            body = (
                ox.serialize(triples, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fmt)
            )
            return Answer(200, f"{media}; charset=utf-8", body or b"")
        key = negotiate("select", req.get("accept", ""), req.get("format"))
        if key is None:
            return error(
                HTTPStatus.NOT_ACCEPTABLE,
                "SELECT and ASK answer in " + ", ".join(m for m, _ in SELECT_FORMATS.values()),
            )
        if isinstance(result, ox.QueryBoolean):
            doc: dict[str, Any] = {"head": {}, "boolean": bool(result)}
            if key in ("csv", "tsv"):
                key = "json"  # CSV and TSV have no form for a boolean
        else:
            names = [v.value for v in result.variables]
            rows = []
            for sol in result:
                rows.append({n: json_term(sol[n]) for n in names if sol[n] is not None})
                if len(rows) > max_rows:
                    return _too_many(max_rows, "rows")
            doc = {"head": {"vars": names}, "results": {"bindings": rows}}
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        media, fmt = SELECT_FORMATS[key]
        if key != "json":
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt) or b""
        return Answer(200, f"{media}; charset=utf-8", body)

    def render(self, result: Any, req: dict[str, Any]) -> Answer:
        from .query import Result

        max_rows = req["max_rows"]
        if isinstance(result, ox.QueryTriples):
            triples = []
            for t in result:
                triples.append(t)
                if len(triples) > max_rows:
                    return _too_many(max_rows, "triples")
            res = Result("graph", triples=tuple(triples))
        elif isinstance(result, ox.QuerySolutions):
            names = tuple(v.value for v in result.variables)
            rows = []
            for sol in result:
                rows.append(tuple(sol[n] for n in names))
                if len(rows) > max_rows:
                    return _too_many(max_rows, "rows")
            res = Result("select", names, tuple(rows))
        else:
            return error(HTTPStatus.BAD_REQUEST, "an ASK query has nothing to draw")
        try:
            svg = render_svg(self.store, res, title=req.get("title") or "Query result")
        except KgError as e:
            return error(HTTPStatus.UNPROCESSABLE_ENTITY, str(e))
        return Answer(200, "image/svg+xml", svg)


def render_svg(store: ox.Store, result: Any, *, title: str) -> bytes:
    """The adapter to the diagram renderer: a query result (kg.query.Result) as SVG bytes."""
    from . import render

    diagram = render.query_diagram(store, result, title=title, stem="query")
    return render.to_bytes(render.draw(diagram), "svg")


def _warm_up() -> None:
    try:
        from . import render  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken renderer is reported by /render itself
        pass


def _worker_main(conn: Any, store_path: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    try:
        worker = Worker(store_path)
    except OSError as e:
        conn.send(error(500, f"cannot open the store: {e}"))
        return
    conn.send(Answer(200, "text/plain", b"ready"))
    # the renderer (matplotlib) takes a second to import: do it while waiting for requests
    threading.Thread(target=_warm_up, daemon=True).start()
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(worker.answer(req))
        except (BrokenPipeError, OSError):
            return


# --- the pool of workers ------------------------------------------------------------


class Pool:
    """Worker processes; a request waits for a free one, a late one is ended and replaced."""

    def __init__(self, store: Path, size: int, timeout: float) -> None:
        self.store = str(store)
        self.timeout = timeout
        self.ctx = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[tuple[Any, Any]] = queue.Queue()
        self.closed = False
        self.procs: set[Any] = set()
        started = [self._spawn() for _ in range(size)]
        for proc, conn in started:
            self._ready(proc, conn)

    def _spawn(self) -> tuple[Any, Any]:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker_main, args=(child, self.store), daemon=True)
        proc.start()
        child.close()
        self.procs.add(proc)
        return proc, parent

    def _ready(self, proc: Any, conn: Any) -> None:
        if not conn.poll(60):
            proc.kill()
            raise KgError(f"{self.store}: a query process did not start within 60 s")
        hello = conn.recv()
        if hello.status != 200:
            proc.kill()
            raise KgError(hello.body.decode().strip())
        self.idle.put((proc, conn))

    def _replace(self, proc: Any) -> None:
        proc.kill()
        proc.join()
        self.procs.discard(proc)
        if self.closed:
            return

        def start() -> None:
            try:
                self._ready(*self._spawn())
            except KgError as e:  # pragma: no cover - the store vanished under the server
                print(f"kg serve: {e}", file=sys.stderr)

        threading.Thread(target=start, daemon=True).start()

    def run(self, req: dict[str, Any]) -> Answer:
        start = time.monotonic()
        try:
            proc, conn = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            return error(HTTPStatus.SERVICE_UNAVAILABLE, f"all query processes are busy; retry in {self.timeout:g} s")
        left = max(self.timeout - (time.monotonic() - start), 0.01)
        try:
            conn.send(req)
            if conn.poll(left):
                answer: Answer = conn.recv()
                self.idle.put((proc, conn))
                return answer
        except (EOFError, OSError):
            self._replace(proc)
            return error(HTTPStatus.INTERNAL_SERVER_ERROR, "the query process ended without an answer")
        self._replace(proc)
        return error(
            HTTPStatus.SERVICE_UNAVAILABLE,
            f"the query ran out of time ({self.timeout:g} s, the server's --timeout); narrow it or add a LIMIT",
        )

    def close(self) -> None:
        self.closed = True
        for proc in list(self.procs):
            proc.kill()
            proc.join()
        self.procs.clear()


# --- HTTP --------------------------------------------------------------------------------

PAGE_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


def _page(name: str) -> bytes | None:
    try:
        return (resources.files("kg") / "web" / name).read_bytes()
    except (FileNotFoundError, IsADirectoryError, OSError):
        return None


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"
    pool: Pool
    settings: Settings

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)

    def send(self, answer: Answer, *, head: bool = False) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Vary", "Accept")
        self.send_header("X-Content-Type-Options", "nosniff")
        if answer.status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET, POST, HEAD")
        self.end_headers()
        if not head:
            self.wfile.write(answer.body)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.route("GET", head=True)

    def do_GET(self) -> None:  # noqa: N802
        self.route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self.route("POST")

    def refuse_write(self) -> None:
        self.drain()
        self.send(error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates and graph writes are refused"))

    do_PUT = do_DELETE = do_PATCH = refuse_write  # noqa: N815

    def drain(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return None
        return self.rfile.read(length) if length else b""

    def route(self, method: str, *, head: bool = False) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        if path in ("/sparql", "/query", "/render"):
            self.send(self.sparql(method, url, render=path == "/render"), head=head)
            return
        if method == "GET" and path in ("/", "/index.html", "/app.js", "/style.css"):
            name = "index.html" if path == "/" else path[1:]
            body = _page(name)
            if body is not None:
                self.send(Answer(200, PAGE_TYPES[Path(name).suffix], body), head=head)
                return
        if method == "POST":
            self.drain()
        self.send(
            error(HTTPStatus.NOT_FOUND, f"{url.path}: no such page; the endpoint is /sparql, the page is /"), head=head
        )

    def sparql(self, method: str, url: urllib.parse.SplitResult, *, render: bool) -> Answer:
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if method == "POST":
            body = self.drain()
            if body is None:
                return error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request is larger than {MAX_BODY} bytes")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
            if ctype == "application/sparql-query":
                params.setdefault("query", []).append(body.decode("utf-8", "replace"))
            elif ctype in ("application/x-www-form-urlencoded", ""):
                for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            else:
                return error(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    f"POST a query as application/sparql-query or a form, not {ctype}",
                )
        elif len(url.query) > MAX_BODY:
            return error(HTTPStatus.REQUEST_URI_TOO_LONG, "the query is too long for GET; POST it")
        if "update" in params:
            return error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return error(HTTPStatus.BAD_REQUEST, "give exactly one query: ?query=SELECT ... (GET) or POST it")
        sparql = queries[0]
        refused = forbidden_keywords(sparql)
        if refused:
            return error(HTTPStatus.FORBIDDEN, "; ".join(FORBIDDEN[k] for k in refused))
        req = {
            "op": "render" if render else "query",
            "query": sparql,
            "accept": self.headers.get("Accept", ""),
            "format": (params.get("format") or [None])[0],
            "default": params.get("default-graph-uri") or None,
            "named": params.get("named-graph-uri") or None,
            "max_rows": self.settings.max_rows,
            "title": (params.get("title") or [None])[0],
        }
        return self.pool.run(req)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    verbose = False


def make_server(settings: Settings, *, verbose: bool = False) -> tuple[Server, Pool]:
    """A bound server and its query processes; call `serve_forever()`, then `shutdown()` and `pool.close()`."""
    from .store import _lock, is_store_dir

    path = settings.store
    if (path / "store").is_dir() and is_store_dir(path / "store"):
        path = path / "store"
    if not is_store_dir(path):
        raise KgError(
            f"{settings.store}: no Oxigraph store here; build one with `kg build ARTICLES --out DIR` and serve DIR"
        )
    lock = _lock(path, exclusive=False)  # kg build waits for the server to stop: one writer, or readers
    pool = Pool(path, settings.workers, settings.timeout)
    handler = type("BoundHandler", (Handler,), {"pool": pool, "settings": settings})
    try:
        server = Server((settings.host, settings.port), handler)
    except OSError as e:
        pool.close()
        lock.close()
        raise KgError(f"cannot listen on {settings.host}:{settings.port} ({e.strerror}); pick another --port") from None
    server.verbose = verbose
    server._kg_lock = lock  # type: ignore[attr-defined]
    return server, pool


def serve(settings: Settings, *, verbose: bool = False, announce: Callable[[str], None] | None = None) -> None:
    server, pool = make_server(settings, verbose=verbose)
    host, port = server.server_address[:2]
    if announce:
        announce(f"serving {settings.store} at http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C stops")
    try:
        server.serve_forever()
    finally:
        server.server_close()
        pool.close()
