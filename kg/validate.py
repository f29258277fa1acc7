"""kg validate: check a built graph against ontology/shapes.ttl (SHACL)."""
from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.namespace import SH

from .errors import InputError

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"


def shapes_path() -> Path:
    for candidate in (ONTOLOGY_DIR / "shapes.ttl", Path(__file__).parent / "data" / "shapes.ttl"):
        if candidate.exists():
            return candidate
    raise InputError("ontology/shapes.ttl not found; run kg from a checkout of the project")


def load_union(path: str | Path) -> Graph:
    path = Path(path)
    if path.is_dir():
        path = path / "graph.trig"
    if not path.exists():
        raise InputError(f"{path}: no such graph file; build one with `kg build ARTICLES --out DIR`")
    fmt = "trig" if path.suffix == ".trig" else "nquads" if path.suffix == ".nq" else "turtle"
    ds = Dataset()
    try:
        ds.parse(path, format=fmt)
    except Exception as e:  # rdflib raises several parser types; keep its message, which has the line
        raise InputError(f"{path}: not valid {fmt}: {str(e).splitlines()[0]}") from None
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def validate(path: str | Path) -> list[str]:
    """Readable violations, one per line; empty when the graph conforms."""
    from pyshacl import validate as shacl

    data = load_union(path)
    shapes = Graph().parse(shapes_path(), format="turtle")
    conforms, report, _text = shacl(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return []
    problems = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path_ = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        where = f"{_short(focus)}" + (f" {_short(path_)}" if path_ is not None else "")
        what = f" (value {_short(value)})" if value is not None else ""
        problems.append(f"violation: {where}: {message}{what}")
    return sorted(problems)


def _short(term: object) -> str:
    text = str(term)
    for prefix, ns in (("kgr:", "https://w3id.org/newskg/resource/"), ("kgo:", "https://w3id.org/newskg/ontology#")):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return text
