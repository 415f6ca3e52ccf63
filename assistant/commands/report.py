"""`creator report [--since 30d] [--json]`: the time your use saved, its worth, every input."""

from __future__ import annotations

import argparse

from creator_assistant.commands.stats import add_usage_flags, show_usage


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
    return show_usage(args, "report")
