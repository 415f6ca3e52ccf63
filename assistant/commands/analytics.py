"""`creator analytics report` and `creator analytics competitors`: the computed facts."""

from __future__ import annotations

import argparse
import json

from creator_assistant.commands.output import add_markdown_flag, show_markdown


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analytics", help="channel analytics computed from imported data",
                       description="Channel analytics worked out in Python from the data you "
                       "imported (`creator import`); no model is called.")
    asub = p.add_subparsers(dest="analytics_command", metavar="ACTION", required=True)
    report = asub.add_parser("report", help="top and bottom performers, engagement, publish day, "
                             "length, growth, outliers",
                             description="From an imported YouTube Studio export: top and "
                             "bottom performers, engagement, publish day and length effects, "
                             "growth and outliers, on whatever the report has.")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.add_argument("--channel", metavar="NAME", help="the channel to report when imports "
                        "come from more than one (default: the most recent import's)")
    comp = asub.add_parser("competitors", help="title patterns, cadence, topics and gaps from "
                           "an imported video list",
                           description="From an imported video list: title patterns, publishing "
                           "cadence, topics and tags, and the gaps against your own videos.")
    comp.add_argument("--json", action="store_true", help="print the report as JSON")
    add_markdown_flag(report, comp)


def run(args: argparse.Namespace) -> int:
    from creator_assistant.commands import CommandError
    from creator_assistant.data.facts import analytics_facts, competitor_facts
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.db import open_db

    db = open_db(get_paths().ensure().database)
    try:
        facts = (analytics_facts(db, channel=args.channel) if args.analytics_command == "report"
                 else competitor_facts(db))
    except LookupError as exc:  # --channel names no imported channel
        raise CommandError(str(exc)) from None
    if args.json:
        print(json.dumps(facts.data, default=str))
    else:
        show_markdown(facts.markdown, args.markdown)
    return 0
