"""Exports for other tools: the entity network as GraphML, GEXF (Gephi) or a CSV
edge list; the full RDF as JSON-LD or N-Triples.

Every export is deterministic: nodes, edges, triples and properties are
sorted, and no date or tool version is written, so that exporting the same
graph twice gives the same bytes (and a diff shows what changed).
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from enum import Enum
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from .errors import KgError
from .fsutil import write_atomic
from .network import Network, entity_network, to_networkx
from .store import is_meta, open_source
from .vocab import PREFIXES

__all__ = ["ExportFormat", "csv_edges", "export", "gexf", "graphml", "jsonld", "nquads", "ntriples"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


class ExportFormat(str, Enum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSONLD = "jsonld"
    NT = "nt"
    NQ = "nq"
    CSV = "csv"


SUFFIXES = {".graphml": "graphml", ".gexf": "gexf", ".jsonld": "jsonld", ".json": "jsonld", ".nt": "nt",
            ".nq": "nq", ".csv": "csv"}


def _weighted(network: Network) -> nx.MultiDiGraph:
    g = to_networkx(network)
    for _u, _v, data in g.edges(data=True):
        data["weight"] = data["count"]  # Gephi and yEd draw edge thickness from "weight"
    return g


def graphml(network: Network) -> bytes:
    """GraphML (yEd, Cytoscape, Gephi): nodes with label/type/mentions, edges keyed by relation."""
    text = "\n".join(nx.generate_graphml(_weighted(network), encoding="utf-8", prettyprint=True))
    return (XML_DECLARATION + text + "\n").encode("utf-8")


def gexf(network: Network) -> bytes:
    """GEXF 1.2 for Gephi; the writer's date stamp is left out so that the file is reproducible."""
    g = _weighted(network)
    for i, (_u, _v, _k, data) in enumerate(sorted(g.edges(keys=True, data=True), key=lambda e: e[:3])):
        data["id"] = str(i)
    text = "\n".join(nx.generate_gexf(g, encoding="utf-8", prettyprint=True, version="1.2draft"))
    text = re.sub(r'\s*lastmodifieddate="[^"]*"', "", text)
    text = re.sub(r"<creator>[^<]*</creator>", "<creator>kg</creator>", text)
    return (XML_DECLARATION + text + "\n").encode("utf-8")


def csv_edges(network: Network) -> bytes:
    """One row per edge: who, relation, whom, how many assertions or statements, and from which articles."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["source", "source_label", "source_type", "relation", "target", "target_label", "target_type",
                "count", "claimed", "articles"])
    nodes = network.nodes
    rows = sorted(network.edges, key=lambda e: (nodes[e.source].label, e.relation, nodes[e.target].label, e.key))
    for e in rows:
        s, t = nodes[e.source], nodes[e.target]
        arts = " ".join(network.articles[a].file if a in network.articles else a for a in e.articles)
        w.writerow([s.id, s.label, s.type, e.relation, t.id, t.label, t.type, e.count, e.claimed, arts])
    return buf.getvalue().encode("utf-8")


def _quads(store: ox.Store) -> list[ox.Quad]:
    """The content quads: a store's bookkeeping graphs (urn:x-kg:) stay out of exports."""
    return [q for q in store.quads_for_pattern(None, None, None, None) if not is_meta(q.graph_name)]


def ntriples(store: ox.Store) -> bytes:
    """Every triple of every graph once, one per line, sorted (the named graphs are merged)."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in _quads(store)}
    lines = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8").splitlines()
    return ("\n".join(sorted(set(lines))) + "\n").encode("utf-8")


def nquads(store: ox.Store) -> bytes:
    """Every quad, named graphs kept, one per line, sorted."""
    lines = ox.serialize(_quads(store), format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines()
    return ("\n".join(sorted(set(lines))) + "\n").encode("utf-8")


_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def _compact(iri: str) -> str:
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _node_ref(term: Any) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return _compact(term.value)


def _value(term: Any) -> Any:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": _compact(term.datatype.value)}
    if isinstance(term, ox.Triple):
        raise KgError("the graph holds RDF-star triples, which JSON-LD cannot carry; export N-Triples instead")
    return {"@id": _node_ref(term)}


def _nodes(triples: list[tuple[Any, Any, Any]]) -> list[dict[str, Any]]:
    props: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    types: dict[str, list[str]] = defaultdict(list)
    for s, p, o in triples:
        sid = _node_ref(s)
        if p.value == RDF_TYPE and not isinstance(o, ox.Literal):
            types[sid].append(_node_ref(o))
        else:
            props[sid][_compact(p.value)].append(_value(o))
    out = []
    for sid in sorted(set(props) | set(types)):
        node: dict[str, Any] = {"@id": sid}
        if types.get(sid):
            node["@type"] = sorted(set(types[sid]))
        for key in sorted(props[sid]):
            values = {json.dumps(v, sort_keys=True, ensure_ascii=False): v for v in props[sid][key]}
            node[key] = [values[k] for k in sorted(values)]
        out.append(node)
    return out


def jsonld(store: ox.Store) -> bytes:
    """JSON-LD 1.1 with every named graph as a `@graph` object, compacted with the kg prefixes."""
    by_graph: dict[str, list[tuple[Any, Any, Any]]] = defaultdict(list)
    default: list[tuple[Any, Any, Any]] = []
    for q in _quads(store):
        t = (q.subject, q.predicate, q.object)
        if isinstance(q.graph_name, ox.DefaultGraph):
            default.append(t)
        else:
            by_graph[_node_ref(q.graph_name)].append(t)
    top = {n["@id"]: n for n in _nodes(default)}
    for gid in sorted(by_graph):
        top.setdefault(gid, {"@id": gid})["@graph"] = _nodes(by_graph[gid])
    doc = {"@context": dict(sorted(PREFIXES.items())), "@graph": [top[k] for k in sorted(top)]}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def render_export(fmt: ExportFormat, store: ox.Store, *, statements: bool = True) -> bytes:
    if fmt is ExportFormat.JSONLD:
        return jsonld(store)
    if fmt is ExportFormat.NT:
        return ntriples(store)
    if fmt is ExportFormat.NQ:
        return nquads(store)
    network = entity_network(store, statements=statements)
    return {ExportFormat.GRAPHML: graphml, ExportFormat.GEXF: gexf, ExportFormat.CSV: csv_edges}[fmt](network)


def export(source: str | Path, out: str | Path, fmt: str | None = None, *, statements: bool = True) -> Path:
    """Write the graph at `source` to `out` in `fmt` (guessed from the file name when None)."""
    out = Path(out)
    if fmt is None:
        fmt = SUFFIXES.get(out.suffix.lower())
        if fmt is None:
            raise KgError(f"{out}: cannot tell the format from the name; give --format "
                          f"{'|'.join(f.value for f in ExportFormat)}")
    try:
        kind = ExportFormat(fmt.lower())
    except ValueError:
        raise KgError(f"unknown export format '{fmt}'; give one of: "
                      f"{', '.join(f.value for f in ExportFormat)}") from None
    store = open_source(source)
    return write_atomic(out, render_export(kind, store, statements=statements))
