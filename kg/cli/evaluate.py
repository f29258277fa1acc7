"""kg evaluate GOLD_DIR ARTICLES_DIR [-v] [--json OUT]"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="score extraction against gold annotations (precision, recall, F1)")
    p.add_argument("gold_dir", help="folder of *.gold.json files (format: shared/gold/FORMAT.md)")
    p.add_argument("articles_dir", help="folder holding the articles the gold files name")
    p.add_argument("-v", "--verbose", action="store_true", help="list each miss (FN) and each false fact (FP)")
    p.add_argument("--json", metavar="OUT", help="also write the overall figures as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluate import evaluate

    scores = evaluate(args.gold_dir, args.articles_dir)
    if args.verbose:
        print("\n".join(scores.details))
    print(scores.table())
    if args.json:
        Path(args.json).write_text(json.dumps(scores.summary(), indent=1, sort_keys=True) + "\n")
    return 0
