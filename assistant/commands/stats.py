"""`creator stats [--since 30d] [--json]`: the creator metrics measured from your own use."""

from __future__ import annotations

import argparse
import json
from typing import Any

from creator_assistant.commands.output import add_markdown_flag, show_markdown

STATS_CHARTS = ("Writing speed per day", "Words written per day")
REPORT_CHARTS = ("Time saved per week", "Words written per day")


def add_usage_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", default="30d", metavar="SPAN",
                   help="how far back: 30d (default), 2w, 12h, or all")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--no-chart", dest="chart", action="store_false",
                   help="leave out the charts drawn as text")
    add_markdown_flag(p)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help="your speed figures: words/s, sources/min, items/s, "
                       "model switches, memory",
                       description="Figures measured from your own replies (no model is "
                       "called): words per second per task and model, sources per minute for "
                       "research, items per second for organizing, model-switch latency warm "
                       "and cold, resident memory per loaded model. Each comes with the model "
                       "it was measured on and the count behind it.")
    add_usage_flags(p)


def charts_text(db: Any, settings: Any, since: str, titles: tuple[str, ...]) -> str:
    """The usage charts with these titles, drawn as text, each in a code block."""
    from creator_assistant.plots import render_text
    from creator_assistant.usage.figures import usage_charts

    drawn = [render_text(c, width=78, height=14) for c in usage_charts(db, settings, since)
             if c.title in titles]
    return "\n\n".join(f"```\n{text}\n```" for text in drawn)


def run(args: argparse.Namespace) -> int:
    return show_usage(args, "stats")


def show_usage(args: argparse.Namespace, which: str) -> int:
    """`creator stats` or `creator report`: the figures as JSON, or as Markdown with charts."""
    from creator_assistant.commands import CommandError
    from creator_assistant.config import load_config
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.db import open_db
    from creator_assistant.usage import figures as usage
    from creator_assistant.usage.period import UsageError

    paths = get_paths().ensure()
    settings = load_config(paths.config_file).report
    db = open_db(paths.database)
    try:
        if which == "report":
            figures, titles = usage.report(db, settings, args.since), REPORT_CHARTS
            text, any_rows = usage.report_text(figures), bool(figures["tasks"])
        else:
            figures, titles = usage.stats(db, args.since), STATS_CHARTS
            text, any_rows = usage.stats_text(figures), bool(figures["rows"])
        if args.json:
            print(json.dumps(figures, default=str))
            return 0
        if args.chart and any_rows:
            text += "\n\n## Over time\n\n" + charts_text(db, settings, args.since, titles)
        show_markdown(text, args.markdown)
    except UsageError as exc:
        raise CommandError(str(exc), 2) from None
    finally:
        db.close()
    return 0
