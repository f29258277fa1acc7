"""Shared fixtures: the seed graph is built once per test session."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


def run_kg(*args: str, cwd: Path = ROOT, check: bool = False) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    proc = subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"kg {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding graph.trig and graph.ttl built from seeds/ by the CLI."""
    out = tmp_path_factory.mktemp("seedbuild")
    run_kg("build", str(SEEDS), "--out", str(out), check=True)
    return out


@pytest.fixture(scope="session")
def seed_dataset(seed_build: Path):
    from rdflib import Dataset

    ds = Dataset(default_union=True)
    ds.parse(seed_build / "graph.trig", format="trig")
    return ds
