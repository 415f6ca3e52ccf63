"""The `reply_cache` table (one entry per reply or computed report, with the imports it was built
on in `reply_cache_sources`): read, write, expire, evict, forget and count."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from creator_assistant.cache.settings import CATEGORIES, MB, CacheConfig
from creator_assistant.storage.writes import write


@dataclass
class Entry:
    key: str
    category: str
    kind: str  # "reply" or "facts"
    text: str
    meta: dict[str, Any]
    created: float  # seconds since the epoch
    hits: int = 0
    sources: list[int] = field(default_factory=list)


class Entries:
    """The cache's rows in the database `db` (passed in), under `config`'s limits."""

    def __init__(self, db: sqlite_utils.Database, config: CacheConfig) -> None:
        self.db, self.config = db, config

    def get(self, key: str, now: float) -> Entry | None:
        """The live entry under `key` (counted as a hit and as used now), or None; an expired
        one is deleted."""
        row = self.db.execute(
            "select key, category, kind, text, meta, created, hits from reply_cache where key = ?",
            [key]).fetchone()
        if row is None:
            return None
        entry = Entry(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"), row[5], row[6])
        with write(self.db):
            if now - entry.created > self.config.category(entry.category).ttl_hours * 3600:
                self._delete([key])
                return None
            self.db.execute("update reply_cache set used = ?, hits = hits + 1 where key = ?",
                            [now, key])
        entry.sources = [i for (i,) in self.db.execute(
            "select import_id from reply_cache_sources where key = ? order by import_id", [key])]
        return entry

    def put(self, entry: Entry, now: float, task: str = "", model: str = "") -> None:
        """Store `entry` (replacing one under its key), then drop the category's expired entries
        and, while it is over its size, its least recently used."""
        size = len(entry.text.encode()) + len(json.dumps(entry.meta)) + len(entry.key)
        with write(self.db):
            self._delete([entry.key])
            self.db.execute(
                "insert into reply_cache (key, category, kind, task, model, text, meta, bytes, "
                "created, used, hits) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                [entry.key, entry.category, entry.kind, task, model, entry.text,
                 json.dumps(entry.meta), size, entry.created, now])
            self.db.conn.executemany(
                "insert or ignore into reply_cache_sources (key, import_id) values (?, ?)",
                [(entry.key, i) for i in entry.sources])
            self._tidy(entry.category, now)

    def _tidy(self, category: str, now: float) -> None:
        limits = self.config.category(category)
        expired = [k for (k,) in self.db.execute(
            "select key from reply_cache where category = ? and created < ?",
            [category, now - limits.ttl_hours * 3600])]
        self._delete(expired)
        total = self.db.execute("select coalesce(sum(bytes), 0) from reply_cache where "
                                "category = ?", [category]).fetchone()[0]
        over = total - limits.max_mb * MB
        if over <= 0:
            return
        gone = []
        for key, size in self.db.execute("select key, bytes from reply_cache where category = ? "
                                         "order by used, created", [category]).fetchall():
            if over <= 0:
                break
            gone.append(key)
            over -= size
        self._delete(gone)

    def forget_imports(self, import_ids: list[int]) -> int:
        """Delete the entries built on any of these imports; returns how many. Runs inside the
        caller's write (an import replacing its data), so both happen or neither."""
        keys = [k for (k,) in self.db.execute(
            "select distinct key from reply_cache_sources where import_id in "
            f"({', '.join('?' * len(import_ids))})", import_ids)] if import_ids else []
        self._delete(keys)
        return len(keys)

    def clear(self, category: str | None = None) -> int:
        """Delete every entry (of one category); returns how many."""
        with write(self.db):
            keys = [k for (k,) in self.db.execute(
                "select key from reply_cache where ? is null or category = ?",
                [category, category])]
            self._delete(keys)
        return len(keys)

    def stats(self, now: float) -> list[dict[str, Any]]:
        """Per category: entries (replies and facts), bytes, limit, ttl, hits, oldest age."""
        out = []
        for name in CATEGORIES:
            limits = self.config.category(name)
            n, size, hits, oldest, facts = self.db.execute(
                "select count(*), coalesce(sum(bytes), 0), coalesce(sum(hits), 0), min(created),"
                " coalesce(sum(kind = 'facts'), 0) from reply_cache where category = ?",
                [name]).fetchone()
            out.append({"category": name, "entries": n, "facts": facts, "bytes": size,
                        "limit_bytes": int(limits.max_mb * MB), "ttl_hours": limits.ttl_hours,
                        "hits": hits,
                        "oldest_age_s": None if oldest is None else round(now - oldest, 1)})
        return out

    def _delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            self.db.execute(f"delete from reply_cache_sources where key in ({marks})", chunk)
            self.db.execute(f"delete from reply_cache where key in ({marks})", chunk)


def forget_imports(db: sqlite_utils.Database, import_ids: list[int]) -> None:
    """For data/store.py: delete the cache entries built on these imports, inside its write; a
    database without the cache's tables (damaged, or older) is left as it is."""
    try:
        Entries(db, CacheConfig()).forget_imports(import_ids)
    except sqlite3.OperationalError:  # no such table: nothing cached to forget
        pass
