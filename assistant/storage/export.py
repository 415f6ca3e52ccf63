"""A conversation as a Markdown file: every saved message in order, who said it, and when."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any


def to_markdown(store: Any, cid: str) -> str:
    """The whole conversation, evicted turns included, as Markdown."""
    conv = store.conversation(cid)
    rows = store.messages(conv["id"])
    lines = [f"# {conv['title'] or 'Untitled conversation'}", "",
             f"- Conversation: `{conv['id']}`",
             f"- Started: {_when(conv['created'])} · last message: {_when(conv['updated'])}",
             f"- Messages: {len(rows)}", ""]
    summary = store.memory_state(conv["id"])["summary"]
    if summary:
        lines += ["> **Summary of the turns that left the model's window:** "
                  + " ".join(summary.split()), ""]
    for row in rows:
        who = "You" if row["role"] == "user" else "Assistant"
        meta = [_when(row["created"])]
        meta += [v for v in (row.get("task"), row.get("model")) if v and row["role"] != "user"]
        if row.get("status") not in (None, "ok"):
            meta.append(row["status"])
        if row.get("pinned"):
            meta.append("pinned")
        lines += [f"## {row['seq']}. {who}", "", f"*{' · '.join(meta)}*", "",
                  row["content"].rstrip() or "*(empty)*", ""]
    return "\n".join(lines)


def default_name(conv: dict[str, Any]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (conv["title"] or "").lower()).strip("-")[:40]
    return f"{conv['created'][:10]}-{slug or 'conversation'}-{conv['id']}.md"


def export_markdown(store: Any, cid: str, folder: Path, path: Path | None = None) -> Path:
    """Write the conversation to `path` (default: a dated name in `folder`); returns the path.
    Written to a temporary file first, so an existing export is never left half-written."""
    conv = store.conversation(cid)
    path = Path(path) if path is not None else Path(folder) / default_name(conv)
    if path.is_dir():
        path = path / default_name(conv)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(to_markdown(store, conv["id"]), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _when(stamp: str | None) -> str:
    return (stamp or "")[:16].replace("T", " ")
