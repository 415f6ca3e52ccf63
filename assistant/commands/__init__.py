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


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from creator_assistant.config import ConfigError
    from creator_assistant.paths import get_paths
    from creator_assistant.profiles import ProfileError
    from creator_assistant.runtime.gguf_check import InvalidModelFile
    from creator_assistant.runtime.protocol import ModelError
    from creator_assistant.runtime.resolver import ModelNotInstalled
    from creator_assistant.session import UserInputError
    from creator_assistant.storage import health
    from creator_assistant.storage.errors import DatabaseDamaged, StorageError, storage_error
    from creator_assistant.storage.store import NotFound

    module = importlib.import_module(args._module)
    try:
        return module.run(args)
    except CommandError as exc:
        print(f"creator: {exc}", file=sys.stderr)
        return exc.code
    except (ConfigError, ProfileError, UserInputError, NotFound, ModelNotInstalled,
            InvalidModelFile, ModelError, StorageError) as exc:
        print(f"creator: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # a read that met a full disk or a damaged page, say
        error = storage_error(exc, get_paths().database)
        if error is None:
            raise
        if isinstance(error, DatabaseDamaged):  # known now: no later write goes into it
            health.mark_damaged(get_paths().database, str(exc))
        print(f"creator: {error}", file=sys.stderr)
        return 1
