"""What the chat looks like, pinned with pytest-textual-snapshot (`--snapshot-update` to accept).

Only deterministic screens: fixed conversations, fixed status values, no model text or timings.
"""

from __future__ import annotations

import time

import pytest

from creator_assistant.ui.app import CreatorApp

SIZE = (100, 30)
REPLY = """## Three hooks for a cooking video

1. **The mistake**: start with the burnt pan.
2. **The number**: "12 minutes, one pan".
3. **The question**: *why does nobody salt pasta water enough?*

| Hook | Best for |
|---|---|
| mistake | Shorts |
| number | long form |

```text
0:00 cold open
```
"""


@pytest.fixture
def core(paths, monkeypatch):
    """A Core with only the built-in chat task, so other plugins cannot change the pictures."""
    from creator_assistant.ui.core import Core

    monkeypatch.setenv("CREATOR_LOAD_PLUGINS", "chat")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    core = Core(paths)
    yield core
    core.close()
    monkeypatch.undo()
    time.tzset()


def conversation(core, title: str, stamp: str, *messages: tuple[str, str, dict]) -> str:
    """A saved conversation with fixed timestamps."""
    store = core.session.store

    def make() -> str:
        cid = store.new_conversation(title=title)
        for role, text, fields in messages:
            store.add_message(cid, role, text, **fields)
        with store.db.conn:
            store.db["conversations"].update(cid, {"created": stamp, "updated": stamp})
        return cid

    return core.run(make)


async def steady(pilot) -> None:
    """No blinking cursor in a picture."""
    await pilot.pause()
    pilot.app.screen.prompt.cursor_blink = False
    await pilot.pause()


class TestChatScreen:
    """The chat as a new user first sees it."""

    def test_empty_chat(self, core, snap_compare):
        """Welcome, prompt, status bar before any model is loaded, footer keys."""
        assert snap_compare(CreatorApp(core, preload=False), terminal_size=SIZE,
                            run_before=steady)

    def test_saved_reply_renders_markdown_with_its_details(self, core, snap_compare):
        """A saved exchange: headings, lists, a table and code, with task, reason, model, speed."""
        reply = {"task": "script", "model": "demo", "route_reason": "keywords: hook, video",
                 "completion_tokens": 96, "tokens_per_s": 41.5}
        cid = conversation(core, "Hooks", "2026-11-20T12:00:00+00:00",
                           ("user", "three hooks for my cooking video", {"task": "script"}),
                           ("assistant", REPLY, reply))
        assert snap_compare(CreatorApp(core, cid, preload=False), terminal_size=(100, 40),
                            run_before=steady)

    def test_slash_menu(self, core, snap_compare):
        """Typing / lists the commands and tasks with their descriptions."""
        assert snap_compare(CreatorApp(core, preload=False), terminal_size=SIZE,
                            press=["slash"], run_before=steady)


class TestStatusBar:
    """The status bar with fixed values."""

    def test_status_bar_values(self, core, snap_compare):
        """Model loaded (the demo, named as such), task, context use, first token and speed."""

        async def fill(pilot) -> None:
            status = pilot.app.screen.status
            status.model_name, status.demo, status.model_state = "demo", True, "loaded"
            status.task_name, status.context_used, status.context_window = "script", 1234, 8192
            status.ttft_ms, status.tps = 42.0, 312.5
            await steady(pilot)

        assert snap_compare(CreatorApp(core, preload=False), terminal_size=SIZE, run_before=fill)


class TestSidebar:
    """The conversation sidebar with fixed conversations."""

    def test_sidebar_lists_conversations(self, core, snap_compare):
        """Most recent first, with date, message count and task."""
        conversation(core, "Banana bread video", "2026-11-18T12:00:00+00:00",
                     ("user", "ideas about banana bread", {"task": "script"}),
                     ("assistant", "some ideas", {"task": "script"}))
        conversation(core, "Podcast intro", "2026-11-19T12:30:00+00:00",
                     ("user", "write an intro", {"task": "chat"}))
        assert snap_compare(CreatorApp(core, preload=False), terminal_size=SIZE,
                            press=["ctrl+b"], run_before=steady)

    def test_delete_asks_first(self, core, snap_compare):
        """Deleting a conversation asks for confirmation; the safe answer is focused."""
        conversation(core, "Podcast intro", "2026-11-19T12:30:00+00:00",
                     ("user", "write an intro", {"task": "chat"}))
        assert snap_compare(CreatorApp(core, preload=False), terminal_size=SIZE,
                            press=["ctrl+b", "d"], run_before=steady)


class TestHelpScreen:
    """F1 shows every key and command."""

    def test_help(self, core, snap_compare):
        """Keys with their binding ids, then the slash commands."""
        assert snap_compare(CreatorApp(core, preload=False), terminal_size=(110, 50),
                            press=["f1"], run_before=steady)

    def test_help_lists_the_commands_by_group(self, core, snap_compare):
        """Scrolled to the end: tasks, then each plugin's commands, then the window's own."""
        assert snap_compare(CreatorApp(core, preload=False), terminal_size=(110, 50),
                            press=["f1", "end"], run_before=steady)


class TestNarrowTerminal:
    """60 columns: the sidebar takes two fifths at most, the footer keeps copy, help and quit."""

    def test_sidebar_at_sixty_columns(self, core, snap_compare):
        """The sidebar open beside the chat, with the footer's essential keys."""
        conversation(core, "Podcast intro", "2026-11-19T12:30:00+00:00",
                     ("user", "write an intro", {"task": "chat"}))
        assert snap_compare(CreatorApp(core, preload=False), terminal_size=(60, 20),
                            press=["ctrl+b"], run_before=steady)
