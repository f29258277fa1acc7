"""Thin command line: parse arguments, call one library function, print.

Each subcommand is a module in this package with `register(subparsers)`;
its handler returns the exit code. Errors meant for the user are `KgError`s
and print as one line.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from ..errors import KgError


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="kg", description="Build and query a knowledge graph of news articles.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KgError as e:
        print(f"kg: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kg: interrupted; outputs left as they were", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
