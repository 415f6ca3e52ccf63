"""A real terminal for end-to-end tests: tmux runs `creator chat`, a test types into it, reads
what it shows, and checks that the screen is whole (`problems`, also used on the pilot's
screen)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

CREATOR = Path(sys.executable).with_name("creator")
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
# Under a finished reply: "... · 949 tokens · 2,031.6 tok/s"; in the status bar the same speed.
SPEED = re.compile(r"first token [\d,]+ ms │ [\d,.]+ tok/s")
# What a reply's line says until it has ended.
IN_PROGRESS = re.compile(r"waiting for the model…|thinking…|writing…|loading \S+…")
SCROLLBAR = " ▁▂▃▄▅▆▇█▔"  # the scrollbar's thumb, in eighths of a row
BORDER = "▌" + SCROLLBAR  # with a message's left border
# The first row of a conversation: the welcome, or the line saying earlier ones are not shown.
BEGINNING = re.compile(r"Creator Assistant$|[\d,]+ earlier messages are not shown")


# -- what a screen shows -----------------------------------------------------------------------


def screen_text(app) -> str:
    """What a Textual app run by the pilot shows, as text, the way a terminal shows it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def split(text: str) -> tuple[list[str], list[str]]:
    """The rows above the message box (the messages, and the slash menu when open) and the rows
    of the box itself; no box rows when it is not on the screen."""
    rows = text.split("\n")
    for top in range(len(rows) - 1, -1, -1):
        line = rows[top].strip()
        if line.startswith("╭") and ("Message" in line or "message" in line):
            for bottom in range(top + 1, len(rows)):
                if rows[bottom].strip().startswith("╰"):
                    return rows[:top], rows[top:bottom + 1]
            break
    return rows, []


# The line that offers the starter model sits on the message box when no chat model is installed.
OFFER = re.compile(r"^(No (text|chat) model installed|Pulling the starter model|Could not pull)")


def above_box(text: str) -> list[str]:
    """The rows above the message box, without the slash menu when it is open or the starter
    model's offer."""
    above, box = split(text)
    if not box:
        return above[:-2]  # the status bar and the footer
    if above and above[-1].strip().startswith("╰"):  # the slash menu sits on the box
        while above and not above[-1].strip().startswith("╭"):
            above.pop()
        above = above[:-1]
    for start in range(len(above) - 1, max(len(above) - 5, -1), -1):
        if OFFER.match(above[start].strip()):
            return above[:start]
    return above


def log_rows(text: str) -> list[str]:
    """The messages' rows on the screen, as text without borders."""
    return [row.strip(BORDER) for row in above_box(text)]


def problems(text: str, said: Sequence[str] = ()) -> list[str]:
    """Every way this screen is not whole: the message box missing, nothing above it, rows left
    blank above the messages (unless all of them are shown) or between two (more than the
    one-row gap), a section drawn twice (more often than `said`, the messages' texts, hold
    it)."""
    found = [] if split(text)[1] else ["the message box is not on the screen"]
    rows = above_box(text)
    # Rows inside a message show its left border even when they hold no text, so only the gap
    # between two messages is blank; below the last one the screen may be empty (a short
    # conversation).
    filled = [i for i, row in enumerate(rows) if row.strip(SCROLLBAR)]
    if not any(row.strip(BORDER) for row in rows):
        return [*found, "nothing is shown above the message box"]
    # A conversation shorter than the screen sits at its bottom, below blank rows; then its
    # beginning is on the screen.
    if filled[0] > 1 and not BEGINNING.match(rows[filled[0]].strip(BORDER)):
        found.append(f"the top {filled[0]} rows are blank")
    gaps = [b - a - 1 for a, b in zip(filled, filled[1:]) if b - a - 1 > 1]
    if gaps:
        found.append(f"{max(gaps)} blank rows between two messages")
    found += [f"drawn twice: {pair!r}" for pair in repeated(log_rows(text), said)]
    return found


