"""`creator analytics report` and `creator analytics competitors`: the computed facts."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analytics", help="channel analytics computed from imported data")
    asub = p.add_subparsers(dest="analytics_command", metavar="ACTION", required=True)
    report = asub.add_parser("report", help="top and bottom performers, engagement, publish day, "
                             "length, growth, outliers")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    comp = asub.add_parser("competitors", help="title patterns, cadence, topics and gaps from "
                           "an imported video list")
    comp.add_argument("--json", action="store_true", help="print the report as JSON")


def show(markdown: str) -> None:
    """Markdown rendered by Rich on a terminal; as is in a pipe."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(markdown))
    else:
        print(markdown)


def run(args: argparse.Namespace) -> int:
    from creator_assistant.data.facts import analytics_facts, competitor_facts
    from creator_assistant.db import open_db
    from creator_assistant.paths import get_paths

    db = open_db(get_paths().ensure().database)
    facts = (analytics_facts if args.analytics_command == "report" else competitor_facts)(db)
    if args.json:
        print(json.dumps(facts.data, default=str))
    else:
        show(facts.markdown)
    return 0
