"""Read a CSV into a header and numbered rows, then into typed records by a column map."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from creator_assistant.data.importers.base import CellError, DataFileError, TextFile
from creator_assistant.data.importers.parse import PARSERS, guess_kind

csv.field_size_limit(16 * 1024 * 1024)  # video descriptions run long; the default is 128 KB


@dataclass
class Table:
    """A CSV's header and its data rows, each with the line it starts on."""

    file: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [norm(h) for h in self.header]

    def column(self, index: int) -> list[str]:
        return [cells[index] for _, cells in self.rows]


def norm(header: str) -> str:
    """A header as maps name it: lower case, single spaces, no quotes or BOM."""
    return " ".join(header.replace("\ufeff", "").strip().strip('"').lower().split())


def read_table(f: TextFile, *, delimiter: str | None = None) -> Table:
    """Parse `f` as CSV; leading one-cell lines (`Category: ...`) and blank lines are preamble."""
    if delimiter is None:
        first = next((ln for ln in f.text.splitlines() if "," in ln or "\t" in ln), "")
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(f.text, newline=""), delimiter=delimiter, strict=True)
    table: Table | None = None
    preamble: list[str] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if table is None:
                if len(cells) < 2 or cells[0].lstrip("\ufeff").startswith("Category:"):
                    preamble.append(cells[0])
                    continue
                table = Table(f.name, [c.strip() for c in cells], line, preamble=preamble)
                continue
            if len(cells) != len(table.header):
                raise DataFileError(
                    f"expected {len(table.header)} fields like the header, found {len(cells)}"
                    + (" (is the file cut short?)" if len(cells) < len(table.header) else
                       " (a value with a comma must be quoted)"), file=f.name, line=line)
            table.rows.append((line, cells))
    except csv.Error as exc:
        raise DataFileError(f"not valid CSV: {exc}", file=f.name, line=reader.line_num) from None
    if table is None:
        raise DataFileError("no header line with columns: the file is empty or not a CSV",
                            file=f.name)
    return table


Spec = dict[str, tuple[str, str]]  # normalized header -> (field name, parser kind)


def mapping(table: Table, spec: Spec, *, keep_unknown: bool = True) -> list[tuple[int, str, str]]:
    """(column index, field, parser) for every column: known headers by the spec, the rest by
    a slug of the header and the parser that reads all their values."""
    out, seen = [], set()
    for i, key in enumerate(table.keys):
        if key in spec:
            name, kind = spec[key]
        elif keep_unknown:
            name, kind = slug(key), guess_kind(table.column(i))
        else:
            continue
        if name in seen:  # two headers mapping to one field: keep the first
            continue
        seen.add(name)
        out.append((i, name, kind))
    return out


def slug(header: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in header.lower()).strip("_") or "column"


def records(table: Table, cols: Iterable[tuple[int, str, str]],
            rows: list[tuple[int, list[str]]] | None = None) -> list[dict[str, Any]]:
    """Typed records from rows; the first bad cell raises with its line and column."""
    cols = list(cols)
    out = []
    for line, cells in table.rows if rows is None else rows:
        rec: dict[str, Any] = {"_line": line}
        for i, name, kind in cols:
            try:
                rec[name] = PARSERS[kind](cells[i])
            except CellError as exc:
                raise DataFileError(str(exc), file=table.file, line=line,
                                    column=table.header[i]) from None
        out.append(rec)
    return out
