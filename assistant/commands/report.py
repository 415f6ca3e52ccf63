"""`creator report [--since 30d] [--json]`: the time your use saved, its worth, every input."""

from __future__ import annotations

import argparse
import json

from creator_assistant.commands.output import show_markdown
from creator_assistant.commands.stats import add_usage_flags, charts_text

REPORT_CHARTS = ("Time saved per week", "Words written per day")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="time saved per task and its worth, from your own use",
                       description="Per task: what was produced (pieces, words, ideas sorted, "
                       "sources read) and how long the product took, against your estimate of "
                       "the time by hand ([report] in config.toml, defaults shown); its worth "
                       "at your hourly value, the monthly hardware cost and the payback "
                       "period. Replies you threw away (regenerated, edited and resent, "
                       "stopped, rated 1-2) count as no time saved.")
    add_usage_flags(p)


def run(args: argparse.Namespace) -> int:
    from creator_assistant.commands import CommandError
    from creator_assistant.config import load_config
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.db import open_db
    from creator_assistant.usage.figures import report, report_text
    from creator_assistant.usage.period import UsageError

    paths = get_paths().ensure()
    settings = load_config(paths.config_file).report
    db = open_db(paths.database)
    try:
        figures = report(db, settings, args.since)
        if args.json:
            print(json.dumps(figures, default=str))
            return 0
        text = report_text(figures)
        if args.chart and figures["tasks"]:
            text += "\n\n## Over time\n\n" + charts_text(db, settings, args.since, REPORT_CHARTS)
        show_markdown(text, args.markdown)
    except UsageError as exc:
        raise CommandError(str(exc), 2) from None
    finally:
        db.close()
    return 0
