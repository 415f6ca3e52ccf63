"""Saved conversations: `creator history ...`, the in-chat slash commands, `chat --continue`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from creator_assistant.cli import main


def creator(*args, input=None):
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args], input=input,
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)


@pytest.fixture
def saved(paths):
    """Two conversations written straight to the database."""
    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    store = Store(open_db(paths.database))
    a = store.new_conversation()
    store.add_message(a, "user", "a sourdough baking video, part one")
    store.add_message(a, "assistant", "Hook: the crackle of the crust.", model="demo")
    store.add_message(a, "user", "now the thumbnail ✨ {braces}")
    b = store.new_conversation()
    store.add_message(b, "user", "gaming highlights for shorts")
    store.db.close()
    return a, b


def test_list_show_search_export_and_rm(saved, paths, capsys, tmp_path):
    a, b = saved
    assert main(["history", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {c["id"]: c["messages"] for c in listed} == {a: 3, b: 1}
    assert main(["history", "show", a[:6], "--json"]) == 0  # a unique prefix is enough
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == a and [m["seq"] for m in shown["messages"]] == [1, 2, 3]
    assert shown["messages"][2]["content"] == "now the thumbnail ✨ {braces}"
    assert main(["history", "search", "sourdough", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [(h["conversation_id"], h["seq"]) for h in hits] == [(a, 1)]
    out = tmp_path / "a.md"
    assert main(["history", "export", a, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.index("sourdough baking") < text.index("crackle") < text.index("thumbnail ✨")
    assert main(["history", "rm", a]) == 0
    assert main(["history", "show", a]) == 1
    assert "no conversation" in capsys.readouterr().err
    assert main(["history", "list", "--json"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)] == [b]


def test_history_through_the_real_command_after_ask(home):
    (home / "config" / "config.toml").write_text("[tasks.chat]\nmax_tokens = 8\n")
    first = creator("ask", "--task", "chat", "--json", "plan a bread video")
    cid = json.loads(first.stdout.splitlines()[-1])["conversation_id"]
    assert creator("ask", "--task", "chat", "--conversation", cid, "and cheese").returncode == 0
    shown = creator("history", "show", cid, "--json")
    messages = json.loads(shown.stdout)["messages"]
    assert [(m["role"], m["content"]) for m in messages[::2]] == [
        ("user", "plan a bread video"), ("user", "and cheese")]
    assert [m["role"] for m in messages] == ["user", "assistant"] * 2
    assert "plan a bread video" in creator("history", "list").stdout


def test_slash_commands_in_a_session(paths):
    from creator_assistant.registry import CommandContext
    from creator_assistant.session import Session

    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 8\ncontext = 512\n")
    session = Session.open(paths)
    try:
        turn = session.ask("my channel is about sourdough baking", task="chat")
        "".join(turn)
        cid = turn.result.conversation_id
        ctx = CommandContext(session, cid)
        assert "Pinned message 1" in session.run_command("/pin 1", ctx)
        assert session.store.messages(cid)[0]["pinned"] == 1
        # Long turns push message 1 out of the window; the pin keeps it in the prompt.
        for i in range(6):
            turn = session.ask(f"turn {i}: " + "lighting and camera angles " * 30,
                               task="chat", conversation_id=cid)
            "".join(turn)
        assert session.store.memory_state(cid)["kept_from"] > 1
        assert "sourdough baking" in turn.fitted.messages[0]["content"]
        assert "sourdough" in session.run_command("/search sourdough", ctx)
        assert cid in session.run_command("/history", ctx)
        exported = session.run_command("/export", ctx)
        path = exported.split("`")[1]
        assert open(path, encoding="utf-8").read().count("## ") == 14
        assert "Started a new conversation" in session.run_command("/new", ctx)
        assert ctx.conversation_id is None
        assert "Switched to" in session.run_command(f"/history {cid}", ctx)
        assert ctx.conversation_id == cid
        assert "Unpinned message 1" in session.run_command("/unpin 1", ctx)
        assert "no message 99" in session.run_command("/pin 99", ctx)
    finally:
        session.close()


def test_plain_chat_continues_and_runs_slash_commands(home, saved):
    a, _ = saved
    (home / "config" / "config.toml").write_text("[tasks.chat]\nmax_tokens = 8\n")
    proc = creator("chat", "--plain", "--conversation", a, input="/pin\nhello\n/new\nhi\n")
    assert proc.returncode == 0, proc.stderr
    assert f"Continuing conversation {a} (3 messages" in proc.stdout
    assert "Pinned message 3" in proc.stdout and "Started a new conversation" in proc.stdout
    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    store = Store(open_db(home / "data" / "creator.db"))
    rows = store.messages(a)
    assert rows[2]["pinned"] == 1 and [r["content"] for r in rows[3:4]] == ["hello"]
    assert len(store.conversations()) == 3  # `hi` went to a new conversation
