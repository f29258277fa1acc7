"""kg evaluate: score extraction against gold files in the shared format.

The matching rules are those of the reference scorer (shared/tools/score.py):
a graph node maps to the gold entities one of whose aliases equals one of its
labels (normalised), or whose Wikidata id it is sameAs; a relation counts when
subject and object map; a statement when its speaker maps and its quote shares
most of its words with the gold quote. Optional gold relations may be found
without counting as misses or false facts. Each article is built on its own.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import FOAF, SKOS

from .errors import InputError
from .graph import build_dataset
from .ingest import read_article
from .model import RELATIONS
from .pipeline import extract_many
from .vocab import ONTOLOGY

SCHEMA = ["http://schema.org/", "https://schema.org/"]
LABEL_PREDS = [RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name] + [
    URIRef(ns + n) for ns in SCHEMA for n in ("name", "alternateName")
]
SAME_PREDS = [OWL.sameAs] + [URIRef(ns + "sameAs") for ns in SCHEMA] + [URIRef(ONTOLOGY + "wikidata")]
PREDICATES = ("states", *RELATIONS)


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", str(s)).lower()
    s = s.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"[^\w\s.-]", " ", s)
    s = re.sub(r"\s+", " ", s).strip(" .-")
    s = re.sub(r"^(the|a|an) ", "", s)
    s = re.sub(r"^(mr|mrs|ms|dr)\.? ", "", s)
    return s


def toks(s: str) -> list[str]:
    return [t for t in re.findall(r"\w+", norm(s)) if t]


def quote_match(gold: str, found: str) -> bool:
    g, p = set(toks(gold)), set(toks(found))
    if not g or not p:
        return False
    inter = len(g & p)
    return inter / len(g) >= 0.6 and inter / len(p) >= 0.3


@dataclass
class Counts:
    tp: int = 0  # found facts that match a gold relation (optional ones included)
    pred: int = 0  # found facts
    found: int = 0  # required gold relations found
    gold: int = 0  # required gold relations

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / self.pred if self.pred else 0.0
        r = self.found / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class Scores:
    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    entities_gold: int = 0
    entities_found: int = 0
    entities_typed: int = 0
    details: list[str] = field(default_factory=list)

    def total(self) -> Counts:
        t = Counts()
        for p in PREDICATES:
            c = self.counts[p]
            t.tp += c.tp
            t.pred += c.pred
            t.found += c.found
            t.gold += c.gold
        return t

    def summary(self) -> dict[str, float]:
        p, r, f = self.total().prf()
        g = self.entities_gold
        return {
            "relations_p": p,
            "relations_r": r,
            "relations_f1": f,
            "states_f1": self.counts["states"].prf()[2],
            "entity_recall": self.entities_found / g if g else 0.0,
            "entity_typed": self.entities_typed / g if g else 0.0,
        }

    def table(self) -> str:
        lines = [f"{'predicate':24} {'P':>5} {'R':>5} {'F1':>5}  tp/pred found/gold"]
        for name in PREDICATES:
            c = self.counts[name]
            p, r, f = c.prf()
            lines.append(f"{name:24} {p:5.2f} {r:5.2f} {f:5.2f}  {c.tp}/{c.pred} {c.found}/{c.gold}")
        s = self.summary()
        lines.append(
            f"ALL P={s['relations_p']:.2f} R={s['relations_r']:.2f} F1={s['relations_f1']:.2f} "
            f"states_F1={s['states_f1']:.2f} entity_recall={s['entity_recall']:.2f} typed={s['entity_typed']:.2f}"
        )
        return "\n".join(lines)


def _as_list(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else list(v or [])


def node_mapper(g: Graph, gold: dict) -> Callable[[Any], frozenset[str]]:
    alias: dict[str, set[str]] = defaultdict(set)
    qid: dict[str, str] = {}
    for e in gold["entities"]:
        for a in [*e["aliases"], e["name"]]:
            alias[norm(a)].add(e["id"])
        if e.get("wikidata"):
            qid[e["wikidata"]] = e["id"]
    cache: dict[Any, frozenset[str]] = {}

    def m(node: Any) -> frozenset[str]:
        if node in cache:
            return cache[node]
        ids: set[str] = set()
        for lp in LABEL_PREDS:
            for lab in g.objects(node, lp):
                ids |= alias.get(norm(lab), set())
        for sp in SAME_PREDS:
            for o in g.objects(node, sp):
                q = str(o).rstrip("/").rsplit("/", 1)[-1]
                if q in qid:
                    ids.add(qid[q])
        if isinstance(node, URIRef) and not ids:
            local = re.split(r"[/#]", str(node))[-1].replace("_", " ")
            ids |= alias.get(norm(local), set())
        cache[node] = frozenset(ids)
        return cache[node]

    return m


def _label(g: Graph, x: Any) -> str:
    if isinstance(x, frozenset):
        return "|".join(sorted(x))
    for lp in LABEL_PREDS:
        for lab in g.objects(x, lp):
            return f"{lab!s}?"
    return str(x)[-40:] + "?"


def _count_misses(c: Counts, golds: list[dict], matched: set[int], scores: Scores, line: Callable[[dict], str]) -> None:
    """Required gold relations count towards recall; each one not found is listed."""
    required = [i for i, r in enumerate(golds) if not r.get("optional")]
    c.gold += len(required)
    c.found += len(matched)
    scores.details.extend(line(golds[i]) for i in required if i not in matched)


def score_graph(g: Graph, gold: dict, scores: Scores) -> None:
    m = node_mapper(g, gold)
    rels = gold["relations"]
    kgo = lambda n: URIRef(ONTOLOGY + n)  # noqa: E731
    for name in RELATIONS:
        golds = [r for r in rels if r["predicate"] == name]
        predicted = {(m(s) or s, m(o) or o) for s, o in g.subject_objects(kgo(name))}
        matched: set[int] = set()
        c = scores.counts[name]
        for ps, po in sorted(predicted, key=str):
            hit = False
            for i, r in enumerate(golds):
                if isinstance(ps, frozenset) and isinstance(po, frozenset) and r["subject"] in ps and set(_as_list(r["object"])) & po:
                    hit = True
                    if not r.get("optional"):
                        matched.add(i)
            c.pred += 1
            c.tp += hit
            if not hit:
                scores.details.append(f"  FP {name}: {_label(g, ps)} -> {_label(g, po)}")
        _count_misses(c, golds, matched, scores, lambda r, n=name: f"  FN {n}: {r['subject']} -> {r['object']}")
    golds = [r for r in rels if r["predicate"] == "states"]
    matched = set()
    c = scores.counts["states"]
    for s, st in sorted(g.subject_objects(kgo("states")), key=str):
        quotes = [str(q) for q in g.objects(st, kgo("quote"))] or ([str(st)] if isinstance(st, Literal) else [])
        ids = m(s)
        for q in quotes:
            hit = False
            for i, r in enumerate(golds):
                if r["subject"] in ids and quote_match(r["quote"], q):
                    hit = True
                    if not r.get("optional"):
                        matched.add(i)
            c.pred += 1
            c.tp += hit
            if not hit:
                scores.details.append(f"  FP states: {_label(g, ids or s)}: {q[:70]!r}")
    _count_misses(c, golds, matched, scores, lambda r: f"  FN states: {r['subject']}: {r['quote'][:70]!r}")
    present: dict[str, set[str]] = defaultdict(set)
    for node in set(g.subjects()):
        for gid in m(node):
            for t in g.objects(node, RDF.type):
                present[gid].add(re.split(r"[/#]", str(t))[-1])
            present[gid].add("*")
    for e in gold["entities"]:
        if e["type"] == "Group":
            continue
        scores.entities_gold += 1
        if e["id"] in present:
            scores.entities_found += 1
            scores.entities_typed += e["type"] in present[e["id"]]
        else:
            scores.details.append(f"  FN entity: {e['id']} ({e['type']})")


def load_gold(path: Path) -> dict:
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
        gold["entities"], gold["relations"], gold["document"]  # noqa: B018
    except (OSError, ValueError, KeyError) as e:
        raise InputError(f"{path}: not a gold file ({e}); see shared/gold/FORMAT.md") from None
    return gold


def evaluate(gold_dir: str | Path, articles_dir: str | Path) -> Scores:
    gold_dir, articles_dir = Path(gold_dir), Path(articles_dir)
    paths = sorted(gold_dir.glob("*.gold.json"))
    if not paths:
        raise InputError(f"{gold_dir}: no *.gold.json files")
    scores = Scores()
    golds = [load_gold(p) for p in paths]
    articles = []
    for gold in golds:
        art = articles_dir / gold["document"]
        articles.append(read_article(art))
    for gold, ag in zip(golds, extract_many(articles)):
        ds = build_dataset([ag])
        g = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        scores.details.append(f"{gold['document']}: {len(g)} triples")
        score_graph(g, gold, scores)
    return scores
