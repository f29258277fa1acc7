"""Robustness on real news the rules were not written for, and on arbitrary text.

The whole corpus (1,000 articles) is checked by `make corpus-check`; the suite
runs every tenth article to stay within its time budget.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.graph import build_dataset
from kg.ingest import read_article
from kg.pipeline import extract_many, extract_text

from .conftest import SHARED

CORPUS = SHARED / "corpus" / "articles"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/corpus is not beside this checkout")
def test_every_tenth_corpus_article_builds() -> None:
    files = sorted(CORPUS.glob("*.txt"))[::10]
    articles = [read_article(f) for f in files]
    built = 0
    for ag in extract_many(articles):
        ds = build_dataset([ag])
        assert len(ds) > 0
        # every relation and statement points at a sentence of its own article
        for r in ag.relations:
            assert 0 <= r.sentence < len(ag.sentences)
        for s in ag.statements:
            assert ag.article.source[s.start : s.end].strip()
        built += 1
    assert built == len(files) == 100


LINE = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, min_size=1, max_size=6))
def test_arbitrary_text_never_crashes(lines: list[str]) -> None:
    text = "\n\n".join(lines)
    try:
        ag = extract_text(text)
    except InputError:
        return  # nothing left after furniture: a clean, named error
    build_dataset([ag])


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["“", "”", '"', "‘", "’", "[", "]", "—", "'s", "#", "@", "\u00a0", "\t", "...", "U.S.", "Gen."]), st.integers(0, 5))
def test_punctuation_soup_never_crashes(token: str, n: int) -> None:
    extract_text("Title\n\n" + f"Turkey said {token * n} the SDF {token} attacked {token * 2} Syria.")
