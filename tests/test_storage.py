"""SQLite storage: migrations, WAL, messages saved as they happen."""

from __future__ import annotations

import sqlite3

import pytest

from creator_assistant.storage.db import open_db
from creator_assistant.storage.migrations import MIGRATIONS, migrate
from creator_assistant.storage.store import NotFound, Store


def test_migrations_apply_in_order_once_and_are_recorded(tmp_path):
    db = open_db(tmp_path / "c.db")
    names = [r["name"] for r in db["_migrations"].rows_where(order_by="rowid")]
    assert names == [fn.__name__ for fn in MIGRATIONS]
    assert all(n.startswith(f"m{i + 1:03d}_") for i, n in enumerate(names))
    assert migrate(db) == []  # second run applies nothing
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_new_migration_runs_on_an_old_database(tmp_path, monkeypatch):
    db = open_db(tmp_path / "c.db")

    def m999_add_column(d):
        d["conversations"].add_column("colour", str)

    monkeypatch.setattr("creator_assistant.storage.migrations.MIGRATIONS",
                        [*MIGRATIONS, m999_add_column])
    assert migrate(db) == ["m999_add_column"]
    assert "colour" in db["conversations"].columns_dict


def test_a_failing_migration_leaves_nothing_half_done(tmp_path, monkeypatch):
    db = open_db(tmp_path / "c.db")

    def m998_broken(d):
        d["conversations"].add_column("half", str)
        raise RuntimeError("boom")

    monkeypatch.setattr("creator_assistant.storage.migrations.MIGRATIONS", [*MIGRATIONS, m998_broken])
    with pytest.raises(RuntimeError):
        migrate(db)
    assert "m998_broken" not in {r["name"] for r in db["_migrations"].rows}


def test_messages_are_committed_immediately_and_kept_in_order(tmp_path):
    path = tmp_path / "c.db"
    store = Store(open_db(path))
    cid = store.new_conversation()
    store.add_message(cid, "user", "first idea: a {cooking} vlog")
    store.add_message(cid, "assistant", "ok", model="demo", completion_tokens=1)
    # A second, independent connection sees both rows: nothing waits in a transaction.
    other = sqlite3.connect(path)
    rows = other.execute("select seq, role, content from messages order by seq").fetchall()
    assert rows == [(1, "user", "first idea: a {cooking} vlog"), (2, "assistant", "ok")]
    assert store.conversation(cid)["title"] == "first idea: a {cooking} vlog"
    assert store.conversation(cid[:6])["id"] == cid
    with pytest.raises(NotFound):
        store.conversation("nope")


def test_full_text_search_across_conversations(tmp_path):
    store = Store(open_db(tmp_path / "c.db"))
    a, b = store.new_conversation(), store.new_conversation()
    store.add_message(a, "user", "a sourdough baking video")
    store.add_message(b, "user", "gaming highlights for shorts")
    hits = store.search("baking")
    assert [h["conversation_id"] for h in hits] == [a]
    assert store.search('"unbalanced quote') == []
