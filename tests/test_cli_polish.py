"""What a new user meets first in the `creator` command: usage mistakes, `--help`, failed plugins,
Markdown in a terminal and in a pipe. Real processes, as in test_cli.py."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from creator_assistant.cli import build_parser

STUDIO = Path(__file__).parent / "data" / "Content 2024-01-01_2024-12-31 Maker Bench"
MARKERS = ("**", "`", "|---")  # Markdown that Rich renders away: bold, code, table rules


def creator(*args):
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)


def in_terminal(*args) -> tuple[int, str]:
    """Run `creator ARGS` with stdout on a pseudo-terminal; its exit code and what it printed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "creator_assistant", *args],
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL,
                            env={**os.environ, "TERM": "xterm-256color"})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the process closed the terminal's other end
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def markdown_in(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


class TestUsageMistakes:
    """An unknown option or subcommand: "did you mean", exit code 2, the subcommand's usage."""

    @pytest.mark.parametrize("args, hint, usage", [
        (["ask", "--jsn", "hi"], "did you mean --json?", "usage: creator ask "),
        (["doctor", "--jsn=1"], "did you mean --json?", "usage: creator doctor "),
        (["history", "lst"], "did you mean list?", "usage: creator history "),
        (["models", "pul", "gemma-3-4b"], "did you mean pull?", "usage: creator models "),
        (["histroy", "list"], "did you mean history?", "usage: creator [-h]"),
        (["--json", "doctor"], "--json goes after `creator doctor`", "usage: creator doctor "),
    ])
    def test_the_nearest_name_is_suggested(self, home, args, hint, usage):
        proc = creator(*args)
        assert proc.returncode == 2
        assert hint in proc.stderr and proc.stderr.startswith(usage), proc.stderr

    def test_nothing_is_suggested_when_nothing_is_near(self, home):
        proc = creator("ask", "--zzzzzz", "hi")
        assert proc.returncode == 2 and "unrecognized arguments: --zzzzzz" in proc.stderr
        assert "did you mean" not in proc.stderr and proc.stderr.startswith("usage: creator ask ")


def subcommands(parser: argparse.ArgumentParser, path: str = "creator"):
    """Every subcommand at every level: (its full name, its help, its parser)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield f"{path} {name}", helps.get(name), sub
                yield from subcommands(sub, f"{path} {name}")


class TestHelp:
    """Every `--help` says what the command does."""

    def test_every_subcommand_has_a_one_line_help_and_a_description(self):
        found = list(subcommands(build_parser()))
        assert len(found) > 30  # the walk reaches the nested actions
        for name, help_text, parser in found:
            assert help_text and "\n" not in help_text, f"{name}: no one-line help"
            assert parser.description, f"{name}: no description"
            for action in parser._actions:
                if not isinstance(action, argparse._SubParsersAction):  # its choices have help
                    assert action.help, f"{name} {action.option_strings or action.dest}: no help"

    def test_a_nested_help_shows_its_description(self, home):
        out = creator("models", "pull", "--help").stdout
        assert "usage: creator models pull" in out and "resume" in out and "sha256" in out


class TestFailedPlugins:
    """`creator plugins list` shows a plugin that failed as failed, with the error and a fix."""

    def test_a_plugin_that_fails_to_import(self, home, paths):
        paths.user_plugins_dir.mkdir(parents=True, exist_ok=True)
        broken = paths.user_plugins_dir / "broken.py"
        broken.write_text("import os\nraise ImportError('missing dependency foo')\n")
        out = creator("plugins", "list").stdout
        line = next(ln for ln in out.splitlines() if ln.startswith("broken "))
        assert "FAILED" in line and "nothing" not in line
        after = out[out.index(line):]
        assert "ImportError: missing dependency foo" in after and "line 2" in after
        assert f"to fix: fix or remove {broken}" in after
        rows = {r["name"]: r for r in json.loads(creator("plugins", "list", "--json").stdout)}
        assert str(broken) in rows["broken"]["fix"] and rows["chat"]["fix"] is None

    def test_a_plugin_file_named_like_a_loaded_plugin(self, home, paths):
        paths.user_plugins_dir.mkdir(parents=True, exist_ok=True)
        (paths.user_plugins_dir / "chat.py").write_text("")
        out = creator("plugins", "list").stdout
        assert "chat 0.1.0 (creator-assistant) — tasks: chat" in out  # the built-in stays listed
        assert "chat.py file" in out and "FAILED" in out and "to fix: rename" in out


def test_plugins_new_scaffolds_a_package(home, tmp_path):
    proc = creator("plugins", "new", "podcast", "--path", str(tmp_path))
    assert proc.returncode == 0 and "created" in proc.stdout, proc.stderr
    assert (tmp_path / "creator-podcast" / "pyproject.toml").is_file()


class TestMarkdown:
    """Markdown is rendered in a terminal, plain in a pipe or with --markdown."""

    def test_import_and_analytics_report(self, home):
        code, shown = in_terminal("import", str(STUDIO))
        assert code == 0 and "youtube-studio" in shown and not markdown_in(shown), shown
        piped = creator("import", str(STUDIO))
        assert piped.returncode == 0 and markdown_in(piped.stdout), piped.stdout

        code, shown = in_terminal("analytics", "report")
        assert code == 0 and "Top 5 by views" in shown and not markdown_in(shown), shown
        assert markdown_in(creator("analytics", "report").stdout)
        code, plain = in_terminal("analytics", "report", "--markdown")
        assert code == 0 and markdown_in(plain)

    def test_history_show(self, home, paths):
        from creator_assistant.storage.db import open_db
        from creator_assistant.storage.store import Store

        store = Store(open_db(paths.database))
        cid = store.new_conversation("a video plan")
        store.add_message(cid, "user", "plan a video")
        store.add_message(cid, "assistant", "**Hook:** open on the finished `desk`.", model="demo")
        store.db.close()
        code, shown = in_terminal("history", "show", cid)
        assert code == 0 and "Hook:" in shown and not markdown_in(shown), shown
        piped = creator("history", "show", cid).stdout
        assert "**Hook:** open on the finished `desk`." in piped and "## 2. Assistant" in piped
