"""Whole conversations in a real terminal (tmux): long replies in a row, a resize mid-reply,
stopping a reply, the questions a task asks, and focus coming back to the prompt. Every screen
looked at on the way must be whole (see `tests.terminal.problems`)."""

from __future__ import annotations

import json
import re

import pytest

from tests.makers import write_slow_model
from tests.terminal import Terminal, log_rows, needs_tmux, open_terminal

pytestmark = [needs_tmux, pytest.mark.slow]

TOPICS = ["sourdough", "a home espresso setup", "a first marathon", "houseplants in winter",
          "budget travel in Japan"]
SLOW_MAX_TOKENS = 2000


@pytest.fixture
def terminal(home, tmp_path):
    yield from open_terminal(home, tmp_path)


@pytest.fixture(scope="session")
def slow_model(tmp_path_factory):
    return write_slow_model(tmp_path_factory.mktemp("slow") / "slow.gguf")


@pytest.fixture
def slow_chat(paths, slow_model):
    """The chat task answers with the slow model, up to 2,000 tokens: long enough to stop."""
    paths.config_file.write_text(
        f"[tasks.chat]\nmodel = {json.dumps(str(slow_model))}\n"
        f"max_tokens = {SLOW_MAX_TOKENS}\n")
    return slow_model


def streaming(text: str) -> bool:
    """A reply is being written, some of its text is on the screen, and the view follows it."""
    log = [row for row in log_rows(text) if row.strip()]
    return any(row.strip() == "writing…" and above.strip() not in ("", "Assistant")
               for above, row in zip(log, log[1:]))


class TestLongReplies:
    """Long replies one after another: during each and after it the screen is whole."""

    @pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
    def test_five_blog_outlines_in_a_row(self, terminal, size):
        terminal.start(size=size)
        for n, topic in enumerate(TOPICS, 1):
            terminal.send(f"/blog outline for a post about {topic}")
            screen = terminal.watch(terminal.reply_shown(n), f"blog outline {n}")
            terminal.assert_whole(screen)
        rows = terminal.replies()
        assert [(r["task"], r["status"]) for r in rows] == [("blog", "ok")] * 5
        assert all(r["completion_tokens"] > 300 for r in rows)  # long: many screens each

    def test_a_resize_mid_reply(self, terminal, slow_chat):
        terminal.start(size=(120, 40))
        # Two long outlines above (the demo model, fast): folded while the next reply streams.
        for n, topic in enumerate(TOPICS[:2], 1):
            terminal.send(f"/blog outline for a post about {topic}")
            terminal.watch(terminal.reply_shown(n), f"blog outline {n}")
        terminal.send("/chat tell me a long story about bread")
        for size in [(80, 24), (120, 40)]:
            terminal.watch(streaming, "the slow reply streaming")
            resized = terminal.resize(*size)
            assert terminal.size() == size
            # The reply goes on in the new size, and the screen is whole there.
            screen = terminal.watch(lambda s, r=resized: s != r and streaming(s),
                                    "the reply going on after the resize")
            terminal.assert_whole(screen)
        terminal.press("Escape")
        terminal.assert_whole(terminal.watch(terminal.reply_shown(3), "the stopped reply"))
        assert terminal.replies()[-1]["status"] == "stopped"


class TestStop:
    """A key mid-reply stops it: what was written is kept, shown and saved as stopped."""

    @pytest.mark.parametrize("key", ["Escape", "C-c"], ids=["esc", "ctrl-c"])
    def test_a_key_stops_the_reply(self, terminal, slow_chat, key):
        """Ctrl+C stops the reply like Esc (not Textual's quit prompt)."""
        terminal.start(size=(100, 30))
        terminal.send("/chat tell me a long story about bread")
        terminal.watch(streaming, "the reply streaming")
        terminal.press(key)
        screen = terminal.watch(terminal.reply_shown(1), "the stopped reply", timeout=120)
        row = terminal.replies()[-1]
        assert row["status"] == "stopped", row
        assert 0 < row["completion_tokens"] < SLOW_MAX_TOKENS
        log = [line for line in log_rows(screen) if line.strip()]
        meta = next(i for i, line in enumerate(log) if line.startswith("chat ("))
        assert " stopped" in " ".join(log[meta:meta + 3]), screen
        # What is shown is what was kept: the last line above the reply's line ends it.
        assert " ".join(row["content"].split()).endswith(" ".join(log[meta - 1].split()))
        terminal.assert_whole(screen)
        # Still the chat, ready for the next message.
        terminal.send("/chat and a short one")
        terminal.watch(streaming, "the next reply")
        terminal.press("Escape")
        terminal.assert_whole(terminal.watch(terminal.reply_shown(2), "the next reply stopped"))


