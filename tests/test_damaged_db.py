"""A damaged database: found at open or by the background check, never written to again, and
rebuilt by `creator doctor --repair` from what can still be read (the old file kept beside)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from creator_assistant.storage import health
from creator_assistant.storage.errors import DatabaseDamaged
from creator_assistant.storage.repair import repair
from creator_assistant.storage.store import open_store

CONVERSATIONS, MESSAGES = 12, 24
GARBLE = bytes((i * 97 + 13) % 256 for i in range(1500))  # the same garbage every run


def creator(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args], input=stdin,
                          capture_output=True, text=True, timeout=300)


def fill(path: Path) -> dict[int, str]:
    """A real database with real conversations; the messages' texts by id."""
    store = open_store(path)
    for c in range(CONVERSATIONS):
        cid = store.new_conversation()
        for i in range(MESSAGES):
            store.add_message(cid, "user" if i % 2 == 0 else "assistant",
                              f"conversation {c} message {i}: " + "a thumbnail idea " * 8)
    texts = {r["id"]: r["content"] for c in store.conversations() for r in store.messages(c["id"])}
    store.db.close()  # the last connection: the WAL is checkpointed into the file
    return texts


def garble_a_page(path: Path) -> int:
    """Overwrite the middle of one of the messages table's leaf pages (not the first or last);
    returns how many rows that page held."""
    conn = sqlite3.connect(str(path))
    pages = [p for (p,) in conn.execute(
        "select pageno from dbstat where name = 'messages' and pagetype = 'leaf' order by pageno")]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    page = pages[len(pages) // 2]
    with path.open("r+b") as f:
        f.seek((page - 1) * page_size)
        cells = int.from_bytes(f.read(8)[3:5], "big")
        f.seek((page - 1) * page_size + 100)
        f.write(GARBLE)
    return cells


def written(path: Path) -> list[tuple[int, int] | None]:
    """When the database and its WAL were last written, and their sizes. (Never read them
    with open() while a connection is open: closing the file drops SQLite's locks.)"""
    stats = [os.stat(p) if os.path.exists(p) else None for p in (path, f"{path}-wal")]
    return [None if st is None else (st.st_size, st.st_mtime_ns) for st in stats]


def one_clear_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    first = proc.stderr.strip().splitlines()[0]
    assert first.startswith("creator: ") and "the database " in first
    assert "is damaged" in first and "creator doctor --repair" in first
    return first


def test_a_garbled_page_is_named_at_open_on_every_command(home):
    from creator_assistant.paths import get_paths

    path = get_paths().database
    fill(path)
    garble_a_page(path)
    with pytest.raises(DatabaseDamaged, match="is damaged .*SQLite's check failed"):
        open_store(path)
    before = written(path)
    for args in (["history", "list"], ["ask", "--task", "chat", "hi"], ["ideas", "add", "x"]):
        one_clear_line(creator(*args))
    assert written(path) == before  # nothing was written into it
    report = json.loads(creator("doctor", "--json").stdout)["database"]
    assert report["status"] == "damaged" and "check failed" in report["problem"]


def test_the_background_check_finds_damage_and_no_write_follows(tmp_path):
    path = tmp_path / "creator.db"
    fill(path)
    store = open_store(path)  # whole at open
    assert store.damaged is None
    garble_a_page(path)  # damaged underneath the open store
    watch = health.Watch(path, first_s=0, every_s=3600).start()
    try:
        assert watch.checked.wait(60)
    finally:
        watch.stop()
    assert "check failed" in (store.damaged or "")
    before = written(path)
    cid = store.conversations()[0]["id"]
    with pytest.raises(DatabaseDamaged, match="doctor --repair"):
        store.add_message(cid, "user", "one more")
    from creator_assistant.data.ideas import IdeaStore

    with pytest.raises(DatabaseDamaged):
        IdeaStore(store.db).add("an idea")
    assert written(path) == before
    store.db.close()
    with pytest.raises(DatabaseDamaged):  # the next process knows too (the marker beside it)
        open_store(path)
    health.clear(path)


def test_doctor_repair_backs_up_rebuilds_and_the_app_works_after(home):
    from creator_assistant.paths import get_paths

    path = get_paths().database
    texts = fill(path)
    on_page = garble_a_page(path)
    damaged = path.read_bytes()
    proc = creator("doctor", "--repair")
    assert proc.returncode == 0, proc.stderr
    assert "Backed up the damaged database to" in proc.stdout and "saved" in proc.stdout
    backups = list(path.parent.glob("creator.db.damaged-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == damaged
    store = open_store(path)
    rows = [r for c in store.conversations() for r in store.messages(c["id"])]
    intact = [r for r in rows if texts.get(r["id"]) == r["content"]]
    # Every row off the garbled page comes back whole (.recover, where it works, may also
    # salvage parts of that page's cells).
    assert len(intact) >= len(texts) - on_page and len(rows) - len(intact) <= on_page
    store.db.close()
    assert creator("history", "list").returncode == 0
    asked = creator("ask", "--json", "--task", "chat", "after the repair")
    assert asked.returncode == 0, asked.stderr
    assert "nothing to repair" in creator("doctor", "--repair").stdout


def recover_works() -> bool:
    """Whether this machine's sqlite3 program has a working `.recover` (3.40.x's is broken)."""
    cli = shutil.which("sqlite3")
    if cli is None:
        return False
    out = subprocess.run([cli, ":memory:", ".recover"], capture_output=True, text=True)
    return out.returncode == 0


@pytest.mark.parametrize("use_cli", [False, True], ids=["row-by-row", "sqlite3-recover"])
def test_repair_reads_every_intact_row(tmp_path, use_cli):
    if use_cli and not recover_works():
        pytest.skip("no sqlite3 program with a working .recover here")
    path = tmp_path / "creator.db"
    texts = fill(path)
    on_page = garble_a_page(path)
    done = repair(path, use_cli=use_cli)
    assert done.method == ("sqlite3 .recover" if use_cli else "row by row")
    assert done.saved["conversations"] == CONVERSATIONS
    store = open_store(path)
    rows = [r for c in store.conversations() for r in store.messages(c["id"])]
    intact = [r for r in rows if texts.get(r["id"]) == r["content"]]
    assert len(intact) >= len(texts) - on_page
    if not use_cli:  # read row by row: whole rows only, and the count of those lost is exact
        assert len(intact) == len(rows) == done.saved["messages"]
        assert done.saved["messages"] + done.lost["messages"] == len(texts)
    cid = store.conversations()[0]["id"]
    store.add_message(cid, "user", "written after the repair")  # whole again: writes work
    assert health.quick_check(path) is None


def test_a_file_cut_short_is_named_and_what_it_still_holds_recovered(tmp_path):
    path = tmp_path / "creator.db"
    texts = fill(path)
    with path.open("r+b") as f:  # a copy cut off near its end (a full disk, a lost sync)
        f.truncate(path.stat().st_size - 4 * 4096)
    with pytest.raises(DatabaseDamaged, match="is damaged"):
        open_store(path)
    done = repair(path, use_cli=False)
    assert 0 < done.saved["messages"] < len(texts)
    store = open_store(path)
    assert all(texts[r["id"]] == r["content"] for c in store.conversations()
               for r in store.messages(c["id"]))


def test_a_file_that_is_not_a_database_is_one_line_on_every_command(home):
    from creator_assistant.paths import get_paths

    path = get_paths().database
    path.write_text("these are my notes, saved over the database by mistake\n" * 50)
    for args in (["history", "list"], ["history", "show", "abc"], ["ask", "hi"],
                 ["ideas", "list"], ["chat", "--plain"], ["analytics", "report"],
                 ["import", "--list"]):
        line = one_clear_line(creator(*args, stdin="hello\n"))
        assert "not a database" in line
    proc = creator("doctor", "--repair")
    assert proc.returncode == 0 and "saved nothing" in proc.stdout, proc.stderr
    assert len(list(path.parent.glob("creator.db.damaged-*"))) == 1
    assert creator("history", "list").returncode == 0
    assert not os.path.exists(health.marker(path))
