"""The ontology's terms as a typed namespace: a misspelt term fails at import.

`ontology/kg.ttl` is the single source of the vocabulary; a test checks that
this class and the ontology define the same terms.
"""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

ONTOLOGY = "https://w3id.org/newskg/ontology#"
RESOURCE = "https://w3id.org/newskg/resource/"
KGR = Namespace(RESOURCE)
WD = Namespace("http://www.wikidata.org/entity/")
SCHEMA = Namespace("http://schema.org/")


class KGO(DefinedNamespace):
    _fail = True
    _NS = Namespace(ONTOLOGY)

    # classes
    Entity: URIRef
    Person: URIRef
    Organization: URIRef
    Country: URIRef
    Location: URIRef
    Group: URIRef
    Article: URIRef
    Sentence: URIRef
    Statement: URIRef
    Assertion: URIRef
    SpeechMode: URIRef
    DirectSpeech: URIRef
    ReportedSpeech: URIRef
    # relations between entities
    relatedTo: URIRef
    commands: URIRef
    guards: URIRef
    designatesAsTerrorist: URIRef
    memberOf: URIRef
    attacks: URIRef
    withdrawsFrom: URIRef
    # statements
    states: URIRef
    attributedTo: URIRef
    quote: URIRef
    cue: URIRef
    speechMode: URIRef
    mentions: URIRef
    claimedIn: URIRef
    statedOn: URIRef
    # provenance
    evidence: URIRef
    rule: URIRef
    confidence: URIRef
    startOffset: URIRef
    endOffset: URIRef
    text: URIRef
    inArticle: URIRef
    mentionedIn: URIRef
    title: URIRef
    sourceFile: URIRef
    sha256: URIRef


PREFIXES = {
    "kgo": ONTOLOGY,
    "kgr": RESOURCE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "wd": "http://www.wikidata.org/entity/",
}
