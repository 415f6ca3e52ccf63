"""Lists of videos for competitor research: title, channel, views, tags, publish date (the
trending-videos datasets, a YouTube API dump, or a spreadsheet someone kept)."""

from __future__ import annotations

import re

from creator_assistant.data.importers import generic_csv
from creator_assistant.data.importers.base import (
    CellError,
    DataFileError,
    Dataset,
    Importer,
    Source,
)
from creator_assistant.data.importers.parse import date
from creator_assistant.data.importers.table import SNIFF_ROWS, read_table, records

NAME = "video-list"
# YouTube's own category ids (videoCategories.list, region US).
CATEGORIES = {
    "1": "Film & Animation", "2": "Autos & Vehicles", "10": "Music", "15": "Pets & Animals",
    "17": "Sports", "18": "Short Movies", "19": "Travel & Events", "20": "Gaming",
    "21": "Videoblogging", "22": "People & Blogs", "23": "Comedy", "24": "Entertainment",
    "25": "News & Politics", "26": "Howto & Style", "27": "Education",
    "28": "Science & Technology", "29": "Nonprofits & Activism", "30": "Movies", "43": "Shows",
    "44": "Trailers",
}
_KAGGLE_DAY = re.compile(r"^(\d{2})\.(\d{2})\.(\d{2})$")  # trending_date: yy.dd.mm


def _fields(table) -> set[str]:
    return {f for _, f, _ in generic_csv.columns(table)}


def sniff(source: Source) -> float:
    if len(source.files) != 1:
        return 0.0
    try:
        fields = _fields(read_table(source.files[0], head=SNIFF_ROWS))
    except DataFileError:
        return 0.0
    if {"title", "views"} <= fields and fields & {"channel", "tags"}:
        return 0.85
    return 0.0


def read(source: Source, options: dict[str, str]) -> Dataset:
    if len(source.files) != 1:
        raise DataFileError("a video list is one CSV file, not a folder or zip")
    table = read_table(source.files[0])
    cols = generic_csv.columns(table, generic_csv.parse_map(options.get("map", "")))
    missing = {"title", "views"} - {f for _, f, _ in cols}
    if missing:
        raise DataFileError(
            f"not a file I can read as a video list: no {' or '.join(sorted(missing))} column. "
            f"The columns are {table.columns_text}; name them with --map views=COLUMN",
            file=table.file, line=table.header_line)
    keys = table.keys
    extra = []
    if "trending_date" in keys:
        extra.append((keys.index("trending_date"), "trending_date", "text"))
    rows = records(table, cols + extra)
    for rec in rows:
        rec["tags"] = split_tags(rec.get("tags") or "")
        category = rec.get("category")
        if category:
            rec["category"] = CATEGORIES.get(category, category)
        if rec.get("trending_date"):
            rec["trending_date"] = _trending_day(rec["trending_date"], table.file, rec["_line"])
        if len(rec.get("description") or "") > 2000:  # enough for topics; keeps the db small
            rec["description"] = rec["description"][:2000]
        rec["key"] = rec.get("id") or f"row {rec['_line']}"
    ds = Dataset(NAME, "videos", parts={"videos": rows},
                 meta={"columns": {f: table.header[i] for i, f, _ in cols},
                       "channels": len({r.get("channel") for r in rows if r.get("channel")})})
    return ds


def split_tags(raw: str) -> list[str]:
    if raw.strip() in ("", "[none]"):
        return []
    sep = "|" if "|" in raw else ","
    return [t.strip().strip('"').strip() for t in raw.split(sep) if t.strip().strip('"')]


def _trending_day(raw: str, file: str, line: int) -> str:
    m = _KAGGLE_DAY.match(raw.strip())
    try:
        if m:
            return date(f"20{m[1]}-{m[3]}-{m[2]}") or ""
        return date(raw) or ""
    except CellError as exc:
        raise DataFileError(f"{exc} (trending_date is yy.dd.mm)", file=file, line=line,
                            column="trending_date") from None


IMPORTER = Importer(NAME, "a list of videos (title, channel, views, tags, publish date)",
                    sniff, read)
