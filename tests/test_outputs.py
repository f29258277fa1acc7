"""outputs/ holds the graph of the seeds as `make run` builds it; stale outputs fail."""
from __future__ import annotations

from pathlib import Path

from .conftest import ROOT


def test_committed_graph_is_up_to_date(seed_build: Path) -> None:
    committed = ROOT / "outputs" / "graph.trig"
    assert committed.exists(), "outputs/graph.trig is missing: run `make run`"
    assert committed.read_bytes() == (seed_build / "graph.trig").read_bytes(), (
        "outputs/graph.trig is stale: run `make run` and commit outputs/"
    )
