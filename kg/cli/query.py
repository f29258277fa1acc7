"""kg query GRAPH 'SPARQL' | --file Q.rq | --name NAME [--param K=V ...]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import KgError

FORMATS = ("table", "csv", "tsv", "json", "turtle", "nt")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "query",
        help="run a SPARQL query, or a named one from queries/, over a graph",
        description=(
            "Run SPARQL over a build folder, its store/ or a graph file. All named graphs are "
            "queried together; the prefixes kgo:, kgr:, rdf:, rdfs:, skos:, owl:, prov:, schema:, "
            "xsd:, dcterms: and wd: are declared."
        ),
    )
    p.add_argument("graph", nargs="?", help="a build folder (outputs/), its store/, or a .trig/.ttl/.nq/.nt file")
    p.add_argument("sparql", nargs="?", help="the query text")
    p.add_argument("--file", "-f", metavar="Q.rq", help="read the query from a file")
    p.add_argument("--name", "-n", metavar="NAME", help="run a named query from queries/ (see --list)")
    p.add_argument(
        "--param", "-p", action="append", default=[], metavar="KEY=VALUE",
        help="a parameter of the query, e.g. entity=Erdogan (repeatable)",
    )
    p.add_argument(
        "--format", choices=FORMATS, default=None,
        help="table (default for SELECT), csv, tsv, json (SPARQL 1.1 results), turtle (default for CONSTRUCT), nt",
    )
    p.add_argument(
        "--timeout", type=float, default=60.0, metavar="S",
        help="stop a query that runs longer than S seconds (default 60; 0: no limit)",
    )
    p.add_argument(
        "--max-width", type=int, default=60, metavar="N",
        help="cut table cells longer than N characters (default 60; 0: never)",
    )
    p.add_argument("--list", action="store_true", help="list the named queries and what they answer")
    p.add_argument("--queries", metavar="DIR", help="folder of named queries (default: queries/ of kg)")
    p.set_defaults(func=run)


def parse_params(items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise KgError(f"--param {item!r}: write it as KEY=VALUE, e.g. --param entity=Erdogan")
        params[key.strip()] = value
    return params


def run(args: argparse.Namespace) -> int:
    from .. import query as q

    directory = Path(args.queries) if args.queries else None
    if args.list:
        for nq in q.named_queries(directory).values():
            params = ", ".join(p.name + ("" if p.required else "?") for p in nq.params)
            print(f"{nq.name}{f' [{params}]' if params else ''}\n    {nq.answers}")
        return 0
    if not args.graph:
        raise KgError("give the graph to query: kg query outputs/ 'SELECT ...' (or --name NAME, --file Q.rq)")
    given = [x for x in (args.sparql, args.file, args.name) if x]
    if len(given) != 1:
        raise KgError("give exactly one query: a SPARQL string, --file Q.rq or --name NAME (see --list)")
    params = parse_params(args.param)
    declared = name = None
    if args.name:
        nq = q.load_named(args.name, directory)
        text, declared, name = nq.text, nq.params, nq.name
    elif args.file:
        path = Path(args.file)
        if not path.is_file():
            raise KgError(f"{path}: no such query file")
        nq = q.parse_named(path)
        text, declared = nq.text, (nq.params if "params" in nq.comments else None)
    else:
        text = args.sparql
    result = q.run(args.graph, text, params=params, timeout=args.timeout, declared=declared, name=name)
    fmt = args.format or ("turtle" if result.kind == "graph" else "table")
    if fmt == "table":
        names, rows = result.as_rows()
        out, cut = q.table(names, rows, max_width=args.max_width)
        sys.stdout.write(out)
        if cut:
            print(f"(values longer than {args.max_width} characters are cut; --max-width 0 or --format csv shows them whole)",
                  file=sys.stderr)
    else:
        sys.stdout.write(q.format_result(result, fmt))
    return 0
