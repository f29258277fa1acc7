"""kg build: articles -> graph.trig and graph.ttl in an output folder."""
from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from .errors import KgError
from .graph import build_dataset
from .ingest import find_articles, read_article
from .model import Article, ArticleGraph
from .pipeline import extract_many
from .vocab import PREFIXES


@dataclass
class BuildReport:
    articles: int = 0
    errors: list[str] = field(default_factory=list)
    entities: Counter[str] = field(default_factory=Counter)
    statements: int = 0
    relations: Counter[str] = field(default_factory=Counter)
    triples: int = 0
    outputs: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        types = ", ".join(f"{n} {t}" for t, n in sorted(self.entities.items()))
        rels = ", ".join(f"{n} {p}" for p, n in sorted(self.relations.items())) or "none"
        return (
            f"{self.articles} articles, {sum(self.entities.values())} entities ({types or 'none'}), "
            f"{self.statements} statements, {sum(self.relations.values())} relations ({rels}), "
            f"{self.triples} triples -> {', '.join(str(p) for p in self.outputs)}"
        )


def load_articles(paths: Sequence[str | Path]) -> tuple[list[Article], list[str]]:
    files, errors = find_articles(paths)
    articles = []
    for f in files:
        try:
            articles.append(read_article(f))
        except KgError as e:
            errors.append(str(e))
    return articles, errors


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def union(ds: Dataset) -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def serialize(ds: Dataset) -> tuple[bytes, bytes]:
    trig = ds.serialize(format="trig", encoding="utf-8")
    ttl = union(ds).serialize(format="turtle", encoding="utf-8")
    return trig, ttl


def build(paths: Sequence[str | Path], out: str | Path) -> BuildReport:
    out = Path(out)
    report = BuildReport()
    articles, report.errors = load_articles(paths)
    if not articles:
        raise KgError("no article could be read" + (f": {report.errors[0]}" if report.errors else ""))
    graphs: list[ArticleGraph] = list(extract_many(articles))
    ds = build_dataset(graphs)
    trig, ttl = serialize(ds)
    for name, data in (("graph.trig", trig), ("graph.ttl", ttl)):
        write_atomic(out / name, data)
        report.outputs.append(out / name)
    report.articles = len(graphs)
    keys = {}
    for ag in graphs:
        for e in ag.entities:
            keys.setdefault(e.key, e.type.value)
        report.statements += len(ag.statements)
        report.relations.update(r.predicate for r in ag.relations)
    report.entities = Counter(keys.values())
    report.triples = len(ds)
    return report
