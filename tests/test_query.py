"""kg query: SPARQL in, rows out; the named queries of queries/ on the seed graph."""
from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import QueryError
from kg.query import (
    QUERIES_DIR,
    Format,
    Result,
    bind,
    entity_index,
    format_result,
    load_named,
    named_queries,
    placeholders,
    resolve_entity,
    run,
    run_named,
    table,
)
from kg.store import open_source

from .conftest import run_kg

NAMES = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
HEADERS = {
    "who-said-what": ["speaker", "on_record", "quote", "about", "article"],
    "statements-by": ["speaker", "quote", "mode", "cue", "about", "article"],
    "who-guards-whom": ["guard", "guarded", "claimed_by", "evidence", "article"],
    "who-designates-whom": ["designator", "designated", "claimed_by", "evidence", "article"],
    "who-attacked-whom": ["attacker", "target", "claimed_by", "evidence", "article"],
    "chain-of-command": ["commander", "subordinate", "levels"],
    "facts-about": ["subject", "relation", "object", "claimed_by", "evidence", "article"],
    "articles-behind": ["subject", "relation", "object", "article", "title", "sentences", "in_own_voice",
                        "claimed_by"],
    "entities-by-mentions": ["entity", "type", "sentences", "articles", "statements"],
    "disagreeing-statements": ["subject", "speaker_a", "number_a", "quote_a", "speaker_b", "number_b", "quote_b"],
}


@pytest.fixture(scope="module")
def store(seed_build: Path) -> ox.Store:
    return open_source(seed_build)


@pytest.fixture(scope="module")
def label(store: ox.Store):
    """The label the graph gives the entity a name or alias stands for, as rows show it."""
    index = entity_index(store)
    labels = {e.iri: e.label for e in index}

    def of(name: str) -> str:
        iris = resolve_entity(store, name, index=index)
        assert len(iris) == 1, f"{name!r} names {iris}"
        return labels[iris[0]]

    return of


def rows(store: ox.Store, name: str, **params: str) -> list[dict[str, str]]:
    return run_named(store, name, params=params).records()


# --- the library of named queries --------------------------------------------


