"""The `creator` command as a shell user meets it: real processes, real model, real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def creator(*args, input=None, env=None, check=False):
    proc = subprocess.run([sys.executable, "-m", "creator_assistant", *args], input=input,
                          capture_output=True, env={**os.environ, **(env or {})}, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr.decode()
    return proc


def test_help_imports_nothing_heavy():
    code = ("import sys\nfrom creator_assistant.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = {'llama_cpp', 'textual', 'pydantic', 'numpy', 'sqlite_utils', 'gguf'}\n"
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")
    assert "ask" in out.stdout and "models" in out.stdout


def test_version():
    from creator_assistant import __version__

    assert creator("--version", check=True).stdout.decode().strip() == f"creator {__version__}"


def test_ask_streams_to_a_pipe_and_exits_zero(home):
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text("[tasks.chat]\nmax_tokens = 3000\n")
    proc = subprocess.Popen([sys.executable, "-m", "creator_assistant", "ask", "hello"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.read1(64)
    still_running = proc.poll() is None
    rest = proc.stdout.read()
    assert proc.wait(timeout=120) == 0
    assert first.strip() and still_running, "text must arrive while the reply is generated"
    assert len((first + rest).split()) > 100
    assert b"demo model" in proc.stderr.read()


def test_ask_json_ends_with_details(home):
    out = creator("ask", "--json", "hello there", check=True).stdout.decode().splitlines()
    details = json.loads(out[-1])
    assert details["task"] == "chat" and details["model"] == "demo"
    assert details["usage"]["completion_tokens"] > 0 and details["usage"]["tokens_per_s"] > 0
    assert details["profile"]["temperature"] == 0.7
    again = creator("ask", "--json", "--conversation", details["conversation_id"], "more",
                    check=True).stdout.decode().splitlines()
    assert json.loads(again[-1])["conversation_id"] == details["conversation_id"]


def test_ask_reads_stdin(home):
    out = creator("ask", "--json", "-", input=b"a message from a pipe", check=True)
    details = json.loads(out.stdout.decode().splitlines()[-1])
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    msgs = Store(open_db(get_paths().database)).messages(details["conversation_id"])
    assert msgs[0]["content"] == "a message from a pipe"


@pytest.mark.parametrize("args, stdin, needle", [
    (["ask", "-"], b"caf\xe9 latte", b"not valid UTF-8"),
    (["ask", "--task", "nope", "hi"], None, b"unknown task 'nope'"),
    (["ask", "--model", "gemma-3-27b", "hi"], None, b"creator models pull gemma-3-27b"),
    (["ask", "--conversation", "zzzz", "hi"], None, b"no conversation"),
    (["ask", "   "], None, b"message is empty"),
])
def test_user_mistakes_get_one_clear_line(home, args, stdin, needle):
    proc = creator(*args, input=stdin)
    assert proc.returncode == 1
    assert needle in proc.stderr and b"Traceback" not in proc.stderr


def test_bad_config_is_named(home):
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text("[tasks.chat]\ntemperature = 9\n")
    proc = creator("ask", "hi")
    assert proc.returncode == 1 and b"tasks.chat.temperature" in proc.stderr


def test_corrupt_model_file_is_a_clear_error(home, tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(200))
    proc = creator("ask", "--model", str(bad), "hi")
    assert proc.returncode == 1 and b"corrupt" in proc.stderr and b"Traceback" not in proc.stderr


def test_models_list_labels_the_demo(home):
    rows = json.loads(creator("models", "list", "--json", check=True).stdout)
    demo = next(r for r in rows if r["id"] == "demo")
    assert demo["status"] == "built in" and "meaningless" in demo["note"]
    assert {"id", "size", "tier", "status"} <= set(rows[1])
    text = creator("models", "list", check=True).stdout.decode()
    assert "creator models pull" in text


def test_plugins_list_and_config_path(home):
    out = creator("plugins", "list", check=True).stdout.decode()
    assert "chat 0.1.0 (creator-assistant)" in out and "tasks: chat" in out
    paths = creator("config", "path", check=True).stdout.decode()
    assert str(home) in paths and "config.toml" in paths


def test_line_chat_really_chats(home):
    proc = creator("chat", "--plain", input=b"hello\nsecond message\n/quit\n", check=True)
    out = proc.stdout.decode()
    assert out.count("[chat \u00b7 demo]") == 2 and "tok/s" in out
