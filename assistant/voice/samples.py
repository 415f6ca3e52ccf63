"""The creator's samples in SQLite (`voice_samples`): their own writing with its source, date and,
where known, its performance; the same text (by digest) is stored once."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from creator_assistant.storage.writes import write
from creator_assistant.voice.kinds import KINDS

__all__ = ["KINDS", "Draft", "SampleNotFound", "add", "get", "list_samples", "remove", "summary"]

TABLE = "voice_samples"


class SampleNotFound(LookupError):
    """No sample with that id."""


@dataclass
class Draft:
    """One sample before it is stored: what a reader found."""

    text: str
    kind: str
    source: str
    title: str | None = None
    date: str | None = None
    views: int | None = None
    ctr: float | None = None
    watch_time_hours: float | None = None


def digest(text: str) -> str:
    """The identity of a text: its words, whatever the spacing around them."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def add(db: sqlite_utils.Database, drafts: list[Draft]) -> list[tuple[int, bool]]:
    """Store each draft in one write; for each, its id and whether it is new (False: that
    text was already a sample)."""
    out = []
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with write(db):
        for d in drafts:
            key = digest(d.text)
            found = db.execute(f"select id from {TABLE} where digest = ?", [key]).fetchone()
            if found:
                out.append((int(found[0]), False))
                continue
            row = {**asdict(d), "added_at": now, "digest": key}
            pk = db.table(TABLE).insert(row).last_pk
            assert pk is not None  # an insert always has one
            out.append((int(pk), True))
    return out


def _rows(db: sqlite_utils.Database, where: str = "", params: list[Any] | None = None,
          ) -> list[dict[str, Any]]:
    cur = db.execute(f"select * from {TABLE} {where} order by id", params or [])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def list_samples(db: sqlite_utils.Database, kind: str | None = None) -> list[dict[str, Any]]:
    """Every sample, oldest first (optionally of one kind)."""
    return _rows(db, "where kind = ?", [kind]) if kind else _rows(db)


def get(db: sqlite_utils.Database, sample_id: int) -> dict[str, Any]:
    rows = _rows(db, "where id = ?", [sample_id])
    if not rows:
        raise SampleNotFound(f"no sample #{sample_id}; `creator voice list` shows them")
    return rows[0]


def by_source(db: sqlite_utils.Database, source: str) -> dict[str, Any] | None:
    rows = _rows(db, "where source = ?", [source])
    return rows[0] if rows else None


def remove(db: sqlite_utils.Database, ids: list[int]) -> int:
    """Forget the samples `ids`, all or none: SampleNotFound names the first unknown one."""
    with write(db):
        for i in ids:
            if db.execute(f"select 1 from {TABLE} where id = ?", [i]).fetchone() is None:
                raise SampleNotFound(f"no sample #{i}; `creator voice list` shows them; "
                                     "nothing was removed")
        for i in ids:
            db.execute(f"delete from {TABLE} where id = ?", [i])
    return len(ids)


def source_group(source: str) -> str:
    """What a source is, for the summary: files, replies, or the export it came from."""
    if source.startswith("reply "):
        return "rated replies"
    if source.startswith(("studio export #", "export #")):
        return source
    return "files"


def summary(db: sqlite_utils.Database) -> dict[str, Any]:
    """Counts by kind and by source, with the total words and how many carry performance."""
    rows = _rows(db)
    return {
        "samples": len(rows),
        "words": sum(len(r["text"].split()) for r in rows),
        "with_views": sum(r["views"] is not None for r in rows),
        "kinds": dict(Counter(r["kind"] for r in rows).most_common()),
        "sources": dict(Counter(source_group(r["source"]) for r in rows).most_common()),
    }
