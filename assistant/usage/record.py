"""The usage rows: one per reply when its turn ends (turn.py), one per `creator ideas
categorize` run, and the mark a discarded reply gets (storage/store.py drop_last_exchange)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import sqlite_utils

from creator_assistant.storage.store import now
from creator_assistant.storage.writes import write
from creator_assistant.usage.memory import rss_bytes, session_memory

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")
REWOUND = "rewound"  # regenerated, or edited and resent: the reply was thrown away


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of letters or digits, "don't" and "well-lit" as one."""
    return len(_WORD.findall(text))


def reply_row(turn: Any, prepared: Any) -> dict[str, Any]:
    """What one turn produced and cost, read from its result, its task's Prepared and the pool."""
    result, usage = turn.result, turn.result.usage
    switch = result.switch or {}
    imports = getattr(result, "sources", None) or []  # import ids its facts came from (m011)
    started = getattr(turn, "started", None)
    return {
        "message_id": result.message_id, "conversation_id": result.conversation_id,
        "created": now(), "kind": "reply", "task": result.task, "model": result.model,
        "status": str(result.status), "words": count_words(result.text),
        "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
        "ttft_ms": usage.ttft_ms, "gen_ms": usage.total_ms,
        "wall_ms": (time.perf_counter() - started) * 1000 if started is not None else None,
        "items": getattr(prepared, "items", 0) if prepared is not None else 0,
        "pasted": getattr(prepared, "pasted", 0) if prepared is not None else 0,
        "imports": len(imports), "switch_kind": switch.get("kind"),
        "switch_ms": switch.get("ms"), "load_ms": switch.get("load_ms"),
        "model_rss": rss_bytes(getattr(turn.backend, "pid", None)),
        "memory": json.dumps(session_memory(turn.session)),
        "cached": int(bool(getattr(result, "cache", None))),  # served from the reply cache
    }


def record_reply(turn: Any, prepared: Any) -> None:
    """Save the usage row of a turn that has ended. Never raises: the reply is already saved,
    and a figure that could not be written must not turn it into a failure."""
    try:
        row = reply_row(turn, prepared)
        db = turn.session.store.db
        with write(db):
            db.table("usage").insert(row)
    except Exception:  # a full disk, a damaged database: the reply's own save said so
        pass


def record_run(db: sqlite_utils.Database, task: str, model: str, items: int, seconds: float,
               prompt_tokens: int = 0, completion_tokens: int = 0,
               memory: dict[str, Any] | None = None) -> None:
    """Save one batch run that sorted `items` ideas in `seconds` (`creator ideas categorize`)."""
    row = {"created": now(), "kind": "categorize", "task": task, "model": model, "status": "ok",
           "words": 0, "items": items, "gen_ms": seconds * 1000, "wall_ms": seconds * 1000,
           "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
           "memory": json.dumps(memory) if memory is not None else None}
    with write(db):
        db.table("usage").insert(row)


def mark_discarded(db: sqlite_utils.Database, cid: str, from_seq: int, why: str = REWOUND) -> None:
    """Mark the usage of the replies at or after `from_seq` in a conversation as discarded
    (call it inside the write that deletes them, before they go). The row lets go of the
    message id, which SQLite may give the next message."""
    db.execute(
        "update usage set discarded = ?, message_id = null where discarded is null and"
        " message_id in (select id"
        " from messages where conversation_id = ? and seq >= ? and role = 'assistant')",
        [why, cid, from_seq])
