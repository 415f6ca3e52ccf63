"""A full disk, for real: the data folder is a small tmpfs, filled with a file. `creator ask`
says what happened in one line (exit 1, no traceback), saves the message or says it did not
and shows it back, never loses a reply that streamed (a copy, saved at the next message), and
leaves what was saved before intact."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_partial_saves import rows
from tests.test_turn_status import LONG, read_all, read_until, start

MB = 1024 * 1024


@pytest.fixture
def small_disk(paths, demo_model):
    """The data folder on a 16 MB tmpfs holding the demo model as a link (models are read,
    never written, so they need no room there)."""
    data = paths.data_dir
    shutil.rmtree(data)
    data.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(data)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"a real full disk needs a tmpfs mount (root): {done.stderr.decode()}")
    try:
        paths.models_dir.mkdir()
        (paths.models_dir / demo_model.name).symlink_to(demo_model)
        paths.config_file.write_text("[tasks.chat]\nmax_tokens = 64\n")
        yield paths
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)


def fill(paths, leave: int = 0) -> Path:
    """Fill the data folder's disk until `leave` bytes are free (0: until it refuses more)."""
    filler = paths.data_dir / "filler"
    with open(filler, "ab") as f:
        while True:
            free = shutil.disk_usage(paths.data_dir).free
            if free <= leave:
                break
            try:
                f.write(b"\0" * min(MB, max(free - leave, 4096)))
                f.flush()
            except OSError:  # ENOSPC: full
                break
    return filler


def ask(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creator_assistant", "ask", *args],
                          capture_output=True, timeout=300)


def intact(paths, before: list[dict]) -> None:
    conn = sqlite3.connect(paths.database)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    now = {r["id"]: r for r in rows(paths)}
    for row in before:
        assert now[row["id"]] == row


class TestFullBeforeAsking:
    """The disk is full before the message is sent."""

    def test_no_room_for_the_reply(self, small_disk):
        paths = small_disk
        assert ask("hello there").returncode == 0
        before = rows(paths)
        filler = fill(paths, leave=500 * 1024)
        done = ask("a message on a nearly full disk")
        err = done.stderr.decode()
        assert done.returncode == 1 and "Traceback" not in err
        assert f"the disk holding {paths.data_dir} is full" in err
        assert "MB and resend; your message is saved" in err
        assert not done.stdout.decode().strip()  # the reply never started
        filler.unlink()
        assert [r["content"] for r in rows(paths) if r["role"] == "user"][-1] == (
            "a message on a nearly full disk")
        intact(paths, before)
        again = ask("--conversation", rows(paths)[-1]["conversation_id"], "now answer")
        assert again.returncode == 0, again.stderr.decode()
        assert [(r["role"], r["status"]) for r in rows(paths)][-4:] == [
            ("user", "ok"), ("assistant", "error"), ("user", "ok"), ("assistant", "ok")]

    def test_no_room_for_the_message(self, small_disk):
        paths = small_disk
        assert ask("hello there").returncode == 0
        before = rows(paths)
        filler = fill(paths)
        done = ask("every word of this message")
        err = done.stderr.decode()
        assert done.returncode == 1 and "Traceback" not in err, err
        assert "is full" in err and "your message was NOT saved" in err
        assert "every word of this message" in err  # shown back, to copy
        filler.unlink()  # (reading needs a little room too: SQLite's shared-memory file)
        intact(paths, before)
        assert len(rows(paths)) == len(before)
        assert ask("every word of this message").returncode == 0


class TestFullWhileStreaming:
    """The disk fills while a reply streams: the reply is kept and saved later."""

    def test_the_reply_is_kept_and_saved_with_the_next_message(self, small_disk):
        paths = small_disk
        paths.config_file.write_text(LONG)
        proc, out = start(["ask", "write a long story"])
        got = os.read(out, 1)  # the reply has begun; the pipe now holds it back
        assert got, proc.stderr.read().decode()
        before = rows(paths)  # the message, and the reply's first piece
        filler = fill(paths)
        got = read_all(out, got)
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=300) == 1 and "Traceback" not in err, err
        assert "is full" in err and "this reply is not saved yet" in err
        copies = list((paths.cache_dir / "unsaved").glob("unsaved-reply-*.md"))
        assert len(copies) == 1 and f"A copy is in {copies[0]}" in " ".join(err.split())
        shown = got.decode().strip()
        assert shown and copies[0].read_text().rstrip().endswith(shown)
        filler.unlink()
        intact(paths, [r for r in before if r["role"] == "user"])
        again = ask("--conversation", before[0]["conversation_id"], "thanks")
        assert again.returncode == 0, again.stderr.decode()
        saved = rows(paths)
        assert [r["role"] for r in saved] == ["user", "assistant", "user", "assistant"]
        assert saved[1]["id"] == before[1]["id"]  # the row streaming made, completed in place
        assert saved[1]["content"].strip() == shown and saved[1]["status"] == "ok"
        assert not copies[0].exists()


