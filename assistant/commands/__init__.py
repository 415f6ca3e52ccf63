"""Command modules: each defines `add_parser(sub)` (argparse only, imported for `--help`) and
`run(args)`, which imports what it needs when the command actually runs."""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys


class CommandError(Exception):
    """A user's mistake or a missing prerequisite: printed as one line, exit code 1 or 2."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def user_errors() -> tuple[type[Exception], ...]:
    """The errors that reach a person as one line (imported only when one is raised: they
    import the whole core, and `creator chat` paints its first frame before that)."""
    from creator_assistant.config import ConfigError
    from creator_assistant.profiles import ProfileError
    from creator_assistant.runtime.gguf_check import InvalidModelFile
    from creator_assistant.runtime.protocol import ModelError
    from creator_assistant.runtime.resolver import ModelNotInstalled
    from creator_assistant.session import UserInputError
    from creator_assistant.storage.errors import StorageError
    from creator_assistant.storage.store import NotFound

    return (ConfigError, ProfileError, UserInputError, NotFound, ModelNotInstalled,
            InvalidModelFile, ModelError, StorageError)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    module = importlib.import_module(args._module)
    try:
        return module.run(args)
    except CommandError as exc:
        print(f"creator: {exc}", file=sys.stderr)
        return exc.code
    except sqlite3.Error as exc:  # a read that met a full disk or a damaged page, say
        from creator_assistant.paths import get_paths
        from creator_assistant.storage import health
        from creator_assistant.storage.errors import DatabaseDamaged, storage_error

        error = storage_error(exc, get_paths().database)
        if error is None:
            raise
        if isinstance(error, DatabaseDamaged):  # known now: no later write goes into it
            health.mark_damaged(get_paths().database, str(exc))
        print(f"creator: {error}", file=sys.stderr)
        return 1
    except Exception as exc:
        if not isinstance(exc, user_errors()):
            raise
        print(f"creator: {exc}", file=sys.stderr)
        return 1
