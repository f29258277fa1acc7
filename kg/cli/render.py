"""kg render GRAPH [--entity NAME --depth N] [--relation R|all] [--query SPARQL | --query-file F | --name Q]"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import KgError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "render",
        help="draw the graph, a relation, an entity's neighbourhood or a query result as PNG and SVG",
        description=(
            "Draw the entity network. With no view option: the whole graph (outputs/graph.png). "
            "--examples writes the standard set: the whole graph, one diagram per relation, and the ego "
            "network of the most mentioned person."
        ),
    )
    p.add_argument("graph", help="a build folder (outputs/), its store/, or a .trig/.ttl/.nq/.nt file")
    p.add_argument("--entity", "-e", metavar="NAME", help="draw the neighbourhood of this entity (name or alias)")
    p.add_argument("--depth", "-d", type=int, default=1, metavar="N",
                   help="with --entity: how many links out (default 1)")
    p.add_argument("--relation", "-r", metavar="NAME",
                   help="draw one relation (commands, guards, attacks, ...), or 'all' for one diagram each")
    p.add_argument("--query", "-q", metavar="SPARQL", help="draw the result of a query (?s ?p ?o, two entity columns, or CONSTRUCT)")
    p.add_argument("--query-file", metavar="Q.rq", help="draw the result of the query in this file")
    p.add_argument("--name", "-n", metavar="QUERY", help="draw the result of a named query from queries/")
    p.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter of the named query (repeatable)")
    p.add_argument("--no-statements", action="store_true", help="hide the speaker -> entity-named links")
    p.add_argument("--examples", action="store_true", help="write the standard example set")
    p.add_argument("--out", "-o", default="outputs", metavar="DIR", help="output folder (default: outputs)")
    p.add_argument("--format", default="png,svg", metavar="png,svg", help="image formats (default: png,svg)")
    p.add_argument("--output-name", metavar="STEM", help="file name without extension (default: from the view)")
    p.add_argument("--title", help="the diagram's title (default: describes the view)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="stop a query that runs longer than S seconds (default 60; 0: no limit)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..render import render
    from .query import parse_params

    queries = [x for x in (args.query, args.query_file, args.name) if x]
    if len(queries) > 1:
        raise KgError("give one of --query, --query-file and --name")
    if queries and (args.entity or args.relation or args.examples):
        raise KgError("--query, --query-file and --name draw a query result; leave out --entity, --relation, --examples")
    if args.examples and (args.entity or args.relation):
        raise KgError("--examples draws the standard set; leave out --entity and --relation")
    if args.depth < 1:
        raise KgError(f"--depth {args.depth}: give 1 or more")
    if args.param and not (args.name or args.query or args.query_file):
        raise KgError("--param goes with --name (or a query with VALUES ?name { UNDEF } placeholders)")
    query = args.query
    if args.query_file:
        path = Path(args.query_file)
        if not path.is_file():
            raise KgError(f"{path}: no such query file")
        query = path.read_text(encoding="utf-8")
    written = render(
        args.graph, out=args.out, formats=args.format, entity=args.entity, depth=args.depth,
        relation=args.relation, query=query, query_name=args.name, params=parse_params(args.param),
        statements=not args.no_statements, examples_set=args.examples, timeout=args.timeout,
        stem=args.output_name, title=args.title,
    )
    for path in written:
        print(path)
    return 0
