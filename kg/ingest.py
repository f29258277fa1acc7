"""Files -> Article records: the only module that opens articles.

An article is a UTF-8 text file as saved from the web: the title on its first
real line, then the body, with page furniture (ads, photo credits, share bars,
comment boxes) mixed in. Furniture is recognised by the general patterns in
`data/furniture.tsv`; kept paragraphs keep their offsets into the file.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from .errors import InputError
from .model import Article, Paragraph

MAX_BYTES = 2_000_000  # ten times the longest news article we have seen
DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=1)
def furniture_patterns() -> tuple[re.Pattern[str], ...]:
    path = DATA / "furniture.tsv"
    patterns = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        pattern = line.split("\t", 1)[0]
        try:
            patterns.append(re.compile(pattern, re.IGNORECASE))
        except re.error as e:
            raise InputError(f"{path}:{lineno}: bad pattern {pattern!r}: {e}") from None
    return tuple(patterns)


def is_furniture(line: str) -> bool:
    text = line.strip()
    return any(p.search(text) for p in furniture_patterns())


def find_articles(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into article files; return (files, errors)."""
    files: list[Path] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.txt") if p.is_file())
            if not found:
                errors.append(f"{path}: no .txt articles in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"{path}: no such file or folder")
    # one article per stem: the stem is the article's identity
    seen: dict[str, Path] = {}
    unique = []
    for f in files:
        stem = article_stem(f)
        if stem in seen and seen[stem].resolve() != f.resolve():
            errors.append(f"{f}: same name as {seen[stem]}; rename one, the name is the article's id")
            continue
        if stem not in seen:
            seen[stem] = f
            unique.append(f)
    return unique, errors


def article_stem(path: Path) -> str:
    stem = path.name[:-4] if path.name.endswith(".txt") else path.name
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.") or "article"


def decode(path: Path, data: bytes) -> str:
    if not data.strip():
        raise InputError(f"{path}: empty file; give an article with a title line and a body")
    if len(data) > MAX_BYTES:
        raise InputError(
            f"{path}: {len(data) / 1e6:.1f} MB is too large for one article "
            f"(limit {MAX_BYTES / 1e6:.0f} MB); split it into articles"
        )
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: binary file (NUL bytes); give a UTF-8 text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "re-save the file as UTF-8"
        ) from None
    return text


def lines_with_offsets(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank line, trimmed of surrounding white space."""
    for m in re.finditer(r"[^\n]+", text):
        line = m.group()
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        start = m.start() + lead
        yield start, start + len(stripped)


def read_article(path: str | Path) -> Article:
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give article files or run on the folder with `kg build`")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    text = decode(path, data)
    return article_from_text(text, stem=article_stem(path), sha256=hashlib.sha256(data).hexdigest(),
                             source_file=path.name, where=str(path))


def article_from_text(text: str, *, stem: str, sha256: str, source_file: str = "", where: str = "") -> Article:
    kept = [Paragraph(s, e, text[s:e]) for s, e in lines_with_offsets(text) if not is_furniture(text[s:e])]
    # pages often repeat the headline as the first line of the body
    kept = kept[:1] + [p for p in kept[1:] if p.text != kept[0].text]
    if not kept:
        raise InputError(f"{where or stem}: no article text left after removing page furniture")
    return Article(
        stem=stem,
        source_file=source_file or f"{stem}.txt",
        sha256=sha256,
        source=text,
        title=kept[0].text,
        paragraphs=tuple(kept),
    )
