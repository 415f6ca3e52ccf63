"""End to end in a real terminal: tmux runs `creator chat`, we type, the reply streams in."""

from __future__ import annotations

import re

import pytest

from tests.terminal import SPEED, needs_tmux, open_terminal

pytestmark = needs_tmux


@pytest.fixture
def terminal(home, tmp_path):
    yield from open_terminal(home, tmp_path)


def test_chat_in_a_real_terminal(terminal):
    terminal.start(size=(110, 34))
    terminal.send("plan a video about bread")
    # Wait for the whole final frame: a capture can catch the terminal halfway through a redraw.
    screen = terminal.wait_for(lambda s: "tokens ·" in s and SPEED.search(s), "the finished reply")
    lines = [line.strip(" ▌") for line in screen.splitlines()]
    # The reply's details may wrap: task (and why), model, tokens, speed.
    first = next(i for i, line in enumerate(lines) if line.startswith("chat ("))
    details = " ".join(lines[first:first + 3])
    assert re.search(r"\(demo model\) · [\d,]+ tokens · [\d,.]+ tok/s", details), details
    # Above the details, the reply as it streamed in: its last line ends the saved reply.
    reply = " ".join(terminal.replies()[-1]["content"].split())
    above = next(line for line in reversed(lines[:first]) if line)
    assert reply.endswith(above)
    status = next(line for line in lines if "context" in line and "│" in line)
    assert status.startswith("● demo (demo model)") and "/ 8,192" in status
    assert SPEED.search(status), status
    terminal.assert_whole(screen)
    terminal.press("C-q")
    terminal.wait_for(lambda s: "Message" not in s, "the chat to quit", timeout=30)
