"""kg validate GRAPH"""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a graph against the SHACL shapes")
    p.add_argument("graph", help="a graph.trig or graph.ttl file, or a build folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..validate import validate

    problems = validate(args.graph)
    if not problems:
        print(f"{args.graph}: conforms to ontology/shapes.ttl")
        return 0
    for p in problems:
        print(p)
    print(f"kg: {args.graph}: {len(problems)} SHACL violation(s)", file=sys.stderr)
    return 1
