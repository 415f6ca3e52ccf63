"""A reply is saved as it streams, in one row: killing the app (SIGKILL) mid-reply keeps what
was shown up to the last save, as a stopped reply that `history show` shows; the row being
written is never part of its own turn's prompt."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys

from creator_assistant.session import Session
from creator_assistant.turn import Status
from tests.test_turn_status import LONG, read_all, start


def rows(paths) -> list[dict]:
    """The saved messages, read through a connection of the test's own (as another process)."""
    conn = sqlite3.connect(paths.database)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("select * from messages order by id")]
    finally:
        conn.close()


class TestSavedWhileStreaming:
    """The reply's row exists from its first piece and grows in place until the end."""

    def test_one_row_updated_in_place(self, paths):
        paths.config_file.write_text("[tasks.chat]\nmax_tokens = 200\n")
        session = Session.open(paths)
        try:
            turn = session.ask("write a long story", task="chat")
            turn.save_every_s = 0  # save at every piece: each is visible from another connection
            pieces, seen = [], []
            for piece in turn:
                pieces.append(piece)
                reply = rows(paths)[-1]
                assert reply["role"] == "assistant" and reply["status"] == "stopped"
                seen.append(reply["content"])
            assert seen == ["".join(pieces[: i + 1]) for i in range(len(pieces))]
            user, reply = rows(paths)
            assert user["content"] == "write a long story"
            assert reply["id"] == turn.result.message_id and reply["status"] == Status.OK
            assert reply["content"] == "".join(pieces) and reply["completion_tokens"] > 0
        finally:
            session.close()

    def test_the_row_being_written_is_not_in_its_own_prompt(self, paths):
        paths.config_file.write_text("[tasks.chat]\nmax_tokens = 40\n")
        session = Session.open(paths)
        try:
            first = session.ask("tell me about bread", task="chat")
            first.save_every_s = 0
            said = "".join(first)
            turn = session.ask("and cameras", task="chat",
                               conversation_id=first.result.conversation_id)
            turn.save_every_s = 0
            stream = iter(turn)
            next(stream)  # the new row exists now
            sent = [m for m in turn.fitted.messages if m["role"] != "system"]
            assert sent == [{"role": "user", "content": "tell me about bread"},
                            {"role": "assistant", "content": said},
                            {"role": "user", "content": "and cameras"}]
            rest = "".join(stream)
            assert rest is not None and turn.result.status == Status.OK
            assert len(rows(paths)) == 4
        finally:
            session.close()


class TestKilled:
    """SIGKILL mid-reply: the row keeps the text saved so far and reads as stopped."""

    def test_sigkill_to_creator_ask_keeps_the_reply_so_far(self, paths):
        paths.config_file.write_text(LONG)
        proc, out = start(["ask", "write a long story"])
        got = os.read(out, 256)  # the reply has begun: its first piece was saved before it
        assert got, proc.stderr.read().decode()
        saved = rows(paths)
        assert [r["role"] for r in saved] == ["user", "assistant"]
        assert saved[1]["content"]  # saved, and the process is still writing its reply
        assert proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        got = read_all(out, got)
        assert proc.wait(timeout=60) == -signal.SIGKILL
        user, reply = rows(paths)
        assert user["content"] == "write a long story"
        assert reply["status"] == "stopped" and reply["content"]
        assert got.decode(errors="replace").startswith(reply["content"])
        shown = subprocess.run([sys.executable, "-m", "creator_assistant", "history", "show",
                                reply["conversation_id"]],
                               capture_output=True, timeout=120)
        text = shown.stdout.decode()
        assert shown.returncode == 0, shown.stderr.decode()
        assert reply["content"].strip()[:200] in text and "stopped" in text
        # The conversation goes on from the stopped reply.
        again = subprocess.run([sys.executable, "-m", "creator_assistant", "ask",
                                "--conversation", reply["conversation_id"], "go on"],
                               capture_output=True, timeout=300)
        assert again.returncode == 0, again.stderr.decode()
        assert [r["status"] for r in rows(paths)] == ["ok", "stopped", "ok", "ok"]
