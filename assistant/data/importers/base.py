"""The importer contract: what an importer is given (Source), returns (Dataset) and raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def shown(text: str, limit: int = 80) -> str:
    """`text` on one line and at most `limit` characters, for a message quoting a file."""
    flat = "".join(c if c.isprintable() else " " for c in text)
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


class CellError(ValueError):
    """One cell is not what its column holds; the reader adds the file, line and column."""

    def __init__(self, expected: str, found: str) -> None:
        super().__init__(f"expected {expected}, found {shown(found)!r}")
        self.expected, self.found = expected, found


class DataFileError(ValueError):
    """A file cannot be imported; the message names the file, line and column, and what to do."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None,
                 column: str | None = None) -> None:
        where = ", ".join(filter(None, [
            shown(file, 200), f"line {line}" if line else "",
            f"column {shown(column)!r}" if column else ""]))
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.line, self.column = file, line, column


@dataclass
class TextFile:
    """One decoded file of a source: its name, its text, and the encoding it arrived in."""

    name: str
    text: str
    encoding: str = "utf-8"


@dataclass
class Source:
    """What the user pointed at: one file, or the CSV files of a folder or zip, decoded."""

    path: str
    files: list[TextFile]
    sha256: str
    container: str = "file"  # file, folder or zip

    def find(self, *names: str) -> TextFile | None:
        """The member whose name ends with one of `names` (case-insensitive), if any."""
        for wanted in names:
            for f in self.files:
                if f.name.lower().endswith(wanted.lower()):
                    return f
        return None


@dataclass
class Dataset:
    """What an importer read: rows grouped in parts (`table`, `totals`, `timeline`...)."""

    format: str
    kind: str  # what the rows describe: channel-report, trends, videos, content
    parts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(len(rows) for rows in self.parts.values())


@dataclass(frozen=True)
class Importer:
    """A data format: `sniff(source)` says how sure it is (0-1) that it reads the source, and
    `read(source, options)` returns the Dataset or raises DataFileError."""

    name: str
    description: str
    sniff: Callable[[Source], float]
    read: Callable[[Source, dict[str, str]], Dataset]
    containers: tuple[str, ...] = ("file",)
