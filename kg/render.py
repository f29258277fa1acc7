"""Diagrams of the entity network: graph -> networkx -> matplotlib (Agg), PNG and SVG.

The only module that imports matplotlib. A diagram is built in inches: the
layout is scaled so that one data unit is one inch on the page, every label is
measured with the renderer before anything is placed, node boxes (marker plus
label) are pushed apart until none overlap, and each edge label takes the
first free spot along its edge. The figure is then sized to its content, so
labels keep their size whatever the number of nodes. Same graph, same bytes:
the layout uses no random numbers and the files carry no date or software stamp.
"""
from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pyoxigraph as ox  # noqa: E402
from matplotlib import rc_context  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from .errors import KgError  # noqa: E402
from .fsutil import write_atomic  # noqa: E402
from .network import (  # noqa: E402
    STATEMENTS,
    Edge,
    Network,
    by_relation,
    ego,
    entity_network,
    from_result,
    relation_title,
    restrict,
)
from .query import Result, resolve_entity, resolve_relation, run  # noqa: E402
from .store import open_source  # noqa: E402
from .vocab import ONTOLOGY  # noqa: E402

__all__ = [
    "FORMATS",
    "MAX_NODES",
    "Diagram",
    "draw",
    "examples",
    "label_overlaps",
    "render",
    "save",
    "slug",
]

MAX_NODES = 150
FORMATS = ("png", "svg")
DPI = 110

# Okabe-Ito colours for entity types (readable by colour-blind readers), one marker shape each
TYPE_STYLE = {
    "Person": ("o", "#56B4E9"),
    "Organization": ("s", "#E69F00"),
    "Country": ("h", "#009E73"),
    "Location": ("^", "#F0E442"),
    "Group": ("D", "#CCCCCC"),
    "Article": ("p", "#FFFFFF"),
    "Other": ("o", "#FFFFFF"),
}
# relation colours differ from the node colours so that a legend line is never read as a node
RELATION_COLOR = {
    "attacks": "#C0392B",
    "commands": "#6A3D9A",
    "guards": "#1F5FA0",
    "designatesAsTerrorist": "#111111",
    "memberOf": "#8C564B",
    "withdrawsFrom": "#B8860B",
    "relatedTo": "#555555",
    STATEMENTS: "#8E8E8E",
}
EXTRA_COLORS = ("#1B9E77", "#D95F02", "#7570B3", "#E7298A", "#66A61E", "#A6761D", "#E6AB02", "#17BECF")

NODE_FONT = 9.0
EDGE_FONT = 7.5
TITLE_FONT = 13.0
NOTE_FONT = 8.5
FOOT_FONT = 7.5
LEGEND_FONT = 8.5
MARGIN = 0.3  # inches around everything
GAP = 0.2
LABEL_GAP = 0.04  # between a marker and its label
BOX_PAD = 0.06  # space kept free around node and label boxes
LABEL_CHARS = 22  # wrap node labels longer than this
FONT = "DejaVu Sans"


@dataclass
class Diagram:
    """A view of the network with what the page says about it."""

    network: Network
    title: str
    stem: str  # file name without extension
    center: set[str] = field(default_factory=set)  # highlighted nodes (ego networks)
    sources: str = ""  # footnote; default: the articles behind the edges shown


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_") or "x"


def kebab(relation: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "-", relation).lower()


# ---------------------------------------------------------------------------
# views
# ---------------------------------------------------------------------------


def whole(network: Network) -> Diagram:
    n_rel = sum(e.count for e in network.edges if e.relation != STATEMENTS)
    n_st = sum(e.count for e in network.edges if e.relation == STATEMENTS)
    arts = len(network.used_articles()) or len(network.articles)
    title = f"Who is linked to whom in {arts} article{'s' if arts != 1 else ''}: {len(network.nodes)} entities, "
    title += f"{n_rel} relation assertion{'s' if n_rel != 1 else ''}"
    if n_st:
        title += f" and {n_st} mentions in statements"
    d = Diagram(restrict(network, network.edges), title, "graph")
    if network.unlinked:
        names = list(network.unlinked)
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        d.network.notes.append(f"{len(names)} entities with no link in this view are not shown: {shown}.")
    return d


def relation_diagram(network: Network, relation: str) -> Diagram:
    sub = by_relation(network, relation)
    n = sum(e.count for e in sub.edges)
    title = f"Relation “{relation_title(relation)}”: {len(sub.edges)} links from {n} assertion{'s' if n != 1 else ''}"
    return Diagram(sub, title, f"relation-{kebab(relation)}")


def ego_diagram(network: Network, centers: Sequence[str], depth: int) -> Diagram:
    sub = ego(network, centers, depth)
    names = " / ".join(network.nodes[c].label for c in centers if c in network.nodes)
    links = "link" if depth == 1 else "links"
    title = f"Ego network of {names}: everything within {depth} {links} ({len(sub.nodes)} entities)"
    stem = "ego-" + "-".join(c.rstrip("/").rsplit("/", 1)[-1] for c in centers)
    return Diagram(sub, title, slug(stem).replace("ego_", "ego-", 1), center=set(centers))


def query_diagram(store: ox.Store, result: Result, *, title: str, stem: str) -> Diagram:
    net = from_result(store, result)
    if not net.edges:
        raise KgError("the query result has no links to draw (no rows, or no two entities in a row)")
    d = Diagram(net, title, stem)
    if not net.used_articles():
        arts = sorted(net.articles.values(), key=lambda a: a.file)
        d.sources = "Source: a query over the graph of " + "; ".join(_article_text(a) for a in arts)
    return d


