"""Streaming pieces: the thread-to-UI feed, and long replies split into Markdown segments."""

from __future__ import annotations

import asyncio
import threading

import pytest
from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from creator_assistant.ui.feed import TokenFeed
from creator_assistant.ui.widgets.chat_log import ChatLog
from creator_assistant.ui.widgets.message_view import MessageView
from creator_assistant.ui.widgets.reply_body import LONG_PARAGRAPH, ReplyBody, find_cut
from tests.terminal import screen_text


class TestTokenFeed:
    """Text put from another thread arrives whole and in order, in few batches."""

    async def test_everything_arrives_in_order_in_batches(self):
        feed = TokenFeed(asyncio.get_running_loop())
        pieces = [f"{i} " for i in range(20_000)]

        def produce() -> None:
            for piece in pieces:
                feed.put(piece)
            feed.close()

        thread = threading.Thread(target=produce)
        thread.start()
        batches = [batch async for batch in feed.batches(interval=0.01)]
        thread.join()
        assert "".join(batches) == "".join(pieces)
        assert len(batches) < len(pieces) / 10  # the UI is woken per batch, not per piece

    async def test_close_ends_a_paced_wait_at_once(self):
        feed = TokenFeed(asyncio.get_running_loop())
        feed.put("a")
        got = []
        loop = asyncio.get_running_loop()
        async for batch in feed.batches(interval=3600):  # an hour between batches
            got.append(batch)
            loop.call_soon(feed.put, "b")
            loop.call_soon(feed.close)
        assert got == ["a", "b"]

    async def test_put_after_the_loop_closed_is_ignored(self):
        loop = asyncio.new_event_loop()
        feed = TokenFeed(loop)
        loop.close()
        feed.put("late")  # the UI has gone: no exception in the producer thread
        feed.close()


