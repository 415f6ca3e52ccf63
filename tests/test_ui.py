"""The chat UI driven through Textual's pilot, on the real demo model: send, stream, cancel."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from textual import events

from creator_assistant.ui.app import CreatorApp
from creator_assistant.ui.screens.chat_screen import ChatScreen

SIZE = (110, 36)


async def until(pilot, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds, saying what the
    chat showed then."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for the UI: {shown(pilot.app)}"
        await pilot.pause(0.02)


def shown(app) -> str:
    screen = app.screen
    if not isinstance(screen, ChatScreen):
        return repr(screen)
    views = [(v.role, len(v.text), v._meta) for v in screen.log_view.messages]
    return f"messages {views}, reply running: {screen.reply is not None}"


def replied(screen: ChatScreen, count: int = 1) -> Callable[[], bool]:
    """True once `count` replies have finished streaming."""
    def check() -> bool:
        done = [v for v in screen.log_view.messages if v.role == "assistant" and v.info]
        return len(done) >= count and screen.reply is None
    return check


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", "?": "question_mark", "/": "slash"}.get(c, c)
                        for c in text])


def open_core(paths):
    """A Core on `paths`, closed (its model workers stopped) after the test."""
    from creator_assistant.ui.core import Core

    core = Core(paths)
    yield core
    core.close()


@pytest.fixture
def core(paths):
    yield from open_core(paths)


def app_for(core, **kwargs) -> CreatorApp:
    return CreatorApp(core, preload=kwargs.pop("preload", False), **kwargs)


def saved(core, cid: str) -> list[dict]:
    return core.run(core.session.store.messages, cid)


class TestSend:
    """Enter sends; the reply streams in and says what answered, how, and how fast."""

    async def test_reply_streams_in_and_is_saved(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "hello there")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            user, reply = screen.log_view.messages[-2:]
            rows = saved(core, screen.cid)
            assert [r["role"] for r in rows] == ["user", "assistant"]
            assert user.text == rows[0]["content"] == "hello there"
            assert reply.text == rows[1]["content"] and len(reply.text) > 100
            meta = str(reply.query_one(".meta").render())
            assert meta.startswith("chat (") and "demo (demo model)" in meta
            assert f"{rows[1]['completion_tokens']:,} tokens" in meta and "tok/s" in meta
            note = str(reply.query_one(".note").render())
            assert "demo model: random weights" in note  # the demo is named as such
            status = str(screen.status.render())
            used = rows[1]["prompt_tokens"] + rows[1]["completion_tokens"]
            assert "demo (demo model" in status and f"context {used:,} / 8,192" in status
            assert "task chat" in status and "tok/s" in status
            assert screen.prompt.text == ""

    async def test_shift_enter_and_ctrl_j_add_lines_enter_sends(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await pilot.press("a", "ctrl+j", "b", "shift+enter", "c")
            assert screen.prompt.text == "a\nb\nc"
            assert not screen.log_view.messages[-1].role == "user"
            await pilot.press("enter")
            await until(pilot, replied(screen))
            assert saved(core, screen.cid)[0]["content"] == "a\nb\nc"

    async def test_typed_keys_just_before_enter_are_sent(self, core):
        """Keys arrive in one burst from a terminal; Enter must not overtake them."""
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            screen.prompt.focus()
            for char in "quick":
                app.post_message(events.Key(char, char))
            app.post_message(events.Key("enter", "\r"))
            await until(pilot, replied(screen))
            assert saved(core, screen.cid)[0]["content"] == "quick"

    async def test_a_message_too_long_is_refused_with_what_to_do(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await screen.send("x" * 4_000_001)
            await until(pilot, replied(screen))
            view = screen.log_view.messages[-1]
            assert view.has_class("failed")
            assert "the limit is 4,000,000" in str(view.query_one(".note").render())
            assert screen.cid is None  # nothing was saved

    async def test_an_unknown_model_is_reported_in_the_chat(self, core):
        app = app_for(core, model="no-such-model")
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "hi")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            note = str(screen.log_view.messages[-1].query_one(".note").render())
            assert "unknown model 'no-such-model'" in note

    async def test_preload_shows_the_model_loaded_before_the_first_message(self, core):
        app = app_for(core, preload=True)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await until(pilot, lambda: screen.status.model_state == "loaded")
            assert str(screen.status.render()).startswith("● demo (demo model")
            assert any(b.info is not None for b in core.session.pool.resident())


async def stop_mid_reply(pilot, core, key: str):
    """Ask for a long reply, press `key` once it is streaming, and wait for it to end: the reply
    shown and its saved row."""
    screen = pilot.app.screen
    await type_text(pilot, "a long story")
    await pilot.press("enter")
    await until(pilot, lambda: screen.log_view.messages[-1].text != "")
    await pilot.press(key)
    await until(pilot, replied(screen))
    return screen.log_view.messages[-1], saved(core, screen.cid)[-1]


class TestCancel:
    """Esc stops a reply within a token or two and keeps what was written, marked stopped."""

    async def test_escape_keeps_the_partial_reply(self, long_core):
        core = long_core
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            reply, row = await stop_mid_reply(pilot, core, "escape")
            assert row["status"] == "stopped" and reply.has_class("stopped")
            assert reply.text == row["content"]  # what is shown is what is kept
            assert row["completion_tokens"] < 4000
            assert "stopped" in str(reply.query_one(".meta").render())

    async def test_a_new_message_stops_the_reply_before_it(self, long_core):
        core = long_core
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await screen.send("first")
            await until(pilot, lambda: screen.log_view.messages[-1].text != "")
            await screen.send("second")
            await until(pilot, replied(screen, 2), timeout=300)  # 4,000 tokens on a busy machine
            rows = saved(core, screen.cid)
            assert [(r["role"], r["status"]) for r in rows] == [
                ("user", "ok"), ("assistant", "stopped"), ("user", "ok"), ("assistant", "ok")]
            assert [r["content"] for r in rows if r["role"] == "user"] == ["first", "second"]

    async def test_quitting_mid_reply_keeps_it_stopped(self, long_core):
        core = long_core
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await screen.send("a long story")
            await until(pilot, lambda: screen.log_view.messages[-1].text != "")
            cid = screen.cid
            await pilot.press("ctrl+q")
        rows = saved(core, cid)
        assert [r["role"] for r in rows] == ["user", "assistant"]
        assert rows[1]["status"] == "stopped" and rows[1]["completion_tokens"] < 4000
