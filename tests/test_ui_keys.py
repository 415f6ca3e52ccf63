"""Keys in the chat: Ctrl+C stops a reply, Esc and typing always reach the prompt, a rejected
remap keeps the default key, and a narrow terminal keeps the essential key hints."""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from creator_assistant.ui.screens.help_screen import HelpScreen
from creator_assistant.ui.widgets.message_view import MessageView
from tests.test_ui import (
    SIZE,
    app_for,
    open_core,
    replied,
    saved,
    stop_mid_reply,
    type_text,
    until,
)
from tests.test_ui_conversations import make_conversation


@pytest.fixture
def core(paths):
    yield from open_core(paths)


def quit_hints(app) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Do you want to quit?"]


class TestCtrlC:
    """Ctrl+C stops a streaming reply exactly like Esc; otherwise it is Textual's Ctrl+C."""

    async def test_ctrl_c_stops_the_reply_and_keeps_it(self, long_core):
        core = long_core
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            reply, row = await stop_mid_reply(pilot, core, "ctrl+c")
            assert row["status"] == "stopped" and reply.has_class("stopped")
            assert reply.text == row["content"] and row["completion_tokens"] < 4000
            assert quit_hints(app) == [] and app.is_running

    async def test_with_nothing_streaming_it_copies_the_selection_else_hints(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "my draft")
            screen.prompt.select_all()
            await pilot.press("ctrl+c")
            assert app.clipboard == "my draft" and quit_hints(app) == []
            await pilot.press("end", "ctrl+c")  # no selection: say how to quit, keep the draft
            assert quit_hints(app) == ["Press [b]ctrl+q[/b] to quit the app"]
            assert screen.prompt.text == "my draft" and app.is_running


class TestBackToThePrompt:
    """Esc, Tab and typing never leave the user stranded on a message."""

    async def test_escape_on_a_message_returns_to_the_prompt(self, core):
        cid = make_conversation(core, "chat", *[f"line {i}" for i in range(12)])
        app = app_for(core, conversation_id=cid)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await pilot.press("shift+tab", "up", "up")
            assert isinstance(screen.focused, MessageView)
            await pilot.press("escape")
            assert screen.prompt.has_focus

    async def test_escape_while_streaming_stops_and_returns_to_the_prompt(self, long_core):
        app = app_for(long_core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await screen.send("a long story")
            await until(pilot, lambda: screen.log_view.messages[-1].text != "")
            await pilot.press("shift+tab")
            assert isinstance(screen.focused, MessageView)
            await pilot.press("escape")
            assert screen.prompt.has_focus
            await until(pilot, replied(screen))
            assert screen.log_view.messages[-1].has_class("stopped")

    async def test_tab_and_down_leave_the_messages_at_once(self, core):
        cid = make_conversation(core, "chat", *[f"line {i}" for i in range(12)])
        app = app_for(core, conversation_id=cid)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await pilot.press("shift+tab", "up", "up", "tab")
            assert screen.prompt.has_focus
            await pilot.press("shift+tab", "up", "shift+tab")
            assert screen.prompt.has_focus
            await pilot.press("shift+tab", "up", "down", "down")
            assert screen.prompt.has_focus

    async def test_typing_on_a_message_goes_to_the_prompt(self, core):
        cid = make_conversation(core, "chat", "hello", "hi there")
        app = app_for(core, conversation_id=cid)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await pilot.press("shift+tab")
            assert isinstance(screen.focused, MessageView)
            await type_text(pilot, "can you copy?")
            assert screen.prompt.has_focus and screen.prompt.text == "can you copy?"
            assert not app.clipboard  # the `c` was typing, not a copy
            assert not isinstance(app.screen, HelpScreen)  # nor was the `?`


def footer_keys(app) -> dict[str, FooterKey]:
    return {k.action: k for k in app.screen.query_one(Footer).query(FooterKey)}


class TestRejectedRemap:
    """A remap the chat refuses leaves the default key working, in the footer and on help."""

    async def test_default_key_stays_in_force(self, paths):
        from creator_assistant.ui.core import Core

        paths.config_file.write_text('[keys]\nregenerate = "ctrl+k"\n')
        core = Core(paths)
        try:
            app = app_for(core)
            async with app.run_test(size=SIZE) as pilot:
                screen = app.screen
                warnings = [n.message for n in app._notifications]
                assert any("regenerate = 'ctrl+k'" in w and "Ctrl+R stays" in w
                           for w in warnings)
                assert footer_keys(app)["regenerate"].key == "ctrl+r"
                await type_text(pilot, "an idea")
                await pilot.press("enter")
                await until(pilot, replied(screen))
                old = screen.log_view.messages[-1]
                await pilot.press("ctrl+r")
                await until(pilot, lambda: screen.log_view.messages[-1] is not old)
                await until(pilot, replied(screen))
                assert len(saved(core, screen.cid)) == 2
                await pilot.press("f1")
                assert "| Ctrl+R | Regenerate the last reply | `regenerate` |" in app.screen.text
                assert "Ctrl+K" not in app.screen.text
        finally:
            core.close()


class TestNarrowTerminal:
    """At 60 columns the sidebar leaves room for the chat and the footer keeps its key hints."""

    async def test_the_sidebar_takes_at_most_two_fifths(self, core):
        app = app_for(core)
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.press("ctrl+b")
            await pilot.pause()
            assert 0 < app.screen.sidebar.outer_size.width <= 24

    async def test_copy_help_and_quit_stay_in_the_footer(self, core):
        app = app_for(core)
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.pause()
            keys = footer_keys(app)
            for action in ("copy", "app.help", "app.quit"):
                assert keys[action] in app.screen._compositor.visible_widgets, action
                assert keys[action].region.right <= 60, action
