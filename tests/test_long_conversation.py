"""A 300-turn scripted conversation through `creator ask --conversation ID` with long messages:
no turn overflows the window, and every message stays in the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from creator_assistant.cli import main

TURNS = 300
N_CTX, MAX_TOKENS = 1024, 16
WORDS = "video hook thumbnail sourdough lighting camera ✨ {braces} ünïcode 42,".split()


def message(i: int) -> str:
    """Mostly chat-sized, every 7th long (about the window), every 50th far beyond it."""
    size = 2_000 if i % 50 == 49 else 400 if i % 7 == 3 else 10 + (i * 37) % 120
    words = " ".join(WORDS[(i + j * 3) % len(WORDS)] for j in range(size))
    return f"turn {i}: {words}" + ("\n\n" + "x" * 50_000 if i % 100 == 99 else "")


@pytest.mark.slow
def test_300_turns_through_creator_ask_never_overflow_and_keep_every_message(home, capsys):
    (home / "config" / "config.toml").write_text(
        f"[tasks.chat]\nmax_tokens = {MAX_TOKENS}\ncontext = {N_CTX}\n")
    cid = None
    for i in range(TURNS):
        args = ["ask", "--task", "chat", "--json", message(i)]
        if cid is not None:
            args[1:1] = ["--conversation", cid]
        if i % 100 == 0:  # now and then as a real process, as a shell script would
            proc = subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                                  capture_output=True, text=True, env=dict(os.environ),
                                  timeout=120)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        else:  # the rest in this process: the same command, without interpreter start-up
            code = main(args)
            out, err = capsys.readouterr()
        assert code == 0, f"turn {i}: {err}"
        result = json.loads(out.splitlines()[-1])
        assert result["status"] == "ok", f"turn {i}: {result['error']}"
        usage = result["usage"]
        assert usage["prompt_tokens"] + MAX_TOKENS <= N_CTX, f"turn {i} overflows"
        if len(message(i)) > N_CTX * 16:
            assert "characters" in err  # shortened, with a notice
        cid = result["conversation_id"]

    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    store = Store(open_db(home / "data" / "creator.db"))
    rows = store.messages(cid)
    assert len(rows) == 2 * TURNS
    assert [r["content"] for r in rows[::2]] == [message(i) for i in range(TURNS)]
    assert all(r["role"] == "assistant" and r["status"] == "ok" for r in rows[1::2])
    assert store.memory_state(cid)["kept_from"] > TURNS  # most of it left the prompt ...
    assert store.search("sourdough")  # ... and is still searchable
