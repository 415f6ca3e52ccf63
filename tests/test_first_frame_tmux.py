"""In a real terminal (tmux), `creator chat` draws its prompt before its model has loaded: the
model's load is held at its start by a named pipe the test owns (a `sitecustomize` of the
test's, loaded by the chat's process, makes the load read the pipe first), so what the
screen shows while loading is looked at for as long as the test likes, with no clock."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import GUARD_DIR
from tests.terminal import CREATOR, Terminal, needs_tmux, open_terminal, split

pytestmark = needs_tmux

HOOK = '''
import os
import runpy

runpy.run_path({guard!r})  # the suite's network guard, which this file stands in front of
PIPE = os.environ.get("CREATOR_TEST_HOLD_LOAD")
if PIPE:
    from creator_assistant import services

    real = services.Models.load

    def held(self, *args, **kwargs):
        with open(PIPE) as pipe:  # blocks until the test opens the pipe, and closes it
            pipe.read()
        return real(self, *args, **kwargs)

    services.Models.load = held
'''


@pytest.fixture
def terminal(home, tmp_path):
    yield from open_terminal(home, tmp_path)


@pytest.fixture
def hold(tmp_path) -> Path:
    """A named pipe: the chat's model load waits until the test writes to it and closes it."""
    hook = tmp_path / "hold-hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        HOOK.format(guard=str(GUARD_DIR / "sitecustomize.py")))
    pipe = tmp_path / "hold-load"
    os.mkfifo(pipe)
    return pipe


def launch(terminal: Terminal, pipe: Path, size: tuple[int, int] = (110, 34)) -> None:
    """`creator chat` in the terminal, as `Terminal.start` opens it, with the load held."""
    path = os.pathsep.join([str(pipe.parent / "hold-hook"), os.environ.get("PYTHONPATH", "")])
    env = {"CREATOR_HOME": str(terminal.home), "PYTHONPATH": path,
           "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""),
           "CREATOR_NETGUARD_LOG": os.environ.get("CREATOR_NETGUARD_LOG", ""),
           "CREATOR_TEST_HOLD_LOAD": str(pipe), "TERM": "xterm-256color",
           "COLORTERM": "truecolor", "LANG": "C.UTF-8"}
    command = " ".join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), str(CREATOR),
                        "chat"])
    terminal.tmux("new-session", "-d", "-s", "chat", "-x", str(size[0]), "-y", str(size[1]),
                  command)


def test_the_prompt_is_drawn_before_the_model_has_loaded(terminal, hold):
    assert CREATOR.is_file(), sys.executable
    launch(terminal, hold)
    screen = terminal.wait_for(lambda s: "loading demo…" in s, "the chat, its model loading")
    box = split(screen)[1]
    assert box and "Message" in box[0], screen
    assert "Type a message and press" in screen
    assert "● demo" not in screen  # not loaded: its load is still held
    # Typing works while it loads.
    terminal.type("a video about bread")
    screen = terminal.wait_for(lambda s: any("a video about bread" in row
                                             for row in split(s)[1]), "the typed text")
    assert "loading demo…" in screen
    with open(hold, "w") as pipe:  # let the load go on
        pipe.write("go")
    screen = terminal.wait_for(lambda s: "● demo (demo model)" in s, "the loaded model")
    assert "loading demo…" not in screen
    assert any("a video about bread" in row for row in split(screen)[1])
    terminal.assert_whole(screen)
    terminal.press("C-q")
    terminal.wait_for(lambda s: "Message" not in s, "the chat to quit", timeout=30)
