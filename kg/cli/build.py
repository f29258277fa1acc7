"""kg build PATH... [--out DIR] [--store DIR | --endpoint URL] [--jobs N] [--shard I/N]"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="extract entities, statements and relations into a store and DIR/graph.trig",
        description="Build articles into a persistent store (incremental: unchanged files are skipped) "
        "and write DIR/graph.trig and DIR/graph.ttl with everything the store holds.",
    )
    p.add_argument("paths", nargs="+", help="article .txt files or folders of them")
    p.add_argument("--out", default=None, help="output folder for graph.trig and graph.ttl (default: outputs)")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--store", default=None, help="Oxigraph store folder (default: OUT/store)")
    target.add_argument(
        "--endpoint",
        default=None,
        metavar="URL",
        help="write to a SPARQL 1.1 Graph Store Protocol endpoint instead (e.g. http://host:7878/store)",
    )
    p.add_argument(
        "--query-endpoint",
        default=None,
        metavar="URL",
        help="the endpoint's SPARQL query URL (guessed for Oxigraph, Fuseki, GraphDB, Virtuoso)",
    )
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="extraction processes (default: 1)")
    p.add_argument(
        "--shard", default=None, metavar="I/N", help="build only the I-th of N disjoint shards of the articles"
    )
    p.set_defaults(func=run)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from ..build import BuildInterrupted, build, parse_shard
    from ..errors import KgError

    if args.endpoint and args.out:
        raise KgError("give --out (a local store and graph files) or --endpoint (a server), not both")
    shard = parse_shard(args.shard) if args.shard else None
    signal.signal(signal.SIGTERM, _terminate)  # kill: finish or drop the article being written, then stop
    try:
        report = build(
            args.paths,
            None if args.endpoint else (args.out or "outputs"),
            store=args.store,
            endpoint=args.endpoint,
            query_endpoint=args.query_endpoint,
            jobs=args.jobs,
            shard=shard,
        )
    except BuildInterrupted as e:
        print(f"kg: {e}", file=sys.stderr)
        return 130
    for err in report.errors:
        print(f"kg: skipped {err}", file=sys.stderr)
    print(report.summary())
    sys.stdout.flush()
    return 0


__all__ = ["register", "run"]
