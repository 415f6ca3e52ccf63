"""Any CSV of content pieces (Instagram, TikTok, Substack, a spreadsheet): columns found by their
usual names, or named by the user with `--map field=Column,...`."""

from __future__ import annotations

from creator_assistant.data.importers.base import DataFileError, Dataset, Importer, Source
from creator_assistant.data.importers.limits import LimitExceeded
from creator_assistant.data.importers.table import SNIFF_ROWS, Table, norm, read_table, records
from creator_assistant.data.importers.totals import kept_aside, split_total

NAME = "generic"

# field -> (parser, headers it goes by in real exports)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": ("text", ("id", "video_id", "video id", "videoid", "post id", "post_id", "content",
                    "content id")),
    "title": ("text", ("title", "video title", "post title", "name", "headline")),
    "description": ("text", ("description", "caption", "text", "subtitle")),
    "channel": ("text", ("channeltitle", "channel", "channel title", "channel_title",
                         "channel name", "account name", "account username", "author",
                         "uploader")),
    "published": ("date", ("publishedat", "published", "published at", "publish time",
                           "publish_time", "publish date", "video publish time", "post_date",
                           "post date", "upload date", "upload_date", "posted", "posted at",
                           "post time", "created", "date")),
    "duration_s": ("seconds", ("duration", "duration (sec)", "duration (seconds)", "duration_s",
                               "length", "length (seconds)")),
    "views": ("int", ("views", "view_count", "view count", "viewcount", "video views", "plays")),
    "likes": ("int", ("likes", "like_count", "like count", "reactions")),
    "dislikes": ("int", ("dislikes", "dislike_count")),
    "comments": ("int", ("comments", "comment_count", "comment count", "comments added")),
    "shares": ("int", ("shares", "share_count", "share count")),
    "saves": ("int", ("saves", "save_count")),
    "reach": ("int", ("reach",)),
    "subs_gained": ("int", ("subscribers gained", "follows", "new followers")),
    "watch_hours": ("float", ("watch time (hours)", "watch_hours")),
    "tags": ("text", ("tags", "hashtags", "keywords")),
    "category": ("text", ("category", "categoryid", "category_id", "post type", "type")),
}
METRICS = ("views", "likes", "comments", "shares", "saves", "reach", "subs_gained",
           "watch_hours")


def parse_map(text: str) -> dict[str, str]:
    """`title=Post caption,views=Plays` -> {"title": "Post caption", "views": "Plays"}."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        field, sep, column = part.partition("=")
        if not sep or not column.strip():
            raise DataFileError(f"--map entry {part!r} is not FIELD=Column")
        if field.strip() not in FIELDS:
            raise DataFileError(f"--map: unknown field {field.strip()!r}; fields: "
                                + ", ".join(FIELDS))
        out[field.strip()] = column.strip()
    return out


def columns(table: Table, chosen: dict[str, str] | None = None) -> list[tuple[int, str, str]]:
    """(index, field, parser) for each column a field maps to: the user's map first."""
    keys = table.keys
    taken: dict[str, int] = {}
    for field, column in (chosen or {}).items():
        if norm(column) not in keys:
            raise DataFileError(f"--map {field}={column}: no column {column!r}; the columns are "
                                + table.columns_text, file=table.file)
        taken[field] = keys.index(norm(column))
    used = set(taken.values())
    for field, (_, names) in FIELDS.items():
        if field in taken:
            continue
        for name in names:
            if name in keys and keys.index(name) not in used:
                taken[field] = keys.index(name)
                used.add(taken[field])
                break
    return sorted(((i, f, FIELDS[f][0]) for f, i in taken.items()), key=lambda c: c[0])


def sniff(source: Source) -> float:
    if len(source.files) != 1:
        return 0.0
    try:
        table = read_table(source.files[0], head=SNIFF_ROWS)
    except LimitExceeded:
        raise  # a cell over the cap: say so, not "not a file I can read"
    except DataFileError:
        return 0.0
    fields = {f for _, f, _ in columns(table)}
    return 0.3 if fields & {"title", "id"} and fields & set(METRICS) else 0.0


def read(source: Source, options: dict[str, str]) -> Dataset:
    if len(source.files) != 1:
        raise DataFileError("a generic import reads one CSV file, not a folder or zip")
    table = read_table(source.files[0])
    cols = columns(table, parse_map(options.get("map", "")))
    fields = {f for _, f, _ in cols}
    if not fields & {"title", "id", "description"}:
        raise DataFileError(
            "not a file I can read: no column names the pieces (title, id, name...). The columns "
            f"are {table.columns_text}; name them with --map title=COLUMN,views=COLUMN",
            file=table.file, line=table.header_line)
    ds = Dataset(NAME, "content", meta={"columns": {f: table.header[i] for i, f, _ in cols}})
    total, rows = split_total(records(table, cols), ("id", "title", "description"))
    if total is not None:
        ds.meta["total"] = kept_aside(total)
    for rec in rows:
        if not rec.get("title"):
            rec["title"] = (rec.get("description") or rec.get("id") or "")[:100]
        rec.setdefault("key", rec.get("id") or f"row {rec['_line']}")
    ds.parts["content"] = rows
    owners = {r["channel"] for r in rows if r.get("channel")}
    if len(owners) == 1:  # one channel's pieces: the analytics report can name it
        ds.meta["channel"] = owners.pop()
    if options.get("map"):
        ds.meta["map"] = options["map"]
    if not fields & set(METRICS):
        ds.notes.append("no metric column (views, likes...): usable for topics, not performance")
    return ds


IMPORTER = Importer(NAME, "any CSV of content pieces; name columns with --map field=Column",
                    sniff, read)
