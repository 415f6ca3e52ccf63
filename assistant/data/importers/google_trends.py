"""Google Trends exports: `multiTimeline.csv` (interest over time), `geoMap.csv` (interest by
region) and `relatedQueries.csv` (TOP and RISING blocks), with or without the `Category:` line."""

from __future__ import annotations

import itertools
import re

from creator_assistant.data.importers import limits
from creator_assistant.data.importers.base import (
    CellError,
    DataFileError,
    Dataset,
    Importer,
    Source,
    TextFile,
)
from creator_assistant.data.importers.parse import date, number
from creator_assistant.data.importers.table import (
    Table,
    csv_rows,
    delimiter_of,
    header_cells,
    read_table,
    text_lines,
)

NAME = "google-trends"
TIME_KEYS = {"week": "week", "month": "month", "day": "day", "time": "hour"}
GEO_KEYS = {"country", "region", "subregion", "metro", "dma", "city"}
TERM = re.compile(r"^(?P<term>.+?):\s*\((?P<scope>[^()]*)\)\s*$")


def _shape(f: TextFile) -> str | None:
    head = [ln.strip().strip('"').lower() for ln in itertools.islice(text_lines(f.text), 60)]
    if "top" in head or "rising" in head:
        return "related"
    header = header_cells(f)
    if len(header) < 2:
        return None
    if header[0] in TIME_KEYS:
        return "timeline"
    if header[0] in GEO_KEYS and TERM.match(header[1]):
        return "geo"
    return None


def sniff(source: Source) -> float:
    shapes = [_shape(f) for f in source.files]
    if not any(shapes):
        return 0.0
    named = any(f.name.lower().endswith(("multitimeline.csv", "geomap.csv", "relatedqueries.csv"))
                for f in source.files)
    return 0.95 if named or any(f.text.lstrip().startswith("Category:") for f in source.files) \
        else 0.8


def read(source: Source, options: dict[str, str]) -> Dataset:
    ds = Dataset(NAME, "trends")
    for f in source.files:
        shape = _shape(f)
        if shape is None:
            raise DataFileError("not a file I can read as Google Trends: expected a header "
                                "starting with Week, Month, Day, Time or Country, or TOP and "
                                "RISING blocks", file=f.name)
        if shape in ds.parts:
            raise DataFileError(f"a second {shape} file; import them one at a time", file=f.name)
        if shape == "related":
            ds.parts["related"] = _related(f)
            continue
        table = read_table(f)
        terms = _terms(table)
        ds.meta.setdefault("terms", [t["term"] for t in terms])
        if shape == "timeline":
            ds.meta["granularity"] = TIME_KEYS[table.keys[0]]
            ds.meta["timeline_terms"] = terms
            ds.parts["timeline"] = _values(table, terms, "date", date)
        else:
            ds.meta["geo_level"] = table.header[0]
            ds.meta["geo_terms"] = terms
            ds.parts["geo"] = _values(table, terms, "key", str.strip)
    return ds


def _terms(table: Table) -> list[dict[str, str]]:
    out = []
    for column in table.header[1:]:
        m = TERM.match(column.strip().strip('"'))
        out.append({"term": m["term"].strip() if m else column.strip(),
                    "scope": m["scope"] if m else "", "column": column})
    return out


def _values(table: Table, terms: list[dict[str, str]], key: str, parse) -> list[dict]:
    out, value = [], table.parser("float")
    for line, cells in table.rows:
        try:
            rec = {"_line": line, key: parse(cells[0])}
        except CellError as exc:
            raise DataFileError(str(exc), file=table.file, line=line,
                                column=table.header[0]) from None
        values = {}
        for i, t in enumerate(terms, start=1):
            try:
                values[t["term"]] = value(cells[i])
            except CellError as exc:
                raise DataFileError(f"{exc} (Trends values are 0-100 or <1)", file=table.file,
                                    line=line, column=table.header[i]) from None
        rec["values"] = values
        out.append(rec)
    return out


def _related(f: TextFile) -> list[dict]:
    block: str | None = None
    out: list[dict] = []
    for line, cells in csv_rows(f, delimiter_of(f.text), strict=False):
        if len(out) >= limits.current().max_rows:
            raise limits.too_many_rows(f.name, line)
        cells = [c.strip() for c in cells if c.strip()]
        if not cells or cells[0].startswith("Category:"):
            continue
        if len(cells) == 1 and cells[0].upper() in ("TOP", "RISING"):
            block = cells[0].lower()
            continue
        if block is None or len(cells) != 2:
            raise DataFileError("expected `query,value` rows under a TOP or RISING line",
                                file=f.name, line=line)
        query, raw = cells
        rec = {"_line": line, "block": block, "query": query, "value": None, "breakout": False}
        if raw.lower() == "breakout":  # growth above 5000%
            rec["breakout"] = True
        else:
            try:
                rec["value"] = number(raw.lstrip("+"))
            except CellError as exc:
                raise DataFileError(f"{exc} (a value, +N% or Breakout)", file=f.name, line=line,
                                    column="value") from None
        out.append(rec)
    return out


IMPORTER = Importer(NAME, "Google Trends multiTimeline.csv, geoMap.csv or relatedQueries.csv",
                    sniff, read, containers=("file", "folder", "zip"))
