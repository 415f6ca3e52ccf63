"""Every ending of a turn has its status (ok, stopped, error, question) and the CLI, the chat
and the database say the same: a real SIGINT to `creator ask` and `creator chat --plain`
mid-stream, a plugin whose task crashes, and token counts in words."""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import sys

import pytest

from creator_assistant.session import Session
from creator_assistant.storage.db import open_db
from creator_assistant.storage.store import Store
from creator_assistant.turn import Status

LONG = "[tasks.chat]\nmax_tokens = 3000\n"  # about 19 KB of demo text: far more than a pipe holds
PIPE_BYTES = 4096
FLAKY = '''
from creator_assistant.hookspecs import hookimpl
from creator_assistant.registry import Prepared, Task


def prepare(ctx):
    return Prepared(user=ctx.mesage)  # a typo: AttributeError


def check(text, prepared):
    return prepared.fields["format"]  # a KeyError


@hookimpl
def register_tasks(register):
    register(Task("flaky", "A task whose prepare has a bug", "You help.", prepare=prepare))
    register(Task("checky", "A task whose format check has a bug", "You help.", check=check))
'''


def small_pipe() -> tuple[int, int]:
    """A pipe that holds one page: a writer that outruns its reader blocks mid-reply."""
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        pytest.skip("needs Linux's F_SETPIPE_SZ to hold a reply mid-stream")
    read, write = os.pipe()
    fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    return read, write