class TestQuestions:
    """A task missing something it needs asks for it, one question at a time, and the answers
    complete the request: the task's reply comes after the last."""

    def converse(self, terminal: Terminal, steps: list[tuple[str, str | None]]) -> list[dict]:
        """Send each message; the reply must be a question containing the text given (None: the
        task's own reply). Returns the saved replies."""
        terminal.start(size=(120, 40))
        for n, (message, question) in enumerate(steps, 1):
            if "\n" in message:
                terminal.paste(message)
                terminal.press("Enter")
            else:
                terminal.send(message)
            screen = terminal.watch(terminal.reply_shown(n), f"the reply to {message!r}")
            terminal.assert_whole(screen)
            reply = terminal.replies()[-1]
            if question is not None:
                assert reply["status"] == "question" and question in reply["content"], reply
                assert question in " ".join(" ".join(log_rows(screen)).split()), screen
            else:
                assert reply["status"] == "ok", reply
        return terminal.replies()

    def test_script(self, terminal):
        replies = self.converse(terminal, [
            ("write me a youtube script", "What should it be about?"),
            ("restoring an old hand plane", "How long should the video be?"),
            ("8 minutes", None),
        ])
        assert [r["task"] for r in replies] == ["script"] * 3
        script = replies[-1]["content"]
        assert "[HOOK] (0:00-0:05)" in script and re.search(r"-8:00\)", script), script

    def test_organize(self, terminal):
        ideas = ["Sharpening a chisel in ten minutes", "A day at the lumber yard",
                 "Five mistakes with wood glue", "My workshop tour"]
        replies = self.converse(terminal, [
            ("help me organize my video ideas", "Which ideas should I organize?"),
            ("\n".join(ideas), "Which categories should I sort them into?"),
            ("Tutorials, Vlogs", None),
        ])
        assert [r["task"] for r in replies] == ["organize"] * 3
        lines = replies[-1]["content"].strip().splitlines()
        assert [line.split(". ", 1)[1].split(" → ")[0] for line in lines] == ideas
        assert all(line.split(" → ")[1] in ("Tutorials", "Vlogs") for line in lines)

    def test_analytics(self, terminal):
        replies = self.converse(terminal, [
            ("analyze my channel analytics", "Which numbers should I look at?"),
            ("Last four videos: 12,400 views, 4.1% CTR, 38% viewed; 8,900 views, 3.2% CTR, "
             "41% viewed; 15,300 views, 5.0% CTR, 35% viewed; 7,100 views, 2.8% CTR, "
             "44% viewed", None),
        ])
        assert [r["task"] for r in replies] == ["analytics"] * 2


BORDER_COLOUR = re.compile(r"\x1b\[38;2;(\d+;\d+;\d+)m▌")


class TestFocus:
    """Esc always brings the keyboard back to the prompt."""

    def test_escape_returns_from_the_messages_to_the_prompt(self, terminal):
        terminal.start(size=(100, 30))
        terminal.send("hello there")
        terminal.watch(terminal.reply_shown(1), "the reply")
        colours = set(BORDER_COLOUR.findall(terminal.screen(escapes=True)))
        terminal.press("BTab")  # into the messages: the selected one's border changes colour
        terminal.wait_for(lambda s: set(BORDER_COLOUR.findall(terminal.screen(escapes=True)))
                          - colours, "a message selected")
        terminal.press("Escape")
        terminal.wait_for(lambda s: set(BORDER_COLOUR.findall(terminal.screen(escapes=True)))
                          <= colours, "no message selected", timeout=10)
        # The prompt has the keyboard: Up in it (empty) brings back the last message to edit.
        terminal.press("Up")
        screen = terminal.wait_for(lambda s: "Editing your last message" in s,
                                   "the last message in the prompt", timeout=10)
        terminal.assert_whole(screen)
