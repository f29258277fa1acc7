"""kg serve [--store DIR] [--host 127.0.0.1] [--port 7878]"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from types import FrameType


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="a read-only SPARQL endpoint over the store, with a query page at /",
        description="Serve the store as a SPARQL 1.1 Protocol endpoint (/sparql) and a page (/) "
        "where a query's result is shown as a table and a diagram. Read-only; SERVICE and LOAD are refused.",
    )
    p.add_argument("--store", default="outputs", help="a build folder or its store/ (default: outputs)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7878, help="port (default: 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="seconds a query may run (default: 10)")
    p.add_argument(
        "--max-rows", type=int, default=10_000, metavar="N", help="most rows or triples in an answer (default: 10000)"
    )
    p.add_argument("--workers", type=int, default=2, metavar="N", help="queries answered at the same time (default: 2)")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    p.set_defaults(func=run)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from ..errors import KgError
    from ..serve import Settings, serve

    if args.timeout <= 0 or args.max_rows < 1 or args.workers < 1:
        raise KgError("--timeout, --max-rows and --workers must be positive")
    settings = Settings(Path(args.store), args.host, args.port, args.timeout, args.max_rows, args.workers)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)  # also when started in the background, where SIGINT is ignored
    try:
        serve(settings, verbose=args.verbose, announce=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        print("kg: stopped serving", flush=True)
    return 0
