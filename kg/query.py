"""SPARQL in, rows out.

`run(source, sparql)` evaluates a query over a graph file, a build folder or an
Oxigraph store (see `kg.store.open_source`), with every named graph visible
as the default graph and the prefixes of `kg.vocab.PREFIXES` predeclared.
`run_named` does the same for a query from `queries/`, binding its
parameters; `format_result` turns a `Result` into a table, CSV, TSV, JSON
(SPARQL 1.1 Query Results JSON), Turtle or N-Triples.

Parameters are bound by replacing a placeholder `VALUES ?name { UNDEF }` in
the query with RDF terms: IRIs looked up in the graph for entity and relation
parameters, escaped string literals for the rest. User text never reaches the
query unescaped, and a query file stays a valid query that runs (unbound)
in any SPARQL tool.
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import multiprocessing
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import KgError, QueryError
from .model import RELATIONS
from .store import is_meta, open_source
from .vocab import ONTOLOGY, PREFIXES

__all__ = [
    "ENTITY_PARAMS",
    "QUERIES_DIR",
    "Format",
    "NamedQuery",
    "Param",
    "Result",
    "bind",
    "compact",
    "dataset",
    "display",
    "entity_index",
    "format_result",
    "load_named",
    "named_queries",
    "relation_names",
    "resolve_entity",
    "resolve_relation",
    "run",
    "run_named",
    "select",
]

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
# Parameters with these names take an entity's name or alias and are bound to
# the entity's IRI; `relation` takes a relation name; any other parameter is
# bound to the string the user gave.
ENTITY_PARAMS = frozenset({"entity", "speaker", "subject", "object"})
RELATION_PARAMS = frozenset({"relation"})
ENTITY_CLASSES = ("Person", "Organization", "Country", "Location", "Group", "Entity")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in ("integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger", "positiveInteger")
}

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class Format(str, Enum):
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    TURTLE = "turtle"
    NT = "nt"


@dataclass(frozen=True)
class Result:
    """What a query gave: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE."""

    kind: str  # "select", "ask" or "graph"
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()

    def as_rows(self) -> tuple[tuple[str, ...], tuple[tuple[Term | None, ...], ...]]:
        """Variables and rows; a graph result reads as subject, predicate, object rows."""
        if self.kind == "graph":
            return ("subject", "predicate", "object"), tuple((t.subject, t.predicate, t.object) for t in self.triples)
        if self.kind == "ask":
            return ("boolean",), ((ox.Literal("true" if self.boolean else "false"),),)
        return self.variables, self.rows

    def records(self) -> list[dict[str, str]]:
        """Rows as dicts of display strings (compact IRIs, literal values, '' when unbound)."""
        names, rows = self.as_rows()
        return [{n: display(v) for n, v in zip(names, row)} for row in rows]

    def column(self, name: str) -> list[str]:
        return [r[name] for r in self.records()]


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    required: bool

    @property
    def kind(self) -> str:
        if self.name in ENTITY_PARAMS:
            return "entity"
        if self.name in RELATION_PARAMS:
            return "relation"
        return "text"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    answers: str
    params: tuple[Param, ...]
    text: str
    path: Path
    comments: dict[str, str] = field(default_factory=dict)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


# ---------------------------------------------------------------------------
# terms
# ---------------------------------------------------------------------------

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def compact(iri: str) -> str:
    """`kgr:donald_trump` for a IRI under a predeclared prefix, else `<iri>`."""
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns) and re.fullmatch(r"[\w.-]*", iri[len(ns) :]) and not iri.endswith("."):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def display(term: Term | None) -> str:
    """How a term reads in a table: compact IRIs, the literal's text, '' when unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _plain(term: Term | None) -> str:
    """A value as SPARQL 1.1 CSV writes it: full IRIs, the literal's text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _sparql_string(text: str) -> str:
    """A SPARQL string literal holding `text` exactly, whatever it contains."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{escaped}"'


# ---------------------------------------------------------------------------
# running a query
# ---------------------------------------------------------------------------

Source = str | Path | ox.Store


def _store(source: Source) -> ox.Store:
    return source if isinstance(source, ox.Store) else open_source(source)


