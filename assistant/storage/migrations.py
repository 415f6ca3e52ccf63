"""Schema migrations: small named functions, applied in order, each recorded once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlite_utils

from creator_assistant.storage.writes import write

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_conversations_and_messages(db: sqlite_utils.Database) -> None:
    db.table("conversations").create(
        {"id": str, "title": str, "task": str, "created": str, "updated": str},
        pk="id",
    )
    db.table("messages").create(
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
    db.table("messages").create_index(["conversation_id", "seq"], unique=True)


@migration
def m002_message_search(db: sqlite_utils.Database) -> None:
    db.table("messages").enable_fts(["content"], create_triggers=True, tokenize="porter")


@migration
def m003_data_imports(db: sqlite_utils.Database) -> None:
    # One row per imported file/folder/zip with its provenance; its rows hold the parsed records.
    db.table("data_imports").create(
        {"id": int, "format": str, "kind": str, "source": str, "container": str, "sha256": str,
         "imported_at": str, "rows": int, "meta": str},
        pk="id",
    )
    db.table("data_imports").create_index(["sha256", "format"], unique=True)
    db.table("data_rows").create(
        {"id": int, "import_id": int, "part": str, "seq": int, "line": int, "data": str},
        pk="id", foreign_keys=[("import_id", "data_imports", "id")],
    )
    db.table("data_rows").create_index(["import_id", "part", "seq"], unique=True)


@migration
def m004_ideas(db: sqlite_utils.Database) -> None:
    db.table("ideas").create(
        {"id": int, "text": str, "category": str, "priority": int, "created": str,
         "updated": str, "categorized_by": str},
        pk="id", defaults={"priority": 2},
    )
    db.table("ideas").enable_fts(["text"], create_triggers=True, tokenize="porter")
    db.table("pillars").create({"name": str, "description": str, "position": int}, pk="name")


@migration
def m005_conversation_memory(db: sqlite_utils.Database) -> None:
    # Where each conversation's prompt starts (seq) and the running summary of what came before;
    # token counts of message texts per model, so fitting a long conversation counts each once.
    db.table("conversation_memory").create(
        {"conversation_id": str, "kept_from": int, "summary": str, "summary_upto": int,
         "summary_model": str, "updated": str},
        pk="conversation_id", defaults={"kept_from": 0, "summary": "", "summary_upto": 0},
    )
    db.table("token_counts").create({"model": str, "digest": str, "tokens": int},
                              pk=("model", "digest"))


@migration
def m006_task_state(db: sqlite_utils.Database) -> None:
    # JSON on a reply that leaves a request open (a question, or a reply cut short after one):
    # the field asked for, the fields gathered so far and the request's earlier messages. It
    # lives and dies with its message, so regenerating after a rewind finds it again.
    db.table("messages").add_column("task_state", str)


@migration
def m007_format_problems(db: sqlite_utils.Database) -> None:
    # JSON list of what the format check found in a reply (NULL: its task declares no check),
    # so a reloaded reply shows the same problems under it as it did live.
    db.table("messages").add_column("format_problems", str)


@migration
def m008_embeddings(db: sqlite_utils.Database) -> None:
    # Sentence vectors cached per embedding model (its file's identity) and text (sha256), so
    # each text is embedded once: `dim` float32 values in `vector` (storage/embeddings.py).
    db.table("embeddings").create(
        {"model": str, "digest": str, "dim": int, "vector": bytes}, pk=("model", "digest"))


@migration
def m009_voice_samples(db: sqlite_utils.Database) -> None:
    # The creator's own writing (voice/samples.py): files, captions, titles and descriptions of
    # an import, and replies rated 4-5; `digest` (sha256 of the text) keeps each text once.
    db.table("voice_samples").create(
        {"id": int, "text": str, "kind": str, "source": str, "title": str, "date": str,
         "views": int, "ctr": float, "watch_time_hours": float, "added_at": str, "digest": str},
        pk="id", not_null={"text", "kind", "source", "digest"})
    db.table("voice_samples").create_index(["digest"], unique=True)


@migration
def m010_message_rating(db: sqlite_utils.Database) -> None:
    # The creator's 1-5 rating of a reply (`/rate N`, `creator rate ID N`); NULL: not rated.
    db.table("messages").add_column("rating", int)


@migration
def m011_reply_cache(db: sqlite_utils.Database) -> None:
    # The reply cache (creator_assistant.cache): one entry per reply or computed report under
    # the digest of everything that decided it; `used` orders the least recently used out of a
    # full category; `reply_cache_sources` the imports each was built on (a re-import deletes
    # those). On messages: `cache_hit` the served entry's age in seconds (NULL: generated),
    # `sources` a JSON list of the imports the task read.
    db.table("reply_cache").create(
        {"key": str, "category": str, "kind": str, "task": str, "model": str, "text": str,
         "meta": str, "bytes": int, "created": float, "used": float, "hits": int},
        pk="key", defaults={"hits": 0})
    db.table("reply_cache").create_index(["category", "used"])
    db.table("reply_cache_sources").create({"key": str, "import_id": int},
                                           pk=("key", "import_id"))
    db.table("reply_cache_sources").create_index(["import_id"])
    db.table("messages").add_column("cache_hit", float)
    db.table("messages").add_column("sources", str)


@migration
def m012_usage(db: sqlite_utils.Database) -> None:
    # What each reply (and each `creator ideas categorize` run) produced and cost, for
    # `creator stats` and `creator report` (creator_assistant.usage). Kept when its message is
    # deleted: `discarded` says why a reply was thrown away (regenerated, edited and resent).
    db.table("usage").create(
        {"id": int, "message_id": int, "conversation_id": str, "created": str, "kind": str,
         "task": str, "model": str, "status": str, "words": int, "prompt_tokens": int,
         "completion_tokens": int, "ttft_ms": float, "gen_ms": float, "wall_ms": float,
         "items": int, "pasted": int, "imports": int, "switch_kind": str, "switch_ms": float,
         "load_ms": float, "model_rss": int, "memory": str, "cached": int, "discarded": str},
        pk="id", defaults={"kind": "reply", "cached": 0})
    db.table("usage").create_index(["created"])
    db.table("usage").create_index(["message_id"])


def _done(db: sqlite_utils.Database) -> set[str] | None:
    if "_migrations" not in db.table_names():
        return None
    return {row["name"] for row in db.table("_migrations").rows}


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet recorded in `_migrations`; return the names applied.
    They run in one write, checked again under its lock: processes opening a new database
    at the same moment apply each migration once."""
    done = _done(db)
    if done is not None and all(fn.__name__ in done for fn in MIGRATIONS):
        return []
    applied = []
    with write(db):
        done = _done(db)
        if done is None:
            db.table("_migrations").create({"name": str, "applied_at": str}, pk="name")
            done = set()
        for fn in MIGRATIONS:
            if fn.__name__ in done:
                continue
            fn(db)
            db.table("_migrations").insert(
                {"name": fn.__name__, "applied_at": dt.datetime.now(dt.UTC).isoformat()}
            )
            applied.append(fn.__name__)
    return applied
