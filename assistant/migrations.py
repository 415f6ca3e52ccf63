"""Schema migrations: small named functions, applied in order, each recorded once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_conversations_and_messages(db: sqlite_utils.Database) -> None:
    db["conversations"].create(
        {"id": str, "title": str, "task": str, "created": str, "updated": str},
        pk="id",
    )
    db["messages"].create(
        {
            "id": int, "conversation_id": str, "seq": int, "role": str, "content": str,
            "task": str, "model": str, "status": str, "pinned": int,
            "prompt_tokens": int, "completion_tokens": int, "ttft_ms": float,
            "tokens_per_s": float, "route_reason": str, "created": str,
        },
        pk="id",
        foreign_keys=[("conversation_id", "conversations", "id")],
        defaults={"status": "ok", "pinned": 0},
    )
    db["messages"].create_index(["conversation_id", "seq"], unique=True)


@migration
def m002_message_search(db: sqlite_utils.Database) -> None:
    db["messages"].enable_fts(["content"], create_triggers=True, tokenize="porter")


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet recorded in `_migrations`; return the names applied."""
    if "_migrations" not in db.table_names():
        db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in db["_migrations"].rows}
    applied = []
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        with db.conn:
            fn(db)
            db["_migrations"].insert(
                {"name": fn.__name__, "applied_at": dt.datetime.now(dt.UTC).isoformat()}
            )
        applied.append(fn.__name__)
    return applied