def _materialize(answer: Any) -> Result:
    if isinstance(answer, ox.QuerySolutions):
        names = tuple(v.value for v in answer.variables)
        return Result("select", names, tuple(tuple(sol[n] for n in names) for sol in answer))
    if isinstance(answer, ox.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Result("graph", triples=tuple(sorted(answer, key=_triple_key)))
    raise QueryError(f"unexpected query answer {type(answer).__name__}")  # pragma: no cover


def _triple_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


def dataset(store: ox.Store) -> dict[str, Any]:
    """Query options: every content graph as the default graph, the store's bookkeeping left out."""
    graphs = list(store.named_graphs())
    if not any(is_meta(g) for g in graphs):
        return {"use_default_graph_as_union": True}
    content = sorted((g for g in graphs if not is_meta(g)), key=lambda g: g.value)
    return {"default_graph": [ox.DefaultGraph(), *content], "named_graphs": content}


def select(store: ox.Store, sparql: str) -> list[ox.QuerySolution]:
    """Solutions of a query written by kg itself (no user text), over the content graphs."""
    return list(store.query(sparql, prefixes=PREFIXES, **dataset(store)))  # type: ignore[arg-type]


def _evaluate(store: ox.Store, sparql: str) -> Result:
    try:
        return _materialize(store.query(sparql, prefixes=PREFIXES, **dataset(store)))
    except SyntaxError as e:
        raise QueryError(syntax_message(sparql, str(e))) from None
    except (OSError, RuntimeError, ValueError, TypeError) as e:
        raise QueryError(f"the query failed while running: {e}") from None


def check_syntax(sparql: str) -> None:
    """Raise QueryError with line, column and text if `sparql` does not parse."""
    try:
        # an empty store parses the query and answers at once
        ox.Store().query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as e:
        raise QueryError(syntax_message(sparql, str(e))) from None
    except (OSError, RuntimeError, ValueError, TypeError):
        pass  # not a syntax problem: reported when the query runs on the real graph


def _worker(conn: Any, source: str | bytes, sparql: str) -> None:
    """Runs in a fresh process: load the graph, answer, send the result back."""
    try:
        if isinstance(source, bytes):
            store = ox.Store()
            store.load(source, format=ox.RdfFormat.N_QUADS)
        else:
            store = open_source(source)
        conn.send(("ok", _evaluate(store, sparql)))
    except KgError as e:
        conn.send(("error", str(e)))
    except BaseException as e:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("error", f"the query failed while running: {type(e).__name__}: {e}"))
    finally:
        conn.close()


def _run_with_timeout(source: Source, sparql: str, timeout: float) -> Result:
    # pyoxigraph does not return to Python while it evaluates, so a deadline can
    # only be kept by running the query in a process that can be killed.
    payload: str | bytes
    if isinstance(source, ox.Store):
        payload = source.dump(format=ox.RdfFormat.N_QUADS)
    else:
        payload = str(source)
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(send, payload, sparql), daemon=True)
    proc.start()
    send.close()
    try:
        ready = wait([receive, proc.sentinel], timeout)
        if receive in ready or receive.poll():
            try:
                status, value = receive.recv()
            except EOFError:
                status, value = "error", "the query process ended without an answer"
        elif not ready:
            raise QueryError(
                f"query timed out after {timeout:g} s; narrow it with LIMIT or a more specific pattern"
            )
        else:
            status, value = "error", f"the query process ended without an answer (exit code {proc.exitcode})"
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receive.close()
    if status == "error":
        raise QueryError(value)
    return value


def run(
    source: Source,
    sparql: str,
    *,
    params: Mapping[str, str] | None = None,
    timeout: float | None = None,
    declared: Sequence[Param] | None = None,
    name: str | None = None,
) -> Result:
    """Evaluate `sparql` over `source` (a path or a Store); `timeout` in seconds, None for no limit.

    `params` bind the query's `VALUES ?name { UNDEF }` placeholders (see `bind`).
    """
    check_syntax(sparql)
    store = _store(source)
    text = bind(store, sparql, params or {}, declared=declared, name=name)
    if timeout is None or timeout <= 0:
        return _evaluate(store, text)
    return _run_with_timeout(source, text, timeout)


def run_named(
    source: Source,
    name: str,
    *,
    params: Mapping[str, str] | None = None,
    timeout: float | None = None,
    directory: Path | None = None,
) -> Result:
    q = load_named(name, directory)
    return run(source, q.text, params=params, timeout=timeout, declared=q.params, name=q.name)


