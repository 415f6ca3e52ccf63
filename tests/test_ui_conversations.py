"""The conversation sidebar, regenerate, edit and resend, copy, and the mounted-message limit."""

from __future__ import annotations

import pytest

from creator_assistant.ui.screens.confirm_screen import ConfirmScreen
from creator_assistant.ui.screens.rename_screen import RenameScreen
from tests.test_ui import SIZE, app_for, open_core, replied, saved, type_text, until


@pytest.fixture
def core(paths):
    yield from open_core(paths)


def make_conversation(core, title: str, *lines: str) -> str:
    """A saved conversation whose messages alternate user, assistant."""
    store = core.session.store

    def make() -> str:
        cid = store.new_conversation(title=title)
        for i, line in enumerate(lines):
            store.add_message(cid, "user" if i % 2 == 0 else "assistant", line, task="chat")
        return cid

    return core.run(make)


class TestSidebar:
    """Ctrl+B shows the conversations: open, search, rename, delete with confirmation, new."""

    async def test_open_search_rename_delete(self, core):
        first = make_conversation(core, "Banana bread video", "ideas about banana", "sure")
        second = make_conversation(core, "Podcast intro", "write an intro", "here it is")
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            sidebar = screen.sidebar
            await pilot.press("ctrl+b")
            assert sidebar.display and sidebar.options.has_focus
            assert sidebar.selected == second  # most recent first
            # Search reaches message text, not just titles.
            await pilot.press("slash")
            await type_text(pilot, "banana")
            assert sidebar.options.option_count == 1 and sidebar.selected == first
            await pilot.press("enter")  # from the search box to the list
            await pilot.press("enter")  # open it
            assert screen.cid == first
            assert [v.text for v in screen.log_view.messages] == ["ideas about banana", "sure"]
            # Rename with r.
            sidebar.options.focus()
            await pilot.press("r")
            assert isinstance(app.screen, RenameScreen)
            await pilot.press("end")
            await type_text(pilot, " 2")
            await pilot.press("enter")
            assert core.run(core.session.store.conversation, first)["title"] == (
                "Banana bread video 2")
            # Delete asks first; n keeps it, y deletes it.
            await pilot.press("d")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            assert core.run(core.session.store.conversation, first)
            await pilot.press("d")
            await pilot.press("y")
            await until(pilot, lambda: screen.cid is None)
            ids = [c["id"] for c in core.run(core.session.store.conversations)]
            assert ids == [second]
            assert screen.log_view.messages[-1].role == "command"  # the welcome again

    async def test_new_conversation_and_toggle(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "first chat")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            old = screen.cid
            await pilot.press("ctrl+n")
            assert screen.cid is None and len(screen.log_view.messages) == 1
            await type_text(pilot, "second chat")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            assert screen.cid != old
            await pilot.press("ctrl+b")
            titles = list(screen.sidebar.titles.values())
            assert titles[:2] == ["second chat", "first chat"]
            await pilot.press("escape")
            assert not screen.sidebar.display and screen.prompt.has_focus


class TestRegenerateEditCopy:
    """Ctrl+R replaces the last reply, Up or Ctrl+L edits and resends, Ctrl+O copies."""

    async def test_regenerate_replaces_the_last_reply(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "an idea please")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            before, old = saved(core, screen.cid), screen.log_view.messages[-1]
            await pilot.press("ctrl+r")
            await until(pilot, lambda: screen.log_view.messages[-1] is not old)
            await until(pilot, replied(screen))
            after = saved(core, screen.cid)
            assert [r["role"] for r in after] == ["user", "assistant"]
            assert after[0]["content"] == "an idea please"
            assert after[1]["created"] != before[1]["created"]  # a new reply, not the old one
            assert [v.role for v in screen.log_view.messages] == ["command", "user", "assistant"]

    async def test_up_in_an_empty_prompt_edits_and_resends(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "frist draft")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            await pilot.press("up")
            assert screen.prompt.text == "frist draft" and screen.editing
            await pilot.press("home", "delete", "delete", "delete", "delete", "delete")
            await type_text(pilot, "first")
            old = screen.log_view.messages[-1]
            await pilot.press("enter")
            await until(pilot, lambda: screen.log_view.messages[-1] is not old)
            await until(pilot, replied(screen))
            rows = saved(core, screen.cid)
            assert [(r["role"], r["content"]) for r in rows][0] == ("user", "first draft")
            assert len(rows) == 2
            assert [v.text for v in screen.log_view.messages if v.role == "user"] == [
                "first draft"]

    async def test_escape_leaves_editing_without_sending(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "keep me")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            await pilot.press("ctrl+l")
            assert screen.editing and screen.prompt.text == "keep me"
            await pilot.press("escape")
            assert not screen.editing and screen.prompt.text == ""
            assert len(saved(core, screen.cid)) == 2

    async def test_copy_puts_the_reply_or_the_selected_message_on_the_clipboard(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "copy this")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            await pilot.press("ctrl+o")
            assert app.clipboard == saved(core, screen.cid)[1]["content"]
            await pilot.press("shift+tab")  # select the reply above the prompt
            await pilot.press("up")  # then the message before it
            assert screen.focused.role == "user"
            await pilot.press("ctrl+o")
            assert app.clipboard == "copy this"


