"""A reply's one row in the database: refused before it starts when the disk has no room,
created at its first piece, updated every few seconds while it streams (so a killed app keeps
what was shown), completed at the end, or kept (unsaved.py) when the database cannot take it."""

from __future__ import annotations

import math
import time
from typing import Any

from creator_assistant.storage.errors import DiskFull, free_mb, storage_error, storage_errors
from creator_assistant.unsaved import Unsaved, not_saved_notice

# Room a reply needs on the database's disk before it starts: its text and full-text index
# (about 16 bytes a token), plus the WAL its saves while streaming write, which SQLite
# checkpoints and reuses at about 4 MB (a 3,000-token reply saved every 2 s grew it 0.3 MB).
BYTES_PER_TOKEN = 16
ROOM_MARGIN_MB = 4.0
STREAMING = "stopped"  # a row still streaming reads as a reply cut short, as it is after a crash


class ReplyRow:
    """Saves one turn's reply (`result`: its TurnResult, whose `message_id` it sets)."""

    def __init__(self, session: Any, result: Any, every_s: float) -> None:
        self.session, self.result, self.every_s = session, result, every_s
        self.database = session.paths.database
        self.saved_at: float | None = None  # the last save while streaming (monotonic)

    def check_room(self, max_tokens: int) -> None:
        """Raise DiskFull when the database's disk cannot hold a reply of `max_tokens`."""
        need = max_tokens * BYTES_PER_TOKEN / 1e6 + ROOM_MARGIN_MB
        free = free_mb(self.database)
        if free < need:
            raise DiskFull(
                f"the disk holding {self.database.parent} is full ({free:.1f} MB free; a reply "
                f"needs about {need:.0f} MB): free {math.ceil(need - free)} MB and resend; your "
                "message is saved", self.database)

    def partial(self, parts: list[str]) -> None:
        """Save the reply so far, at its first piece and then every `every_s` seconds."""
        now = time.monotonic()
        if self.saved_at is not None and now - self.saved_at < self.every_s:
            return
        self.saved_at = now
        row: dict[str, Any] = {"content": "".join(parts), "status": STREAMING}
        if self.result.message_id is None:
            row.update(task=self.result.task, model=self.result.model,
                       route_reason=self.result.route.reason)
        try:
            self._write(row)
        except Exception:  # a full disk, say: the reply goes on; its end saves or keeps it
            pass

    def final(self, row: dict[str, Any]) -> None:
        """The reply as it ended; kept in `session.unsaved` (and `result.unsaved` says where)
        when the database cannot take it."""
        if self.session.unsaved.replies:  # earlier replies first, in order
            self.session.unsaved.flush(self.session.store)
        try:
            self._write(row)
        except BaseException as exc:  # a second Ctrl+C mid-save too: kept, then raised
            if row["content"] or row.get("task_state") is not None:  # else nothing to keep
                error = storage_error(exc, self.database) or exc
                copy = self.session.unsaved.keep(
                    Unsaved(self.result.conversation_id, row, self.result.message_id))
                self.result.unsaved = not_saved_notice(error, copy)
            if not isinstance(exc, Exception):
                raise

    def _write(self, row: dict[str, Any]) -> None:
        result, store, row = self.result, self.session.store, dict(row)
        with storage_errors(self.database):
            if result.message_id is None:
                result.message_id = store.add_message(result.conversation_id, "assistant",
                                                      row.pop("content"), **row)
            else:
                store.update_message(result.message_id, **row)