# ---------------------------------------------------------------------------
# syntax errors
# ---------------------------------------------------------------------------

_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
_PNAME_BEFORE = re.compile(r"([A-Za-z][\w.-]*)?:[\w.-]*$")


def syntax_message(sparql: str, message: str) -> str:
    """One line from pyoxigraph's parse error: line, column, the text there, what was expected."""
    m = _POSITION.search(message)
    if not m:
        return f"SPARQL syntax error: {' '.join(message.split())}"
    line_no, col = int(m.group(1)), int(m.group(2))
    detail = m.group(3)
    lines = sparql.split("\n")
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    before = line[: col - 1]
    at = line[col - 1 :]
    where = f"line {line_no}, column {col}"
    if "Prefix not found" in detail:
        pm = _PNAME_BEFORE.search(before)
        prefix = pm.group(1) or "" if pm else ""
        known = ", ".join(f"{p}:" for p in PREFIXES)
        return (
            f"SPARQL syntax error at {where}: unknown prefix '{prefix}:'; "
            f"declare it with PREFIX {prefix}: <...> or use one of {known}"
        )
    if "variable that is unbound" in detail:
        return (
            f"SPARQL syntax error at {where}: the SELECT uses a variable that is neither grouped nor bound; "
            "add it to GROUP BY or wrap it in an aggregate such as SAMPLE(?x)"
        )
    after = " ".join(before[-30:].split())
    offending = " ".join(at[:20].split())
    if offending:
        near = f'at "{offending}"' + (f' (after "{after}")' if after else "")
    elif "".join(lines[line_no:]).strip():
        near = f'at the end of line {line_no}' + (f', after "{after}"' if after else "")
    else:
        near = "at the end of the query" + (f', after "{after}"' if after else "")
    expected = _expected(detail)
    return f"SPARQL syntax error at {where}, {near}: {expected}"


