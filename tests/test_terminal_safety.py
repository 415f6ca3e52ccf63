"""Stored text printed for a person shows control and escape sequences instead of obeying them
(real `creator` runs, stdout read as bytes, in a pipe and in a pseudo-terminal); JSON output and
exports keep the text exactly as stored."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from creator_assistant.terminal_text import safe

# Writes the clipboard (OSC 52), clears the screen (CSI 2J), colours, a C1 CSI, a bidi override.
HOSTILE = "pwn \x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J\x1b[31mred \x9b2J \u202eevil\u202c end"
SHOWN = "\\x1b]52;c;cm0gLXJmIH4=\\x07"
# What a terminal would act on: ESC and BEL, C1 controls in UTF-8, the bidi override.
ACTED_ON = re.compile(rb"[\x07\x1b]|\xc2[\x80-\x9f]|\xe2\x80\xae")


def creator(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CREATOR_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          input=stdin.encode(), capture_output=True, env=env, timeout=120)


def in_a_terminal(home: Path, *args: str) -> bytes:
    """What `creator ARGS` writes to a real (pseudo-)terminal."""
    main, child = pty.openpty()
    env = {**os.environ, "CREATOR_HOME": str(home), "COLUMNS": "200", "TERM": "xterm-256color"}
    proc = subprocess.Popen([sys.executable, "-m", "creator_assistant", *args], stdout=child,
                            stderr=child, stdin=subprocess.DEVNULL, env=env)
    os.close(child)
    out = b""
    try:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(main)
        assert proc.wait(timeout=60) == 0, out.decode(errors="replace")
    return out


@pytest.fixture
def stored(paths):
    """A conversation whose title and messages hold the hostile text; its id."""
    from creator_assistant.storage.store import open_store

    store = open_store(paths.database)
    try:
        cid = store.new_conversation(title=f"title {HOSTILE}", task="chat")
        store.add_message(cid, "user", f"question {HOSTILE}", task="chat")
        store.add_message(cid, "assistant", f"reply {HOSTILE}", task="chat", status="ok")
    finally:
        store.db.close()
    return cid


def test_the_sequences_are_shown_not_kept():
    assert safe(HOSTILE) == ("pwn " + SHOWN + " \\x1b[2J\\x1b[31mred \\x9b2J \\u202eevil"
                             "\u202c end")
    assert safe("tabs\tand\nlines\r\nstay") == "tabs\tand\nlines\r\nstay"
    assert safe("over\rwrite\x00") == "over\\x0dwrite\\x00"


class TestHistory:
    """history list, search, show and rm print it safely; --json and export keep it."""

    def test_listings_in_a_pipe(self, home, stored):
        for args in (("history", "list"), ("history", "search", "pwn"),
                     ("history", "show", stored), ("history", "show", stored, "--markdown")):
            out = creator(home, *args)
            assert out.returncode == 0, out.stderr
            assert not ACTED_ON.search(out.stdout), (args, out.stdout)
            assert SHOWN.encode() in out.stdout or b"\\x1b]52" in out.stdout, args

    def test_show_rendered_in_a_terminal(self, home, stored):
        out = in_a_terminal(home, "history", "show", stored)
        assert b"reply" in out and b"\\x1b]52;c;" in out
        for acted in (b"\x1b]52", b"\x1b[2J", b"\x07", b"\xc2\x9b", b"\xe2\x80\xae"):
            assert acted not in out, acted

    def test_json_and_exports_keep_the_text(self, home, stored):
        shown = json.loads(creator(home, "history", "show", stored, "--json").stdout)
        assert [m["content"] for m in shown["messages"]] == [f"question {HOSTILE}",
                                                              f"reply {HOSTILE}"]
        listed = json.loads(creator(home, "history", "list", "--json").stdout)
        assert listed[0]["title"] == f"title {HOSTILE}"
        exported = creator(home, "history", "export", stored, "-o", "-").stdout.decode()
        assert f"reply {HOSTILE}" in exported

    def test_rm_names_it_safely(self, home, stored):
        out = creator(home, "history", "rm", stored)
        assert out.returncode == 0 and not ACTED_ON.search(out.stdout), out.stdout
        assert b"title pwn \\x1b]52" in out.stdout


def test_ideas_list_shows_it_safely(home):
    assert creator(home, "ideas", "add", f"idea {HOSTILE}").returncode == 0
    listed = creator(home, "ideas", "list")
    assert listed.returncode == 0 and b"idea pwn" in listed.stdout, listed.stderr
    assert not ACTED_ON.search(listed.stdout), listed.stdout
    raw = creator(home, "ideas", "list", "--json").stdout.decode()
    assert json.dumps(f"idea {HOSTILE}")[1:-1] in raw  # kept as stored, escaped by JSON


def test_replies_and_command_output_in_ask_and_plain_chat(home, stored):
    # A task whose reply (its question) carries the sequences, as a model's reply could.
    folder = home / "config" / "plugins"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.py").write_text(textwrap.dedent(f"""
        from creator_assistant.api import Prepared, Task, hookimpl

        @hookimpl
        def register_tasks(register):
            register(Task(name="hostile", description="x", system_prompt="x",
                          prepare=lambda ctx: Prepared(question={("asks " + HOSTILE)!r})))
    """))
    asked = creator(home, "ask", "--task", "hostile", "hello")
    assert asked.returncode == 0, asked.stderr
    assert b"asks pwn " + SHOWN.encode() in asked.stdout
    assert not ACTED_ON.search(asked.stdout), asked.stdout
    chat = creator(home, "chat", "--plain", "--task", "hostile", stdin="hello\n/history\n")
    assert chat.returncode == 0, chat.stderr
    assert b"asks pwn " + SHOWN.encode() in chat.stdout and b"title pwn" in chat.stdout
    assert not ACTED_ON.search(chat.stdout), chat.stdout
