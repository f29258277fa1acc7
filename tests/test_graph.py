"""The RDF the build writes: ontology, shapes, determinism, provenance by SPARQL."""
from __future__ import annotations

import re
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.compare import isomorphic

from kg.vocab import KGO, ONTOLOGY

from .conftest import ROOT, SEEDS, run_kg

REQUIRED_CLASSES = ["Person", "Organization", "Country", "Location", "Group", "Article", "Statement"]
REQUIRED_PROPERTIES = ["states", "quote", "commands", "guards", "designatesAsTerrorist", "memberOf", "attacks", "withdrawsFrom"]


def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "kg.ttl", format="turtle")


def test_ontology_defines_the_contract_terms_with_label_comment_domain_range() -> None:
    g = ontology()
    for name in REQUIRED_CLASSES:
        term = URIRef(ONTOLOGY + name)
        assert (term, RDF.type, OWL.Class) in g, name
        assert g.value(term, RDFS.label) and g.value(term, RDFS.comment), name
    for name in REQUIRED_PROPERTIES:
        term = URIRef(ONTOLOGY + name)
        for p in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range):
            assert g.value(term, p) is not None, f"kgo:{name} lacks {p}"


def test_typed_namespace_and_ontology_name_the_same_terms() -> None:
    g = ontology()
    defined = {str(s)[len(ONTOLOGY):] for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY)}
    in_code = {n for n in KGO.__annotations__}
    assert defined == in_code


def test_build_conforms_to_the_shapes(seed_build: Path) -> None:
    proc = run_kg("validate", str(seed_build / "graph.trig"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "conforms" in proc.stdout


def test_validate_reports_violations_readably(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix kgo: <https://w3id.org/newskg/ontology#> .\n"
        "<https://w3id.org/newskg/resource/x> a kgo:Statement ; kgo:confidence 1.5 .\n"
    )
    proc = run_kg("validate", str(bad))
    assert proc.returncode == 1
    assert "kgr:x" in proc.stdout and "quote" in proc.stdout and "Traceback" not in proc.stderr


def test_validate_names_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.trig"
    bad.write_text("<a> <b> .\n")
    proc = run_kg("validate", str(bad))
    assert proc.returncode == 2 and "broken.trig" in proc.stderr and "Traceback" not in proc.stderr


def test_same_input_same_bytes(tmp_path: Path, seed_build: Path) -> None:
    again = tmp_path / "again"
    run_kg("build", str(SEEDS), "--out", str(again), check=True)
    for name in ("graph.trig", "graph.ttl"):
        assert (again / name).read_bytes() == (seed_build / name).read_bytes(), name


def test_each_article_is_its_own_named_graph(seed_dataset) -> None:
    names = {str(g.identifier) for g in seed_dataset.graphs()}
    for f in SEEDS.glob("*.txt"):
        assert f"https://w3id.org/newskg/resource/article_{f.stem}" in names
    assert "https://w3id.org/newskg/resource/entities" in names


def test_one_node_per_entity_across_articles(seed_dataset) -> None:
    q = """SELECT ?e (COUNT(DISTINCT ?a) AS ?n) WHERE { ?e kgo:mentionedIn ?a } GROUP BY ?e HAVING (COUNT(DISTINCT ?a) > 1)"""
    shared = {str(r[0]).rsplit("/", 1)[1] for r in seed_dataset.query(q, initNs={"kgo": KGO._NS})}
    assert {"donald_trump", "turkey", "syria", "isis", "state_department", "syrian_democratic_forces"} <= shared
    labels = seed_dataset.query("SELECT ?e (COUNT(?l) AS ?n) WHERE { ?e rdfs:label ?l } GROUP BY ?e HAVING (COUNT(?l) > 1)")
    assert len(labels) == 0


EVIDENCE = """
SELECT ?s ?o ?text ?start ?end ?article ?rule ?conf WHERE {
  ?a a kgo:Assertion ; rdf:subject ?s ; rdf:predicate kgo:memberOf ; rdf:object ?o ;
     kgo:evidence ?sent ; kgo:rule ?rule ; kgo:confidence ?conf .
  ?sent kgo:text ?text ; kgo:startOffset ?start ; kgo:endOffset ?end ; kgo:inArticle ?article .
  ?s rdfs:label "Nathan Sales" .
}"""


def test_every_fact_traces_to_article_sentence_and_offsets(seed_dataset) -> None:
    rows = list(seed_dataset.query(EVIDENCE, initNs={"kgo": KGO._NS}))
    assert rows, "Sales memberOf State Department has no evidence"
    s, o, text, start, end, art, rule, conf = rows[0]
    source = (SEEDS / "000_7adc603aba545191.txt").read_text(encoding="utf-8")
    assert source[int(start) : int(end)] == str(text)
    assert "counterterrorism coordinator" in str(text)
    assert str(art).endswith("article_000_7adc603aba545191") and str(rule) and 0 < float(conf) <= 1
    # every assertion and statement has evidence
    missing = seed_dataset.query(
        "SELECT ?x WHERE { { ?x a kgo:Assertion } UNION { ?x a kgo:Statement } FILTER NOT EXISTS { ?x kgo:evidence ?s } }",
        initNs={"kgo": KGO._NS},
    )
    assert len(missing) == 0


def test_claims_stay_out_of_the_articles_own_facts(seed_dataset) -> None:
    q = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?a kgo:claimedIn ?st ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } }"
    rows = list(seed_dataset.query(q, initNs={"kgo": KGO._NS}))
    assert rows
    for g, s, p, o in rows:
        assert (s, p, o) in seed_dataset.graph(URIRef(f"{g}_claims"))
        own = seed_dataset.graph(g)
        # in the article's own graph only if the article also states it outside any quote
        if (s, p, o) in own:
            assert seed_dataset.query(
                "ASK { GRAPH ?g { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o FILTER NOT EXISTS { ?a kgo:claimedIn ?x } } }",
                initNs={"kgo": KGO._NS}, initBindings={"g": g, "s": s, "p": p, "o": o},
            ).askAnswer


