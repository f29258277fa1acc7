"""kg remove ARTICLE... [--out DIR] [--store DIR | --endpoint URL]"""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "remove",
        help="drop articles from the store (and graph.trig) with the entity rows only they supported",
    )
    p.add_argument("articles", nargs="+", help="article stems, file names or paths (000_x, 000_x.txt, seeds/000_x.txt)")
    p.add_argument(
        "--out", default=None, help="output folder whose graph.trig and graph.ttl are rewritten (default: outputs)"
    )
    target = p.add_mutually_exclusive_group()
    target.add_argument("--store", default=None, help="Oxigraph store folder (default: OUT/store)")
    target.add_argument("--endpoint", default=None, metavar="URL", help="a SPARQL 1.1 Graph Store Protocol endpoint")
    p.add_argument("--query-endpoint", default=None, metavar="URL", help="the endpoint's SPARQL query URL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..build import BuildInterrupted, remove
    from ..errors import KgError

    if args.endpoint and args.out:
        raise KgError("give --out (a local store and graph files) or --endpoint (a server), not both")
    try:
        report = remove(
            args.articles,
            None if args.endpoint else (args.out or "outputs"),
            store=args.store,
            endpoint=args.endpoint,
            query_endpoint=args.query_endpoint,
        )
    except BuildInterrupted as e:
        print(f"kg: {e}", file=sys.stderr)
        return 130
    for err in report.errors:
        print(f"kg: {err}", file=sys.stderr)
    print(report.summary())
    return 0 if report.removed else 1
