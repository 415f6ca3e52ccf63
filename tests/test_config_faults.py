"""A config file that cannot be used is one line saying why and what to do, never a traceback;
a `[tasks.NAME]` section for a task no plugin registers is a warning naming the tasks there are."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def creator(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CREATOR_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "creator_assistant", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def refused(home: Path) -> str:
    """The one line `creator ask` prints when it cannot use the config file."""
    out = creator(home, "ask", "--task", "chat", "hello")
    assert out.returncode == 1, out.stdout
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("creator: "), out.stderr
    return lines[0]


@pytest.mark.parametrize("make, said", [
    (lambda p: p.mkdir(), "is a folder, not a file"),
    (lambda p: p.write_bytes(b"[models]\nthreads = 2\n# caf\xe9\n"),
     "not UTF-8 text (byte 0xe9 on line 3). Save it as UTF-8"),
    (lambda p: os.mkfifo(p), "is not a regular file"),
    (lambda p: p.symlink_to(p.parent / "gone.toml"), "is a link to a file that does not exist"),
    (lambda p: p.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n"), "nested too deeply"),
    (lambda p: p.write_text("# padding\n" * 200_000), "a config file is a few KB"),
    (lambda p: p.write_text("[models\nthreads = 2\n"), "not valid TOML"),
])
def test_a_config_that_cannot_be_used_is_one_clear_line(home, make, said):
    path = home / "config" / "config.toml"
    make(path)
    line = refused(home)
    assert str(path) in line and said in line, line


def test_an_unknown_task_section_is_a_warning_naming_the_tasks(home):
    folder = home / "config" / "plugins"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "podcast.py").write_text(textwrap.dedent("""
        from creator_assistant.api import Task, hookimpl

        @hookimpl
        def register_tasks(register):
            register(Task(name="podcast", description="x", system_prompt="x"))
    """))
    path = home / "config" / "config.toml"
    path.write_text("[tasks.nosuchtask]\ntemperature = 0.5\n[tasks.chta]\nseed = 1\n"
                    "[tasks.podcast]\nseed = 2\n[tasks.chat]\nmax_tokens = 8\n")
    out = creator(home, "ask", "--task", "chat", "hello")
    assert out.returncode == 0, out.stderr  # a warning: an uninstalled plugin bricks nothing
    warnings = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, out.stderr
    assert warnings[0].startswith(f"warning: {path}: [tasks.chta], [tasks.nosuchtask] names no "
                                  "task, so it does nothing")
    assert "Tasks: analytics, blog, chat, competitor, organize, podcast, script, trend." \
        in warnings[0]
    path.write_text("[tasks.podcast]\nseed = 2\n[tasks.chat]\nmax_tokens = 8\n")
    out = creator(home, "ask", "--task", "chat", "hello")
    assert out.returncode == 0 and "warning:" not in out.stderr, out.stderr
