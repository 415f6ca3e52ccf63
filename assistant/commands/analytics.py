"""`creator analytics report` and `creator analytics competitors`: the computed facts."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

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
    add_chart_flag(report)


def add_chart_flag(*parsers: argparse.ArgumentParser) -> None:
    for parser in parsers:
        parser.add_argument("--no-chart", dest="chart", action="store_false",
                            help="leave the charts out (tables only)")


def show_report(markdown: str, plain: bool = False, charts: bool = True) -> None:
    """Markdown with charts: on a terminal each chart drawn in colour at its width between the
    rendered Markdown; in a pipe, or with `plain`, Markdown with the charts as text blocks."""
    from creator_assistant.plots import as_text, render_text, split

    width = max(30, min(shutil.get_terminal_size((80, 24)).columns, 160))
    if plain or not sys.stdout.isatty():
        show_markdown(as_text(markdown, width, charts=charts), plain=True)
        return
    color = not os.environ.get("NO_COLOR")
    for piece in split(markdown):
        if isinstance(piece, str):
            show_markdown(piece)
        elif charts:
            print(render_text(piece, width - 1, color=color) + "\n")


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
        show_report(facts.markdown, args.markdown, getattr(args, "chart", True))
    return 0