def start(args: list[str], stdin=None) -> tuple[subprocess.Popen, int]:
    read, write = small_pipe()
    proc = subprocess.Popen([sys.executable, "-m", "creator_assistant", *args], stdin=stdin,
                            stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    return proc, read


def read_until(fd: int, needle: bytes, got: bytes = b"") -> bytes:
    while needle not in got:
        chunk = os.read(fd, 256)
        assert chunk, f"output ended before {needle!r}: {got[-500:]!r}"
        got += chunk
    return got


def read_all(fd: int, got: bytes = b"") -> bytes:
    while chunk := os.read(fd, 65536):
        got += chunk
    os.close(fd)
    return got


def saved(paths) -> list[dict]:
    store = Store(open_db(paths.database))
    return store.messages(store.latest_conversation())


class TestInterrupted:
    """Ctrl+C mid-reply keeps what was written, marked stopped, with its token counts."""

    def test_sigint_to_creator_ask(self, paths):
        paths.config_file.write_text(LONG)
        proc, out = start(["ask", "write a long story"])
        got = os.read(out, 1)  # the reply has begun; the pipe now holds it back
        assert got
        proc.send_signal(signal.SIGINT)
        got = read_all(out, got)
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 130, err
        user, reply = saved(paths)
        assert user["content"] == "write a long story"
        assert reply["status"] == "stopped" and reply["completion_tokens"] > 0
        assert reply["prompt_tokens"] > 0 and reply["content"]
        assert got.decode(errors="replace").startswith(reply["content"][:200])
        assert "stopped: the reply so far is saved" in err and "Traceback" not in err

    def test_sigint_to_chat_plain_stops_the_reply_and_the_chat_goes_on(self, paths):
        paths.config_file.write_text(LONG)
        proc, out = start(["chat", "--plain"], stdin=subprocess.PIPE)
        proc.stdin.write(b"write a long story\n")
        proc.stdin.flush()
        got = read_until(out, b"[chat \xc2\xb7 demo]")
        got = read_until(out, b"\n", got.split(b"[chat \xc2\xb7 demo]", 1)[1])  # its label
        got += os.read(out, 1)  # and the reply's first text
        proc.send_signal(signal.SIGINT)
        proc.stdin.write(b"/quit\n")  # read once the stopped reply is saved and shown
        proc.stdin.close()
        text = read_all(out, got).decode(errors="replace")
        assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()
        shown = re.search(r"\[stopped \u00b7 ([\d,]+) tokens?\]", text)
        assert shown, text[-300:]
        (_, reply) = saved(paths)
        assert reply["status"] == "stopped"
        assert int(shown.group(1).replace(",", "")) == reply["completion_tokens"] > 0

    def test_ctrl_c_while_the_turn_waits_for_the_next_token(self, paths, monkeypatch):
        # Where Ctrl+C lands is up to the terminal: here, inside the wait for the worker.
        paths.config_file.write_text("[tasks.chat]\nmax_tokens = 64\n")
        session = Session.open(paths)
        try:
            turn = session.ask("write a long story", task="chat")
            stream = iter(turn)
            pieces = [next(stream) for _ in range(5)]
            real = turn.backend._recv
            calls = []

            def interrupted(during, **kwargs):
                if not calls:
                    calls.append(during)
                    raise KeyboardInterrupt
                return real(during, **kwargs)

            monkeypatch.setattr(turn.backend, "_recv", interrupted)
            with pytest.raises(KeyboardInterrupt):
                pieces += list(stream)
            assert calls == ["generating"]
            reply = session.store.messages(turn.result.conversation_id)[-1]
            assert reply["status"] == "stopped" and reply["content"] == "".join(pieces)
            assert reply["completion_tokens"] >= 5 and reply["prompt_tokens"] > 0
            # The worker is in step again: the next turn streams normally.
            again = session.ask("go on", conversation_id=turn.result.conversation_id)
            assert "".join(again) and again.result.status == Status.OK
        finally:
            session.close()


class TestTaskCrashes:
    """A task whose plugin raises is an error that names the task, the plugin and the fix."""

    @pytest.fixture
    def flaky(self, paths):
        paths.user_plugins_dir.mkdir(parents=True, exist_ok=True)
        (paths.user_plugins_dir / "flakyplugin.py").write_text(FLAKY)
        return paths.user_plugins_dir / "flakyplugin.py"

    @pytest.mark.parametrize("task, when", [("flaky", "before replying"),
                                            ("checky", "checking its reply")])
    def test_in_a_session(self, paths, flaky, task, when):
        paths.config_file.write_text("[tasks.chat]\nmax_tokens = 16\n[tasks.checky]\n"
                                     "max_tokens = 16\n")
        session = Session.open(paths)
        try:
            turn = session.ask(f"/{task} hello there")
            text = "".join(turn)
            result = turn.result
            assert result.status == Status.ERROR
            assert result.error.startswith(f"the {task} task (plugin 'flakyplugin') failed {when}")
            assert "Error" in result.error and f"fix or remove {flaky}" in result.error
            cid = result.conversation_id
            user, reply = session.store.messages(cid)
            assert user["content"] == f"/{task} hello there"
            assert (reply["status"], reply["content"]) == ("error", text)
            # The conversation goes on.
            nxt = session.ask("/chat hello", conversation_id=cid)
            assert "".join(nxt) and nxt.result.status == Status.OK
        finally:
            session.close()

    def test_creator_ask_exits_1_with_the_message(self, paths, flaky):
        proc = subprocess.run([sys.executable, "-m", "creator_assistant", "ask", "--json",
                               "/flaky hello"], capture_output=True, timeout=300)
        err = proc.stderr.decode()
        assert proc.returncode == 1 and "Traceback" not in err
        assert "the flaky task (plugin 'flakyplugin') failed before replying: AttributeError" in err
        assert "your message is saved in conversation" in err
        details = json.loads(proc.stdout.decode().splitlines()[-1])
        assert details["status"] == "error" and "flakyplugin" in details["error"]
        assert [m["status"] for m in saved(paths)] == ["ok", "error"]  # the user's, the reply's


def test_statuses_are_one_vocabulary_and_one_token_is_singular(paths):
    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 1\nseed = 7\n")
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", "chat", "--plain"],
                          input=b"hello\n/script\n/quit\n", capture_output=True, timeout=300)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "\n  1 token \u00b7 " in out and "1 tokens" not in out
    assert "(question: your next message answers it)" in out and "0 tokens" not in out
    rows = saved(paths)
    assert [m["status"] for m in rows if m["role"] == "assistant"] == ["ok", "question"]
    assert {m["status"] for m in rows} <= set(Status)