def test_statement_quotes_come_from_the_source(seed_dataset) -> None:
    q = "SELECT ?q ?start ?end ?f WHERE { ?st kgo:quote ?q ; kgo:startOffset ?start ; kgo:endOffset ?end ; kgo:evidence/kgo:inArticle/kgo:sourceFile ?f }"
    rows = list(seed_dataset.query(q, initNs={"kgo": KGO._NS}))
    assert len(rows) > 20
    for quote, start, end, f in rows:
        source = (SEEDS / str(f)).read_text(encoding="utf-8")
        assert re.sub(r"\s+", " ", source[int(start) : int(end)]).strip() == str(quote)


def test_trig_and_ttl_hold_the_same_triples(seed_build: Path, seed_dataset) -> None:
    merged = Graph()
    for s, p, o, _ in seed_dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
    assert isomorphic(merged, Graph().parse(seed_build / "graph.ttl", format="turtle"))


def test_ntriples_written_by_kg_read_back_as_the_same_triples() -> None:
    """The store is handed kg's own N-Triples: every term of a real article, and
    text with the characters N-Triples escapes, must come back unchanged."""
    import pyoxigraph as ox
    from rdflib import Literal

    from kg.graph import article_triples, ntriples
    from kg.pipeline import extract_text
    from kg.store import to_ox

    text = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
    own, claims = article_triples(extract_text(text, stem="seed"))
    tricky = (URIRef(ONTOLOGY + "x"), RDFS.label, Literal('a "quoted" back\\slash,\nnew line\r and tab\t é'))
    triples = [*own, *claims, tricky]
    read = [q.triple for q in ox.parse(ntriples(triples).encode(), format=ox.RdfFormat.N_TRIPLES)]
    assert read == [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]


def test_ntriples_refuses_a_broken_iri() -> None:
    import pytest

    from kg.graph import ntriples

    with pytest.raises(ValueError, match="not an IRI"):
        ntriples([(URIRef(ONTOLOGY + "a b"), RDFS.label, URIRef(ONTOLOGY + "c"))])


def test_tokens_where_finds_the_tokens_a_loop_over_the_doc_finds() -> None:
    from spacy.attrs import LEMMA, LOWER, ORTH

    from kg.ingest import read_article
    from kg.nlp import parse_many, tokens_where

    doc = next(parse_many([read_article(sorted(SEEDS.glob("*.txt"))[0])])).doc
    cases = [
        (LEMMA, lambda t: t.lemma_, lambda s: s.lower() in {"say", "government", "tell"}),
        (LOWER, lambda t: t.lower_, "according".__eq__),
        (ORTH, lambda t: t.text, {"Trump", "SDF"}.__contains__),
    ]
    for attr, value, test in cases:
        expected = [t.i for t in doc if test(value(t))]
        assert expected, "the seed has these words"
        assert [t.i for t in tokens_where(doc, attr, test)] == expected
    assert list(tokens_where(doc, ORTH, lambda s: False)) == []
