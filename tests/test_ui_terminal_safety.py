"""The chat shows stored escape sequences as text: a title or message cannot write the
clipboard (OSC 52) or clear the screen (CSI 2J) when the conversation is opened."""

from __future__ import annotations

import pytest
from textual.widgets import Markdown

from tests.terminal import screen_text
from tests.test_ui import SIZE, app_for, open_core
from tests.test_ui_conversations import make_conversation

OSC52 = "\x1b]52;c;aGVsbG8=\x07"
CLEAR = "\x1b[2J"


@pytest.fixture
def core(paths):
    yield from open_core(paths)


async def test_stored_escapes_are_shown_not_obeyed(core):
    cid = make_conversation(core, f"evil {CLEAR}title", f"copy {OSC52} me",
                            f"reply {CLEAR} here {OSC52}")
    app = app_for(core, conversation_id=cid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        user, reply = app.screen.log_view.messages[-2:]
        assert user.text == f"copy {OSC52} me"  # kept as stored (copy, edit and resend)
        body = str(user.query_one(".body").render())
        assert "\x1b" not in body and "\x07" not in body and "\\x1b]52" in body
        source = "".join(m.source for m in reply.query(Markdown))
        assert "\x1b" not in source and "\\x1b[2J" in source
        await pilot.press("ctrl+b")
        await pilot.pause()
        screen = screen_text(app)
        assert "\x1b" not in screen and "\x07" not in screen
        assert "\\x1b[2J" in screen  # the title, in the sidebar
