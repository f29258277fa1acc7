"""Plain records passed between pipeline stages.

Every stage takes and returns these frozen dataclasses; spaCy objects stay in
`nlp` and `extract`, rdflib objects in `graph`, `store`, `query` and `render`.
Offsets are character indices into the decoded source file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class EntityType(str, Enum):
    PERSON = "Person"
    ORGANIZATION = "Organization"
    COUNTRY = "Country"
    LOCATION = "Location"
    GROUP = "Group"


class SpeechMode(str, Enum):
    DIRECT = "DirectSpeech"
    REPORTED = "ReportedSpeech"


RELATIONS = ("commands", "guards", "designatesAsTerrorist", "memberOf", "attacks", "withdrawsFrom")


@dataclass(frozen=True)
class Paragraph:
    """A kept block of body text: `text` is `source[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Article:
    stem: str  # file name without .txt: the article's identity
    source_file: str  # file name as given (no directories)
    sha256: str
    source: str  # the whole decoded file
    title: str
    paragraphs: tuple[Paragraph, ...]  # the title first, then the kept body


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    key: str  # slug of the canonical name; the IRI's last segment
    name: str
    type: EntityType
    wikidata: str | None = None
    # the key of the state or organisation this one acts for: "US troops" act for the
    # United States, "SDF fighters" for the SDF; relations lift the actor to it
    acts_for: str | None = None


@dataclass(frozen=True)
class Mention:
    """A stretch of text resolved to an entity."""

    start: int  # source offsets
    end: int
    text: str
    entity: str  # Entity.key
    sentence: int


@dataclass(frozen=True)
class Statement:
    speaker: str  # Entity.key
    on_record: bool  # False for unnamed sources: no kgo:states triple
    quote: str
    start: int
    end: int
    cue: str
    mode: SpeechMode
    sentences: tuple[int, ...]
    rule: str
    confidence: float
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relation:
    subject: str
    predicate: str  # one of RELATIONS
    object: str
    sentence: int
    rule: str
    confidence: float
    claimed_in: int | None = None  # index into ArticleGraph.statements


@dataclass(frozen=True)
class ArticleGraph:
    """Everything extracted from one article: the input of `graph.py`."""

    article: Article
    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...]
    mentions: tuple[Mention, ...]
    statements: tuple[Statement, ...] = ()
    relations: tuple[Relation, ...] = ()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> surface forms
