"""Many processes, one database: writes take the lock up front, wait for it, and never collide.

The storm is real: eight `creator ask` processes, ten rounds each, on one CREATOR_HOME (a fresh
one: they also create and migrate the database together), while a `creator chat --plain`
process holds a session open and writes turns the whole time."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from creator_assistant.storage import writes
from creator_assistant.storage.errors import DatabaseBusy
from creator_assistant.storage.store import open_store

WORKERS, ROUNDS = 8, 10


def other_writer(path):
    """A second connection, as another process has it (plain sqlite3, its own lock)."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def test_a_write_that_lands_while_another_begins_does_not_collide(tmp_path):
    """The old failure, deterministic: another process commits a message into the same
    conversation just as this one starts writing. A write that read the next seq before taking
    the lock (or upgraded a read transaction) fails; one that takes the lock first does not."""
    path = tmp_path / "creator.db"
    store = open_store(path)
    cid = store.new_conversation()
    other = other_writer(path)
    fired = []

    def meanwhile(sql: str) -> None:
        # Called as this connection starts each statement: the other process commits its
        # message right before this one's write begins.
        head = sql.lstrip().upper()
        if not fired and (head.startswith("BEGIN IMMEDIATE") or head.startswith("INSERT")):
            fired.append(sql)
            other.execute("BEGIN IMMEDIATE")
            other.execute("insert into messages (conversation_id, seq, role, content, created) "
                          "select ?, coalesce(max(seq), 0) + 1, 'user', 'from the other "
                          "process', '' from messages where conversation_id = ?", [cid, cid])
            other.execute("COMMIT")

    store.db.conn.set_trace_callback(meanwhile)
    store.add_message(cid, "user", "from this process")
    store.db.conn.set_trace_callback(None)
    assert fired
    rows = store.messages(cid)
    assert [(r["seq"], r["content"]) for r in rows] == [
        (1, "from the other process"), (2, "from this process")]


def test_a_lock_held_too_long_is_a_clear_error_and_the_next_write_works(tmp_path, monkeypatch):
    path = tmp_path / "creator.db"
    store = open_store(path)
    cid = store.new_conversation()
    monkeypatch.setattr(writes, "RETRY_PAUSES_S", (0.01, 0.02))
    store.db.conn.execute("PRAGMA busy_timeout = 20")
    other = other_writer(path)
    other.execute("BEGIN IMMEDIATE")  # a long import, say
    with pytest.raises(DatabaseBusy, match="locked by another process.*try again"):
        store.add_message(cid, "user", "hello")
    other.execute("COMMIT")
    store.add_message(cid, "user", "hello")
    assert [r["content"] for r in store.messages(cid)] == ["hello"]
    assert not store.db.conn.in_transaction


def test_a_write_that_fails_halfway_leaves_nothing_and_the_lock_free(tmp_path):
    path = tmp_path / "creator.db"
    store = open_store(path)
    cid = store.new_conversation()
    with pytest.raises(RuntimeError), writes.write(store.db):
        store.add_message(cid, "user", "half")  # joins the outer write
        raise RuntimeError("the rest failed")
    assert store.messages(cid) == [] and not store.db.conn.in_transaction
    other = other_writer(path)
    other.execute("PRAGMA busy_timeout = 0")
    other.execute("BEGIN IMMEDIATE")  # the lock was given back
    other.execute("ROLLBACK")


def creator_ask(text: str, cid: str | None) -> tuple[int, str, dict]:
    args = ["ask", "--json", "--task", "chat", *(["--conversation", cid] if cid else []), text]
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, timeout=600)
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "{}"
    try:
        details = json.loads(last)
    except json.JSONDecodeError:
        details = {}
    return proc.returncode, proc.stderr, details


@pytest.mark.slow
def test_eight_asks_ten_rounds_and_an_open_chat_lose_nothing(home):
    (home / "config" / "config.toml").write_text("[tasks.chat]\nmax_tokens = 6\n")
    chat = subprocess.Popen([sys.executable, "-m", "creator_assistant", "chat", "--plain",
                             "--task", "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ})
    said, lock = [], threading.Lock()

    def chat_says() -> None:  # one chat turn per finished ask: the chat writes all along
        with lock:
            said.append(f"chat line {len(said)}")
            chat.stdin.write(said[-1] + "\n")
            chat.stdin.flush()

    def worker(w: int) -> tuple[str | None, list[str]]:
        cid, failures = None, []
        for r in range(ROUNDS):
            code, err, details = creator_ask(f"worker {w} round {r}", cid)
            if code != 0 or "Traceback" in err or details.get("status") != "ok":
                failures.append(f"worker {w} round {r}: exit {code}: {err.strip()[-300:]}")
            cid = cid or details.get("conversation_id")
            chat_says()
        return cid, failures

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(worker, range(WORKERS)))
    out, err = chat.communicate("/quit\n", timeout=600)
    assert [f for _, fs in results for f in fs] == []
    assert chat.returncode == 0 and "Traceback" not in err, err[-2000:]
    assert "error:" not in out and "not saved" not in out, out[-2000:]

    from creator_assistant.paths import get_paths

    store = open_store(get_paths().database)
    expected = {cid: [f"worker {w} round {r}" for r in range(ROUNDS)]
                for w, (cid, _) in enumerate(results)}
    chat_cids = [c["id"] for c in store.conversations() if c["id"] not in expected]
    assert len(chat_cids) == 1
    expected[chat_cids[0]] = said
    for cid, users in expected.items():
        rows = store.messages(cid)
        assert [r["seq"] for r in rows] == list(range(1, 2 * len(users) + 1))
        assert [r["role"] for r in rows] == ["user", "assistant"] * len(users)
        assert [r["content"] for r in rows[::2]] == users
        assert all(r["status"] == "ok" and r["content"] for r in rows[1::2])
