"""kg evaluate: same figures as the reference scorer, and the quality bar on the seeds."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.evaluate import evaluate, quote_match

from .conftest import ROOT, SEEDS, SHARED, run_kg

GOLD = ROOT / "tests" / "gold"
SCORER = SHARED / "tools" / "score.py"


def test_quote_matching_follows_the_reference_rule() -> None:
    assert quote_match("We do not know where they are.", "“We do not know where they are.”")
    assert quote_match("putting them in other areas where it’s secure.",
                       "some of the most dangerous ISIS prisoners had been moved, putting them in other areas where it’s secure.")
    assert not quote_match("destabilizing events", "destabilizing events could trigger the release of these folks")


@pytest.fixture(scope="module")
def seed_scores():
    return evaluate(GOLD, SEEDS)


def test_seed_quality_bar(seed_scores) -> None:
    s = seed_scores.summary()
    assert s["entity_recall"] >= 0.95 and s["entity_typed"] >= 0.90
    assert s["relations_f1"] >= 0.90 and s["states_f1"] >= 0.90


@pytest.mark.skipif(not SCORER.exists(), reason="shared/tools/score.py is not beside this checkout")
def test_figures_equal_the_reference_scorer(tmp_path: Path, seed_scores) -> None:
    out = tmp_path / "score.json"
    subprocess.run(
        [sys.executable, str(SCORER), str(GOLD), str(SEEDS), "--kg-cmd", f"{sys.executable} -m kg", "--json", str(out)],
        cwd=ROOT, check=True, capture_output=True, text=True, timeout=600,
    )
    reference = json.loads(out.read_text())
    ours = seed_scores.summary()
    for key, value in reference.items():
        assert ours[key] == pytest.approx(value, abs=1e-9), key


def test_cli_prints_the_table_and_lists_misses(tmp_path: Path) -> None:
    # a gold file that expects a relation the article does not state: one miss, listed with -v
    gold = json.loads((GOLD / "002_956eee948fb02a5b.gold.json").read_text())
    gold["relations"].append({"subject": "esper", "predicate": "commands", "object": "pkk", "evidence": "invented"})
    (tmp_path / "002_956eee948fb02a5b.gold.json").write_text(json.dumps(gold))
    proc = run_kg("evaluate", str(tmp_path), str(SEEDS), "-v", "--json", str(tmp_path / "s.json"))
    assert proc.returncode == 0, proc.stderr
    assert "FN commands: esper -> pkk" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("ALL P=")
    assert json.loads((tmp_path / "s.json").read_text())["relations_r"] < 1.0


def test_cli_names_a_bad_gold_folder(tmp_path: Path) -> None:
    proc = run_kg("evaluate", str(tmp_path), str(SEEDS))
    assert proc.returncode == 2 and str(tmp_path) in proc.stderr and "Traceback" not in proc.stderr
