"""A synthetic news corpus: real sentences recombined, names drawn from the gazetteer.

Each article is a title and a dozen short paragraphs: sentences taken at random
from the real corpus (../shared/corpus), interleaved with sentences built from
gazetteer names in the patterns the extractor reads (quotes with a speaker,
attacks, command and membership), so that every article yields entities,
statements and relations. The same seed gives the same corpus.

    python bench/synth.py --articles 1000 --out /tmp/synth
"""

from __future__ import annotations

import argparse
import json
import random
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "articles"
GAZETTEER = ROOT / "kg" / "data" / "gazetteer.jsonl"

TEMPLATES = [
    '"{sentence}," {person} said.',
    '{person} said {org} would not back down. "{sentence}," {person_last} told reporters.',
    "{org} forces attacked {place} on {day}, officials said.",
    "{country} launched strikes on {org2} positions near {place}.",
    "{person}, a senior commander of {org}, said the group was ready.",
    "{person} commands {org}, according to {country} officials.",
    '"We will continue," said {person}, a spokesman for {org}.',
    "{country} designated {org2} a terrorist organization on {day}.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@lru_cache(maxsize=1)
def sentences() -> tuple[str, ...]:
    out = []
    for path in sorted(CORPUS.glob("*.txt"))[:400]:
        text = path.read_text(encoding="utf-8")
        for para in text.split("\n")[2:]:
            for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", para.strip()):
                words = s.split()
                if 8 <= len(words) <= 35 and s.endswith(".") and '"' not in s and "\u201c" not in s:
                    out.append(s)
    return tuple(out)


@lru_cache(maxsize=1)
def names() -> dict[str, tuple[str, ...]]:
    by_type: dict[str, list[str]] = {}
    for line in GAZETTEER.read_text(encoding="utf-8").splitlines():
        if line.strip():
            e = json.loads(line)
            by_type.setdefault(e["type"], []).append(e["name"])
    return {t: tuple(sorted(v)) for t, v in by_type.items()}


def article(n: int, seed: int = 0) -> tuple[str, str]:
    """(file name, text) of synthetic article n."""
    rng = random.Random(f"{seed}-{n}")
    pool = sentences()
    people, orgs = names()["Person"], names()["Organization"]
    countries = names().get("Country", ("Syria",))
    places = names().get("Location", ("Aleppo",))
    person = rng.choice(people)
    title = f"{person} speaks as {rng.choice(orgs)} presses on in {rng.choice(places)}"
    paragraphs = []
    for _ in range(12):
        sents = []
        for _ in range(2):
            if rng.random() < 0.45:
                p = rng.choice(people)
                sents.append(
                    rng.choice(TEMPLATES).format(
                        sentence=rng.choice(pool).rstrip("."),
                        person=p,
                        person_last=p.split()[-1],
                        org=rng.choice(orgs),
                        org2=rng.choice(orgs),
                        place=rng.choice(places),
                        country=rng.choice(countries),
                        day=rng.choice(DAYS),
                    )
                )
            else:
                sents.append(rng.choice(pool))
        paragraphs.append(" ".join(sents))
    return f"syn_{seed}_{n:06d}.txt", title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(out: Path, count: int, *, seed: int = 0, start: int = 0) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        name, text = article(n, seed)
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    paths = write_corpus(args.out, args.articles, seed=args.seed)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    print(f"{len(paths)} articles, {words} words -> {args.out}")


if __name__ == "__main__":
    main()
