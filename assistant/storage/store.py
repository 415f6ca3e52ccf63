"""Conversations and messages: every turn is saved as it happens."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from creator_assistant.storage.db import open_db


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

    # -- conversations ----------------------------------------------------------------------

    def new_conversation(self, title: str = "", task: str = "") -> str:
        cid = uuid.uuid4().hex[:12]
        stamp = now()
        with self.db.conn:
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
        with self.db.conn:
            self.db.table("conversations").update(cid, {"task": task, "updated": now()})

    def rename(self, cid: str, title: str) -> None:
        with self.db.conn:
            self.db.table("conversations").update(cid, {"title": title, "updated": now()})

    def delete(self, cid: str) -> None:
        with self.db.conn:
            self.db.execute("delete from messages where conversation_id = ?", [cid])
            self.db.execute("delete from conversation_memory where conversation_id = ?", [cid])
            self.db.execute("delete from conversations where id = ?", [cid])

    def delete_if_empty(self, cid: str) -> bool:
        """Delete the conversation when it has no messages (the chat left it empty); True if so."""
        if self.db.execute("select 1 from messages where conversation_id = ? limit 1",
                           [cid]).fetchone():
            return False
        self.delete(cid)
        return True

    # -- messages ---------------------------------------------------------------------------

    def add_message(self, cid: str, role: str, content: str, **fields: Any) -> int:
        """Insert and commit a message at once; returns its id."""
        with self.db.conn:
            seq = self.db.execute(
                "select coalesce(max(seq), 0) + 1 from messages where conversation_id = ?", [cid]
            ).fetchone()[0]
            row = {"conversation_id": cid, "seq": seq, "role": role, "content": content,
                   "created": now(), **fields}
            mid = self.db.table("messages").insert(row).last_pk
            assert mid is not None
            conv: dict[str, Any] = {"updated": now()}
            if role == "user" and not self.conversation(cid)["title"]:
                conv["title"] = " ".join(content.split())[:60]
            self.db.table("conversations").update(cid, conv)
        return int(mid)

    def update_message(self, mid: int, **fields: Any) -> None:
        with self.db.conn:
            self.db.table("messages").update(mid, fields)

    def messages(self, cid: str) -> list[dict[str, Any]]:
        return list(self.db["messages"].rows_where("conversation_id = ?", [cid], order_by="seq"))

    def drop_last_exchange(self, cid: str) -> str | None:
        """Delete the last user message and the replies after it; return its text (None: none)."""
        rows = self.messages(cid)
        last = next((r for r in reversed(rows) if r["role"] == "user"), None)
        if last is None:
            return None
        with self.db.conn:
            self.db.execute("delete from messages where conversation_id = ? and seq >= ?",
                            [cid, last["seq"]])
        return last["content"]

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

    # -- conversation memory: where the prompt starts, the summary, token counts ---------------

    def memory_state(self, cid: str) -> dict[str, Any]:
        """kept_from (the seq the prompt starts at), summary, summary_upto (its last seq)."""
        row = self.db.execute("select kept_from, summary, summary_upto from conversation_memory"
                              " where conversation_id = ?", [cid]).fetchone()
        keys = ("kept_from", "summary", "summary_upto")
        return dict(zip(keys, row)) if row else dict(zip(keys, (0, "", 0)))

    def keep_from(self, cid: str, seq: int) -> None:
        """Move the prompt's start forward to `seq` (never back: the summary covers the rest)."""
        with self.db.conn:
            self.db.execute(
                """insert into conversation_memory (conversation_id, kept_from, updated)
                   values (?, ?, ?) on conflict(conversation_id) do update set
                   kept_from = max(kept_from, excluded.kept_from), updated = excluded.updated""",
                [cid, seq, now()])

    def set_summary(self, cid: str, text: str, upto: int, model: str) -> bool:
        """Save a summary covering messages up to seq `upto`, unless a newer one is saved."""
        with self.db.conn:
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
        with self.db.conn:
            self.db.conn.executemany(
                "insert or replace into token_counts (model, digest, tokens) values (?, ?, ?)",
                [(model, d, n) for d, n in sizes.items()])
