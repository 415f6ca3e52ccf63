"""`creator trend report`: each imported Google Trends term scored from its own series."""

from __future__ import annotations

import argparse
import json

from creator_assistant.commands.analytics import add_chart_flag, show_report
from creator_assistant.commands.output import add_markdown_flag


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trend", help="score imported Google Trends series",
                       description="Score the Google Trends series you imported (`creator import "
                       "multiTimeline.csv`), each from its own data.")
    tsub = p.add_subparsers(dest="trend_command", metavar="ACTION", required=True)
    report = tsub.add_parser("report", help="momentum, slope, seasonality, peak and decay: a "
                             "1-10 score with reasons and timing advice",
                             description="For each imported term: momentum, slope, seasonality, "
                             "peak and decay, a 1-10 score with its reasons, its interest "
                             "charted with the seasonal peak marked, and when to publish.")
    report.add_argument("terms", metavar="TERM", nargs="*", help="only these terms")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    add_markdown_flag(report)
    add_chart_flag(report)


def run(args: argparse.Namespace) -> int:
    from creator_assistant.commands import CommandError
    from creator_assistant.data.facts import trend_facts
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.db import open_db

    db = open_db(get_paths().ensure().database)
    facts = trend_facts(db, only=args.terms)
    if args.terms and facts.available:
        known = {t["term"].lower() for t in facts.data["terms"]}
        missing = [t for t in args.terms if t.lower() not in known]
        if missing:
            raise CommandError(f"no term {missing[0]!r} in the imported data; terms: "
                               + ", ".join(facts.data.get("all_terms", [])))
    if args.json:
        print(json.dumps(facts.data, default=str))
    else:
        show_report(facts.markdown, args.markdown, args.chart)
    return 0