def test_every_query_is_listed_and_tested() -> None:
    assert sorted(HEADERS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_query_file_header(name: str) -> None:
    q = load_named(name)
    assert q.name == name == q.path.stem
    assert q.answers.endswith((".", "?", ")")) and len(q.answers) > 30
    # every declared parameter has its placeholders (a query may repeat one), and every placeholder is declared
    assert sorted(p.name for p in q.params) == sorted(set(placeholders(q.text)))


@pytest.mark.parametrize("name", NAMES)
def test_query_orders_by_every_column(name: str) -> None:
    """Deterministic output: ORDER BY names every projected variable."""
    text = re.sub(r"#.*", "", load_named(name).text)
    head = re.search(r"^SELECT\s+(DISTINCT\s+)?(.*?)\s*$", text, re.M).group(2)  # the outermost SELECT
    projected = re.findall(r"\?(\w+)", re.sub(r"\(.*?\bAS\s+(\?\w+)\)", r"\1", head))
    order = re.search(r"ORDER BY (.*)$", text.strip(), re.S).group(1)
    ordered = re.findall(r"\?(\w+)", order)
    # a sort key computed from a column, in the same order, stands for it
    keys = dict(re.findall(r'BIND\(CONCAT\("~", \?(\w+)\) AS \?(\w+)\)', text))
    ordered += [column for column, key in keys.items() if key in ordered]
    assert projected and set(projected) <= set(ordered)


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_with_exact_columns(store: ox.Store, name: str) -> None:
    q = load_named(name)
    params = {p.name: "Turkey" for p in q.params if p.required}
    first = run_named(store, name, params=params)
    assert list(first.variables) == HEADERS[name]
    assert run_named(store, name, params=params).rows == first.rows  # same graph, same rows


def test_who_said_what_sales(store: ox.Store, label) -> None:
    got = rows(store, "who-said-what", entity="Sales")
    assert any(r["speaker"] == label("Nathan Sales") and "prison breaks" in r["quote"] for r in got)
    # by Sales or naming Sales: nothing else
    assert all(r["speaker"] == label("Nathan Sales") or label("Nathan Sales") in r["about"] for r in got)


def test_who_said_what_trump(store: ox.Store, label) -> None:
    got = rows(store, "who-said-what", entity="Trump")
    trump = [r for r in got if r["speaker"] == label("Trump")]
    assert any("a small number" in r["quote"] for r in trump)
    assert {r["on_record"] for r in trump} == {"yes"}
    assert got == sorted(got, key=lambda r: r["speaker"])  # sorted by speaker first


def test_who_said_what_marks_unnamed_sources_off_the_record(store: ox.Store) -> None:
    got = rows(store, "who-said-what")
    off = [r for r in got if r["on_record"] == "no"]
    assert off, "the seeds quote unnamed officials"
    types = {e.label: e.type for e in entity_index(store)}
    assert {types[r["speaker"]] for r in off} == {"Group"}
    assert {r["on_record"] for r in got} == {"yes", "no"}


def test_statements_by(store: ox.Store, label) -> None:
    got = rows(store, "statements-by", entity="Trump")
    assert got and {r["speaker"] for r in got} == {label("Trump")}
    assert any("a small number" in r["quote"] for r in got)
    assert {r["mode"] for r in got} <= {"direct", "reported"}


def test_who_guards_whom(store: ox.Store, label) -> None:
    got = rows(store, "who-guards-whom")
    assert label("SDF") in {r["guard"] for r in got}
    assert all(r["evidence"] and r["article"].endswith(".txt") for r in got)


def test_who_designates_whom(store: ox.Store, label) -> None:
    got = rows(store, "who-designates-whom")
    assert (label("Turkey"), label("YPG")) in {(r["designator"], r["designated"]) for r in got}


def test_who_attacked_whom(store: ox.Store, label) -> None:
    got = rows(store, "who-attacked-whom", entity="Turkey")
    pairs = {(r["attacker"], r["target"], r["claimed_by"]) for r in got}
    # the headline's own words: "Turkey invades Syria"
    assert (label("Turkey"), label("Syria"), "") in pairs
    assert all(label("Turkey") in (r["attacker"], r["target"]) for r in got)


def test_claims_are_marked(store: ox.Store) -> None:
    """A relation read inside someone's words names them in claimed_by."""
    got = rows(store, "who-guards-whom") + rows(store, "who-attacked-whom")
    claimed = [r for r in got if r["claimed_by"]]
    assert claimed, "the seeds report relations in quotes (the SDF on Turkish strikes, officials on guarding)"
    speakers = {r["speaker"] for r in rows(store, "who-said-what")}
    assert {r["claimed_by"] for r in claimed} <= speakers


def test_chain_of_command(store: ox.Store, label) -> None:
    got = rows(store, "chain-of-command")
    assert (label("Mazloum Kobani"), label("YPG"), "1") in {(r["commander"], r["subordinate"], r["levels"]) for r in got}
    assert all(int(r["levels"]) >= 1 for r in got)


def test_chain_of_command_follows_links() -> None:
    """Two levels down through a commanded unit and a member unit."""
    store = ox.Store()
    store.load(
        """@prefix kgo: <https://w3id.org/newskg/ontology#> . @prefix kgr: <https://w3id.org/newskg/resource/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        kgr:a a kgo:Person ; rdfs:label "General A" ; kgo:commands kgr:b .
        kgr:b a kgo:Organization ; rdfs:label "Army B" ; kgo:commands kgr:c .
        kgr:d a kgo:Organization ; rdfs:label "Brigade D" ; kgo:memberOf kgr:c .
        kgr:c a kgo:Organization ; rdfs:label "Corps C" .""",
        format=ox.RdfFormat.TURTLE,
    )
    got = [(r["commander"], r["subordinate"], r["levels"]) for r in run_named(store, "chain-of-command").records()]
    assert got == [
        ("Army B", "Corps C", "1"), ("Army B", "Brigade D", "2"),
        ("General A", "Army B", "1"), ("General A", "Corps C", "2"), ("General A", "Brigade D", "3"),
    ]


def test_facts_about(store: ox.Store, label) -> None:
    got = rows(store, "facts-about", entity="Turkey")
    assert (label("Turkey"), "designatesAsTerrorist", label("YPG")) in {
        (r["subject"], r["relation"], r["object"]) for r in got
    }
    assert all(label("Turkey") in (r["subject"], r["object"]) and r["evidence"] for r in got)


def test_articles_behind(store: ox.Store, label) -> None:
    got = rows(store, "articles-behind", subject="Turkey", relation="designatesAsTerrorist", object="YPG")
    assert [(r["subject"], r["relation"], r["object"]) for r in got] == [
        (label("Turkey"), "designatesAsTerrorist", label("YPG"))
    ] * len(got)
    assert any(r["in_own_voice"] == "yes" and int(r["sentences"]) >= 1 and r["title"] for r in got)


def test_entities_by_mentions(store: ox.Store, label) -> None:
    got = rows(store, "entities-by-mentions")
    counts = [int(r["sentences"]) for r in got]
    assert counts == sorted(counts, reverse=True)
    assert label("Turkey") in [r["entity"] for r in got[:5]]
    people = rows(store, "entities-by-mentions", type="Person")
    assert people and {r["type"] for r in people} == {"Person"}
    assert label("Trump") in {r["entity"] for r in people}


TYPED_TWICE = """
@prefix kgo: <https://w3id.org/newskg/ontology#> . @prefix kgr: <https://w3id.org/newskg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
kgr:entities { kgr:bp a kgo:Organization ; rdfs:label "Border Patrol" . }
kgr:article_a { kgr:bp a kgo:Person ; skos:altLabel "the Patrol" ; kgo:mentionedIn kgr:article_a .
  kgr:article_a_s0 a kgo:Sentence ; kgo:mentions kgr:bp . }
kgr:article_b { kgr:bp a kgo:Organization ; kgo:mentionedIn kgr:article_b .
  kgr:article_b_s0 a kgo:Sentence ; kgo:mentions kgr:bp . kgr:article_b_s1 a kgo:Sentence ; kgo:mentions kgr:bp . }
"""


def test_an_entity_typed_differently_by_articles_is_counted_once() -> None:
    """kgr:entities gives the type; the article graphs' own types do not add rows."""
    store = ox.Store()
    store.load(TYPED_TWICE.encode(), format=ox.RdfFormat.TRIG)
    got = [(r["entity"], r["type"], r["sentences"], r["articles"]) for r in run_named(store, "entities-by-mentions").records()]
    assert got == [("Border Patrol", "Organization", "3", "2")]
    assert run_named(store, "entities-by-mentions", params={"type": "Person"}).rows == ()
    [e] = entity_index(store)
    assert (e.type, e.names, e.mentions) == ("Organization", ("Border Patrol", "the Patrol"), 3)
    assert resolve_entity(store, "the patrol") == ["https://w3id.org/newskg/resource/bp"]


def test_a_parameter_fills_every_placeholder_of_its_name(store: ox.Store, label) -> None:
    q = load_named("articles-behind")
    assert placeholders(q.text).count("subject") == 2
    text = bind(store, q.text, {"subject": "Trump"}, declared=q.params)
    assert "subject" not in placeholders(text)
    got = rows(store, "articles-behind", subject="Trump")
    assert got and {r["subject"] for r in got} == {label("Trump")}
    # the claims part is bound too: only Trump's facts can carry a claimed_by
    everything = {(r["relation"], r["object"], r["article"]): r["claimed_by"] for r in rows(store, "articles-behind")
                  if r["subject"] == label("Trump")}
    assert {(r["relation"], r["object"], r["article"]): r["claimed_by"] for r in got} == everything


def test_disagreeing_statements_on_seeds(store: ox.Store) -> None:
    for r in rows(store, "disagreeing-statements"):
        assert r["speaker_a"] != r["speaker_b"]
        assert r["number_a"] in r["quote_a"] and r["number_b"] in r["quote_b"]
        assert float(r["number_a"].replace(",", "")) != float(r["number_b"].replace(",", ""))


DISAGREEMENT = """
@prefix kgo: <https://w3id.org/newskg/ontology#> . @prefix kgr: <https://w3id.org/newskg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kgr:esper a kgo:Person ; rdfs:label "Mark Esper" . kgr:trump a kgo:Person ; rdfs:label "Donald Trump" .
kgr:jeffrey a kgo:Person ; rdfs:label "James Jeffrey" .
kgr:prisoners a kgo:Group ; rdfs:label "ISIS prisoners" .
kgr:s1 a kgo:Statement ; kgo:attributedTo kgr:esper ; kgo:mentions kgr:prisoners ;
    kgo:quote "a little bit more than 100 ISIS prisoners have escaped" .
kgr:s2 a kgo:Statement ; kgo:attributedTo kgr:trump ; kgo:mentions kgr:prisoners ;
    kgo:quote "only 1,000 of the ISIS prisoners got out, and 12 were recaptured" .
kgr:s3 a kgo:Statement ; kgo:attributedTo kgr:jeffrey ; kgo:mentions kgr:prisoners ;
    kgo:quote "the number of ISIS prisoners is now over 100" .
"""


def test_disagreeing_statements_finds_different_numbers() -> None:
    store = ox.Store()
    store.load(DISAGREEMENT, format=ox.RdfFormat.TURTLE)
    got = [(r["subject"], r["speaker_a"], r["number_a"], r["speaker_b"], r["number_b"])
           for r in run_named(store, "disagreeing-statements").records()]
    # Esper and Jeffrey agree (100); Trump's first number, 1,000, differs from both
    assert got == [
        ("ISIS prisoners", "Donald Trump", "1,000", "James Jeffrey", "100"),
        ("ISIS prisoners", "Donald Trump", "1,000", "Mark Esper", "100"),
    ]


# --- parameters ---------------------------------------------------------------


def test_entity_names_match_labels_aliases_and_words(store: ox.Store) -> None:
    assert resolve_entity(store, "Erdogan") == ["https://w3id.org/newskg/resource/recep_tayyip_erdogan"]
    assert resolve_entity(store, "president donald trump") == resolve_entity(store, "TRUMP")
    assert resolve_entity(store, "kgr:turkey") == ["https://w3id.org/newskg/resource/turkey"]


def test_unknown_entity_suggests_names(store: ox.Store) -> None:
    with pytest.raises(QueryError, match=r"^no entity named 'Nobody'; try one of: \w"):
        run_named(store, "facts-about", params={"entity": "Nobody"})
    with pytest.raises(QueryError, match=r"^no entity named 'Erdgan'; try one of: .*Erdogan"):
        run_named(store, "facts-about", params={"entity": "Erdgan"})


def test_ambiguous_entity_lists_candidates(store: ox.Store) -> None:
    with pytest.raises(QueryError, match=r"^'fighters' could be any of: .*ISIS fighters.*; give one of these names$"):
        run_named(store, "facts-about", params={"entity": "fighters"})


def test_missing_and_unknown_parameters(store: ox.Store) -> None:
    with pytest.raises(QueryError, match=r"^query 'facts-about' needs --param entity=VALUE: a name or alias"):
        run_named(store, "facts-about")
    with pytest.raises(QueryError, match=r"^query 'who-said-what' has no parameter 'speeker'; it takes entity$"):
        run_named(store, "who-said-what", params={"speeker": "Trump"})


def test_unknown_query_lists_names() -> None:
    with pytest.raises(QueryError, match=r"^no query named 'who-said'; did you mean 'who-said-what'\? available: "):
        load_named("who-said")
    assert set(named_queries()) == set(NAMES)


def test_parameters_cannot_break_out_of_the_query(store: ox.Store) -> None:
    hostile = 'Person" } } SELECT * WHERE { ?s ?p ?o } #'
    assert run_named(store, "entities-by-mentions", params={"type": hostile}).rows == ()
    with pytest.raises(QueryError, match="^no entity named"):
        run_named(store, "who-said-what", params={"entity": "Nobody> } UNION { ?s ?p ?o } #"})
    # a name that resolves binds the IRI, never the text around it
    trump = run_named(store, "who-said-what", params={"entity": "Trump> } UNION { ?s ?p ?o } #"})
    assert trump.rows == run_named(store, "who-said-what", params={"entity": "Trump"}).rows


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_text_parameters_arrive_verbatim(text: str) -> None:
    """Whatever the user types is the literal the query sees."""
    got = run(ox.Store(), "SELECT ?x WHERE { VALUES ?x { UNDEF } }", params={"x": text})
    assert got.rows == ((ox.Literal(text),),)


# --- errors -------------------------------------------------------------------


def test_syntax_error_names_line_column_and_text(store: ox.Store) -> None:
    with pytest.raises(QueryError) as e:
        run(store, "SELECT ?s\nWHERE { ?s kgo:states ?st ; kgo:quote }")
    msg = str(e.value)
    assert msg.startswith("SPARQL syntax error at line 2, column ")
    assert '"}"' in msg or "kgo:quote" in msg
    assert "\n" not in msg and "[" not in msg  # one line, no character classes


def test_unknown_prefix(store: ox.Store) -> None:
    with pytest.raises(QueryError, match=r"^SPARQL syntax error at line 1, column \d+: unknown prefix 'foaf:'; "
                                         r"declare it with PREFIX foaf: <\.\.\.> or use one of kgo:, kgr:"):
        run(store, "SELECT ?p WHERE { ?p a foaf:Person }")


def test_predeclared_prefixes(store: ox.Store) -> None:
    q = """ASK { ?e a kgo:Person ; owl:sameAs ?w ; rdfs:label ?l .
                 FILTER(STRSTARTS(STR(?w), STR(wd:)) && STR(prov:) != STR(schema:) && STR(skos:) != "") }"""
    assert run(store, q).boolean is True


def test_timeout_stops_a_runaway_query(seed_build: Path) -> None:
    start = time.monotonic()
    with pytest.raises(QueryError, match=r"^query timed out after 1 s; narrow it with LIMIT or a more specific pattern$"):
        run(seed_build, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", timeout=1)
    assert time.monotonic() - start < 8


def test_timeout_returns_the_same_rows(seed_build: Path, store: ox.Store) -> None:
    q = load_named("who-designates-whom")
    assert run(seed_build, q.text, timeout=30).rows == run(store, q.text).rows


# --- formats ------------------------------------------------------------------


def test_formats(store: ox.Store) -> None:
    result = run_named(store, "who-designates-whom")
    as_json = json.loads(format_result(result, Format.JSON))
    assert as_json["head"]["vars"] == HEADERS["who-designates-whom"]
    assert len(as_json["results"]["bindings"]) == len(result.rows)
    parsed = ox.parse_query_results(format_result(result, "json"), format=ox.QueryResultsFormat.JSON)
    assert [tuple(s[v] for v in HEADERS["who-designates-whom"]) for s in parsed] == list(result.rows)
    as_csv = list(csv.reader(io.StringIO(format_result(result, "csv"))))
    assert as_csv[0] == HEADERS["who-designates-whom"] and len(as_csv) == len(result.rows) + 1
    as_tsv = format_result(result, "tsv").splitlines()
    assert as_tsv[0].split("\t") == HEADERS["who-designates-whom"]
    with pytest.raises(QueryError, match="^turtle is for CONSTRUCT or DESCRIBE results"):
        format_result(result, "turtle")


def test_construct_as_turtle(store: ox.Store) -> None:
    result = run(store, "CONSTRUCT { ?a kgo:designatesAsTerrorist ?b } WHERE { ?a kgo:designatesAsTerrorist ?b }")
    assert result.kind == "graph" and result.triples
    ttl = format_result(result, "turtle")
    assert "@prefix kgo:" in ttl and "kgr:turkey" in ttl
    assert len(list(ox.parse(ttl, format=ox.RdfFormat.TURTLE))) == len(result.triples)


def test_table_aligns_and_cuts() -> None:
    result = Result("select", ("name", "n"), ((ox.Literal("a" * 80), ox.Literal("7", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer"))), (ox.NamedNode("https://w3id.org/newskg/resource/x"), None)))
    text, cut = table(*result.as_rows(), max_width=20)
    lines = text.splitlines()
    assert cut and lines[0].startswith("name") and lines[2] == "a" * 19 + "…" + "  7"
    assert lines[3].rstrip() == "kgr:x"


# --- the command line ---------------------------------------------------------


def test_cli_named_query(seed_build: Path) -> None:
    proc = run_kg("query", str(seed_build), "--name", "who-said-what", "--param", "entity=Sales")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split() == HEADERS["who-said-what"]
    assert "prison breaks" in proc.stdout


def test_cli_errors_are_one_line(seed_build: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x\nWHERE { ?x kgo:states }\n")
    for args, start in [
        (["--file", str(bad)], "kg: SPARQL syntax error at line 2, column"),
        (["--name", "nope"], "kg: no query named 'nope'"),
        (["--name", "facts-about"], "kg: query 'facts-about' needs --param entity=VALUE"),
        (["--name", "facts-about", "--param", "entity=Nobody"], "kg: no entity named 'Nobody'; try one of: "),
    ]:
        proc = run_kg("query", str(seed_build), *args)
        assert proc.returncode == 2 and proc.stderr.startswith(start), (args, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    proc = run_kg("query", str(tmp_path / "missing"), "SELECT * {}")
    assert proc.returncode == 2 and proc.stderr == f"kg: {tmp_path / 'missing'}: no such graph file or folder\n"


def test_cli_list() -> None:
    proc = run_kg("query", "--list")
    assert proc.returncode == 0
    listed = [line.split()[0] for line in proc.stdout.splitlines() if line and not line.startswith(" ")]
    assert listed == NAMES


def test_docs_show_every_query() -> None:
    doc = (QUERIES_DIR.parent / "docs" / "queries.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"\n## {name}\n" in doc and f"$ kg query outputs/ --name {name}" in doc, name