def _article_text(a) -> str:
    return f"{a.file} “{a.title}”" if a.title and a.title != a.file else a.file


# ---------------------------------------------------------------------------
# measuring text
# ---------------------------------------------------------------------------


class _Measure:
    """Text sizes in inches, from the same renderer and fonts the diagram is drawn with."""

    def __init__(self) -> None:
        self.fig = Figure(figsize=(4, 4), dpi=72)
        FigureCanvasAgg(self.fig)
        self.renderer = self.fig.canvas.get_renderer()
        self.cache: dict[tuple[str, float, str], tuple[float, float]] = {}

    def size(self, text: str, fontsize: float, weight: str = "normal") -> tuple[float, float]:
        key = (text, fontsize, weight)
        if key not in self.cache:
            t = Text(0, 0, text, fontsize=fontsize, fontweight=weight, family=FONT, figure=self.fig)
            bb = t.get_window_extent(self.renderer)
            self.cache[key] = (bb.width / 72, bb.height / 72)
        return self.cache[key]

    def wrap(self, text: str, fontsize: float, width: float, weight: str = "normal") -> list[str]:
        """Greedy word wrap to `width` inches."""
        lines: list[str] = []
        for para in text.split("\n"):
            cur = ""
            for word in para.split(" "):
                trial = f"{cur} {word}" if cur else word
                if cur and self.size(trial, fontsize, weight)[0] > width:
                    lines.append(cur)
                    cur = word
                else:
                    cur = trial
            lines.append(cur)
        return lines


def _wrap_label(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_CHARS, break_long_words=False)) or label


def _darker(hex_color: str, f: float = 0.75) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(int(r * f), int(g * f), int(b * f))


def relation_color(relation: str, relations: Sequence[str]) -> str:
    if relation in RELATION_COLOR:
        return RELATION_COLOR[relation]
    others = sorted(r for r in relations if r not in RELATION_COLOR)
    return EXTRA_COLORS[others.index(relation) % len(EXTRA_COLORS)] if relation in others else "#555555"


# ---------------------------------------------------------------------------
# layout
# ---------------------------------------------------------------------------


@dataclass
class _Layout:
    ids: list[str]
    pos: np.ndarray  # node centres, inches
    box: np.ndarray  # per node: left, bottom, right, top offsets from the centre
    diam: np.ndarray  # marker diameters, inches
    side: np.ndarray  # where each label goes: BELOW, ABOVE, RIGHT or LEFT


def _trim(network: Network, max_nodes: int) -> Network:
    """Keep the `max_nodes` most connected nodes and say who was left out."""
    if len(network.nodes) <= max_nodes:
        return network
    deg = network.degree()
    weight: dict[str, int] = {n: 0 for n in network.nodes}
    for e in network.edges:
        weight[e.source] += e.count
        weight[e.target] += e.count
    order = sorted(network.nodes, key=lambda n: (-deg[n], -weight[n], -network.nodes[n].mentions, network.nodes[n].label))
    keep, dropped = set(order[:max_nodes]), order[max_nodes:]
    names = [network.nodes[n].label for n in dropped]
    shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    sub = restrict(network, [e for e in network.edges if e.source in keep and e.target in keep], nodes=keep)
    sub.notes.append(f"{len(dropped)} nodes not shown (least connected): {shown}.")
    return sub


def _components(ids: list[str], edges: Sequence[Edge]) -> list[list[str]]:
    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_edges_from((e.source, e.target) for e in edges)
    comps = [sorted(c) for c in nx.connected_components(g)]
    return sorted(comps, key=lambda c: (-len(c), c[0]))


def _spread(pos: np.ndarray, box: np.ndarray, members: np.ndarray, iterations: int = 400) -> np.ndarray:
    """Push node boxes apart until none overlap (or the iterations run out).

    Each overlapping pair moves apart along the axis that needs the smaller move,
    half each; a node pushed from several sides moves by their sum over the
    square root of their number, which keeps crowds from overshooting.
    """
    p = pos[members].copy()
    b = box[members]
    if len(members) < 2:
        return p
    lo_off = b[:, :2] - BOX_PAD
    hi_off = b[:, 2:] + BOX_PAD
    for _ in range(iterations):
        lo = p + lo_off
        hi = p + hi_off
        ox_ = np.minimum.outer(hi[:, 0], hi[:, 0]) - np.maximum.outer(lo[:, 0], lo[:, 0])
        oy = np.minimum.outer(hi[:, 1], hi[:, 1]) - np.maximum.outer(lo[:, 1], lo[:, 1])
        i, j = np.nonzero(np.triu((ox_ > 0) & (oy > 0), 1))
        if len(i) == 0:
            break
        oxi, oyi = ox_[i, j], oy[i, j]
        d = (lo[i] + hi[i] - lo[j] - hi[j]) / 2
        # i < j: a tie (same centre) sends i right or up, j the other way, the same every run
        sx = np.where(d[:, 0] != 0, np.sign(d[:, 0]), 1.0)
        sy = np.where(d[:, 1] != 0, np.sign(d[:, 1]), 1.0)
        use_x = oxi < oyi
        push = np.column_stack([np.where(use_x, sx * (oxi / 2 + 0.01), 0.0),
                                np.where(use_x, 0.0, sy * (oyi / 2 + 0.01))])
        move = np.zeros_like(p)
        np.add.at(move, i, push)
        np.add.at(move, j, -push)
        k = np.maximum(np.bincount(i, minlength=len(p)) + np.bincount(j, minlength=len(p)), 1)
        p += move / np.sqrt(k)[:, None]
    return p


