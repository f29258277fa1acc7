"""Reading articles: furniture, offsets, and every kind of bad input."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import MAX_BYTES, find_articles, is_furniture, read_article

from .conftest import SEEDS, run_kg


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "Sign up for Daily Newsletters Manage Newsletters",
        "Image copyright AFP Image caption Protesters gathered outside the embassy",
        "Enlarge this image toggle caption Kin Cheung/AP Kin Cheung/AP",
        "Copyright © 2019 The Washington Times, LLC. Click here for reprint permission.",
        "Fox News' Jennifer Griffin and The Associated Press contributed to this report.",
        "Mark Wilson/Getty Images",
        "Skip to Content",
        "Related Content",
        "Jump to comments ↓",
    ],
)
def test_page_furniture_is_recognised(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Trump has called for prisoners to be repatriated",
        "“We do not know where they are,” Jeffrey said.",
        "Turkey’s assault has already had a “detrimental effect” on American counter-ISIS operations.",
        "Sign of the times: Iran signs up to the deal.",
    ],
)
def test_article_text_is_kept(line: str) -> None:
    assert not is_furniture(line)


def test_seed_keeps_title_body_and_offsets() -> None:
    art = read_article(SEEDS / "000_7adc603aba545191.txt")
    assert art.title.endswith("thousands of ISIS prisoners may escape as Turkey invades Syria")
    assert art.stem == "000_7adc603aba545191"
    assert len(art.sha256) == 64
    texts = [p.text for p in art.paragraphs]
    assert not any("Skip to" in t or "Getty Images" in t or "comments" in t.lower() for t in texts)
    assert any(t.startswith("“We’ve seen several attempted prison breaks") for t in texts)
    for p in art.paragraphs:
        assert art.source[p.start : p.end] == p.text


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def test_bad_inputs_raise_one_line_errors_naming_the_file(tmp_path: Path) -> None:
    cases = {
        "empty.txt": (b"", "empty file"),
        "blank.txt": (b"  \n\n ", "empty file"),
        "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        "latin1.txt": ("Title\n\nCafé in Ankara\n".encode("latin-1"), "not valid UTF-8"),
        "furniture.txt": (b"Advertisement\n\nSign up for Daily Newsletters\n", "no article text"),
    }
    for name, (data, expected) in cases.items():
        path = write(tmp_path, name, data)
        with pytest.raises(InputError) as err:
            read_article(path)
        message = str(err.value)
        assert name in message and expected in message and "\n" not in message
    assert ":3:" in str(pytest.raises(InputError, read_article, tmp_path / "latin1.txt").value)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.txt", b"Title\n\n" + b"word " * (MAX_BYTES // 5 + 10))
    with pytest.raises(InputError, match="too large"):
        read_article(path)


def test_folders_and_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    files, errors = find_articles([tmp_path / "empty", tmp_path / "nope.txt", SEEDS])
    assert [f.name for f in files] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert any("no .txt articles" in e for e in errors)
    assert any("nope.txt: no such file" in e for e in errors)


def test_cli_builds_the_good_articles_and_reports_the_bad(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.txt", b"\xff\xfe\x00\x00")
    out = tmp_path / "out"
    proc = run_kg("build", str(bad), str(SEEDS / "002_956eee948fb02a5b.txt"), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "bad.txt" in proc.stderr and "Traceback" not in proc.stderr
    assert (out / "graph.trig").exists()


def test_cli_fails_cleanly_when_nothing_can_be_built(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.trig").write_text("previous build\n")
    proc = run_kg("build", str(tmp_path / "missing.txt"), "--out", str(out))
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert any("missing.txt" in line for line in lines) and "Traceback" not in proc.stderr
    # no half-written output: the previous file is untouched and no temp files are left
    assert (out / "graph.trig").read_text() == "previous build\n"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith("store")) == ["graph.trig"]
