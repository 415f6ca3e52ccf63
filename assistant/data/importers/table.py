"""Read a CSV into a header and numbered rows, then into typed records by a column map."""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from creator_assistant.data.importers import limits
from creator_assistant.data.importers.base import CellError, DataFileError, TextFile, shown
from creator_assistant.data.importers.parse import PARSERS, guess_kind


@dataclass
class Table:
    """A CSV's header and its data rows, each with the line it starts on."""

    file: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    delimiter: str = ","

    @property
    def decimal_comma(self) -> bool:
        """Semicolon-separated files come from locales that write 1183689,3666."""
        return self.delimiter == ";"

    def parser(self, kind: str) -> Callable[[str], Any]:
        """The cell parser for `kind`, reading decimal commas where the file uses them."""
        parse = PARSERS[kind]
        if not self.decimal_comma or kind not in NUMERIC:
            return parse
        return lambda cell: parse(decimal_point(cell))

    @property
    def columns_text(self) -> str:
        """The header as a message names it: one line, not too long."""
        return shown(", ".join(self.header), 300)

    @property
    def keys(self) -> list[str]:
        return [norm(h) for h in self.header]

    def column(self, index: int) -> list[str]:
        values = [cells[index] for _, cells in self.rows]
        return [decimal_point(v) for v in values] if self.decimal_comma else values


NUMERIC = ("int", "float", "pct")


def decimal_point(cell: str) -> str:
    """`1.183.689,36` or `1183689,36` as `1183689.36`; a cell without a comma as it is."""
    return cell.replace(".", "").replace(",", ".") if "," in cell else cell


def norm(header: str) -> str:
    """A header as maps name it: lower case, single spaces, no quotes or BOM."""
    return " ".join(header.replace("\ufeff", "").strip().strip('"').lower().split())


DELIMITERS = (",", ";", "\t")
NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_SAMPLE_LINES = 30
SNIFF_ROWS = 20  # a sniffer reads the header and this many rows, never the whole file


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def text_lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings, one at a time (io.StringIO would first copy the
    whole text, at four bytes a character)."""
    return (m.group() for m in _LINE.finditer(text))


def sample_rows(text: str, delimiter: str, lines: int = _SAMPLE_LINES) -> list[list[str]]:
    """The first `lines` lines parsed with `delimiter`, blank and one-cell lines left out."""
    head = list(itertools.islice(text_lines(text), lines))
    try:
        rows = list(csv.reader(head, delimiter=delimiter))
    except csv.Error:
        return []
    return [r for r in rows if len(r) >= 2 and any(c.strip() for c in r)]


def delimiter_of(text: str) -> str:
    """`,`, `;` or tab: the one that splits the first lines into the most, equal, columns."""
    best, best_score = ",", 0.0
    for d in DELIMITERS:
        rows = sample_rows(text, d)
        if not rows:
            continue
        width = len(rows[0])
        same = sum(len(r) == width for r in rows) / len(rows)
        score = width * same if same >= 0.7 else 0.0
        if score > best_score:
            best, best_score = d, score
    return best


def header_cells(f: TextFile) -> list[str]:
    """The header of `f` (its first line of two or more cells), normalized; [] when none."""
    d = delimiter_of(f.text)
    rows = [r for r in sample_rows(f.text, d) if not r[0].lstrip("\ufeff").startswith("Category:")]
    return [norm(c) for c in rows[0]] if rows else []


def csv_rows(f: TextFile, delimiter: str, *, strict: bool = True
             ) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for each CSV row of `f`, each cell within the cap; bad CSV is refused."""
    cap = limits.current().max_cell_chars
    csv.field_size_limit(max(csv.field_size_limit(), cap + 1))
    reader = csv.reader(text_lines(f.text), delimiter=delimiter, strict=strict)
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            limits.check_cells(cells, f.name, line)
            yield line, cells
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise limits.cell_too_long(f.name, reader.line_num) from None
        raise DataFileError(f"not valid CSV: {exc}", file=f.name, line=reader.line_num) from None


def read_table(f: TextFile, *, delimiter: str | None = None, head: int | None = None) -> Table:
    """Parse `f` as CSV; leading one-cell lines (`Category: ...`) and blank lines are preamble.
    `head`: read only that many data rows (for sniffing). The caps in `limits` apply."""
    if delimiter is None:
        delimiter = delimiter_of(f.text)
    max_rows = limits.current().max_rows
    table: Table | None = None
    preamble: list[str] = []
    for line, cells in csv_rows(f, delimiter):
        if not any(c.strip() for c in cells):
            continue
        if table is None:
            if len(cells) < 2 or cells[0].lstrip("\ufeff").startswith("Category:"):
                if len(preamble) >= _SAMPLE_LINES:
                    break  # one-cell lines all the way down: not a table
                preamble.append(cells[0])
                continue
            table = Table(f.name, [c.strip() for c in cells], line, preamble=preamble,
                          delimiter=delimiter)
            continue
        if len(cells) != len(table.header):
            raise DataFileError(
                f"expected {len(table.header)} fields like the header, found {len(cells)}"
                + (" (is the file cut short?)" if len(cells) < len(table.header) else
                   f" (a value with a {NAMES[delimiter]} in it must be quoted)"),
                file=f.name, line=line)
        if head is not None and len(table.rows) >= head:
            break
        if head is None and len(table.rows) >= max_rows:
            raise limits.too_many_rows(f.name, line)
        table.rows.append((line, cells))
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
    parsers = [(i, name, table.parser(kind)) for i, name, kind in cols]
    out = []
    for line, cells in table.rows if rows is None else rows:
        rec: dict[str, Any] = {"_line": line}
        for i, name, parse in parsers:
            try:
                rec[name] = parse(cells[i])
            except CellError as exc:
                raise DataFileError(str(exc), file=table.file, line=line,
                                    column=table.header[i]) from None
        out.append(rec)
    return out
