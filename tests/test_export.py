"""kg export: the entity network and the full RDF, for other tools, byte for byte reproducible."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph

from kg.errors import KgError
from kg.export import export
from kg.query import entity_index
from kg.store import open_source

from .conftest import run_kg

RESOURCE = "https://w3id.org/newskg/resource/"


@pytest.fixture(scope="module")
def out(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    for fmt in ("graphml", "gexf", "jsonld", "nt", "nq", "csv"):
        export(seed_build, folder / f"graph.{fmt}")
    return folder


@pytest.fixture(scope="module")
def iri(seed_build: Path):
    index = entity_index(open_source(seed_build))

    def of(label: str) -> str:
        return next(e.iri for e in index if e.label == label or label in e.names)

    return of


def test_exports_are_reproducible(seed_build: Path, out: Path, tmp_path: Path) -> None:
    for fmt in ("graphml", "gexf", "jsonld", "nt", "csv"):
        again = export(seed_build, tmp_path / f"again.{fmt}")
        assert again.read_bytes() == (out / f"graph.{fmt}").read_bytes(), fmt
    assert b"lastmodifieddate" not in (out / "graph.gexf").read_bytes()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_formats(out: Path, iri, fmt: str) -> None:
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    g = reader(out / f"graph.{fmt}")
    assert g.is_directed() and g.is_multigraph()
    turkey, ypg = iri("Turkey"), iri("YPG")
    assert g.nodes[turkey]["label"] == "Turkey" and g.nodes[turkey]["type"] == "Country"
    relations = {d["relation"] for _u, _v, d in g.edges(data=True)}
    assert {"designatesAsTerrorist", "guards", "commands", "statements"} <= relations
    edges = [d for d in g.get_edge_data(turkey, ypg).values() if d["relation"] == "designatesAsTerrorist"]
    assert len(edges) == 1 and int(edges[0]["count"]) >= 1 and "002_956eee948fb02a5b.txt" in edges[0]["articles"]


def test_csv_edge_list(out: Path, iri) -> None:
    rows = list(csv.DictReader(io.StringIO((out / "graph.csv").read_text())))
    assert list(rows[0]) == ["source", "source_label", "source_type", "relation", "target", "target_label",
                             "target_type", "count", "claimed", "articles"]
    assert any(r["source"] == iri("Turkey") and r["relation"] == "designatesAsTerrorist" and r["target"] == iri("YPG")
               for r in rows)
    guards = [r for r in rows if r["relation"] == "guards"]
    assert guards and all(r["claimed"] == r["count"] for r in guards)  # officials say it; the article does not
    said = [r for r in rows if r["relation"] == "statements"]
    assert said and all(int(r["count"]) >= 1 for r in said)
    keys = [(r["source_label"], r["relation"], r["target_label"]) for r in rows]
    assert keys == sorted(keys)


def test_jsonld_holds_every_quad(seed_build: Path, out: Path) -> None:
    original = Dataset()
    original.parse(seed_build / "graph.trig", format="trig")
    exported = Dataset()
    exported.parse(out / "graph.jsonld", format="json-ld")
    assert set(exported.quads()) == set(original.quads())


def test_ntriples_holds_the_union(seed_build: Path, out: Path) -> None:
    union = Graph()
    union.parse(seed_build / "graph.ttl", format="turtle")
    lines = (out / "graph.nt").read_text().splitlines()
    assert lines == sorted(set(lines))
    exported = Graph()
    exported.parse(out / "graph.nt", format="nt")
    assert set(exported) == set(union)
    quads = list(ox.parse(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    assert not any(q.graph_name.value.startswith("urn:x-kg:") for q in quads)  # the store's bookkeeping stays out


def test_format_errors(seed_build: Path, tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"cannot tell the format from the name; give --format graphml\|gexf"):
        export(seed_build, tmp_path / "graph.xyz")
    with pytest.raises(KgError, match=r"^unknown export format 'dot'; give one of: graphml, gexf"):
        export(seed_build, tmp_path / "graph.dot", "dot")


def test_cli_export(seed_build: Path, tmp_path: Path) -> None:
    proc = run_kg("export", str(seed_build), "--format", "csv", "--out", str(tmp_path / "edges.txt"),
                  "--no-statements")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{tmp_path / 'edges.txt'}\n"
    text = (tmp_path / "edges.txt").read_text()
    assert "designatesAsTerrorist" in text and ",statements," not in text