def _shapes(network: Network, ids: list[str], measure: _Measure) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Marker diameters, node boxes (marker with the label below) and label sizes (w, h), in inches."""
    mentions = np.array([network.nodes[n].mentions for n in ids], dtype=float)
    top = max(mentions.max(initial=0), 1)
    diam = 0.17 + 0.13 * np.sqrt(mentions / top)
    box = np.zeros((len(ids), 4))
    label = np.zeros((len(ids), 2))
    for i, n in enumerate(ids):
        w, h = measure.size(_wrap_label(network.nodes[n].label), NODE_FONT)
        label[i] = (w + 0.06, h + 0.04)  # with the label's rounded background
        box[i] = _label_box(diam[i], label[i], BELOW)
    return diam, box, label


BELOW, ABOVE, RIGHT, LEFT = 0, 1, 2, 3


def _label_box(d: float, size: np.ndarray, side: int) -> tuple[float, float, float, float]:
    """The box of a marker of diameter d with its label on `side`, relative to the marker's centre."""
    w, h = float(size[0]), float(size[1])
    r, half_w, half_h = d / 2, max(w, d) / 2, max(h, d) / 2
    return {
        BELOW: (-half_w, -(r + LABEL_GAP + h), half_w, r),
        ABOVE: (-half_w, -r, half_w, r + LABEL_GAP + h),
        RIGHT: (-r, -half_h, r + LABEL_GAP + w, half_h),
        LEFT: (-(r + LABEL_GAP + w), -half_h, r, half_h),
    }[side]


def _unit_layouts(network: Network, ids: list[str]) -> list[tuple[list[str], np.ndarray]]:
    """Each connected component laid out with a mean edge length of 1, largest first."""
    out = []
    for comp in _components(ids, network.edges):
        if len(comp) == 1:
            out.append((comp, np.zeros((1, 2))))
            continue
        sub = nx.Graph()
        sub.add_nodes_from(comp)
        sub.add_edges_from((e.source, e.target) for e in network.edges if e.source in sub and e.target in sub)
        local = np.array([[0.0, 0.0], [1.0, 0.0]]) if len(comp) == 2 else _stress(comp, sub)
        at = {n: i for i, n in enumerate(comp)}
        lengths = [np.linalg.norm(local[at[u]] - local[at[v]]) for u, v in sub.edges]
        mean = float(np.mean(lengths)) if lengths else 1.0
        out.append((comp, (local - local.mean(axis=0)) / max(mean, 1e-9)))
    return out


def _layout(network: Network, ids: list[str], shapes: tuple[np.ndarray, np.ndarray, np.ndarray],
            units: list[tuple[list[str], np.ndarray]], spacing: float) -> _Layout:
    """Scale the unit layouts to `spacing` inches per edge, free every box, and pack the components."""
    index = {n: i for i, n in enumerate(ids)}
    diam, box, label_size = shapes[0], shapes[1].copy(), shapes[2]
    pos = np.zeros((len(ids), 2))
    placed: list[tuple[np.ndarray, np.ndarray]] = []
    for comp, local in units:
        members = np.array([index[n] for n in comp])
        pos[members] = local * spacing
        pos[members] = _spread(pos, box, members)
        placed.append((members, pos[members].copy()))
    _pack(pos, box, placed)
    # a label goes above its marker when fewer edges leave upwards than downwards
    # (labels beside markers make wide boxes that edges cross more often)
    crowd = np.zeros((len(ids), 2))
    for e in network.edges:
        a, b = index[e.source], index[e.target]
        d = pos[b] - pos[a]
        u = d / (np.linalg.norm(d) or 1.0)
        for node, v in ((a, u), (b, -u)):
            crowd[node] += (v[1] < -0.35, v[1] > 0.35)
    side = np.where(crowd[:, 1] < crowd[:, 0], ABOVE, BELOW)
    for i in range(len(ids)):
        box[i] = _label_box(diam[i], label_size[i], int(side[i]))
    pairs = np.array(sorted({(index[e.source], index[e.target]) for e in network.edges}), dtype=int).reshape(-1, 2)
    everyone = np.arange(len(ids))
    for _ in range(12):
        if not _clear_edges(pos, box, pairs):
            break
        pos[:] = _spread(pos, box, everyone)
    else:
        pos[:] = _spread(pos, box, everyone)
    return _Layout(ids, pos, box, diam, side)


def _clear_edges(pos: np.ndarray, box: np.ndarray, pairs: np.ndarray, steps: int = 16) -> bool:
    """Move nodes off edges that run through them (their marker or label); True if any moved."""
    if len(pairs) == 0 or len(pos) < 3:
        return False
    t = np.linspace(0.0, 1.0, steps + 2)[1:-1]
    a, b = pos[pairs[:, 0]], pos[pairs[:, 1]]
    pts = a[:, None, :] + (b - a)[:, None, :] * t[None, :, None]  # edges x steps x 2
    pad = BOX_PAD
    lo = pos + box[:, :2] - pad
    hi = pos + box[:, 2:] + pad
    x, y = pts[..., 0][..., None], pts[..., 1][..., None]  # edges x steps x 1
    inside = (x > lo[:, 0]) & (x < hi[:, 0]) & (y > lo[:, 1]) & (y < hi[:, 1])  # edges x steps x nodes
    hit = inside.any(axis=1)
    hit[np.arange(len(pairs)), pairs[:, 0]] = False
    hit[np.arange(len(pairs)), pairs[:, 1]] = False
    if not hit.any():
        return False
    move = np.zeros_like(pos)
    d = b - a
    normal = np.column_stack([-d[:, 1], d[:, 0]]) / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-12)
    for ei, ni in zip(*np.nonzero(hit)):
        side = float(np.dot(pos[ni] - a[ei], normal[ei]))
        sign = 1.0 if side > 0 or (side == 0 and ni % 2 == 0) else -1.0
        # enough to get the node's box off the line, measured across the edge
        reach = 0.5 * (abs(normal[ei, 0]) * (box[ni, 2] - box[ni, 0]) + abs(normal[ei, 1]) * (box[ni, 3] - box[ni, 1]))
        need = reach + pad - abs(side) + 0.02
        if need > 0:
            move[ni] += sign * normal[ei] * need
    pos += move
    return True


