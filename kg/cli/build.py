"""kg build PATH... --out DIR"""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="extract entities, statements and relations into DIR/graph.trig")
    p.add_argument("paths", nargs="+", help="article .txt files or folders of them")
    p.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..build import build

    report = build(args.paths, args.out)
    for err in report.errors:
        print(f"kg: skipped {err}", file=sys.stderr)
    print(report.summary())
    return 0
