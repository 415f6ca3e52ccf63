"""Conversations and messages: every turn is saved as it happens."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from creator_assistant.storage import health
from creator_assistant.storage.db import open_db
from creator_assistant.storage.writes import database_file, write

# A message that said something: the prompt and the summary leave out failed and empty ones.
SAID = "coalesce(status, '') != 'error' and content != ''"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def open_store(path: Path | str) -> Store:
    """The conversation store on the database at `path` (opened, migrated): one connection,
    used on the thread that opened it."""
    return Store(open_db(path))


class NotFound(LookupError):
    pass


@dataclass
class Store:
    db: sqlite_utils.Database
    watch: health.Watch | None = field(default=None, repr=False)
    path: str = field(default="", init=False)  # the database file ("" in memory)

    def __post_init__(self) -> None:
        self.path = database_file(self.db)

    @property
    def damaged(self) -> str | None:
        """Why the database is known to be damaged (no write goes into it), or None. Cheap,
        and safe to read from any thread."""
        return health.damaged(self.path) if self.path else None

    def start_health_checks(self) -> health.Watch | None:
        """Check the database in the background, shortly after now and every few minutes."""
        if self.path and self.watch is None:
            self.watch = health.Watch(self.path).start()
        return self.watch

    def stop_health_checks(self) -> None:
        if self.watch is not None:
            self.watch.stop()
            self.watch = None

    # -- conversations ----------------------------------------------------------------------

    def new_conversation(self, title: str = "", task: str = "") -> str:
        cid = uuid.uuid4().hex[:12]
        stamp = now()
        with write(self.db):
            self.db.table("conversations").insert(
                {"id": cid, "title": title, "task": task, "created": stamp, "updated": stamp}
            )
        return cid

    def conversation(self, cid: str) -> dict[str, Any]:
        rows = list(self.db["conversations"].rows_where("id = ? or id like ?", [cid, f"{cid}%"]))
        if len(rows) != 1:
            raise NotFound(f"no conversation {cid!r}" if not rows else f"{cid!r} is ambiguous")
        return rows[0]

    def latest_conversation(self) -> str | None:
        rows = list(self.db["conversations"].rows_where(order_by="updated desc, rowid desc", limit=1))
        return rows[0]["id"] if rows else None

    def conversations(self, limit: int | None = None) -> list[dict[str, Any]]:
        sql = """select c.*, count(m.id) as messages from conversations c
                 left join messages m on m.conversation_id = c.id
                 group by c.id order by c.updated desc, c.rowid desc"""
        if limit:
            sql += f" limit {int(limit)}"
        return [dict(r) for r in self.db.query(sql)]

    def set_task(self, cid: str, task: str) -> None:
        with write(self.db):
            self.db.table("conversations").update(cid, {"task": task, "updated": now()})

    def rename(self, cid: str, title: str) -> None:
        with write(self.db):
            self.db.table("conversations").update(cid, {"title": title, "updated": now()})

    def delete(self, cid: str) -> None:
        with write(self.db):
            self.db.execute("delete from messages where conversation_id = ?", [cid])
            self.db.execute("delete from conversation_memory where conversation_id = ?", [cid])
            self.db.execute("delete from conversations where id = ?", [cid])

    def delete_if_empty(self, cid: str) -> bool:
        """Delete the conversation when it has no messages (the chat left it empty); True if so."""
        with write(self.db):
            if self.db.execute("select 1 from messages where conversation_id = ? limit 1",
                               [cid]).fetchone():
                return False
            self.delete(cid)
        return True

    # -- messages ---------------------------------------------------------------------------

    def add_message(self, cid: str, role: str, content: str, **fields: Any) -> int:
        """Insert and commit a message at once; returns its id. Its seq (the next in the
        conversation) is taken inside the same write, so concurrent writers never collide."""
        row = {"conversation_id": cid, "role": role, "content": content, "created": now(),
               **fields}
        bad = [k for k in row if not k.isidentifier()]
        if bad:
            raise ValueError(f"not a column name: {bad[0]!r}")
        names = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join("?" * len(row))
        with write(self.db):
            mid = self.db.execute(
                f"insert into messages (seq, {names}) select coalesce(max(seq), 0) + 1, {marks}"
                " from messages where conversation_id = ?", [*row.values(), cid]).lastrowid
            assert mid is not None
            # The first user message titles an untitled conversation.
            self.db.execute(
                "update conversations set updated = ?, title = case when ? = 'user' and"
                " coalesce(title, '') = '' then ? else title end where id = ?",
                [now(), role, " ".join(content.split())[:60], cid])
        return int(mid)

    def update_message(self, mid: int, **fields: Any) -> None:
        with write(self.db):
            self.db.table("messages").update(mid, fields)

    def messages(self, cid: str) -> list[dict[str, Any]]:
        return list(self.db["messages"].rows_where("conversation_id = ?", [cid], order_by="seq"))

    def said(self, cid: str, after: int, upto: int) -> list[dict[str, Any]]:
        """The messages with a seq in (after, upto] that said something (not empty, not failed):
        seq, role and content, in order."""
        sql = (f"select seq, role, content from messages where conversation_id = ? and {SAID}"
               " and seq > ? and seq <= ? order by seq")
        return [{"seq": seq, "role": role, "content": content}
                for seq, role, content in self.db.execute(sql, [cid, after, upto])]

    def drop_last_exchange(self, cid: str) -> str | None:
        """Delete the last user message and the replies after it; return its text (None: none)."""
        with write(self.db):  # read under the lock: a reply saved meanwhile goes too
            last = self.db.execute(
                "select seq, content from messages where conversation_id = ? and role = 'user'"
                " order by seq desc limit 1", [cid]).fetchone()
            if last is None:
                return None
            from creator_assistant.usage.record import mark_discarded

            mark_discarded(self.db, cid, last[0])  # its usage stays, counted as no time saved
            self.db.execute("delete from messages where conversation_id = ? and seq >= ?",
                            [cid, last[0]])
        return str(last[1])

    def pin(self, mid: int, pinned: bool = True) -> None:
        self.update_message(mid, pinned=int(pinned))

    def search(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search across every conversation, best match first."""
        query = " ".join(f'"{word}"' for word in text.replace('"', " ").split())
        if not query:
            return []
        sql = """select m.id, m.conversation_id, m.seq, m.role, m.content,
                   snippet(messages_fts, 0, '[', ']', '…', 12) as snippet
                 from messages_fts join messages m on m.rowid = messages_fts.rowid
                 where messages_fts match ? order by rank limit ?"""
        return [dict(r) for r in self.db.query(sql, [query, limit])]

    def said_before(self, before: int | None, limit: int) -> list[tuple[int, str]]:
        """(id, content) of up to `limit` messages that said something, newest first, with an
        id below `before` (None: from the newest): a page of the history search's scan."""
        sql = (f"select id, content from messages where {SAID}"
               + (" and id < ?" if before is not None else "") + " order by id desc limit ?")
        args = [before, limit] if before is not None else [limit]
        return [(int(i), str(c)) for i, c in self.db.execute(sql, args)]

    def messages_by_id(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """id, conversation_id, seq, role and content of these messages, by id."""
        found: dict[int, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            sql = ("select id, conversation_id, seq, role, content from messages where id in"
                   f" ({', '.join('?' * len(part))})")
            found.update((r["id"], dict(r)) for r in self.db.query(sql, part))
        return found

    # -- conversation memory: where the prompt starts, the summary, token counts ---------------

    def memory_state(self, cid: str) -> dict[str, Any]:
        """kept_from (the seq the prompt starts at), summary, summary_upto (its last seq)."""
        row = self.db.execute("select kept_from, summary, summary_upto from conversation_memory"
                              " where conversation_id = ?", [cid]).fetchone()
        keys = ("kept_from", "summary", "summary_upto")
        return dict(zip(keys, row)) if row else dict(zip(keys, (0, "", 0)))

    def keep_from(self, cid: str, seq: int) -> None:
        """Move the prompt's start forward to `seq` (never back: the summary covers the rest)."""
        with write(self.db):
            self.db.execute(
                """insert into conversation_memory (conversation_id, kept_from, updated)
                   values (?, ?, ?) on conflict(conversation_id) do update set
                   kept_from = max(kept_from, excluded.kept_from), updated = excluded.updated""",
                [cid, seq, now()])

    def set_summary(self, cid: str, text: str, upto: int, model: str) -> bool:
        """Save a summary covering messages up to seq `upto`, unless a newer one is saved."""
        with write(self.db):
            cur = self.db.execute(
                """update conversation_memory set summary = ?, summary_upto = ?,
                   summary_model = ?, updated = ? where conversation_id = ? and summary_upto < ?""",
                [text, upto, model, now(), cid, upto])
        return cur.rowcount > 0

    def token_sizes(self, model: str, digests: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for i in range(0, len(digests), 500):
            part = digests[i : i + 500]
            sql = (f"select digest, tokens from token_counts where model = ? and digest in"
                   f" ({', '.join('?' * len(part))})")
            found.update(self.db.execute(sql, [model, *part]).fetchall())
        return found

    def save_token_sizes(self, model: str, sizes: dict[str, int]) -> None:
        with write(self.db):
            self.db.conn.executemany(
                "insert or replace into token_counts (model, digest, tokens) values (?, ?, ?)",
                [(model, d, n) for d, n in sizes.items()])