def _top_eigenvectors(b: np.ndarray, k: int, iterations: int = 300) -> np.ndarray:
    """The eigenvectors of the k largest eigenvalues of symmetric `b`, scaled by their roots.

    Power iteration from fixed start vectors: the same result on every machine,
    and quick where LAPACK's symmetric solvers are slow.
    """
    n = len(b)
    shift = float(np.abs(b).sum(axis=1).max())  # makes every eigenvalue positive, keeps the order
    m = b + shift * np.eye(n)
    vecs: list[np.ndarray] = []
    out = np.zeros((n, k))
    for c in range(k):
        v = np.cos(np.arange(n) * (c + 1) * 0.7 + 0.3)
        for _ in range(iterations):
            for u in vecs:
                v = v - u * (u @ v)
            w = m @ v
            norm = np.linalg.norm(w)
            if norm < 1e-12:
                break
            w /= norm
            done = np.abs(w - v).max() < 1e-7
            v = w
            if done:
                break
        vecs.append(v)
        out[:, c] = v * math.sqrt(max(float(v @ b @ v), 1e-9))
    return out


def _stress(nodes: list[str], g: nx.Graph, iterations: int = 300) -> np.ndarray:
    """Stress majorization (SMACOF): distances on the page follow path lengths in the graph.

    Deterministic: it starts from classical scaling, whose axes get fixed signs,
    and needs no random numbers. Edges at busy nodes are longer, so that the
    labels of their many edges find room.
    """
    n = len(nodes)
    idx = {v: i for i, v in enumerate(nodes)}
    deg = dict(g.degree())
    for u, v in g.edges:
        g[u][v]["length"] = 1.0 + 0.2 * math.sqrt(max(deg[u], deg[v]) - 1)
    dist = np.zeros((n, n))
    for src, lengths in nx.all_pairs_dijkstra_path_length(g, weight="length"):
        for dst, d in lengths.items():
            dist[idx[src], idx[dst]] = d
    # classical scaling as the start
    j = np.eye(n) - 1.0 / n
    b = -0.5 * j @ (dist**2) @ j
    x = _top_eigenvectors(b, 2)
    for k in range(2):
        if x[np.argmax(np.abs(x[:, k])), k] < 0:
            x[:, k] = -x[:, k]
    if not np.isfinite(x).all() or np.ptp(x) < 1e-9:
        angle = 2 * np.pi * np.arange(n) / n
        x = np.column_stack([np.cos(angle), np.sin(angle)])
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(dist > 0, 1.0 / dist**2, 0.0)
    lap = np.diag(w.sum(axis=1)) - w
    # the Laplacian's pseudo-inverse for a connected graph, without an SVD
    lap_inv = np.linalg.inv(lap + 1.0 / n) - 1.0 / n
    for _ in range(iterations):
        diff = x[:, None, :] - x[None, :, :]
        d = np.sqrt((diff**2).sum(axis=2))
        with np.errstate(divide="ignore", invalid="ignore"):
            bm = np.where(d > 1e-12, -w * dist / d, 0.0)
        np.fill_diagonal(bm, 0.0)
        np.fill_diagonal(bm, -bm.sum(axis=1))
        new = lap_inv @ (bm @ x)
        if np.abs(new - x).max() < 1e-5:
            x = new
            break
        x = new
    return x