def _expected(detail: str) -> str:
    """pyoxigraph lists every token it could take, character classes included; keep the words."""
    detail = " ".join(detail.split())
    m = re.match(r"expected one of (.*)", detail)
    if not m:
        return detail.split(",")[0] if len(detail) > 120 else detail
    items = re.findall(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,\s][^,]*', m.group(1))
    words = []
    for item in items:
        item = item.strip()
        if not item or item.startswith("[") or item.startswith("'"):
            continue
        if item.startswith('"'):
            item = item[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            if not item or item in {"\\", "\\u", "\\U"}:
                continue
            item = f"'{item}'"
        words.append(item)
    if not words:
        return "the query is malformed here"
    shown = ", ".join(words[:10])
    return f"expected one of {shown}" + (", …" if len(words) > 10 else "")


# ---------------------------------------------------------------------------
# named queries
# ---------------------------------------------------------------------------

_HEADER = re.compile(r"^# ?([a-z_]+):\s*(.*)$")  # continuation lines are indented: "#   more"


def parse_named(path: Path) -> NamedQuery:
    """Read a query file: leading `# key: value` comment lines, then the query."""
    text = path.read_text(encoding="utf-8")
    comments: dict[str, str] = {}
    key = None
    for raw in text.splitlines():
        if not raw.startswith("#"):
            if raw.strip():
                break
            continue
        m = _HEADER.match(raw)
        if m:
            key = m.group(1)
            comments[key] = m.group(2).strip()
        elif key:
            more = raw.lstrip("#").strip()
            if more:
                comments[key] = f"{comments[key]} {more}".strip()
    name = comments.get("name") or path.stem
    params = _parse_params(comments.get("params", ""), path)
    return NamedQuery(name, comments.get("answers", ""), params, text, path, comments)


def _parse_params(spec: str, path: Path) -> tuple[Param, ...]:
    spec = spec.strip()
    if not spec or spec.lower() in {"none", "-"}:
        return ()
    params = []
    for part in _split_top(spec):
        m = re.fullmatch(r"\s*(\w+)\s*(?:\((.*)\))?\s*", part, re.S)
        if not m:
            raise QueryError(f"{path}: cannot read the '# params:' line at {part!r}; write `name (description)`")
        desc = (m.group(2) or "").strip()
        optional = desc.lower().startswith("optional")
        if optional:
            desc = re.sub(r"^optional[:,;]?\s*", "", desc, flags=re.I)
        params.append(Param(m.group(1), desc, not optional))
    return tuple(params)


def _split_top(spec: str) -> list[str]:
    """Split on ';' outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in spec:
        depth += ch == "("
        depth -= ch == ")"
        if ch == ";" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p for p in parts if p.strip()]


def named_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    directory = Path(directory or QUERIES_DIR)
    if not directory.is_dir():
        raise QueryError(f"{directory}: no queries folder here; give one with --queries DIR")
    found = {}
    for path in sorted(directory.glob("*.rq")):
        q = parse_named(path)
        found[q.name] = q
    return found


def load_named(name: str, directory: Path | None = None) -> NamedQuery:
    found = named_queries(directory)
    if name in found:
        return found[name]
    close = difflib.get_close_matches(name, list(found), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise QueryError(f"no query named '{name}'; {hint}available: {', '.join(found) or 'none'}")


# ---------------------------------------------------------------------------
# parameters
# ---------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"^([^#\n]*?)\bVALUES\s+[?$](\w+)\s*\{\s*UNDEF\s*\}", re.M | re.I)


def placeholders(sparql: str) -> list[str]:
    return [m.group(2) for m in _PLACEHOLDER.finditer(sparql)]


def bind(
    store: ox.Store,
    sparql: str,
    params: Mapping[str, str],
    *,
    declared: Sequence[Param] | None = None,
    name: str | None = None,
) -> str:
    """Replace each `VALUES ?p { UNDEF }` whose parameter was given by the terms it stands for."""
    slots = placeholders(sparql)
    what = f"query '{name}'" if name else "the query"
    if declared is None:
        declared = [Param(s, "", False) for s in dict.fromkeys(slots)]
    by_name = {p.name: p for p in declared}
    for key in params:
        if key not in by_name:
            takes = ", ".join(by_name) if by_name else "no parameters"
            raise QueryError(f"{what} has no parameter '{key}'; it takes {takes}")
    for p in declared:
        if p.required and not params.get(p.name, "").strip():
            desc = f": {p.description}" if p.description else ""
            raise QueryError(f"{what} needs --param {p.name}=VALUE{desc}")
        if p.name in params and p.name not in slots:
            raise QueryError(f"{what} declares parameter '{p.name}' but has no `VALUES ?{p.name} {{ UNDEF }}` line")

    # each parameter is looked up once, however many placeholders it fills
    index: list[EntityName] = []
    terms: dict[str, str] = {}
    for var, value in params.items():
        kind = by_name[var].kind
        if kind == "entity":
            index = index or entity_index(store, mentions=False)
            terms[var] = " ".join(f"<{iri}>" for iri in resolve_entity(store, value, index=index))
        elif kind == "relation":
            terms[var] = f"<{resolve_relation(store, value)}>"
        else:
            terms[var] = _sparql_string(value)

    def replace(m: re.Match[str]) -> str:
        var = m.group(2)
        if var not in terms:
            return m.group(0)
        return f"{m.group(1)}VALUES ?{var} {{ {terms[var]} }}"

    return _PLACEHOLDER.sub(replace, sparql)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").casefold()
    return " ".join(text.split())


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^\w']+", " ", _norm(text)).split()) + " "


@dataclass(frozen=True)
class EntityName:
    iri: str
    label: str
    type: str
    names: tuple[str, ...]  # label first, then aliases
    mentions: int


def entity_index(store: ox.Store, *, mentions: bool = True) -> list[EntityName]:
    """Every entity with its label, type, aliases and number of sentences naming it, by IRI.

    Types and labels are read from `kgr:entities`, which describes each entity
    once: article graphs repeat an entity's type in every article that names
    it, and pairing those copies with the aliases grew with the square of the
    articles (7 GB on a million triples). A graph without `kgr:entities` is
    read whole. `mentions=False` leaves the counts at 0 and saves reading
    every sentence, which name lookups do not need.
    """
    classes = " ".join(f"kgo:{c}" for c in ENTITY_CLASSES)
    typed = "?e a ?type OPTIONAL { ?e rdfs:label ?label }"
    rows = select(
        store, f"SELECT ?e ?type ?label WHERE {{ VALUES ?type {{ {classes} }} GRAPH kgr:entities {{ {typed} }} }}"
    )
    if not rows:
        rows = select(store, f"SELECT DISTINCT ?e ?type ?label WHERE {{ VALUES ?type {{ {classes} }} {typed} }}")
    rank = {f"{ONTOLOGY}{c}": i for i, c in enumerate(ENTITY_CLASSES)}
    info: dict[str, tuple[str, str]] = {}
    # one type and label per entity, the same whatever order the store gives: the most specific class, the least label
    for r in sorted(rows, key=lambda r: (r["e"].value, rank[r["type"].value], r["label"].value if r["label"] else "")):
        iri = r["e"].value
        label = r["label"].value if r["label"] is not None else iri.rsplit("/", 1)[-1]
        info.setdefault(iri, (label, r["type"].value.rsplit("#", 1)[-1]))
    alts: dict[str, set[str]] = {}
    for r in select(store, "SELECT DISTINCT ?e ?alt WHERE { ?e skos:altLabel ?alt }"):
        alts.setdefault(r["e"].value, set()).add(r["alt"].value)
    counts: dict[str, int] = {}
    if mentions:
        # the sentences as a set to match against: statements mention entities
        # too, and checking each mention's type one by one is 3x slower
        counts = {
            r["e"].value: int(r["n"].value)
            for r in select(
                store,
                "SELECT ?e (COUNT(DISTINCT ?s) AS ?n) WHERE {"
                " ?s kgo:mentions ?e . { SELECT ?s WHERE { ?s a kgo:Sentence } } } GROUP BY ?e",
            )
        }
    return [
        EntityName(iri, label, typ, (label, *sorted(alts.get(iri, set()))), counts.get(iri, 0))
        for iri, (label, typ) in sorted(info.items())
    ]


def resolve_entity(store: ox.Store, name: str, *, index: Sequence[EntityName] | None = None) -> list[str]:
    """The IRIs of the entity called `name`.

    A name matches a label or alias case-insensitively; failing that, a run of
    whole words inside one ("Erdogan" finds "Recep Tayyip Erdogan"); failing
    that, the longest label or alias inside the name ("President Donald Trump"
    finds "Donald Trump"). A prefixed name or IRI (`kgr:donald_trump`) is taken
    as is.
    """
    index = list(index if index is not None else entity_index(store, mentions=False))
    name = name.strip()
    by_iri = {e.iri: e for e in index}
    iri = _expand(name)
    if iri in by_iri:
        return [iri]
    target = _norm(name)
    exact = [e.iri for e in index if any(_norm(n) == target for n in e.names)]
    if exact:
        return exact
    words = _words(name)
    if words.strip():
        partial = [e for e in index if any(words in _words(n) for n in e.names)]
        if len(partial) == 1:
            return [partial[0].iri]
        if partial:
            options = ", ".join(sorted(e.label for e in partial))
            raise QueryError(f"'{name}' could be any of: {options}; give one of these names")
        # a name with more words than the graph's ("President Donald Trump"): the longest name inside it
        inside = [(len(_words(n).split()), e) for e in index for n in e.names if _words(n).strip() and _words(n) in words]
        if inside:
            longest = max(k for k, _ in inside)
            found = sorted({e.iri for k, e in inside if k == longest})
            if len(found) == 1:
                return found
    if not any(e.mentions for e in index):  # looked up without counts: suggest the most mentioned
        index = entity_index(store)
    raise QueryError(f"no entity named '{name}'; try one of: {', '.join(suggest(name, index))}")


def suggest(name: str, index: Sequence[EntityName], n: int = 6) -> list[str]:
    """Labels close to `name`; failing that, the most mentioned entities."""
    labels: dict[str, str] = {}
    for e in index:
        for alias in e.names:
            labels.setdefault(_norm(alias), e.label)
    close = difflib.get_close_matches(_norm(name), list(labels), n=n * 2, cutoff=0.6)
    picked = list(dict.fromkeys(labels[c] for c in close))[:n]
    if not picked:
        picked = [e.label for e in sorted(index, key=lambda e: (-e.mentions, e.label))[:n]]
    return picked


def _expand(name: str) -> str:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    m = re.fullmatch(r"(\w+):([\w.-]+)", name)
    if m and m.group(1) in PREFIXES:
        return PREFIXES[m.group(1)] + m.group(2)
    return name


def relation_names(store: ox.Store | None = None) -> list[str]:
    """Relation names: the model's, and any other predicate the graph's assertions use."""
    names = {"relatedTo", *RELATIONS}
    if store is not None:
        for r in select(store, "SELECT DISTINCT ?p WHERE { ?a a kgo:Assertion ; rdf:predicate ?p }"):
            if r["p"].value.startswith(ONTOLOGY):
                names.add(r["p"].value[len(ONTOLOGY) :])
    return sorted(names)


def resolve_relation(store: ox.Store | None, name: str) -> str:
    """The kgo: IRI for `guards`, `kgo:guards`, `designates-as-terrorist`..."""
    names = relation_names(store)
    key = re.sub(r"[\s_-]", "", name.strip().removeprefix("kgo:")).casefold()
    for n in names:
        if n.casefold() == key:
            return ONTOLOGY + n
    raise QueryError(f"no relation named '{name}'; the relations are: {', '.join(names)}")


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------


def format_result(result: Result, fmt: Format | str = Format.TABLE, *, max_width: int = 0) -> str:
    """The result as text in `fmt`; `max_width` cuts long table cells (0: never)."""
    fmt = Format(fmt)
    if fmt in (Format.TURTLE, Format.NT):
        if result.kind != "graph":
            raise QueryError(f"{fmt.value} is for CONSTRUCT or DESCRIBE results; use table, csv, tsv or json")
        rdf = ox.RdfFormat.TURTLE if fmt is Format.TURTLE else ox.RdfFormat.N_TRIPLES
        used = _used_prefixes(result.triples) if fmt is Format.TURTLE else None
        return ox.serialize(result.triples, format=rdf, prefixes=used).decode("utf-8")
    if fmt is Format.JSON:
        return _json(result)
    names, rows = result.as_rows()
    if fmt is Format.CSV:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(names)
        w.writerows([_plain(v) for v in row] for row in rows)
        return buf.getvalue()
    if fmt is Format.TSV:
        clean = lambda s: re.sub(r"[\t\r\n]+", " ", s)  # noqa: E731 - a cell must stay on its line
        lines = ["\t".join(names)] + ["\t".join(clean(_plain(v)) for v in row) for row in rows]
        return "\n".join(lines) + "\n"
    return table(names, rows, max_width=max_width)[0]


def _used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    used = {}
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            for iri in (term.value if isinstance(term, ox.NamedNode) else None,
                        term.datatype.value if isinstance(term, ox.Literal) else None):
                if iri:
                    c = compact(iri)
                    if not c.startswith("<"):
                        p = c.split(":", 1)[0]
                        used[p] = PREFIXES[p]
    return {p: used[p] for p in sorted(used)}


def table(
    names: Sequence[str], rows: Sequence[Sequence[Term | None]], *, max_width: int = 0
) -> tuple[str, bool]:
    """An aligned text table; returns it and whether any cell was cut to `max_width`."""
    cut = False
    cells = []
    for row in rows:
        line = []
        for v in row:
            s = " ".join(display(v).split())
            if max_width and len(s) > max_width:
                s = s[: max_width - 1].rstrip() + "…"
                cut = True
            line.append(s)
        cells.append(line)
    numeric = [
        bool(rows) and all(v is None or (isinstance(v, ox.Literal) and v.datatype.value in NUMERIC) for v in col)
        for col in zip(*rows)
    ] if rows else [False] * len(names)
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]

    def fmt_line(values: Sequence[str]) -> str:
        out = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(out).rstrip()

    lines = [fmt_line(names), "  ".join("-" * w for w in widths)]
    lines += [fmt_line(r) for r in cells]
    if not cells:
        lines.append("(no rows)")
    return "\n".join(lines) + "\n", cut


def json_term(term: Term) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 Query Results JSON format (also used by kg serve)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {k: json_term(getattr(term, k)) for k in ("subject", "predicate", "object")},
    }


def _json(result: Result) -> str:
    if result.kind == "ask":
        doc: dict[str, Any] = {"head": {}, "boolean": bool(result.boolean)}
    else:
        names, rows = result.as_rows()
        doc = {
            "head": {"vars": list(names)},
            "results": {
                "bindings": [{n: json_term(v) for n, v in zip(names, row) if v is not None} for row in rows]
            },
        }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
