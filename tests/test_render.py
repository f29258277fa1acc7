"""kg render: diagrams of the seed graph, legible, complete and reproducible."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg import render as r
from kg.errors import KgError
from kg.network import STATEMENTS, Edge, Network, Node, entity_network
from kg.query import entity_index, run
from kg.store import open_source

from .conftest import run_kg

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def store(seed_build: Path) -> ox.Store:
    return open_source(seed_build)


@pytest.fixture(scope="module")
def network(store: ox.Store) -> Network:
    return entity_network(store)


@pytest.fixture(scope="module")
def examples(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return r.render(seed_build, out=tmp_path_factory.mktemp("diagrams"), examples_set=True)


def texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
    for lg in fig.legends:
        out += [lg.get_title().get_text()] + [t.get_text() for t in lg.get_texts()]
    return out


def test_examples_are_the_standard_set(examples: list[Path], network: Network, store: ox.Store) -> None:
    names = {p.name for p in examples}
    relations = [e for e in network.relations() if e != STATEMENTS]
    assert {"commands", "guards", "designatesAsTerrorist"} <= set(relations)
    people = [e for e in entity_index(store) if e.type == "Person"]
    top = sorted(people, key=lambda e: (-e.mentions, e.label))[0]
    expected = ["graph"] + [f"relation-{r.kebab(rel)}" for rel in relations] + [f"ego-{top.iri.rsplit('/', 1)[1]}"]
    assert names == {f"{stem}.{fmt}" for stem in expected for fmt in ("png", "svg")}
    assert "relation-guards.svg" in names and "relation-designates-as-terrorist.png" in names
    for p in examples:
        data = p.read_bytes()
        if p.suffix == ".png":
            assert data.startswith(PNG)
        else:
            assert ET.fromstring(data).tag.endswith("svg")


def test_rendering_is_deterministic(seed_build: Path, examples: list[Path], tmp_path: Path) -> None:
    again = r.render(seed_build, out=tmp_path)  # the whole graph
    again += r.render(seed_build, out=tmp_path, relation="guards")
    first = {p.name: p for p in examples}
    assert [p.name for p in again] == ["graph.png", "graph.svg", "relation-guards.png", "relation-guards.svg"]
    for p in again:
        assert p.read_bytes() == first[p.name].read_bytes(), p.name


@pytest.mark.parametrize("view", ["whole", "ego"])
def test_seed_diagrams_have_no_overlapping_or_clipped_text(network: Network, store: ox.Store, view: str) -> None:
    if view == "whole":
        d = r.whole(network)
    else:
        d = r.ego_diagram(network, [next(e.iri for e in entity_index(store) if e.label == "Recep Tayyip Erdogan")], 2)
    fig = r.draw(d)
    assert r.label_overlaps(fig) == []


def test_diagram_says_what_it_shows(network: Network) -> None:
    fig = r.draw(r.whole(network))
    shown = texts(fig)
    assert shown[0].startswith("Who is linked to whom in 2 articles: ")
    legend = set(shown)
    assert {"Entities", "Links", "Person", "Organization", "Country"} <= legend
    assert {"commands", "guards", "designates as terrorist", "statements: speaker → entity named"} <= legend
    assert "dashed: only claimed in a statement" in legend  # the seeds' guarding is told by officials
    foot = next(t for t in shown if t.startswith("Sources: "))
    for article in network.articles.values():
        assert article.file in foot.replace("\n", " ")
    edge_labels = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "edge-label"]
    assert any(t.get_text().startswith("statements: ") for t in edge_labels)  # collapsed, with a count
    assert any(t.get_text() == "designates as terrorist" for t in edge_labels)


def test_statements_can_be_hidden(store: ox.Store) -> None:
    net = entity_network(store, statements=False)
    assert net.edges and all(e.relation != STATEMENTS for e in net.edges)
    with_st = entity_network(store)
    assert any(e.relation == STATEMENTS and e.count > 1 for e in with_st.edges)


def test_parallel_edges_are_collapsed(network: Network) -> None:
    keys = [e.key for e in network.edges]
    assert len(keys) == len(set(keys))
    trump = next(n for n in network.nodes.values() if n.label == "Donald Trump")
    said = [e for e in network.edges if e.source == trump.id and e.relation == STATEMENTS]
    assert said and all(e.label == f"statements: {e.count}" for e in said)


def test_ego_network(network: Network, store: ox.Store) -> None:
    erdogan = next(e.iri for e in entity_index(store) if e.label == "Recep Tayyip Erdogan")
    d = r.ego_diagram(network, [erdogan], 1)
    assert d.stem == "ego-recep_tayyip_erdogan"
    assert d.title.startswith("Ego network of Recep Tayyip Erdogan: everything within 1 link")
    assert erdogan in d.network.nodes
    g = nx.Graph([(e.source, e.target) for e in d.network.edges])
    assert all(nx.shortest_path_length(g, erdogan, n) <= 1 for n in d.network.nodes)


def test_unknown_entity(seed_build: Path, tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"^no entity named 'Nobody'; try one of: \w"):
        r.render(seed_build, out=tmp_path, entity="Nobody")
    proc = run_kg("render", str(seed_build), "--entity", "Erdgan", "--out", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.startswith("kg: no entity named 'Erdgan'; try one of: ")
    assert "Recep Tayyip Erdogan" in proc.stderr and proc.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_cli_render_relation(seed_build: Path, tmp_path: Path) -> None:
    proc = run_kg("render", str(seed_build), "--relation", "guards", "--format", "svg", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{tmp_path / 'relation-guards.svg'}\n"
    proc = run_kg("render", str(seed_build), "--relation", "bombs", "--out", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.startswith("kg: no relation named 'bombs'; the relations are: ")


def test_query_result_as_edges(store: ox.Store) -> None:
    spo = run(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(?p IN (kgo:commands, kgo:memberOf)) }")
    d = r.query_diagram(store, spo, title="Command and membership", stem="q")
    assert {e.relation for e in d.network.edges} == {"commands", "memberOf"}
    construct = run(store, "CONSTRUCT { ?a kgo:guards ?b . ?a rdfs:label ?l } WHERE { ?a kgo:guards ?b ; rdfs:label ?l }")
    d = r.query_diagram(store, construct, title="Guards", stem="q")
    assert {e.relation for e in d.network.edges} == {"guards"}
    assert any("literal values" in n for n in d.network.notes)  # the labels are values, not links
    # two columns of entity names are enough
    named = run(store, "SELECT ?who ?whom WHERE { ?a kgo:guards ?b . ?a rdfs:label ?who . ?b rdfs:label ?whom }")
    d = r.query_diagram(store, named, title="Guards", stem="q")
    assert {e.relation for e in d.network.edges} == {"who → whom"}
    assert {n.type for n in d.network.nodes.values()} <= {"Organization", "Group", "Location", "Person"}
    quotes = run(store, "SELECT ?q WHERE { ?st kgo:quote ?q }")
    with pytest.raises(KgError, match="^the query result has fewer than two columns of entities to link"):
        r.query_diagram(store, quotes, title="x", stem="q")


def test_render_named_query(seed_build: Path, tmp_path: Path) -> None:
    paths = r.render(seed_build, out=tmp_path, query_name="who-designates-whom", formats="png")
    assert [p.name for p in paths] == ["query-who-designates-whom.png"]


def synthetic(n: int, m: int) -> Network:
    g = nx.gnm_random_graph(n, m, seed=7)
    types = ["Person", "Organization", "Country", "Location", "Group"]
    rels = ["attacks", "commands", "guards", "memberOf", STATEMENTS]
    words = ["Alpha", "Bravo Brigade", "Charlie", "Delta Force", "Ministry of Defence", "Hotel", "India"]
    nodes = {f"n{i:03d}": Node(f"n{i:03d}", f"{words[i % 7]} {i}", types[i % 5], mentions=i % 9) for i in g}
    edges = [Edge(f"n{u:03d}", f"n{v:03d}", rels[(u + v) % 5], count=1 + (u * v) % 3) for u, v in g.edges]
    return Network(nodes, edges)


def test_150_nodes_without_overlapping_labels() -> None:
    fig = r.draw(r.Diagram(synthetic(150, 210), "150 nodes", "big"))
    assert r.label_overlaps(fig) == []
    assert not any("not shown" in t for t in texts(fig))


def test_beyond_the_limit_the_least_connected_are_left_out(network: Network) -> None:
    big = synthetic(170, 240)
    kept = r._trim(big, 150)
    assert len(kept.nodes) == 150
    deg = big.degree()
    assert min(deg[n] for n in kept.nodes) >= max(deg[n] for n in big.nodes if n not in kept.nodes)
    assert kept.notes[-1].startswith("20 nodes not shown (least connected): ")
    fig = r.draw(r.whole(network), max_nodes=8)
    caption = next(t for t in texts(fig) if "not shown (least connected)" in t)
    assert f"{len(network.nodes) - 8} nodes not shown (least connected): " in caption.replace("\n", " ")
    assert r.label_overlaps(fig) == []