def _pack(pos: np.ndarray, box: np.ndarray, placed: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """Place components in rows, largest first, in a page about 4:3."""
    extents = []
    for members, p in placed:
        lo = (p + box[members][:, :2]).min(axis=0)
        hi = (p + box[members][:, 2:]).max(axis=0)
        extents.append((lo, hi))
    area = sum(float(np.prod(hi - lo + GAP * 2)) for lo, hi in extents)
    widest = max(float(hi[0] - lo[0]) for lo, hi in extents)
    row_w = max(widest, math.sqrt(area * 4 / 3))
    x = y = row_h = 0.0
    for (members, p), (lo, hi) in zip(placed, extents):
        w, h = hi - lo
        if x > 0 and x + w > row_w:
            y -= row_h + GAP * 2
            x, row_h = 0.0, 0.0
        pos[members] = p - [lo[0], hi[1]] + [x, y]
        x += w + GAP * 2
        row_h = max(row_h, h)


# ---------------------------------------------------------------------------
# edges and their labels
# ---------------------------------------------------------------------------


@dataclass
class _EdgeDraw:
    edge: Edge
    a: np.ndarray
    b: np.ndarray
    rad: float
    color: str
    text: str
    size: tuple[float, float]
    at: np.ndarray | None = None

    def point(self, t: float) -> np.ndarray:
        """A point on matplotlib's arc3 curve from a to b."""
        d = self.b - self.a
        ctrl = (self.a + self.b) / 2 + self.rad * np.array([d[1], -d[0]])
        return (1 - t) ** 2 * self.a + 2 * (1 - t) * t * ctrl + t**2 * self.b

    def normal(self) -> np.ndarray:
        d = self.b - self.a
        n = np.array([-d[1], d[0]])
        return n / (np.linalg.norm(n) or 1.0)


def _curvatures(edges: Sequence[Edge]) -> dict[tuple[str, str, str], float]:
    """Straight lines, except where two nodes share several edges: those bend apart."""
    groups: dict[tuple[str, str], list[Edge]] = {}
    for e in edges:
        groups.setdefault(tuple(sorted((e.source, e.target))), []).append(e)
    rads = {}
    for (u, _v), group in groups.items():
        group = sorted(group, key=lambda e: (e.source != u, e.relation))
        m = len(group)
        for k, e in enumerate(group):
            r = 0.0 if m == 1 else (k - (m - 1) / 2) * 0.3
            # arc3 bends relative to the direction of travel; flip for edges drawn the other way
            rads[e.key] = r if e.source == u else -r
            if m == 2 and all(g.relation == group[0].relation for g in group):
                rads[e.key] = 0.15  # a pair of opposite edges: both bend to their own right
    return rads


def _overlaps(cands: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Total overlap area of each candidate box with `boxes` (all as left, bottom, right, top)."""
    if len(boxes) == 0:
        return np.zeros(len(cands))
    w = np.minimum(cands[:, None, 2], boxes[None, :, 2]) - np.maximum(cands[:, None, 0], boxes[None, :, 0])
    h = np.minimum(cands[:, None, 3], boxes[None, :, 3]) - np.maximum(cands[:, None, 1], boxes[None, :, 1])
    return (np.clip(w, 0, None) * np.clip(h, 0, None)).sum(axis=1)


_TS = np.array([0.5, 0.44, 0.56, 0.38, 0.62, 0.32, 0.68, 0.26, 0.74, 0.2, 0.8, 0.15, 0.85])
_SHIFTS = np.array([0.0, 0.7, -0.7, 1.4, -1.4, 2.1, -2.1])


def _place_edge_labels(draws: list[_EdgeDraw], node_boxes: np.ndarray) -> bool:
    """Put each edge label on the first free spot along its edge; True if all found one.

    Spots are tried from the middle of the edge outwards, then beside it; the
    first one that overlaps no node box and no label placed before wins.
    """
    placed = np.zeros((0, 4))
    all_free = True
    for d in sorted(draws, key=lambda d: (-len(d.text), d.edge.key)):
        if not d.text:
            d.at = d.point(0.5)
            continue
        w, h = d.size
        curve = np.array([d.point(t) for t in _TS])  # ts
        centres = (curve[None, :, :] + _SHIFTS[:, None, None] * h * d.normal()[None, None, :]).reshape(-1, 2)
        cands = np.column_stack([centres - (w / 2, h / 2), centres + (w / 2, h / 2)])
        cost = _overlaps(cands, node_boxes) + _overlaps(cands, placed)
        free = np.flatnonzero(cost <= 1e-12)
        best = int(free[0]) if len(free) else int(np.argmin(cost))
        if not len(free):
            all_free = False
        d.at = centres[best]
        placed = np.vstack([placed, cands[best]])
    return all_free


# ---------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------


def draw(diagram: Diagram, *, max_nodes: int = MAX_NODES) -> Figure:
    """The diagram as a matplotlib Figure (not saved)."""
    with rc_context(_RC):
        return _draw(diagram, max_nodes)


_RC = {
    "svg.hashsalt": "kg",  # fixed ids in the SVG
    "svg.fonttype": "path",
    "font.family": FONT,
    "path.simplify": True,
}


def _draw(diagram: Diagram, max_nodes: int) -> Figure:
    net = _trim(diagram.network, max_nodes)
    if not net.nodes:
        raise KgError(f"nothing to draw for “{diagram.title}”: the view has no entities")
    measure = _Measure()
    relations = net.relations()
    rads = _curvatures(net.edges)
    label_sizes = {}
    for e in net.edges:
        w, h = measure.size(e.label, EDGE_FONT) if _edge_text(e) else (0.0, 0.0)
        label_sizes[e.key] = (w + 0.1, h + 0.08) if _edge_text(e) else (0.0, 0.0)
    widths = [s[0] for s in label_sizes.values() if s[0]]
    mean_label = float(np.mean(widths)) if widths else 0.4
    ids = sorted(net.nodes)
    index = {n: i for i, n in enumerate(ids)}
    shapes = _shapes(net, ids, measure)
    units = _unit_layouts(net, ids)
    # start spread enough for the ink: the largest component gets about four times
    # the area of its node boxes and edge labels
    spacing = max(1.3, mean_label + 0.6)
    comp, unit = units[0]
    if len(comp) > 2:
        members = [index[n] for n in comp]
        ink = float(np.prod(shapes[1][members, 2:] - shapes[1][members, :2], axis=1).sum())
        inside = set(comp)
        ink += sum(label_sizes[e.key][0] * label_sizes[e.key][1] for e in net.edges if e.source in inside)
        area = float(np.prod(np.ptp(unit, axis=0) + 1.0))
        spacing = max(spacing, math.sqrt(4.5 * ink / area))
    for _attempt in range(10):
        lay = _layout(net, ids, shapes, units, spacing)
        boxes = np.column_stack([lay.pos + lay.box[:, :2], lay.pos + lay.box[:, 2:]])
        draws = [
            _EdgeDraw(
                e, lay.pos[index[e.source]], lay.pos[index[e.target]], rads[e.key],
                relation_color(e.relation, relations), _edge_text(e), label_sizes[e.key],
            )
            for e in net.edges
        ]
        if _place_edge_labels(draws, boxes):
            break
        spacing *= 1.15  # crowded: spread the layout and try again
    # extent of everything drawn in the axes
    pts = [boxes[:, :2], boxes[:, 2:]]
    for d in draws:
        w, h = d.size
        pts.append(np.array([d.at - (w / 2, h / 2), d.at + (w / 2, h / 2)]))
        pts.append(np.array([d.point(t) for t in (0.25, 0.5, 0.75)]))
    allp = np.vstack(pts)
    lo, hi = allp.min(axis=0) - 0.15, allp.max(axis=0) + 0.15
    content_w, content_h = hi - lo

    legend_items = _legend_items(net, relations)
    fig = Figure(dpi=DPI)
    FigureCanvasAgg(fig)
    legends = [_make_legend(fig, title, items) for title, items in legend_items]
    renderer = fig.canvas.get_renderer()
    sizes = [(lg.get_window_extent(renderer).width / fig.dpi, lg.get_window_extent(renderer).height / fig.dpi)
             for lg in legends]
    legend_w = max((w for w, _ in sizes), default=0.0)
    legend_h = sum(h for _, h in sizes) + GAP * max(len(sizes) - 1, 0)

    width = max(MARGIN * 2 + content_w + (GAP + legend_w if legend_w else 0), 7.0)
    text_w = width - 2 * MARGIN
    title = diagram.title
    if len(net.nodes) < len(diagram.network.nodes):
        title += f" ({len(net.nodes)} most connected shown)"
    title_lines = measure.wrap(title, TITLE_FONT, text_w, "bold")
    notes = list(net.notes)
    has_statements = any(e.relation == STATEMENTS for e in net.edges)
    if any(e.count > 1 for e in net.edges):
        what = "assertions (or statements)" if has_statements else "assertions"
        notes.append(f"A label “…: N” stands for N {what} collapsed into one edge"
                     + ("; unlabelled dotted lines are single statements." if has_statements else "."))
    elif has_statements:
        notes.append("Dotted lines: a speaker named the entity in a statement.")
    note_lines = [ln for n in notes for ln in measure.wrap(n, NOTE_FONT, text_w)]
    sources = diagram.sources or _sources(net)
    foot_lines = measure.wrap(sources, FOOT_FONT, text_w) if sources else []
    line = lambda size: size * 1.35 / 72  # noqa: E731
    title_h = len(title_lines) * line(TITLE_FONT)
    notes_h = len(note_lines) * line(NOTE_FONT)
    foot_h = len(foot_lines) * line(FOOT_FONT)
    below = foot_h + (notes_h + (0.08 if foot_h else 0) if notes_h else 0)
    body_h = max(content_h, legend_h)
    height = MARGIN + below + (GAP if below else 0) + body_h + GAP + title_h + MARGIN
    fig.set_size_inches(width, height)

    # the axes: exactly content_w x content_h inches, so one data unit is one inch
    body_bottom = MARGIN + below + (GAP if below else 0)
    ax_left = MARGIN + max(0.0, (width - 2 * MARGIN - content_w - (GAP + legend_w if legend_w else 0)) / 2)
    ax_bottom = body_bottom + (body_h - content_h)  # top-aligned with the legend
    ax = fig.add_axes((ax_left / width, ax_bottom / height, content_w / width, content_h / height))
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.axis("off")

    for d in draws:
        _draw_edge(ax, d, lay, index)
    _draw_nodes(ax, net, lay, diagram.center)

    # legends to the right of the drawing, from the top down
    y = height - MARGIN - title_h - GAP
    x = ax_left + content_w + GAP
    for lg, (_w, h) in zip(legends, sizes):
        lg.set_bbox_to_anchor((x, y), transform=fig.dpi_scale_trans)
        y -= h + GAP
    fig.text(width / 2, height - MARGIN, "\n".join(title_lines), transform=fig.dpi_scale_trans, ha="center",
             va="top", fontsize=TITLE_FONT, fontweight="bold", linespacing=1.2)
    y = MARGIN
    if foot_lines:
        fig.text(MARGIN, y, "\n".join(foot_lines), transform=fig.dpi_scale_trans, ha="left", va="bottom",
                 fontsize=FOOT_FONT, color="#444444", linespacing=1.25)
        y += foot_h + 0.08
    if note_lines:
        fig.text(MARGIN, y, "\n".join(note_lines), transform=fig.dpi_scale_trans, ha="left", va="bottom",
                 fontsize=NOTE_FONT, style="italic", color="#222222", linespacing=1.25)
    return fig


def _edge_text(e: Edge) -> str:
    """The edge's label; a single statement link goes unlabelled, its dotted line says enough."""
    return "" if e.relation == STATEMENTS and e.count == 1 else e.label


def _sources(net: Network) -> str:
    arts = net.used_articles()
    if not arts:
        return ""
    shown = arts[:6]
    more = f"; and {len(arts) - 6} more" if len(arts) > 6 else ""
    head = "Source" if len(arts) == 1 else "Sources"
    return f"{head}: " + "; ".join(_article_text(a) for a in shown) + more


def _draw_edge(ax, d: _EdgeDraw, lay: _Layout, index: dict[str, int]) -> None:
    e = d.edge
    ia, ib = index[e.source], index[e.target]
    style = ":" if e.relation == STATEMENTS else ("--" if e.claimed_only else "-")
    lw = min(1.0 + 0.5 * math.log2(e.count), 3.2) if e.count > 1 else 1.0
    if e.relation == STATEMENTS:
        lw *= 0.9
    arrow = FancyArrowPatch(
        tuple(d.a), tuple(d.b), arrowstyle="-|>", mutation_scale=11, connectionstyle=f"arc3,rad={d.rad}",
        shrinkA=lay.diam[ia] * 72 / 2 + 1, shrinkB=lay.diam[ib] * 72 / 2 + 2,
        color=d.color, linewidth=lw, linestyle=style, zorder=2,
    )
    ax.add_patch(arrow)
    if not d.text:
        return
    ax.text(
        d.at[0], d.at[1], d.text, ha="center", va="center", fontsize=EDGE_FONT, color=_darker(d.color, 0.8),
        zorder=4, gid="edge-label",
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": d.color, "lw": 0.5, "alpha": 0.92},
    )


def _draw_nodes(ax, net: Network, lay: _Layout, center: set[str]) -> None:
    by_type: dict[str, list[int]] = {}
    for i, n in enumerate(lay.ids):
        by_type.setdefault(net.nodes[n].type if net.nodes[n].type in TYPE_STYLE else "Other", []).append(i)
    for typ in sorted(by_type):
        idx = by_type[typ]
        marker, color = TYPE_STYLE[typ]
        ax.scatter(
            lay.pos[idx, 0], lay.pos[idx, 1], s=(lay.diam[idx] * 72) ** 2, marker=marker, c=color,
            edgecolors=["#000000" if lay.ids[i] in center else "#333333" for i in idx],
            linewidths=[2.2 if lay.ids[i] in center else 0.8 for i in idx], zorder=3,
        )
    for i, n in enumerate(lay.ids):
        x, y = lay.pos[i]
        r = lay.diam[i] / 2 + LABEL_GAP + 0.02
        x, y, ha, va = {
            BELOW: (x, y - r, "center", "top"),
            ABOVE: (x, y + r, "center", "bottom"),
            RIGHT: (x + r, y, "left", "center"),
            LEFT: (x - r, y, "right", "center"),
        }[int(lay.side[i])]
        ax.text(
            x, y, _wrap_label(net.nodes[n].label), ha=ha, va=va,
            fontsize=NODE_FONT, fontweight="bold" if n in center else "normal", zorder=5, linespacing=1.1,
            gid="node-label", bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        )


def _legend_items(net: Network, relations: Sequence[str]) -> list[tuple[str, list[tuple[Line2D, str]]]]:
    types = sorted({net.nodes[n].type if net.nodes[n].type in TYPE_STYLE else "Other" for n in net.nodes},
                   key=list(TYPE_STYLE).index)
    entity_items = []
    for t in types:
        marker, color = TYPE_STYLE[t]
        handle = Line2D([], [], marker=marker, linestyle="None", markerfacecolor=color, markeredgecolor="#333333",
                        markersize=9)
        entity_items.append((handle, {"Other": "other value", "Group": "Group (unnamed people)"}.get(t, t)))
    rel_items = []
    for r in relations:
        color = relation_color(r, relations)
        name = "statements: speaker → entity named" if r == STATEMENTS else relation_title(r)
        rel_items.append((Line2D([], [], color=color, linewidth=2, linestyle=":" if r == STATEMENTS else "-"), name))
    if any(e.claimed_only for e in net.edges):
        rel_items.append((Line2D([], [], color="#555555", linewidth=1.5, linestyle="--"),
                          "dashed: only claimed in a statement"))
    out = [("Entities", entity_items)]
    if rel_items:
        out.append(("Links", rel_items))
    return out


def _make_legend(fig: Figure, title: str, items: list[tuple[Line2D, str]]):
    lg = fig.legend(
        [h for h, _ in items], [t for _, t in items], loc="upper left", bbox_to_anchor=(0, 0),
        bbox_transform=fig.dpi_scale_trans, fontsize=LEGEND_FONT, title=title, title_fontsize=LEGEND_FONT + 0.5,
        alignment="left", frameon=True, framealpha=1.0, edgecolor="#BBBBBB", handlelength=2.2, borderaxespad=0,
    )
    lg.get_title().set_fontweight("bold")
    return lg


# ---------------------------------------------------------------------------
# checks and output
# ---------------------------------------------------------------------------


def label_overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of texts that overlap on the page, and texts cut off by its edge (paired with '<edge>')."""
    fig.canvas.draw()  # text boxes are laid out when drawn
    renderer = fig.canvas.get_renderer()
    texts = []
    for ax in fig.axes:
        texts += [t for t in ax.texts if t.get_text()]
    texts += [t for t in fig.texts if t.get_text()]
    boxes = []
    for t in texts:
        bb = t.get_window_extent(renderer)
        patch = t.get_bbox_patch()
        if patch is not None:
            bb = patch.get_window_extent(renderer)
        boxes.append((t.get_text(), bb))
    for lg in fig.legends:
        boxes.append(("<legend>", lg.get_window_extent(renderer)))
    page = fig.bbox
    problems = []
    for i, (ti, bi) in enumerate(boxes):
        if bi.x0 < page.x0 - 0.5 or bi.y0 < page.y0 - 0.5 or bi.x1 > page.x1 + 0.5 or bi.y1 > page.y1 + 0.5:
            problems.append((ti, "<edge>"))
        for tj, bj in boxes[i + 1 :]:
            w = min(bi.x1, bj.x1) - max(bi.x0, bj.x0)
            h = min(bi.y1, bj.y1) - max(bi.y0, bj.y0)
            if w > 0.5 and h > 0.5:
                problems.append((ti, tj))
    return problems


def to_bytes(fig: Figure, fmt: str, *, title: str = "") -> bytes:
    """The figure as PNG or SVG, with no date or software version: the same figure, the same bytes."""
    buf = io.BytesIO()
    with rc_context(_RC):
        if fmt == "png":
            meta = {"Software": None, **({"Title": title} if title else {})}
            fig.savefig(buf, format="png", dpi=DPI, metadata=meta, facecolor="white")
        elif fmt == "svg":
            meta = {"Date": None, "Creator": None, **({"Title": title} if title else {})}
            fig.savefig(buf, format="svg", metadata=meta, facecolor="white")
        else:
            raise KgError(f"unknown image format '{fmt}'; give png or svg")
    return buf.getvalue()


def save(fig: Figure, out: Path, stem: str, formats: Iterable[str] = FORMATS, *, title: str = "") -> list[Path]:
    """Write OUT/STEM.png and/or .svg, each atomically."""
    paths = []
    for fmt in formats:
        path = Path(out) / f"{stem}.{fmt}"
        write_atomic(path, to_bytes(fig, fmt, title=title))
        paths.append(path)
    return paths


def parse_formats(spec: str | Iterable[str]) -> list[str]:
    items = [s.strip().lower().lstrip(".") for s in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [s for s in items if s]
    bad = [s for s in items if s not in FORMATS]
    if bad or not items:
        raise KgError(f"unknown image format '{(bad or [spec])[0]}'; give png, svg or png,svg")
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------------------
# the library entry point
# ---------------------------------------------------------------------------


def examples(store: ox.Store, network: Network) -> list[Diagram]:
    """The standard set: the whole graph, one diagram per relation, the most mentioned person's ego network."""
    diagrams = [whole(network)]
    for r in network.relations():
        if r != STATEMENTS:
            diagrams.append(relation_diagram(network, r))
    people = [n for n in network.nodes.values() if n.type == "Person"]
    if people:
        top = sorted(people, key=lambda n: (-n.mentions, n.label))[0]
        diagrams.append(ego_diagram(network, [top.id], 2))
    return diagrams


def render(
    source: str | Path,
    *,
    out: str | Path = "outputs",
    formats: Iterable[str] = FORMATS,
    entity: str | None = None,
    depth: int = 1,
    relation: str | None = None,
    query: str | None = None,
    query_name: str | None = None,
    params: dict[str, str] | None = None,
    statements: bool = True,
    examples_set: bool = False,
    timeout: float | None = None,
    stem: str | None = None,
    title: str | None = None,
    max_nodes: int = MAX_NODES,
) -> list[Path]:
    """Draw one view (or the example set) of the graph at `source`; returns the files written."""
    formats = parse_formats(formats)
    store = open_source(source)
    network = entity_network(store, statements=statements)
    diagrams: list[Diagram] = []
    if examples_set:
        diagrams = examples(store, network)
    elif query is not None or query_name is not None:
        from .query import load_named

        declared = None
        if query_name is not None:
            nq = load_named(query_name)
            query, declared = nq.text, nq.params
        result = run(source if timeout else store, query or "", params=params, timeout=timeout, declared=declared,
                     name=query_name)
        what = f"named query “{query_name}”" if query_name else "query"
        if params:
            what += " (" + ", ".join(f"{k}={v}" for k, v in sorted(params.items())) + ")"
        d = query_diagram(store, result, title="", stem=stem or (f"query-{query_name}" if query_name else "query"))
        n = len(d.network.edges)
        d.title = title or f"Result of the {what}: {n} link{'s' if n != 1 else ''} between {len(d.network.nodes)} entities"
        diagrams = [d]
    else:
        base = network
        rel = ""
        if relation and relation != "all":
            rel = resolve_relation(store, relation)[len(ONTOLOGY):]
            base = by_relation(network, rel)
            if not base.edges:
                present = ", ".join(r for r in network.relations() if r != STATEMENTS) or "none"
                raise KgError(f"the graph has no “{relation_title(rel)}” links; the relations it has: {present}")
        if entity:
            centers = resolve_entity(store, entity)
            if not any(c in base.nodes for c in centers):
                label = network.nodes[centers[0]].label if centers[0] in network.nodes else entity
                where = f"“{relation_title(rel)}” links" if rel else "relations or statements"
                raise KgError(f"{label} has no {where} to draw; try another entity or leave out --relation")
            d = ego_diagram(base, [c for c in centers if c in base.nodes], depth)
            if rel:
                d.stem = f"{d.stem}-relation-{kebab(rel)}"
                d.title = d.title.replace("Ego network", f"“{relation_title(rel)}” links around", 1)
            diagrams = [d]
        elif relation == "all":
            diagrams = [relation_diagram(network, r) for r in network.relations() if r != STATEMENTS]
        elif rel:
            diagrams = [relation_diagram(network, rel)]
        else:
            diagrams = [whole(network)]
        if len(diagrams) == 1:
            diagrams[0].stem = stem or diagrams[0].stem
            diagrams[0].title = title or diagrams[0].title
    written: list[Path] = []
    for d in diagrams:
        if not statements and d.stem == "graph":
            d.title += " (statements hidden)"
        if not d.network.edges:
            continue
        fig = draw(d, max_nodes=max_nodes)
        written += save(fig, Path(out), d.stem, formats, title=d.title)
    if not written:
        raise KgError("nothing to draw: the view has no links (is the graph empty, or the relation absent?)")
    return written