def test_every_free_space_level(small_disk):
    """From 16 KB to 256 KB free: no traceback, and nothing said or written is lost."""
    paths = small_disk
    assert ask("the first message").returncode == 0
    before = rows(paths)
    for kb in (16, 48, 96, 160, 256):
        filler = fill(paths, leave=kb * 1024)
        text = f"message at {kb} KB free"
        done = ask("--json", "--task", "chat", text)
        err = done.stderr.decode()
        assert done.returncode in (0, 1) and "Traceback" not in err, (kb, err)
        filler.unlink()
        if "your message was NOT saved" in err:
            assert text in err and text not in [r["content"] for r in rows(paths)]
        else:
            assert text in [r["content"] for r in rows(paths)], (kb, err)
        reply = done.stdout.decode().rsplit("\n{", 1)[0].strip() if done.stdout else ""
        if reply:  # a reply streamed: saved, or kept as a copy
            copies = [p.read_text() for p in paths.cache_dir.glob("unsaved/*.md")]
            assert any(reply in r["content"] for r in rows(paths)) or any(
                reply in c for c in copies), (kb, err)
        intact(paths, before)
    assert ask("--task", "chat", "the last message").returncode == 0
    assert rows(paths)[-1]["status"] == "ok"
    intact(paths, before)


def test_plain_chat_says_so_and_goes_on(small_disk):
    paths = small_disk
    proc = subprocess.Popen([sys.executable, "-m", "creator_assistant", "chat", "--plain"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.fileno()
    read_until(out, b"you> ")
    filler = fill(paths)
    proc.stdin.write(b"/chat every word of this\n")
    proc.stdin.flush()
    said = read_until(out, b"you> ").decode()
    assert "is full" in said and "your message was NOT saved" in said
    assert "Your message:\n/chat every word of this" in said
    filler.unlink()
    proc.stdin.write(b"/chat every word of this\n/quit\n")
    proc.stdin.close()
    said = read_all(out).decode()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0 and "Traceback" not in err, err
    assert [(r["role"], r["status"]) for r in rows(paths)] == [("user", "ok"), ("assistant", "ok")]


class TestChatScreen:
    """In the chat, a reply the disk had no room for says where its copy is, and is saved with
    the next message."""

    async def test_the_notice_says_where_the_reply_is(self, small_disk):
        from textual.widgets import Static

        from creator_assistant.ui.core import Core
        from tests.test_ui import SIZE, app_for, replied, saved, until

        paths = small_disk
        paths.config_file.write_text(LONG)
        core = Core(paths)
        try:
            app = app_for(core)
            async with app.run_test(size=SIZE) as pilot:
                screen = app.screen
                await screen.send("a long story")
                await until(pilot, lambda: screen.log_view.messages[-1].text != "")
                filler = fill(paths)
                await pilot.press("escape")
                await until(pilot, replied(screen), timeout=120)
                view = screen.log_view.messages[-1]
                note = str(view.query_one(".note", Static).content)
                copies = list((paths.cache_dir / "unsaved").glob("unsaved-reply-*.md"))
                assert len(copies) == 1, note
                assert "this reply is not saved yet" in note
                assert f"A copy is in {copies[0]}" in " ".join(note.split())
                filler.unlink()
                await screen.send("thanks")
                await until(pilot, replied(screen, 2), timeout=120)
                rows = saved(core, screen.cid)
                assert [r["role"] for r in rows] == ["user", "assistant", "user", "assistant"]
                assert rows[1]["status"] == "stopped" and rows[1]["content"] == view.text
                assert not copies[0].exists()
        finally:
            core.close()


def test_kept_replies_are_saved_in_the_order_they_came(paths):
    """Copies left by two runs and one held in memory: saved oldest first, copies removed."""
    from creator_assistant.storage.store import open_store
    from creator_assistant.unsaved import Pending, Unsaved

    store = open_store(paths.database)
    cid = store.new_conversation()
    store.add_message(cid, "user", "three questions")
    streaming = store.add_message(cid, "assistant", "the first repl", status="stopped")
    earlier, other = Pending(paths), Pending(paths)
    first = earlier.keep(Unsaved(cid, {"content": "the first reply", "status": "ok"}, streaming))
    second = other.keep(Unsaved(cid, {"content": "the second -->\n\nreply", "status": "ok"}))
    assert first.parent == paths.exports_dir and first.read_text().endswith("the first reply")
    now = Pending(paths)
    now.keep(Unsaved(cid, {"content": "the third reply", "status": "stopped"}))
    assert now.flush(store) == 3
    assert [(r["content"], r["status"]) for r in store.messages(cid)] == [
        ("three questions", "ok"), ("the first reply", "ok"), ("the second -->\n\nreply", "ok"),
        ("the third reply", "stopped")]
    assert not first.exists() and not second.exists() and not now.replies
    assert not list(paths.exports_dir.iterdir())
    assert now.flush(store) == 0
