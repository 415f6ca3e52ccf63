"""The reply cache in the chat, driven through Textual's pilot on the real demo model: a repeated
message says it came from the cache, and Ctrl+R (regenerate) never reads it."""

from __future__ import annotations

import pytest

from tests.test_reply_cache_limits import Clock
from tests.test_ui import SIZE, app_for, open_core, replied, saved, type_text, until


@pytest.fixture
def core(paths):
    paths.config_file.write_text("[tasks.chat]\ntemperature = 0\nmax_tokens = 16\n")
    yield from open_core(paths)


class TestChatCache:
    """The line under a reply says when it came from the cache; regenerate makes a fresh one."""

    async def test_hit_is_shown_and_ctrl_r_regenerates(self, core):
        clock = Clock()
        core.run(setattr, core.session.cache, "clock", clock)
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await type_text(pilot, "an idea please")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            first = screen.log_view.messages[-1]
            assert "from the cache" not in first._meta
            said = first.text
            clock.now += 3 * 3600 + 60  # the creator comes back three hours later
            await pilot.press("ctrl+n")  # a new conversation: the same prompt again
            await type_text(pilot, "an idea please")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            hit = screen.log_view.messages[-1]
            assert hit.text == said
            assert "from the cache, 3 h old — Ctrl+R for a fresh one" in hit._meta
            assert saved(core, screen.cid)[-1]["cache_hit"] is not None
            await pilot.press("ctrl+r")
            await until(pilot, lambda: screen.log_view.messages[-1] is not hit)
            await until(pilot, replied(screen))
            fresh = screen.log_view.messages[-1]
            assert "from the cache" not in fresh._meta and "tok/s" in fresh._meta
            rows = saved(core, screen.cid)
            assert [r["role"] for r in rows] == ["user", "assistant"]
            assert rows[-1]["cache_hit"] is None  # generated again, not read
            # The next identical message elsewhere is served again (regenerate stored it).
            await pilot.press("ctrl+n")
            await type_text(pilot, "an idea please")
            await pilot.press("enter")
            await until(pilot, replied(screen))
            assert "from the cache" in screen.log_view.messages[-1]._meta