class TestCuts:
    """Where a long reply may be split without changing what it shows."""

    def test_a_blank_line_is_the_first_choice(self):
        assert find_cut("x" * 3000, "end of para.\n\nnext") == (len("end of para.\n\n"), False)

    def test_never_inside_a_code_block(self):
        assert find_cut("```python\n" + "x = 1\n" * 1200, "y = 2\n\nz = 3. w") == (-1, False)

    def test_an_overlong_paragraph_is_cut_at_a_sentence_end(self):
        segment = "word " * (LONG_PARAGRAPH // 5)
        cut, inside = find_cut(segment, "one. two three")
        assert inside and "one. two three"[:cut] == "one. "

    def test_not_inside_bold_or_inline_code_or_a_table_row(self):
        segment = "word " * (LONG_PARAGRAPH // 5)
        assert find_cut(segment + "**bold", " still bold") == (-1, False)
        assert find_cut(segment + "`code", " more") == (-1, False)
        assert find_cut("| a | b |\n" * 700 + "| c", " | d") == (-1, False)


class Stream(App):
    CSS_PATH = "../assistant/ui/app.tcss"

    def compose(self):
        with VerticalScroll():
            yield ReplyBody()


class TestReplyBody:
    """Streamed text lands whole, split into segments that each stay small."""

    async def test_a_long_reply_streams_into_segments(self):
        paragraph = "Creators plan **videos** weekly. " * 40
        text = "# Plan\n\n" + "\n\n".join([paragraph] * 12) + "\n\n```\ncode\n```\n" + (
            "run on " * 3000)
        app = Stream()
        async with app.run_test() as pilot:
            body = app.query_one(ReplyBody)
            for start in range(0, len(text), 97):
                await body.write(text[start:start + 97])
            await body.finish()
            await pilot.pause()
            segments = list(body.query_children(Markdown))
            assert body.text == text
            assert "".join(s.source for s in segments) == text
            assert len(segments) > 5
            assert max(len(s.source) for s in segments) <= LONG_PARAGRAPH + 97
            assert segments[-1].has_class("run-on") is False
            assert any(s.has_class("run-on") for s in segments)  # the last paragraph was cut


class Chat(App):
    CSS_PATH = "../assistant/ui/app.tcss"
    CSS = "#below { height: 3; border: round $accent; }"

    def compose(self):
        yield ChatLog()
        yield Static("where the message box is", id="below")


def laid_out(log: ChatLog) -> int:
    """Widgets in the log that take part in layout (displayed, under displayed parents)."""

    def walk(widget) -> int:
        return sum(1 + walk(child) for child in widget.children if child.display)

    return walk(log)


class TestFolding:
    """While the chat follows a long reply, what is far above leaves layout; a look up brings it
    back exactly where it was."""

    TEXT = ("Creators plan **videos** weekly, then film them. " * 30 + "\n\n") * 40

    async def stream(self, pilot, log: ChatLog, text: str) -> MessageView:
        reply = MessageView("assistant")
        await log.add(*[MessageView("user", f"question {i}") for i in range(3)], reply)
        for start in range(0, len(text), 700):
            await reply.body.write(text[start:start + 700])
            await pilot.pause()
            log.fold_above()
        await reply.body.finish()
        await pilot.pause()
        log.fold_above()
        await pilot.pause()
        return reply

    async def test_layout_stays_small_however_long_the_reply(self):
        async with Chat().run_test(size=(80, 24)) as pilot:
            log = pilot.app.query_one(ChatLog)
            reply = await self.stream(pilot, log, self.TEXT)
            short = laid_out(log)
            await log.clear()
            reply = await self.stream(pilot, log, self.TEXT * 3)
            assert reply.text == self.TEXT * 3
            assert log.folded == 3 and reply.body.folded > 10
            assert laid_out(log) <= short + 2  # three times the text, the same layout work
            assert len(list(log.walk_children())) > 3 * laid_out(log)

    async def test_scrolling_up_unfolds_in_place(self):
        async with Chat().run_test(size=(80, 24)) as pilot:
            log = pilot.app.query_one(ChatLog)
            reply = await self.stream(pilot, log, self.TEXT)
            assert log.folded and reply.body.folded
            last = list(reply.body.query_children(Markdown))[-1]
            height, bottom, row = log.max_scroll_y, log.scroll_y, last.region.y
            log.scroll_up(animate=False)
            await pilot.pause()
            assert log.folded == 0 and reply.body.folded == 0
            assert all(w.display for w in log.walk_children(MessageView))
            assert log.max_scroll_y == height  # nothing above changed height
            assert log.scroll_y == bottom - 1 and last.region.y == row + 1  # one line, no jump

    async def test_nothing_folds_once_the_user_has_scrolled_up(self):
        async with Chat().run_test(size=(80, 24)) as pilot:
            log = pilot.app.query_one(ChatLog)
            reply = MessageView("assistant")
            await log.add(MessageView("user", "question"), reply)
            await reply.body.write(self.TEXT)
            await pilot.pause()
            log.scroll_home(animate=False)
            await pilot.pause()
            log.fold_above()
            assert log.folded == 0 and reply.body.folded == 0

    async def test_folding_changes_nothing_on_the_screen(self):
        async with Chat().run_test(size=(80, 24)) as pilot:
            log = pilot.app.query_one(ChatLog)
            reply = MessageView("assistant")
            await log.add(*[MessageView("user", f"question {i}") for i in range(3)], reply)
            for start in range(0, len(self.TEXT), 700):
                await reply.body.write(self.TEXT[start:start + 700])
            await reply.body.finish()
            await pilot.pause()
            before = screen_text(pilot.app)
            log.fold_above()
            await pilot.pause()
            assert log.folded == 3 and reply.body.folded > 5
            assert screen_text(pilot.app) == before

    async def test_long_replies_in_a_row_leave_the_view_whole(self):
        """Folded rows are scrolled content: they never take rows from the view or push what
        is below it off the screen (issue 12: the screen went blank)."""
        async with Chat().run_test(size=(80, 24)) as pilot:
            log, below = pilot.app.query_one(ChatLog), pilot.app.query_one("#below")
            for _ in range(2):
                await self.stream(pilot, log, self.TEXT[: len(self.TEXT) // 4])
                assert log.folded
                assert log.size.height == log.region.height == 21
                assert below.region.y == log.region.bottom and below.region.bottom == 24
                rows = screen_text(pilot.app).splitlines()[:log.region.height]
                assert all(a.strip() or b.strip() for a, b in zip(rows, rows[1:])), rows

    @staticmethod
    def assert_no_folded_rows_shown(app, log: ChatLog) -> None:
        window = log.region
        assert not log.shown_in(window)
        assert not any(m.role != "user" and m.body.shown_in(window) for m in log.messages)
        rows = screen_text(app).splitlines()[window.y:window.bottom]
        assert rows[0].strip() or rows[1].strip(), rows  # a message, or the gap below one

    async def follow(self, pilot, log: ChatLog, reply: MessageView, text: str) -> None:
        await log.add(MessageView("user", "question 0"), MessageView("assistant", self.TEXT[:3000]),
                      MessageView("user", "question 1"), reply)
        await reply.body.write(text)
        await pilot.pause()
        log.fold_above()
        await pilot.pause()

    async def test_a_list_streamed_in_shows_no_folded_rows(self):
        """Why a blog outline left the top rows blank: streamed up to "- item\\n  - ", the last
        item reads as a heading (a setext underline) two rows taller than the nested item the
        next characters make of it; a fold measured in that moment was two rows too much."""
        async with Chat().run_test(size=(80, 24)) as pilot:
            log = pilot.app.query_one(ChatLog)
            reply = MessageView("assistant")
            await self.follow(pilot, log, reply, "## Outline\n\n")
            for item in range(12):
                await reply.body.write(f"- H2: section {item} of the outline\n  - ")
                await pilot.pause()
                log.fold_above()
                await reply.body.write("H3: a point in it\n")
                await pilot.pause()
                await pilot.pause()
                self.assert_no_folded_rows_shown(pilot.app, log)
            assert log.folded

    @pytest.mark.parametrize("lines", [10, 40], ids=["a-little", "by-more-than-a-screen"])
    async def test_a_reply_that_gets_shorter_shows_no_folded_rows(self, lines):
        """The blank top rows of a blog outline: folded on the last layout, then what was below
        got shorter (a block re-parsed, the reply rendered anew at its end) and the view,
        anchored at the bottom, moved up over the folded rows without a scroll event."""
        async with Chat().run_test(size=(80, 24)) as pilot:
            log = pilot.app.query_one(ChatLog)
            reply = MessageView("assistant")
            words = "word " * 150  # 10 rows
            await self.follow(pilot, log, reply, words + "\n\n" + "line\n\n" * lines)
            assert log.folded
            self.assert_no_folded_rows_shown(pilot.app, log)
            await reply.body.segments[-1].update(words)  # what it shows now: 10 rows
            await pilot.pause()
            await pilot.pause()
            self.assert_no_folded_rows_shown(pilot.app, log)
            assert log.scroll_y == log.max_scroll_y  # still following the end

    async def test_a_taller_view_shows_no_folded_rows(self):
        """Folded while the log was short (the slash menu open), shown after it grew: unfolded
        (Textual moves the view up with a scroll event here, a look upwards)."""
        async with Chat().run_test(size=(80, 24)) as pilot:
            log, below = pilot.app.query_one(ChatLog), pilot.app.query_one("#below")
            below.styles.height = 15
            reply = MessageView("assistant")
            await self.follow(pilot, log, reply, "word " * 150)
            assert log.size.height == 9 and log.folded
            below.styles.height = 3
            await pilot.pause()
            await pilot.pause()
            assert log.size.height == 21
            self.assert_no_folded_rows_shown(pilot.app, log)

    async def test_a_new_width_unfolds(self):
        async with Chat().run_test(size=(80, 24)) as pilot:
            log = pilot.app.query_one(ChatLog)
            reply = await self.stream(pilot, log, self.TEXT)
            assert reply.body.folded
            await pilot.resize_terminal(100, 24)
            await pilot.pause()
            assert log.folded == 0 and reply.body.folded == 0
            assert reply.text == self.TEXT
