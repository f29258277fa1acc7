"""kg export GRAPH --format graphml|gexf|jsonld|nt|nq|csv --out FILE"""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write the entity network (GraphML, GEXF, CSV) or the whole graph (JSON-LD, N-Triples) for other tools",
        description=(
            "graphml, gexf and csv hold the entity network: entities as nodes (label, type, mentions), relations "
            "and speaker -> entity-named links as edges with counts. jsonld, nt and nq hold every triple."
        ),
    )
    p.add_argument("graph", help="a build folder (outputs/), its store/, or a .trig/.ttl/.nq/.nt file")
    p.add_argument("--format", "-f", choices=("graphml", "gexf", "jsonld", "nt", "nq", "csv"),
                   help="the format (default: from the --out file name)")
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="the file to write")
    p.add_argument("--no-statements", action="store_true",
                   help="leave speaker -> entity-named links out of the network formats")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..export import export

    path = export(args.graph, args.out, args.format, statements=not args.no_statements)
    print(path)
    return 0