class TestLongConversations:
    """Only the recent messages stay mounted; the rest are counted, not drawn."""

    async def test_only_recent_messages_are_mounted(self, core):
        lines = [f"message {i}" for i in range(50)]
        cid = make_conversation(core, "long one", *lines)
        app = app_for(core, conversation_id=cid)
        async with app.run_test(size=SIZE) as pilot:
            log = app.screen.log_view
            await pilot.pause()
            assert len(log.messages) == log.keep == 40
            assert log.messages[-1].text == "message 49"
            assert "10 earlier messages" in str(log.query_one("#earlier").render())


def conversations(core) -> list[dict]:
    return core.run(core.session.store.conversations)


class TestLeavingAConversation:
    """Each conversation shows its own figures; an empty one is not kept; a draft is not lost."""

    async def test_the_status_bar_follows_the_conversation_shown(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "hello there")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            reply = saved(core, screen.cid)[1]
            await pilot.press("ctrl+n")
            status = str(screen.status.render())
            assert "context –" in status and "first token –" in status and "– tok/s" in status
            await pilot.press("ctrl+b", "enter")  # open it again from the sidebar
            used = reply["prompt_tokens"] + reply["completion_tokens"]
            await until(pilot, lambda: f"context {used:,} / 8,192" in str(screen.status.render()))
            status = str(screen.status.render())
            assert f"{reply['tokens_per_s']:,.1f} tok/s" in status
            assert f"first token {reply['ttft_ms']:,.0f} ms" in status

    async def test_a_turn_that_fails_to_start_leaves_no_conversation(self, core):
        app = app_for(core, model="no-such-model")
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "hi")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            assert screen.log_view.messages[-1].has_class("failed")
            assert conversations(core) == []

    async def test_a_conversation_left_empty_is_deleted_when_left(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "hello")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            screen.editing = True  # resend an edit the session refuses: the exchange is gone
            await screen.send("x" * 4_000_001, rewind=True)
            await until(pilot, replied(screen))
            assert saved(core, screen.cid) == []
            await pilot.press("ctrl+n")
            await until(pilot, lambda: conversations(core) == [])

    async def test_ctrl_l_asks_before_replacing_a_draft(self, core):
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "first")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            await type_text(pilot, "my draft")
            await pilot.press("ctrl+l")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            assert screen.prompt.text == "my draft" and not screen.editing
            assert screen.prompt.has_focus
            await pilot.press("ctrl+l")
            await pilot.press("y")
            assert screen.prompt.text == "first" and screen.editing

    async def test_one_token_is_singular(self, core):
        store = core.session.store

        def make() -> str:
            cid = store.new_conversation(title="short")
            store.add_message(cid, "user", "say ok", task="chat")
            store.add_message(cid, "assistant", "ok", task="chat", model="demo",
                              completion_tokens=1, tokens_per_s=9.0)
            return cid

        app = app_for(core, conversation_id=core.run(make))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            meta = str(app.screen.log_view.messages[-1].query_one(".meta").render())
            assert "· 1 token ·" in meta
