"""YouTube Studio "Advanced mode" exports: `Table data.csv`, `Chart data.csv`, `Totals.csv`, for any
report, alone or in their folder or zip. Columns are mapped by header name, never position."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from creator_assistant.data.importers.base import (
    DataFileError,
    Dataset,
    Importer,
    Source,
    TextFile,
    shown,
)
from creator_assistant.data.importers.table import (
    Table,
    header_cells,
    mapping,
    read_table,
    records,
    text_lines,
)
from creator_assistant.data.importers.totals import kept_aside, split_total

NAME = "youtube-studio"
FILES = ("table data.csv", "chart data.csv", "totals.csv")

# Header -> (field, parser). Newer exports rename a few; both spellings map to one field.
METRICS: dict[str, tuple[str, str]] = {
    "views": ("views", "int"),
    "watch time (hours)": ("watch_hours", "float"),
    "subscribers": ("subscribers", "int"),  # net: gained minus lost, can be negative
    "impressions": ("impressions", "int"),
    "thumbnail impressions": ("impressions", "int"),
    "impressions click-through rate (%)": ("ctr", "pct"),
    "thumbnail click-through rate (%)": ("ctr", "pct"),
    "average view duration": ("avg_view_s", "seconds"),
    "average percentage viewed (%)": ("avg_pct_viewed", "pct"),
    "subscribers gained": ("subs_gained", "int"),
    "subscribers lost": ("subs_lost", "int"),
    "likes": ("likes", "int"),
    "dislikes": ("dislikes", "int"),
    "likes (vs dislikes) (%)": ("like_ratio", "pct"),
    "likes (vs. dislikes) (%)": ("like_ratio", "pct"),
    "comments added": ("comments", "int"),
    "shares": ("shares", "int"),
    "engaged views": ("engaged_views", "int"),
    "stayed to watch (%)": ("stayed_pct", "pct"),
    "unique viewers": ("unique_viewers", "int"),
    "average views per viewer": ("views_per_viewer", "float"),
    "new viewers": ("new_viewers", "int"),
    "returning viewers": ("returning_viewers", "int"),
    "youtube premium views": ("premium_views", "int"),
    "shown in feed": ("shown_in_feed", "int"),
    "viewed (vs. swiped away) (%)": ("viewed_vs_swiped", "pct"),
    "estimated revenue (usd)": ("revenue_usd", "float"),
    "end screen elements shown": ("end_screen_shown", "int"),
    "end screen element clicks": ("end_screen_clicks", "int"),
    "clicks per end screen element shown (%)": ("end_screen_ctr", "pct"),
}
DESCRIPTORS: dict[str, tuple[str, str]] = {
    "content": ("key", "text"),
    "video title": ("title", "text"),
    "video publish time": ("published", "date"),
    "duration": ("duration_s", "seconds"),
    "date": ("date", "date"),
}
SPEC = {**METRICS, **DESCRIPTORS}
LOCALIZED = ("not a file I can read: its headers ({headers}) are not the English column names "
             "YouTube Studio uses. Studio writes headers in its display language: switch YouTube "
             "Studio to English (Settings > General > Language) and export the report again")


def known_metrics(keys: list[str]) -> int:
    return sum(k in METRICS for k in keys)


def _shape(f: TextFile) -> str | None:
    """Which Studio file this is by its header: table, chart or totals; None when not one."""
    keys = header_cells(f)
    known = sum(k in SPEC for k in keys[1:])
    # Mostly Studio's own column names: a video list with a `likes` column is not a report.
    if len(keys) < 2 or not known_metrics(keys[1:]) or known * 2 < len(keys) - 1:
        return None
    if keys[0] == "date":
        return "chart" if any(k not in METRICS for k in keys[1:]) else "totals"
    return "table"


def sniff(source: Source) -> float:
    shapes = [_shape(f) for f in source.files]
    if any(s == "table" for s in shapes) or any(f.name.lower().endswith(FILES)
                                                 for f in source.files):
        return 0.95 if any(shapes) else 0.5  # a Studio file name with foreign headers
    return 0.6 if any(shapes) else 0.0


def read(source: Source, options: dict[str, str]) -> Dataset:
    ds = Dataset(NAME, "channel-report", meta=_folder_meta(source.path))
    for f in source.files:
        shape = _shape(f)
        if shape is None:
            if source.container == "file" or f.name.lower().endswith(FILES):
                raise DataFileError(LOCALIZED.format(headers=_first_line(f)), file=f.name)
            ds.notes.append(f"skipped {f.name}: not a YouTube Studio file")
            continue
        if shape in ds.parts:
            raise DataFileError(f"a second {shape} file; import one export at a time",
                                file=f.name)
        table = read_table(f)
        ds.parts[shape] = _read_part(shape, table, ds)
    if not ds.parts:
        raise DataFileError(f"not a file I can read: {source.path} holds no YouTube Studio "
                            "`Table data.csv`, `Chart data.csv` or `Totals.csv`")
    return ds


def _read_part(shape: str, table: Table, ds: Dataset) -> list[dict]:
    cols = mapping(table, SPEC)
    if shape == "totals":
        return records(table, cols)
    if shape == "table":
        index, ds.meta["dimension"] = _key_column(table, ds)
        cols = [(index, "key", "text")] + [c for c in cols if c[0] != index or c[1] == "title"]
    else:
        dims = [c for c in cols if c[2] == "text"]
        ds.meta.setdefault("chart_dimension", table.header[1])
        if dims and dims[0][1] != "key":  # Geography, Traffic source...: the first text column
            cols = [c if c != dims[0] else (c[0], "key", "text") for c in cols]
    ds.meta.setdefault("metrics", sorted({n for _, n, _ in cols if n in _METRIC_FIELDS}))
    out = records(table, cols)
    if shape == "table":
        total, out = split_total(out, ("key", "title"))
        if total is not None:
            ds.meta["total"] = kept_aside(total)
        for rec in out:
            if rec["key"].lower() == "total":
                raise DataFileError("a second `Total` row; expected one, right after the header",
                                    file=table.file, line=rec["_line"])
    return out


def _key_column(table: Table, ds: Dataset) -> tuple[int, str]:
    """The column naming each row, and the report's dimension; refused when there is none."""
    keys = table.keys
    if "content" in keys:
        return keys.index("content"), table.header[keys.index("content")]
    if keys[0] not in SPEC:  # Geography, Traffic source, Subscription status...
        return 0, table.header[0]
    if "video title" in keys:
        ds.notes.append("no Content column (video ids): the videos are named by their title")
        return keys.index("video title"), "Content"
    raise DataFileError(
        "not a report I can read: no column names its rows. Expected `Content` (video ids), "
        "`Video title` or the report's dimension (`Geography`, `Traffic source`...) as the first "
        f"column; found {table.columns_text}. Export the report again with it",
        file=table.file, line=table.header_line)


_METRIC_FIELDS = {name for name, _ in METRICS.values()}
_FOLDER = re.compile(r"^(?P<report>.+?) (?P<start>\d{4}-\d{2}-\d{2})_(?P<end>\d{4}-\d{2}-\d{2})"
                     r"(?: (?P<channel>.+))?$")


def _folder_meta(path: str) -> dict[str, str]:
    m = _FOLDER.match(Path(path).stem if path.lower().endswith(".zip") else Path(path).name)
    return {k: v for k, v in m.groupdict().items() if v} if m else {}


def _first_line(f: TextFile) -> str:
    line = next((ln for ln in itertools.islice(text_lines(f.text), 30) if ln.strip()), "")
    return shown(line.strip(), 120)


IMPORTER = Importer(NAME, "YouTube Studio export (Table data / Chart data / Totals, folder or zip)",
                    sniff, read, containers=("file", "folder", "zip"))
