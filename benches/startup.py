"""How fast the product starts, in real processes: `creator --help`, and `creator chat` in a real
pseudo-terminal until its first frame is drawn.

`help_s`: the wall time of `creator --help` (it imports only argparse and the commands' parser
definitions). `first_frame_s`: from starting `creator chat` (120×40, a fresh CREATOR_HOME holding
the demo model) until the terminal has been sent the chat's first frame: the prompt's box with
its title, "Message", and the status bar's model part under it. `model_ready_s`: until the
status bar says the model is loaded (`● demo`), which the first frame must not wait for:
`frame_first` says it came first in every run. Side by side, alternating with the chat so a
change in the machine's load hits all alike: `bare_textual_frame_s`, a bare Textual app drawing
the same signal (the floor: Python and Textual starting), and `session_first_frame_s`, the same
chat started in the order it had before it painted at once (the Session built, then the app);
`first_frame_over_bare` and `first_frame_over_session_first` are the medians of the rounds'
ratios. Each figure is the median of RUNS runs after one warm-up run (the page cache); the load
average says how busy the machine was. Prints one JSON line.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

RUNS = 5
SIZE = (120, 40)
CREATOR = Path(sys.executable).with_name("creator")
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
FRAME = re.compile(r"Message.*(starting…|no model yet|loading|●)", re.S)
READY = "● demo"
TIMEOUT_S = 120.0


def help_seconds(env: dict[str, str]) -> float:
    start = time.perf_counter()
    out = subprocess.run([str(CREATOR), "--help"], env=env, capture_output=True, check=True)
    took = time.perf_counter() - start
    assert b"creator chat" in out.stdout, out.stdout[:200]
    return took


# The floor, side by side: a bare Textual app with the same signal (a box titled "Message" and
# a status line), no product code; the chat's first frame over its is what the product adds.
BARE = """
from textual.app import App
from textual.widgets import Footer, Static, TextArea
class Bare(App):
    def compose(self):
        box = TextArea()
        box.border_title = "Message"
        yield box
        yield Static("● demo")
        yield Footer()
Bare().run()
"""

# The order the chat started in before it painted at once, side by side: the Session built
# (its imports, plugins, router, store) before the app runs, then the same chat.
SESSION_FIRST = """
from creator_assistant.ui.core import Core
core = Core()
core.session
from creator_assistant.ui.app import CreatorApp
try:
    CreatorApp(core).run()
finally:
    core.close()
"""


def chat_seconds(env: dict[str, str], command: list[str] | None = None) -> tuple[float, float]:
    """Seconds until the first frame and until the model is loaded, in a pseudo-terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(command or [str(CREATOR), "chat"], env=env, stdin=slave,
                            stdout=slave, stderr=slave, start_new_session=True, close_fds=True)
    os.close(slave)
    shown, frame_at, ready_at = b"", None, None
    try:
        while ready_at is None:
            assert time.perf_counter() - start < TIMEOUT_S, shown[-2000:]
            readable, _, _ = select.select([master], [], [], 1.0)
            if not readable:
                assert proc.poll() is None, f"creator chat exited: {shown[-2000:]!r}"
                continue
            try:
                shown += os.read(master, 1 << 16)
            except OSError:  # the process closed the terminal
                raise AssertionError(f"creator chat exited: {shown[-2000:]!r}") from None
            now = time.perf_counter()
            text = ESCAPES.sub(b"", shown).decode("utf-8", "replace")
            if frame_at is None and FRAME.search(text):
                frame_at = now
            if READY in text:
                ready_at = now
        os.write(master, b"\x11")  # Ctrl+Q
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    os.read(master, 1 << 16)
                except OSError:
                    break
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        os.close(master)
    assert frame_at is not None
    return frame_at - start, ready_at - start


def main() -> int:
    from creator_assistant.runtime.demo import ensure_demo_model

    with tempfile.TemporaryDirectory() as home:
        env = {"CREATOR_HOME": home, "PATH": os.environ.get("PATH", ""),
               "HOME": os.environ.get("HOME", home), "TERM": "xterm-256color",
               "COLORTERM": "truecolor", "LANG": "C.UTF-8",
               "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
        ensure_demo_model(Path(home) / "data" / "models")
        help_seconds(env)
        chat_seconds(env)  # warm-up: the page cache, the database made
        helps = [help_seconds(env) for _ in range(RUNS)]
        frames, ready, bare, first = [], [], [], []
        for _ in range(RUNS):  # alternating, so a change in the machine's load hits all alike
            frame, loaded = chat_seconds(env)
            frames.append(frame)
            ready.append(loaded)
            bare.append(chat_seconds(env, [sys.executable, "-c", BARE])[0])
            first.append(chat_seconds(env, [sys.executable, "-c", SESSION_FIRST])[0])
    print(json.dumps({
        "runs": RUNS, "help_s": round(statistics.median(helps), 3),
        "first_frame_s": round(statistics.median(frames), 3),
        "model_ready_s": round(statistics.median(ready), 3),
        "frame_first": all(f < r for f, r in zip(frames, ready, strict=True)),
        "bare_textual_frame_s": round(statistics.median(bare), 3),
        "first_frame_over_bare": round(statistics.median(
            f / b for f, b in zip(frames, bare, strict=True)), 2),
        "session_first_frame_s": round(statistics.median(first), 3),
        "first_frame_over_session_first": round(statistics.median(
            f / b for f, b in zip(frames, first, strict=True)), 2),
        "first_frame_runs": [round(f, 3) for f in frames],
        "targets": {"help_s": 0.3, "first_frame_s": 0.5},
        "load_average": round(os.getloadavg()[0], 2),
    }))
    return 0
