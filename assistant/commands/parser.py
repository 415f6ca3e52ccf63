"""The argparse parser every `creator` command is built with: a mistyped option or subcommand gets
"did you mean ...?", reported by the subcommand's own parser so its usage is the one shown, and a
subcommand without a description gets its one-line help as one, so no `--help` is empty."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable, Sequence
from typing import Any


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word nearest to `word`, when one is near enough to be what was meant."""
    matches = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


class SubCommands(argparse._SubParsersAction):
    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if kwargs.get("description") is None and kwargs.get("help"):
            text = kwargs["help"]
            kwargs["description"] = text[0].upper() + text[1:] + "."
        return super().add_parser(name, **kwargs)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", SubCommands)

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            # argparse hands everything after a subcommand to its parser, so an unknown word is
            # the deepest chosen subcommand's (its usage is the helpful one), not the top level's.
            chosen(self, parsed).unrecognized(extras)
        return parsed

    def unrecognized(self, extras: list[str]) -> None:
        message = f"unrecognized arguments: {' '.join(extras)}"
        known = list(self._option_string_actions)
        for word in extras:
            option = word.split("=", 1)[0]
            if not option.startswith("-"):
                continue
            if option in self._option_string_actions:
                message += f"; {option} goes after `{self.prog}`"
            elif (near := closest(option, known)) is not None:
                message += f"; did you mean {near}?"
        self.error(message)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is None or value in action.choices:
            return
        choices = ", ".join(map(str, action.choices))
        message = f"invalid choice: {value!r} (choose from {choices})"
        if isinstance(value, str) and (near := closest(value, map(str, action.choices))):
            message += f"; did you mean {near}?"
        raise argparse.ArgumentError(action, message)


def chosen(parser: argparse.ArgumentParser, parsed: argparse.Namespace) -> Parser:
    """The deepest subcommand's parser that `parsed` selected (`parser` itself if none)."""
    while True:
        subs = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        name = getattr(parsed, subs.dest, None) if subs is not None else None
        if subs is None or name not in subs.choices:
            return parser  # type: ignore[return-value]
        parser = subs.choices[name]
