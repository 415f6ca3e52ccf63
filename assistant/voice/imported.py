"""Samples from an already-imported export: each video's title and description, with its views,
CTR (percent, as Studio gives it) and watch time where the export has them."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from creator_assistant.voice.samples import Draft


class NotSamples(ValueError):
    """The import holds no titles or descriptions of the creator's own pieces."""


def _number(value: Any, kind: type) -> Any:
    try:
        return None if value in (None, "") else kind(value)
    except (TypeError, ValueError):
        return None


def _rows(db: sqlite_utils.Database, import_id: int) -> tuple[str, list[dict[str, Any]]]:
    from creator_assistant.data.store import DataStore

    store = DataStore(db)
    try:
        row = store.get(import_id)
    except LookupError:
        raise NotSamples(f"no import #{import_id}; `creator import --list` shows them") from None
    fmt, meta = row["format"], row["meta"]
    if fmt == "youtube-studio":
        dimension = str(meta.get("dimension", ""))
        rows = store.rows(import_id, "table") if "table" in meta.get("parts", {}) else []
        if not any(r.get("title") for r in rows):
            raise NotSamples(f"import #{import_id} is a Studio {dimension or 'chart'} report, "
                             "not the per-video (Content) report: it holds no titles. Export "
                             "Studio's Content report and import it")
        return f"studio export #{import_id}", rows
    if fmt == "generic" and "content" in meta.get("parts", {}):
        return f"export #{import_id}", store.rows(import_id, "content")
    raise NotSamples(f"import #{import_id} ({fmt}) is not a list of your own pieces: only a "
                     "YouTube Studio Content report or a CSV of your posts gives titles")


def import_drafts(db: sqlite_utils.Database, import_id: int) -> list[Draft]:
    """A sample for each title and each description in import `import_id`."""
    source, rows = _rows(db, import_id)
    out = []
    for rec in rows:
        perf = {"date": (rec.get("published") or None) and str(rec["published"])[:10],
                "views": _number(rec.get("views"), int), "ctr": _number(rec.get("ctr"), float),
                "watch_time_hours": _number(rec.get("watch_hours"), float)}
        title = " ".join(str(rec.get("title") or "").split())
        description = str(rec.get("description") or "").strip()
        if " ".join(description.split()).startswith(title) and len(description) > len(title):
            title = ""  # a CSV without titles: the importer made one from the description
        if title:
            out.append(Draft(title, "title", source, title=title, **perf))
        if description and description != title:
            out.append(Draft(description, "description", source, title=title or None, **perf))
    if not out:
        raise NotSamples(f"import #{import_id} has no titles or descriptions")
    return out


def import_at(db: sqlite_utils.Database, path: str) -> int | None:
    """The import that came from `path` (a resolved path), if one did."""
    from creator_assistant.data.store import DataStore

    found = DataStore(db).at_path(path)
    return int(found["id"]) if found else None
