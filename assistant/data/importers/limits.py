"""Caps on what one import may read (decompressed bytes, rows, characters in a cell), so a
hostile or mistaken file is refused early with a message naming the cap and its config key."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from creator_assistant.data.importers.base import DataFileError

# The defaults, also used by config.py's [imports] section (one place for the numbers).
MAX_DECOMPRESSED_MB = 100.0
MAX_ROWS = 500_000
MAX_CELL_CHARS = 100_000


@dataclass(frozen=True)
class Limits:
    """The caps one import runs under; `config.toml` [imports] sets them."""

    max_decompressed_mb: float = MAX_DECOMPRESSED_MB
    max_rows: int = MAX_ROWS
    max_cell_chars: int = MAX_CELL_CHARS

    @property
    def max_bytes(self) -> int:
        return int(self.max_decompressed_mb * 2**20)


class LimitExceeded(DataFileError):
    """A file goes over one of the caps; nothing of the import is stored."""


DEFAULT = Limits()
_current: contextvars.ContextVar[Limits] = contextvars.ContextVar("import_limits",
                                                                  default=DEFAULT)


def current() -> Limits:
    """The caps of the import running in this thread (the defaults outside one)."""
    return _current.get()


@contextlib.contextmanager
def applied(limits: Limits) -> Iterator[Limits]:
    """Run an import under `limits`: the readers (source, table) consult `current()`."""
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def _refuse(what: str, key: str, value: float, advice: str, file: str = "",
            line: int | None = None) -> LimitExceeded:
    shown = value if isinstance(value, int) else f"{value:g}"
    return LimitExceeded(f"{what}, over the cap ([imports] {key} = {shown} in config.toml); "
                         f"{advice}, or raise the cap", file=file, line=line)


def too_big(where: str, size: int | None = None) -> LimitExceeded:
    cap = current().max_decompressed_mb
    found = f"is {size / 2**20:,.1f} MB" if size else f"expands to more than {cap:g} MB"
    return _refuse(f"{Path(where).name} {found} of data", "max_decompressed_mb", cap,
                   "export a shorter date range")


def too_many_rows(file: str, line: int | None = None) -> LimitExceeded:
    cap = current().max_rows
    return _refuse(f"more than {cap:,} rows", "max_rows", cap,
                   "export a shorter date range or fewer items", file, line)


def cell_too_long(file: str, line: int | None, size: int | None = None) -> LimitExceeded:
    cap = current().max_cell_chars
    found = f"a cell of {size:,} characters" if size else f"a cell over {cap:,} characters"
    return _refuse(found, "max_cell_chars", cap, "check the file is the export you meant",
                   file, line)


def check_cells(cells: list[str], file: str, line: int) -> None:
    """Refuse a row holding a cell longer than the cap."""
    if cells and max(map(len, cells)) > current().max_cell_chars:
        raise cell_too_long(file, line, max(map(len, cells)))
