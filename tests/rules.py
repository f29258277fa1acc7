"""Helpers for table-driven rule tests: text in, named records out."""
from __future__ import annotations

from kg.model import ArticleGraph
from kg.pipeline import extract_text


def article(body: str, title: str = "World news") -> ArticleGraph:
    return extract_text(f"{title}\n\n{body}\n")


def names(ag: ArticleGraph) -> dict[str, str]:
    return {e.key: e.name for e in ag.entities}


def relations(ag: ArticleGraph, *, claims: bool = True) -> set[tuple[str, str, str]]:
    n = names(ag)
    return {(n[r.subject], r.predicate, n[r.object]) for r in ag.relations if claims or r.claimed_in is None}


def statements(ag: ArticleGraph) -> list[tuple[str, str, str, bool]]:
    """(speaker name, quote, mode, on the record) in text order."""
    n = names(ag)
    return [(n[s.speaker], s.quote, s.mode.value, s.on_record) for s in ag.statements]
