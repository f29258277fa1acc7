"""Loads the data files: gazetteer, lexicons and relation patterns.

All of kg's knowledge of the world and of English wording lives in
`kg/data/`; this module only reads it, once, and fails with the file and line
when an entry is malformed.
"""
from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import InputError
from .model import EntityType

DATA = Path(__file__).parent / "data"


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"['’]s\b", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "x"


def norm(text: str) -> str:
    """The form names are compared in: case, quotes, "the" and dots folded."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    text = re.sub(r"^(the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"['’]s$", "", text)
    return re.sub(r"\s+", " ", text.replace(".", "")).strip().lower()


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    name: str
    type: EntityType
    aliases: tuple[str, ...]
    wikidata: str | None
    demonyms: tuple[str, ...]


@dataclass(frozen=True)
class Gazetteer:
    entries: dict[str, GazetteerEntry]
    by_form: dict[str, str]  # norm(surface) -> id
    by_demonym: dict[str, str]  # norm(demonym) -> country id
    surfaces: tuple[str, ...]  # every name and alias, as written

    def lookup(self, text: str) -> GazetteerEntry | None:
        key = self.by_form.get(norm(text))
        return self.entries[key] if key else None

    def demonym(self, text: str) -> GazetteerEntry | None:
        key = self.by_demonym.get(norm(text))
        return self.entries[key] if key else None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    path = DATA / "gazetteer.jsonl"
    entries: dict[str, GazetteerEntry] = {}
    by_form: dict[str, str] = {}
    by_demonym: dict[str, str] = {}
    surfaces: list[str] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            entry = GazetteerEntry(
                id=raw["id"],
                name=raw["name"],
                type=EntityType(raw["type"]),
                aliases=tuple(raw.get("aliases", ())),
                wikidata=raw.get("wikidata"),
                demonyms=tuple(raw.get("demonyms", ())),
            )
        except (ValueError, KeyError, TypeError) as e:
            raise InputError(f"{path}:{lineno}: bad gazetteer entry ({e})") from None
        entries[entry.id] = entry
        for form in (entry.name, *entry.aliases):
            by_form.setdefault(norm(form), entry.id)
            surfaces.append(form)
        for dem in entry.demonyms:
            by_demonym.setdefault(norm(dem), entry.id)
    return Gazetteer(entries, by_form, by_demonym, tuple(sorted(set(surfaces))))


@lru_cache(maxsize=None)
def table(name: str) -> dict[str, Any]:
    """A TOML lexicon from kg/data, e.g. table("lexicons")["titles"]."""
    path = DATA / f"{name}.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: {e}") from None
