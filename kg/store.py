"""Where graphs live: graph files, an on-disk Oxigraph store, or an endpoint.

`open_source(path)` gives a pyoxigraph Store for anything a user may point
`kg query` or `kg render` at: a build folder, its `store/`, or a graph file.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .errors import InputError

FORMATS = {
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
}


def load_file(path: Path) -> ox.Store:
    fmt = FORMATS.get(path.suffix)
    if fmt is None:
        raise InputError(f"{path}: unknown graph format; give a .trig, .ttl, .nq or .nt file")
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except SyntaxError as e:
        raise InputError(f"{path}: {e}") from None
    return store


def open_source(path: str | Path) -> ox.Store:
    """A queryable store for a build folder, an Oxigraph store folder or a graph file."""
    path = Path(path)
    if path.is_file():
        return load_file(path)
    if path.is_dir():
        if (path / "store").is_dir():
            return ox.Store.read_only(str(path / "store"))
        if (path / "graph.trig").is_file():
            return load_file(path / "graph.trig")
        if any(path.glob("*.sst")) or (path / "CURRENT").exists():
            return ox.Store.read_only(str(path))
        raise InputError(f"{path}: no graph.trig or store/ here; build one with `kg build ARTICLES --out {path}`")
    raise InputError(f"{path}: no such graph file or folder")
