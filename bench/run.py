"""Benchmarks of the store, measured side by side in one run; writes bench/RESULTS.md.

    .venv/bin/python bench/run.py --articles 1000

1. build throughput on real text (../shared/corpus): `kg build` in words/s,
   against bare `nlp.pipe` of the same spaCy model on the same texts, and
   with --jobs 2;
2. latency of each named query (queries/*.rq) on a store of at least 1,000,000
   triples, against the same query on rdflib's in-memory Dataset;
3. adding one article to a store of N articles, against building it alone;
4. peak memory (all processes of the build) of builds of N/4, N/2 and N
   synthetic articles (bench/synth.py);
5. the two ways to serve the store: `kg serve` and the `oxigraph` server binary.

Every figure comes from the command a user runs (`python -m kg ...`), timed
from outside with a fresh process, so model loading and start-up are included.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "articles"
PY = sys.executable


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- measuring a command --------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            rss[int(d)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(ppid, []).append(int(d))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def run(args: Sequence[str], *, cwd: Path = ROOT, sample: bool = True) -> tuple[float, int, str]:
    """(wall seconds, peak RSS of the process tree, stdout) of a command.

    `sample=False` leaves memory alone (peak 0): reading /proc ten times a
    second takes CPU from the command being timed.
    """
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(list(args), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sampler() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.1)

    t = threading.Thread(target=sampler, daemon=True)
    if sample:
        t.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    if sample:
        t.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err}")
    return wall, peak, out


def words_in(paths: Sequence[Path]) -> int:
    from kg.ingest import read_article
    from kg.nlp import doc_text

    return sum(len(doc_text(read_article(p))[0].split()) for p in paths)


BARE_PIPE = """
import sys, time
from pathlib import Path
import spacy
from kg.ingest import read_article
from kg.nlp import MODEL, doc_text
start = time.perf_counter()
texts = [doc_text(read_article(p))[0] for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
nlp = spacy.load(MODEL)
for _ in nlp.pipe(texts, batch_size=16):
    pass
print(time.perf_counter() - start)
"""


# --- 1. throughput ----------------------------------------------------------------------------


def throughput(work: Path, n: int, repeats: int = 3) -> dict[str, float]:
    src = work / "real"
    src.mkdir()
    files = sorted(CORPUS.glob("*.txt"))[:n]
    for f in files:
        shutil.copy(f, src)
    words = words_in(files)
    log(f"throughput: {len(files)} real articles, {words} words")
    # the three commands take turns, `repeats` times, and each figure is the
    # median of its runs: on a shared machine one run can be 10% off
    times: dict[str, list[float]] = {"pipe": [], "j1": [], "j2": []}
    for r in range(repeats):
        for kind in times:
            shutil.rmtree(work / kind, ignore_errors=True)
            cmd = [PY, "-c", BARE_PIPE, str(src)] if kind == "pipe" else [PY, "-m", "kg", "build", str(src), "--out", str(work / kind)]
            if kind == "j2":
                cmd += ["--jobs", "2"]
            wall, _, _ = run(cmd, sample=False)
            times[kind].append(wall)
            log(f"throughput: run {r + 1}/{repeats}: {kind} {wall:.1f} s")
    same = (work / "j1" / "graph.trig").read_bytes() == (work / "j2" / "graph.trig").read_bytes()
    pipe_wall, one, two = (statistics.median(times[k]) for k in ("pipe", "j1", "j2"))
    return {
        "articles": len(files), "words": words, "repeats": repeats,
        "pipe_wps": words / pipe_wall, "j1_wps": words / one, "j2_wps": words / two,
        "pipe_s": pipe_wall, "j1_s": one, "j2_s": two, "same_bytes": float(same),
        "runs": {k: [round(x, 1) for x in v] for k, v in times.items()},  # type: ignore[dict-item]
    }


# --- 4. memory, and the N-article store for 3 ----------------------------------------------------


def memory(work: Path, n: int) -> tuple[list[dict[str, float]], Path]:
    rows = []
    big = work / "synth_out"
    for count in sorted({max(n // 4, 1), max(n // 2, 1), n}):
        src = work / f"synth_{count}"
        paths = synth.write_corpus(src, count)
        words = words_in(paths)
        out = work / f"synth_out_{count}"
        log(f"memory: building {count} synthetic articles ({words} words) with --jobs 2")
        wall, peak, stdout = run([PY, "-m", "kg", "build", str(src), "--out", str(out), "--jobs", "2"])
        triples = int(re.search(r"(\d+) triples", stdout).group(1))  # type: ignore[union-attr]
        rows.append({"articles": count, "words": words, "seconds": wall, "peak_mb": peak / 2**20, "triples": triples})
        log(f"memory: {count} articles in {wall:.0f} s, peak {peak / 2**20:.0f} MB")
        if count == n:
            out.rename(big)
        else:
            shutil.rmtree(out)
    return rows, big


# --- 3. one more article -------------------------------------------------------------------------


def incremental(work: Path, big: Path, n: int, repeats: int = 3) -> dict[str, float]:
    new = work / "new"
    path = synth.write_corpus(new, 1, seed=7)[0]
    add, alone = [], []
    for i in range(repeats):
        copy = work / f"big_copy_{i}"
        shutil.copytree(big, copy)
        log(f"incremental: adding one article to the {n}-article store ({i + 1}/{repeats})")
        add.append(run([PY, "-m", "kg", "build", str(path), "--out", str(copy)])[0])
        alone.append(run([PY, "-m", "kg", "build", str(path), "--out", str(work / f"alone_{i}")])[0])
        shutil.rmtree(copy)
    noop = run([PY, "-m", "kg", "build", str(path), "--out", str(work / "alone_0")])[0]
    return {"add_s": statistics.median(add), "alone_s": statistics.median(alone), "noop_s": noop}


# --- 2. queries on a million triples ------------------------------------------------------------------


def real_store(work: Path) -> tuple[Path, dict[str, float]]:
    """The whole real corpus built with --jobs 2: the seed of the million-triple store."""
    files = sorted(CORPUS.glob("*.txt"))
    log(f"million: building all {len(files)} real articles with --jobs 2")
    out = work / "real_all"
    wall, peak, stdout = run([PY, "-m", "kg", "build", str(CORPUS), "--out", str(out), "--jobs", "2"])
    triples = int(re.search(r"(\d+) triples", stdout).group(1))  # type: ignore[union-attr]
    return out, {"articles": len(files), "seconds": wall, "peak_mb": peak / 2**20, "triples": triples}


def million(work: Path, seed: Path, target: int = 1_000_000) -> tuple[Path, int, int]:
    """A store of >= target triples: the real corpus's article graphs copied under renamed IRIs.

    Copy k renames each article and everything minted from it
    (kgr:article_{stem}... -> kgr:article_{stem}_c{k}...) and keeps the entity
    IRIs, so entities gather the mentions, statements and relations of every
    copy, as they would in a larger corpus; kgr:entities is kept once.
    """
    import pyoxigraph as ox

    from kg.store import is_meta

    src = ox.Store.read_only(str(seed / "store"))
    content = [q for q in src if not is_meta(q.graph_name)]  # article and entity graphs
    per_copy = len(content)
    copies = -(-target // per_copy)
    log(f"million: {per_copy} quads x {copies} copies")
    prefix = "https://w3id.org/newskg/resource/article_"
    stems = sorted((q.graph_name.value[len(prefix):] for q in content if q.graph_name.value.startswith(prefix)), key=len)
    stem_of = re.compile("^(" + "|".join(re.escape(x) for x in sorted(set(stems), key=len, reverse=True)) + ")")

    def rename(term, k):  # type: ignore[no-untyped-def]
        if k and isinstance(term, ox.NamedNode) and term.value.startswith(prefix):
            rest = term.value[len(prefix):]
            m = stem_of.match(rest)
            if m:
                return ox.NamedNode(f"{prefix}{m.group(1)}_c{k}{rest[m.end():]}")
        return term

    def quads():  # type: ignore[no-untyped-def]
        for k in range(copies):
            for q in content:
                if k and q.graph_name.value.endswith("/entities"):
                    continue
                yield ox.Quad(rename(q.subject, k), q.predicate, rename(q.object, k), rename(q.graph_name, k))

    path = work / "million" / "store"
    path.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(path))
    store.bulk_extend(quads())
    store.flush()
    store.optimize()
    total = len(store)
    del store
    nq = work / "million.nq"
    ox.Store.read_only(str(path)).dump(str(nq), format=ox.RdfFormat.N_QUADS)
    return path, total, copies


OX_CHILD = """
import json, statistics, sys, time
import pyoxigraph as ox
from kg.vocab import PREFIXES
store = ox.Store.read_only(sys.argv[1])
print("ready", flush=True)
for line in sys.stdin:
    q = json.loads(line)
    times = []
    while len(times) < int(sys.argv[2]) and sum(times) < 20:  # a slow query is timed fewer times
        t = time.perf_counter()
        n = len(list(store.query(q, prefixes=PREFIXES, use_default_graph_as_union=True)))
        times.append(time.perf_counter() - t)
    print(json.dumps({"ms": statistics.median(times) * 1000, "rows": n}), flush=True)
"""


class Child:
    """A helper process answering one JSON line per request line; ended when a request outlives `cap`."""

    def __init__(self, args: Sequence[str]) -> None:
        self.args = list(args)
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> str:
        self.proc = subprocess.Popen(self.args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout
        return self.proc.stdout.readline()

    def ask(self, query: str, cap: float) -> dict[str, object] | None:
        if self.proc is None:
            self.start()
        assert self.proc and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(query) + "\n")
        self.proc.stdin.flush()
        answer: list[str] = []
        reader = threading.Thread(target=lambda: answer.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(cap)
        if not answer:
            self.stop()
            return None
        return json.loads(answer[0])  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


RDFLIB_CHILD = """
import json, signal, statistics, sys, time
from rdflib import Dataset
from kg.vocab import PREFIXES
cap, repeats = float(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
ds = Dataset(default_union=True)
ds.parse(sys.argv[1], format="nquads")
print(json.dumps({"load": time.perf_counter() - t, "triples": len(ds)}), flush=True)
class Late(Exception):
    pass
def late(*a):
    raise Late()
signal.signal(signal.SIGALRM, late)
for line in sys.stdin:
    q = json.loads(line)
    # as for Oxigraph: the median of up to `repeats` runs, fewer once the runs
    # add up to 4 s; stopped after `cap` seconds
    times = []
    try:
        while len(times) < repeats and sum(times) < 4:
            signal.setitimer(signal.ITIMER_REAL, cap)
            t = time.perf_counter()
            n = len(list(ds.query(q, initNs=PREFIXES)))
            times.append(time.perf_counter() - t)
            signal.setitimer(signal.ITIMER_REAL, 0)
        out = {"s": statistics.median(times), "rows": n, "runs": len(times)}
    except Late:
        out = {"s": None, "rows": None}
    except Exception as e:
        out = {"s": None, "rows": None, "error": f"{type(e).__name__}: {e}"[:200]}
    signal.setitimer(signal.ITIMER_REAL, 0)
    print(json.dumps(out), flush=True)
"""


def bound_queries(store) -> list[tuple[str, str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """Each named query bound as `kg query` binds it: the first entity parameter Donald Trump, `type` Person.

    The name lookup happens here, before any timing; `latency` times it apart
    (`lookup_ms`), so the figures are the queries' own.
    """
    from kg.query import ENTITY_PARAMS, bind, named_queries

    out = []
    for name, q in named_queries().items():
        params: dict[str, str] = {}
        for p in q.params:
            if p.name in ENTITY_PARAMS and not any(k in ENTITY_PARAMS for k in params):  # the first only
                params[p.name] = "Donald Trump"
            elif p.name == "type":
                params[p.name] = "Person"
            elif p.required:
                raise SystemExit(f"{name}: no value for its required parameter {p.name}")
        out.append((name, bind(store, q.text, params, declared=q.params, name=name), params))
    return out


def latency(
    work: Path, path: Path, queries: list[tuple[str, str, dict[str, str]]], cap: float, repeats: int = 5
) -> tuple[list[dict[str, object]], dict[str, float]]:
    import pyoxigraph as ox

    from kg.query import bind, load_named

    store = ox.Store.read_only(str(path))
    q = load_named("facts-about")
    lookups = []
    for _ in range(repeats):
        t = time.perf_counter()
        bind(store, q.text, {"entity": "Donald Trump"}, declared=q.params)
        lookups.append(time.perf_counter() - t)
    del store
    oxi = Child([PY, "-c", OX_CHILD, str(path), str(repeats)])
    oxi.start()
    rdf = Child([PY, "-c", RDFLIB_CHILD, str(work / "million.nq"), str(cap), str(repeats)])
    log("latency: rdflib is loading the million-triple dataset")
    loaded = json.loads(rdf.start())
    rows = []
    for name, text, params in queries:
        o = oxi.ask(text, cap + 30)
        if o is None:
            oxi.start()
        r = rdf.ask(text, cap + 30)
        if r is None:  # stuck outside Python's reach: load again for the next query
            r = {"s": None, "rows": None}
            rdf.start()
        log(f"latency: {name}: oxigraph {o and o['ms']} ms, rdflib {r['s']} s")
        rows.append({
            "name": name, "params": params, "ox_ms": o["ms"] if o else None, "rows": o["rows"] if o else None,
            "rdflib_s": r["s"], "rdflib_rows": r["rows"], "error": r.get("error"),
        })
    oxi.stop()
    rdf.stop()
    loaded["lookup_ms"] = statistics.median(lookups) * 1000
    return rows, loaded


# --- 5. serving -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_times(url: str, queries: Sequence[str], repeats: int) -> list[float | None]:
    """Median ms of each query over HTTP (POST, JSON results); None when it failed or ran out of time."""
    out: list[float | None] = []
    for q in queries:
        times = []
        for _ in range(repeats):
            req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": q}).encode(),
                                         headers={"Accept": "application/sparql-results+json",
                                                  "Content-Type": "application/x-www-form-urlencoded"})
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    body = r.read()
                json.loads(body)  # a timed-out answer can be a 200 with truncated JSON
            except (OSError, ValueError):
                times = []
                break
            times.append(time.perf_counter() - t)
        out.append(statistics.median(times) * 1000 if times else None)
    return out


def wait_up(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def serving(path: Path, bound: list[tuple[str, str, dict[str, str]]], lat: list[dict[str, object]]) -> dict[str, object]:
    from kg.vocab import PREFIXES

    binary = shutil.which("oxigraph", path=f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    fast = {r["name"] for r in lat if r["ox_ms"] is not None and float(r["ox_ms"]) < 20_000}  # type: ignore[arg-type]
    queries = [prologue + t for name, t, _ in bound if name in fast]
    result: dict[str, object] = {"names": [name for name, _, _ in bound if name in fast]}
    result["binary"] = bool(binary)
    port = free_port()
    kg = subprocess.Popen([PY, "-m", "kg", "serve", "--store", str(path.parent), "--port", str(port), "--timeout", "60",
                           "--max-rows", "1000000"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        wait_up(f"http://127.0.0.1:{port}/sparql")
        result["kg"] = http_times(f"http://127.0.0.1:{port}/sparql", queries, 5)
        result["kg_trivial"] = http_times(f"http://127.0.0.1:{port}/sparql", ["ASK { ?s ?p ?o }"], 50)[0]
    finally:
        kg.send_signal(signal.SIGTERM)
        kg.wait(timeout=30)
    if binary:
        port = free_port()
        ox_proc = subprocess.Popen([binary, "serve-read-only", "--location", str(path), "--bind", f"127.0.0.1:{port}",
                                    "--union-default-graph", "--timeout-s", "60"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(f"http://127.0.0.1:{port}/query")
            result["oxigraph"] = http_times(f"http://127.0.0.1:{port}/query", queries, 5)
            result["oxigraph_trivial"] = http_times(f"http://127.0.0.1:{port}/query", ["ASK { ?s ?p ?o }"], 50)[0]
        finally:
            ox_proc.terminate()
            ox_proc.wait(timeout=30)
    return result


# --- the report ----------------------------------------------------------------------------------------------


def _ms(x: object) -> str:
    return "-" if x is None else f"{float(x):.1f}"  # type: ignore[arg-type]


def report(args: argparse.Namespace, tp: dict[str, float], mem: list[dict[str, float]], inc: dict[str, float],
           lat: list[dict[str, object]], loaded: dict[str, float], mtotal: int, copies: int,
           serve: dict[str, object], real_build: dict[str, float], seconds: float) -> str:
    def ok(good: bool) -> str:
        return "met" if good else "**not met**"

    cap_ms = args.rdflib_cap * 1000
    r1 = tp["j1_wps"] / tp["pipe_wps"]
    r2 = tp["j2_wps"] / tp["j1_wps"]
    ox_ms = [float(r["ox_ms"]) if r["ox_ms"] is not None else cap_ms + 30_000 for r in lat]  # type: ignore[arg-type]
    speedups = []
    for r, o in zip(lat, ox_ms, strict=True):
        rd = float(r["rdflib_s"]) * 1000 if r["rdflib_s"] is not None else cap_ms  # type: ignore[arg-type]
        speedups.append(rd / o)  # a lower bound where rdflib was stopped
    fast = sum(o < 100 for o in ox_ms)
    ten = sum(x >= 10 for x in speedups)
    ratio3 = inc["add_s"] / inc["alone_s"]
    peaks = [r["peak_mb"] for r in mem]
    lines = [
        "# Benchmark results",
        "",
        f"Measured by `bench/run.py --articles {args.articles} --real {args.real} --rdflib-cap {args.rdflib_cap:g} --repeats {args.repeats}` "
        f"in one run of {seconds / 60:.0f} minutes on {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}. Every build is the real command (`python -m kg build ...`) timed from "
        "outside, start-up and model loading included. The machine was shared with other work, so figures can "
        "be a few percent off.",
        "",
        "| goal | figure | goal met |",
        "| --- | --- | --- |",
        f"| build throughput, one process, ≥ 0.8 × bare `nlp.pipe` | {r1:.2f} × ({tp['j1_wps']:.0f} vs "
        f"{tp['pipe_wps']:.0f} words/s) | {ok(r1 >= 0.8)} |",
        f"| `--jobs 2` ≥ 1.6 × one job | {r2:.2f} × ({tp['j2_wps']:.0f} words/s) | {ok(r2 >= 1.6)} |",
        f"| named queries on ≥ 1,000,000 triples: median < 100 ms | median {statistics.median(ox_ms):.0f} ms over "
        f"{len(lat)} queries ({fast} under 100 ms), {mtotal:,} quads | {ok(statistics.median(ox_ms) < 100)} |",
        f"| … and ≥ 10 × faster than rdflib in memory | {ten} of {len(lat)} queries at least 10 × faster "
        f"(median {statistics.median(speedups):.0f} ×) | {ok(ten == len(lat))} |",
        f"| one article added to a {args.articles}-article store ≤ 2 × building it alone | {ratio3:.2f} × "
        f"({inc['add_s']:.2f} s vs {inc['alone_s']:.2f} s) | {ok(ratio3 <= 2)} |",
        f"| peak memory of a {args.articles}-article build < 2 GB, flat in N | {peaks[-1]:.0f} MB at "
        f"{mem[-1]['articles']} articles ({', '.join(f'{p:.0f}' for p in peaks)} MB at "
        f"{', '.join(str(r['articles']) for r in mem)}) | {ok(peaks[-1] < 2048 and peaks[-1] < 1.25 * peaks[0])} |",
        "",
        "## 1. Build throughput (real articles)",
        "",
        f"The first {tp['articles']} articles of `../shared/corpus` ({tp['words']:,} words after page furniture is "
        "removed). Bare `nlp.pipe` is a script that reads the same texts, loads the same model with `spacy.load` "
        "and runs `nlp.pipe(texts, batch_size=16)`; the builds are `kg build DIR --out NEW` (fresh store). "
        f"The three commands took turns {tp['repeats']:.0f} times; each figure is the median of its runs "
        f"(seconds per run: bare {tp['runs']['pipe']}, one job {tp['runs']['j1']}, two jobs {tp['runs']['j2']}).",  # type: ignore[index]
        "",
        "| run | seconds | words/s | vs bare pipe |",
        "| --- | ---: | ---: | ---: |",
        f"| bare `nlp.pipe` | {tp['pipe_s']:.1f} | {tp['pipe_wps']:.0f} | 1.00 |",
        f"| `kg build` | {tp['j1_s']:.1f} | {tp['j1_wps']:.0f} | {r1:.2f} |",
        f"| `kg build --jobs 2` | {tp['j2_s']:.1f} | {tp['j2_wps']:.0f} | {tp['j2_wps'] / tp['pipe_wps']:.2f} |",
        "",
        f"graph.trig of the one-process and two-process builds byte-identical: {'yes' if tp['same_bytes'] else 'NO'}.",
        f"The whole corpus ({real_build['articles']:.0f} real articles, {real_build['triples']:,.0f} triples) with "
        f"`--jobs 2`: {real_build['seconds']:.0f} s, peak memory {real_build['peak_mb']:.0f} MB.",
        "",
        "## 2. Named queries on a million triples",
        "",
        f"The whole real corpus's store (section 1), its article graphs copied {copies} times under renamed article "
        "IRIs (entity IRIs kept, so entities gather the mentions of every copy; `kgr:entities` once): "
        f"{mtotal:,} quads in an on-disk Oxigraph store. Each query of `queries/` is bound as `kg query` binds it "
        "(entity parameters: Donald Trump; type: Person; other optional parameters left open) and run with every "
        "graph as the default graph, rows materialised. Oxigraph: median of 5 runs (fewer for a query slower than 4 s; "
        f"stopped after {args.rdflib_cap + 30:g} s). rdflib: "
        f"`Dataset(default_union=True)` loaded from N-Quads in {loaded['load']:.0f} s, median of up to 5 runs "
        "(fewer once they add up to 4 s), stopped after "
        f"{args.rdflib_cap:g} s. The parameters are bound by `kg.query.bind`, as `kg query` binds them, before "
        f"the timing; its name lookup (labels, types and aliases of every entity) took "
        f"{loaded['lookup_ms']:.0f} ms on this store (median of 5), on top of the figures below.",
        "",
        "| query | parameters | rows | Oxigraph ms | rdflib ms | × faster |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r, x in zip(lat, speedups, strict=True):
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "-"  # type: ignore[attr-defined]
        if r["rdflib_s"] is None:
            rd = f"> {cap_ms:.0f}" if not r.get("error") else f"error: {r['error']}"
            xs = f"> {x:.0f}" if r["ox_ms"] is not None else "?"  # both stopped: unknown
        else:
            rd = f"{float(r['rdflib_s']) * 1000:.0f}"  # type: ignore[arg-type]
            xs = f"{x:.0f}"
        oxs = _ms(r["ox_ms"]) if r["ox_ms"] is not None else f"> {cap_ms + 30_000:.0f}"
        lines.append(f"| {r['name']} | {params} | {r['rows'] if r['rows'] is not None else '-'} | {oxs} | {rd} | {xs} |")
    lines += [
        "",
        f"## 3. One more article into a {args.articles}-article store",
        "",
        f"`kg build NEW.txt --out DIR` where DIR holds the {args.articles}-article synthetic build of section 4 (a "
        "fresh copy each time), against `kg build NEW.txt --out EMPTY`; median of 3. Both include loading spaCy; "
        f"adding also rewrites DIR/graph.trig and graph.ttl for the whole store ({mem[-1]['triples']:,} triples), "
        "splicing in the graphs that changed.",
        "",
        "| run | seconds |",
        "| --- | ---: |",
        f"| build the article alone | {inc['alone_s']:.2f} |",
        f"| add it to the {args.articles}-article store | {inc['add_s']:.2f} |",
        f"| build it again, unchanged (skipped) | {inc['noop_s']:.2f} |",
        "",
        "## 4. Peak memory as the corpus grows",
        "",
        "Synthetic articles (bench/synth.py: real sentences recombined with gazetteer names), "
        "`kg build DIR --out NEW --jobs 2`; peak of the summed resident memory of the build and its workers, "
        "sampled every 0.1 s.",
        "",
        "| articles | words | triples | seconds | peak MB |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in mem:
        lines.append(f"| {r['articles']} | {r['words']:,} | {r['triples']:,} | {r['seconds']:.0f} | {r['peak_mb']:.0f} |")
    lines += ["", "## 5. Serving: `kg serve` and the `oxigraph` server", ""]
    if serve.get("binary"):
        lines += [
            "The same named queries over HTTP (POST, JSON results) on the million-triple store (those that "
            "answered in under 20 s above); median of 5 per query, in ms. `oxigraph serve-read-only "
            "--union-default-graph` is the server binary of the PyPI package `oxigraph` 0.5.13; `kg serve` runs "
            "pyoxigraph 0.5.13 in worker processes behind Python's http.server.",
            "",
            "| query | kg serve | oxigraph server |",
            "| --- | ---: | ---: |",
        ]
        for name, a, b in zip(serve["names"], serve["kg"], serve["oxigraph"], strict=True):  # type: ignore[call-overload]
            lines.append(f"| {name} | {_ms(a)} | {_ms(b)} |")
        lines.append(f"| `ASK {{ ?s ?p ?o }}` (round trip) | {_ms(serve['kg_trivial'])} | {_ms(serve['oxigraph_trivial'])} |")
    else:
        lines.append("The `oxigraph` binary is not installed; only kg serve was measured.")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description="Benchmarks of kg's store; writes bench/RESULTS.md")
    ap.add_argument("--articles", type=int, default=1000, help="synthetic articles in the big store (default 1000)")
    ap.add_argument("--real", type=int, default=200, help="real articles for the throughput runs (default 200)")
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the query store (default 1,000,000)")
    ap.add_argument("--rdflib-cap", type=float, default=30.0, help="seconds before an rdflib query is stopped")
    ap.add_argument("--repeats", type=int, default=3, help="turns of the three throughput runs (default 3)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS}: the shared corpus is missing")
    started = time.perf_counter()
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        tp = throughput(work, args.real, args.repeats)
        mem, big = memory(work, args.articles)
        inc = incremental(work, big, args.articles)
        real, real_build = real_store(work)
        path, total, copies = million(work, real, args.triples)
        import pyoxigraph as ox

        queries = bound_queries(ox.Store.read_only(str(path)))
        lat, loaded = latency(work, path, queries, args.rdflib_cap)
        serve = serving(path, queries, lat)
        text = report(args, tp, mem, inc, lat, loaded, total, copies, serve, real_build, time.perf_counter() - started)
        args.out.write_text(text, encoding="utf-8")
        print(text)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