def words(text: str) -> str:
    """The words of a text or of rows on the screen, without what Markdown or its rendering add
    (markup, bullets, punctuation) or where lines wrap: ' a b c '."""
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def occurrences(needle: str, haystack: str) -> int:
    """How many times `needle` (from `words`) is in `haystack`, overlapping ones too."""
    count, start = 0, haystack.find(needle)
    while start >= 0:
        count, start = count + 1, haystack.find(needle, start + 1)
    return count


def repeated(rows: list[str], said: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Pairs of adjacent rows of text (each a few words long) shown more often than the texts
    `said` (the messages as saved) hold them: a section of a reply drawn twice. A single line may
    repeat in a random-weight model's text, and so may a passage: only a pair shown more times
    than it was written counts."""
    lines = [" ".join(row.split()) for row in rows]
    texts = [words(text) for text in said]
    shown: dict[tuple[str, str], int] = {}
    twice = []
    for pair in zip(lines, lines[1:]):
        if all(len(line.split()) >= 3 for line in pair):
            shown[pair] = shown.get(pair, 0) + 1
            if shown[pair] > 1:
                needle = words(" ".join(pair))
                if shown[pair] > sum(occurrences(needle, text) for text in texts):
                    twice.append(pair)
    return twice


def problem_kinds(found: list[str]) -> set[str]:
    """The kinds of `problems` (without their numbers and details), to match two screens'."""
    return {re.sub(r"\d+|:.*", "", problem) for problem in found}


# -- the terminal ------------------------------------------------------------------------------


class Terminal:
    """One tmux server of our own (its own socket, so nothing else is touched) running one
    `creator chat` in a clean environment on a given CREATOR_HOME."""

    def __init__(self, socket: str, home: Path) -> None:
        self.socket, self.home = socket, home
        # Settled screens `watch` found broken, each with the one before it: judged again in
        # `assert_whole` against the texts then saved (a reply's is saved when it ends).
        self.suspect: list[tuple[str, str]] = []

    def tmux(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                             capture_output=True, text=True, timeout=30)
        return out.stdout

    def start(self, *args: str, size: tuple[int, int] = (120, 40)) -> str:
        """Open `creator chat ARGS` at `size` and wait for the chat with its model loaded."""
        # A clean environment: COLUMNS or LINES inherited from the test run would override the
        # terminal's real size.
        env = {"CREATOR_HOME": str(self.home), "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
               "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""),
               "CREATOR_NETGUARD_LOG": os.environ.get("CREATOR_NETGUARD_LOG", ""),
               "TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8"}
        command = " ".join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), str(CREATOR),
                            "chat", *args])
        width, height = size
        self.tmux("new-session", "-d", "-s", "chat", "-x", str(width), "-y", str(height),
                  command)
        return self.wait_for(lambda s: "Message" in s and "● " in s,
                             "the chat and the loaded model")

    def screen(self, escapes: bool = False) -> str:
        """What the pane shows now (with `escapes`, its colours too)."""
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "chat")

    def settled(self, timeout: float = 10.0) -> str:
        """A screen shown twice in a row: tmux 3.3 has no synchronized output, so one capture
        may catch a frame half drawn."""
        deadline = time.monotonic() + timeout
        last = self.screen()
        while True:
            now = self.screen()
            if now == last or time.monotonic() > deadline:
                return now
            last = now

    def wait_for(self, condition: Callable[[str], bool], what: str,
                 timeout: float = 90.0) -> str:
        """Poll until a settled screen satisfies `condition`; fail with the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.settled()
            if condition(text):
                return text
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{text}"
            time.sleep(0.05)  # a polling interval, not a synchronisation

    def watch(self, condition: Callable[[str], bool], what: str,
              timeout: float = 90.0) -> str:
        """`wait_for`, checking every settled screen on the way for `problems`; one found in
        two settled screens in a row is kept in `suspect`, for `bad` (a frame tmux shows half
        drawn, even twice, is followed by the whole frame)."""
        before: tuple[str, set[str]] = ("", set())

        def check(text: str) -> bool:
            nonlocal before
            kinds = problem_kinds(problems(text))
            if kinds & before[1]:
                self.suspect.append((before[0], text))
            before = (text, kinds)
            return condition(text)

        return self.wait_for(check, what, timeout)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "chat", "-l", text)

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "chat", *keys)

    def send(self, text: str) -> None:
        """Type a message and press Enter."""
        self.type(text)
        self.press("Enter")

    def paste(self, text: str) -> None:
        """Paste `text` as a terminal does (bracketed), so its new lines do not send it."""
        self.tmux("set-buffer", "-b", "paste", text)
        self.tmux("paste-buffer", "-p", "-d", "-b", "paste", "-t", "chat")

    def resize(self, width: int, height: int) -> str:
        """Resize the terminal and wait for the chat to be drawn anew at that size (until then
        tmux shows the old frame, cut or padded)."""
        self.tmux("resize-window", "-t", "chat", "-x", str(width), "-y", str(height))

        def redrawn(text: str) -> bool:
            lines = text.rstrip("\n").split("\n")
            above, box = split(text)
            return (len(lines) == height and len(above) + len(box) == height - 2 and bool(box)
                    and len(box[0].rstrip()) == width - 1 and box[0].rstrip().endswith("╮"))

        return self.wait_for(redrawn, f"the chat drawn at {width}×{height}", timeout=30)

    def size(self) -> tuple[int, int]:
        width, height = self.tmux("display", "-p", "-t", "chat",
                                  "#{pane_width} #{pane_height}").split()
        return int(width), int(height)

    # -- what the chat saved -------------------------------------------------------------------

    def messages(self) -> list[dict]:
        """Every saved message of the most recent conversation, in order."""
        db = sqlite3.connect(self.home / "data" / "creator.db")
        db.row_factory = sqlite3.Row
        try:
            cid = db.execute("select id from conversations order by updated desc "
                             "limit 1").fetchone()
            if cid is None:
                return []
            return [dict(r) for r in db.execute(
                "select * from messages where conversation_id = ? order by id", [cid[0]])]
        finally:
            db.close()

    def replies(self) -> list[dict]:
        return [m for m in self.messages() if m["role"] == "assistant"]

    def reply_shown(self, count: int) -> Callable[[str], bool]:
        """A condition: the `count`th reply is saved and its line under it is on the screen."""

        def done(text: str) -> bool:
            rows = self.replies()
            if len(rows) < count or IN_PROGRESS.search(text):
                return False
            row = rows[count - 1]
            tokens = row["completion_tokens"] or 0
            said = {"question": "asks a question", "stopped": "stopped"}.get(
                row["status"], f"{tokens:,} token")
            shown = words(" ".join(log_rows(text)))  # it may wrap
            # Its own line: after its text's end, as an earlier reply's line may say the same.
            end = " ".join(words(row["content"] or "").split()[-5:])
            at = shown.rfind(f" {end} ") if end else 0
            return at >= 0 and words(said).strip() in shown[at:]

        return done

    def said(self) -> list[str]:
        """The saved texts of the conversation's messages."""
        return [m["content"] or "" for m in self.messages()]

    def bad(self) -> list[str]:
        """The screens `watch` found broken, in two settled screens in a row, each with its
        problems; a section shown twice counts only if the saved texts do not say it twice."""
        said, bad = self.said(), []
        for before, text in self.suspect:
            found = problems(text, said)
            if problem_kinds(found) & problem_kinds(problems(before, said)):
                bad.append("; ".join(found) + ":\n" + text)
        return bad

    def assert_whole(self, text: str | None = None) -> None:
        """The screen now (or `text`) is whole, and so was every screen `watch` looked at."""
        text = self.settled() if text is None else text
        found = problems(text, self.said())
        assert not found, "; ".join(found) + ":\n" + text
        bad = self.bad()
        assert not bad, f"{len(bad)} broken screens, the first:\n{bad[0]}"

    def close(self) -> None:
        self.tmux("kill-server")


def open_terminal(home: Path, tmp_path: Path) -> Iterator[Terminal]:
    """For a test's `terminal` fixture: a tmux terminal on its CREATOR_HOME, closed after."""
    term = Terminal(f"creator-test-{os.getpid()}-{tmp_path.name}", home)
    yield term
    term.close()
