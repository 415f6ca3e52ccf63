"""Whole conversations through the pilot: however many long replies come in a row, the screen
stays whole while they stream and after (the checks of `tests.terminal`, on the pilot's
screen)."""

from __future__ import annotations

import time

import pytest

from creator_assistant.ui.app import CreatorApp
from creator_assistant.ui.screens.chat_screen import ChatScreen
from tests.terminal import log_rows, problems, screen_text
from tests.test_ui import open_core, replied, shown


@pytest.fixture
def core(paths):
    yield from open_core(paths)


TOPICS = ["sourdough", "a home espresso setup", "a first marathon", "houseplants in winter",
          "budget travel in Japan"]


def layout_problems(screen: ChatScreen) -> list[str]:
    """The message box and the messages' viewport, from the layout itself."""
    found = []
    prompt, log = screen.prompt, screen.log_view
    shown_now = screen._compositor.visible_widgets
    if prompt not in shown_now or prompt.region.bottom > screen.size.height:
        found.append(f"the message box is off the screen at {prompt.region}")
    if log.region.bottom > prompt.region.y:
        found.append(f"the messages ({log.region}) run under the message box")
    if log.size.height != log.region.height:  # the log has no vertical padding of its own
        found.append(f"the messages' viewport is {log.size.height} of {log.region.height} rows")
    return found


def said(screen: ChatScreen) -> list[str]:
    """The messages' texts as written so far (a line the model wrote twice is shown twice)."""
    return [view.text for view in screen.log_view.messages]


class TestLongRepliesInARow:
    """Five long replies one after another, at two terminal sizes: every frame keeps the message
    box on the screen and the messages shown above it, with no rows left blank."""

    @pytest.mark.slow
    @pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
    async def test_five_blog_outlines(self, core, size):
        app = CreatorApp(core, preload=False)
        async with app.run_test(size=size) as pilot:
            screen = app.screen
            frames, bad = 0, []
            for n, topic in enumerate(TOPICS, 1):
                await screen.send(f"write a blog post outline about {topic}")
                deadline = time.monotonic() + 120
                while not replied(screen, n)():
                    assert time.monotonic() < deadline, f"reply {n} never ended: {shown(app)}"
                    await pilot.pause(0.1)  # a polling interval: each look renders the screen
                    frames += 1
                    if found := problems(screen_text(app), said(screen)) + layout_problems(screen):
                        bad.append(f"reply {n}: " + "; ".join(found))
                await pilot.pause()
                text = screen_text(app)
                assert not problems(text, said(screen)) + layout_problems(screen), text
                reply = screen.log_view.messages[-1]
                assert reply.info.task == "blog" and reply.info.tokens > 300
                shown_text = " ".join(" ".join(log_rows(text)).split())
                assert f"{reply.info.tokens:,} tokens" in shown_text  # its end is on the screen
            assert not bad, f"{len(bad)} of {frames} frames broken, the first: {bad[0]}"
            # It was long enough for folding: earlier messages had left the layout.
            assert screen.log_view.folded > 0


def screen(*rows: str) -> str:
    """A synthetic screen: message rows, then the message box, the status bar and the footer."""
    box = [" ╭─ Message ─────────────╮", " │                       │", " ╰───────────────────────╯"]
    return "\n".join([*rows, "", *box, " ● demo", " esc Stop"])


class TestScreenChecks:
    """`problems` finds a section drawn twice, not a passage the model itself wrote twice, and
    folded (blank) rows at the top."""

    SECTION = (" ▌ • angles series over headline much less summer cooking",
               " ▌   timing headline much less summer cooking timing")
    TEXT = "- angles series over headline much less summer cooking timing headline much less " \
           "summer cooking timing"

    def test_a_section_drawn_twice(self):
        text = screen(" ▌ Assistant", *self.SECTION, " ▌", *self.SECTION, " ▌ blog · 900 tokens")
        assert problems(text) == problems(text, [self.TEXT]) != []
        assert problems(text, [self.TEXT])[0].startswith("drawn twice: ('• angles series")

    def test_a_passage_the_reply_repeats_is_not_drawn_twice(self):
        text = screen(" ▌ Assistant", *self.SECTION, " ▌", *self.SECTION, " ▌ blog · 900 tokens")
        # Saved with other line breaks, bullets and spacing than the screen shows.
        assert problems(text, ["hello", f"{self.TEXT}\n\n* {self.TEXT.lstrip('- ')}"]) == []
        # Three times on the screen, twice in the text: one is drawn twice.
        thrice = screen(" ▌ Assistant", *self.SECTION, *self.SECTION, *self.SECTION)
        found = problems(thrice, [self.TEXT + "\n" + self.TEXT])
        assert found and all(p.startswith("drawn twice") for p in found)
        assert any("'• angles series" in p for p in found), found

    def test_blank_rows_at_the_top(self):
        text = screen("", "", " ▌ Assistant", *self.SECTION)
        assert problems(text, [self.TEXT]) == ["the top 2 rows are blank"]
        assert problems(screen("", "", " ▌ Creator Assistant", *self.SECTION)) == []
