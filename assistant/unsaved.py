"""Replies the database could not take (a full disk, a fault): kept in memory, copied as Markdown
to the exports folder (or, failing that, the cache folder), and saved first by the next message
that can be saved, in the order they came, by this process or a later one."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from creator_assistant.paths import Paths
from creator_assistant.storage.errors import DiskFull, StorageError, free_mb

MARK = "<!-- creator-unsaved "  # first line of a copy: what saving it needs, as JSON
PREFIX = "unsaved-reply-"


@dataclass
class Unsaved:
    """One reply the database could not take: its row (content, task, status, tokens, ...) and
    the row streaming created for it, if any (then that row is completed in place)."""

    conversation_id: str
    row: dict[str, Any]
    message_id: int | None = None
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())
    file: Path | None = None

    def header(self) -> str:
        meta = {k: v for k, v in self.row.items() if k != "content"}
        data = {"conversation_id": self.conversation_id, "message_id": self.message_id,
                "created": self.created, "row": meta}
        # ">" escaped: the JSON never closes the HTML comment it sits in.
        return MARK + json.dumps(data, default=str).replace(">", "\\u003e") + " -->"

    def markdown(self) -> str:
        title = (f"# Reply not saved yet (conversation {self.conversation_id}, "
                 f"{self.created[:16].replace('T', ' ')} UTC)")
        return f"{self.header()}\n{title}\n\n{self.row.get('content') or ''}"

    @classmethod
    def read(cls, path: Path) -> Unsaved:
        head, _title, _blank, content = (path.read_text(encoding="utf-8").split("\n", 3)
                                         + ["", "", ""])[:4]
        if not head.startswith(MARK):
            raise ValueError(f"{path} is not a copy of an unsaved reply")
        data = json.loads(head[len(MARK):].removesuffix(" -->"))
        return cls(data["conversation_id"], {**data["row"], "content": content},
                   data.get("message_id"), data["created"], path)


class Pending:
    """The replies waiting to be saved, oldest first (this process's, and copies left by others)."""

    def __init__(self, paths: Paths) -> None:
        self.folders = [paths.exports_dir, paths.cache_dir / "unsaved"]
        self.replies: list[Unsaved] = []
        self._lock = threading.Lock()

    def keep(self, reply: Unsaved) -> Path | None:
        """Hold `reply` and copy it to the first folder with room; returns the copy (None: none)."""
        with self._lock:
            self.replies.append(reply)
        stamp = reply.created.replace(":", "").replace("-", "").replace("+0000", "")
        name = f"{PREFIX}{stamp}-{reply.conversation_id}.md"
        for folder in self.folders:
            path = folder / name
            tmp = folder / f".{name}.partial"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                tmp.write_text(reply.markdown(), encoding="utf-8")
                os.replace(tmp, path)
            except OSError:  # no room there either: try the next folder
                tmp.unlink(missing_ok=True)
                continue
            reply.file = path
            return path
        return None

    def waiting(self) -> list[Unsaved]:
        """This process's replies and the copies other runs left, oldest first."""
        with self._lock:
            mine = list(self.replies)
        held = {r.file for r in mine if r.file is not None}
        found = []
        for folder in self.folders:
            for path in sorted(folder.glob(f"{PREFIX}*.md")) if folder.is_dir() else []:
                if path in held:
                    continue
                try:
                    found.append(Unsaved.read(path))
                except (OSError, ValueError, KeyError):  # not ours, or half-written: left alone
                    continue
        return sorted(mine + found, key=lambda r: r.created)

    def flush(self, store: Any) -> int:
        """Save the waiting replies in order, stopping at the first that fails (the disk is
        still full); returns how many were saved."""
        saved = 0
        for reply in self.waiting():
            claimed = None
            if reply.file is not None:  # renamed first, so no other process saves it too
                claimed = reply.file.with_name(f".{reply.file.name}.{os.getpid()}.saving")
                try:
                    os.replace(reply.file, claimed)
                except FileNotFoundError:  # another process took it
                    continue
            try:
                _save(store, reply)
            except Exception:  # still no room (or the database is busy): kept for next time
                if claimed is not None and reply.file is not None:
                    os.replace(claimed, reply.file)
                break
            if claimed is not None:
                claimed.unlink(missing_ok=True)
            with self._lock:
                self.replies = [r for r in self.replies if r is not reply]
            saved += 1
        return saved


def _save(store: Any, reply: Unsaved) -> None:
    row = dict(reply.row)
    if reply.message_id is not None:
        found = store.db.execute("select 1 from messages where id = ?",
                                 [reply.message_id]).fetchone()
        if found:
            store.update_message(reply.message_id, **row)
            return
    if not store.db.execute("select 1 from conversations where id = ?",
                            [reply.conversation_id]).fetchone():
        return  # the conversation was deleted since: nothing to add it to
    reply.message_id = store.add_message(reply.conversation_id, "assistant", row.pop("content"),
                                         **row)


def not_saved_notice(error: BaseException, copy: Path | None) -> str:
    """What the user reads when a reply streamed but could not be saved."""
    if isinstance(error, DiskFull) and error.path is not None:
        why = (f"the disk holding {error.path.parent} is full "
               f"({free_mb(error.path):.1f} MB free), so this reply is not saved yet")
    else:
        why = f"this reply is not saved yet ({error or type(error).__name__})"
    if copy is not None:
        return (f"{why}. A copy is in {copy}; it is saved into the conversation with your "
                "next message once there is room.")
    return (f"{why}, and no copy could be written either: copy it from the screen. It is kept "
            "while this app runs and saved with your next message once there is room.")


class MessageNotSaved(StorageError):
    """Even the user's message could not be saved; `text` is that message, to show back."""

    def __init__(self, error: StorageError, text: str) -> None:
        if isinstance(error, DiskFull) and error.path is not None:
            message = (f"the disk holding {error.path.parent} is full ({free_mb(error.path):.1f} "
                       "MB free): your message was NOT saved. Free some space, then send it "
                       "again; it is shown here to copy.")
        else:
            message = (f"your message was NOT saved: {str(error).rstrip('.')}. It is shown here "
                       "to copy.")
        super().__init__(message, error.path)
        self.text = text
