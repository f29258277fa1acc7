"""Thin command line: parse arguments, call one library function, print."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .errors import KgError


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    report = build(args.paths, args.out)
    for err in report.errors:
        print(f"kg: skipped {err}", file=sys.stderr)
    print(report.summary())
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate

    problems = validate(args.graph)
    if not problems:
        print(f"{args.graph}: conforms to ontology/shapes.ttl")
        return 0
    for p in problems:
        print(p)
    print(f"{args.graph}: {len(problems)} violation(s)", file=sys.stderr)
    return 1


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="kg", description="Build a knowledge graph from news articles.")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="extract entities, statements and relations into DIR/graph.trig")
    b.add_argument("paths", nargs="+", help="article .txt files or folders of them")
    b.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    b.set_defaults(func=cmd_build)
    v = sub.add_parser("validate", help="check a graph against the SHACL shapes")
    v.add_argument("graph", help="a graph.trig or graph.ttl file, or a build folder")
    v.set_defaults(func=cmd_validate)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KgError as e:
        print(f"kg: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kg: interrupted; outputs left as they were", file=sys.stderr)
        return 130
