"""End to end in a real terminal: tmux runs `creator chat`, we type, the reply streams in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
CREATOR = Path(sys.executable).with_name("creator")
SPEED = re.compile(r"first token [\d,]+ ms │ [\d,.]+ tok/s")


class Tmux:
    """One tmux server of our own (its own socket), so nothing else is touched."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def __call__(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                             capture_output=True,
                             text=True, timeout=30)
        return out.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "chat")

    def wait_for(self, condition, what: str, timeout: float = 90.0) -> str:
        """Poll the pane until `condition(text)` holds; fail with the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if condition(text):
                return text
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{text}"
            time.sleep(0.1)  # a polling interval, not a synchronisation


def _last_reply(home: Path) -> str:
    import sqlite3

    db = sqlite3.connect(home / "data" / "creator.db")
    try:
        return db.execute("select content from messages where role = 'assistant' "
                          "order by id desc limit 1").fetchone()[0]
    finally:
        db.close()


@pytest.fixture
def tmux(home, tmp_path):
    server = Tmux(f"creator-test-{os.getpid()}-{tmp_path.name}")
    yield server
    server("kill-server")


def test_chat_in_a_real_terminal(tmux, home):
    # A clean environment: COLUMNS or LINES inherited from the test run would override the
    # terminal's real size.
    env = {"CREATOR_HOME": str(home), "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
           "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""),
           "CREATOR_NETGUARD_LOG": os.environ.get("CREATOR_NETGUARD_LOG", ""),
           "TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8"}
    command = " ".join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), str(CREATOR),
                        "chat"])
    tmux("new-session", "-d", "-s", "chat", "-x", "110", "-y", "34", command)
    tmux.wait_for(lambda s: "Message" in s and "demo" in s, "the chat and the loaded model")
    tmux("send-keys", "-t", "chat", "plan a video about bread", "Enter")
    # Wait for the whole final frame: a capture can catch the terminal halfway through a redraw.
    screen = tmux.wait_for(lambda s: "tokens ·" in s and SPEED.search(s), "the finished reply")
    lines = [line.strip(" ▌") for line in screen.splitlines()]
    # The reply's details may wrap: task (and why), model, tokens, speed.
    first = next(i for i, line in enumerate(lines) if line.startswith("chat ("))
    details = " ".join(lines[first:first + 3])
    assert re.search(r"\(demo model\) · [\d,]+ tokens · [\d,.]+ tok/s", details), details
    # Above the details, the reply as it streamed in: its last line ends the saved reply.
    reply = " ".join(_last_reply(home).split())
    above = next(line for line in reversed(lines[:first]) if line)
    assert reply.endswith(above)
    status = next(line for line in lines if "context" in line and "│" in line)
    assert status.startswith("● demo (demo model)") and "/ 8,192" in status
    assert SPEED.search(status), status
    tmux("send-keys", "-t", "chat", "C-q")
    tmux.wait_for(lambda s: "Message" not in s, "the chat to quit", timeout=30)
