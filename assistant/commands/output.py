"""How commands print Markdown: rendered by Rich in a terminal, as plain Markdown in a pipe or
with `--markdown`, so `creator analytics report > report.md` writes a Markdown file."""

from __future__ import annotations

import argparse
import sys

from creator_assistant.terminal_text import safe


def add_markdown_flag(*parsers: argparse.ArgumentParser) -> None:
    for parser in parsers:
        parser.add_argument("--markdown", action="store_true",
                            help="print plain Markdown even in a terminal (a pipe always gets it)")


def show_markdown(text: str, plain: bool = False) -> None:
    """Print `text` (Markdown): rendered on a terminal unless `plain`; as is otherwise. Control
    and escape sequences in it are shown, not obeyed (JSON output and exports keep them)."""
    text = safe(text)
    if plain or not sys.stdout.isatty():
        print(text)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(text))
