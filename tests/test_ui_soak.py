"""A long chat in one process: messages that leave the screen leave memory too."""

from __future__ import annotations

import gc
import weakref

import pytest

from tests.test_ui import app_for, open_core, until


@pytest.fixture
def core(paths):
    paths.config_file.write_text("[tasks.chat]\nmax_tokens = 6\n")
    yield from open_core(paths)


async def test_views_pruned_from_the_chat_are_freed_even_when_folded(core):
    app = app_for(core)
    async with app.run_test(size=(80, 10)) as pilot:
        screen, log = app.screen, app.screen.log_view
        log.keep = 10
        views: weakref.WeakSet = weakref.WeakSet()
        most_folded = 0
        for i in range(1, 21):
            screen.prompt.text = f"a video idea {i} for my cooking channel"
            await pilot.press("enter")
            await until(pilot, lambda i=i: screen.reply is None and len(log.messages) >= 2
                        and log.messages[-1].info is not None
                        and log.messages[-2].text.startswith(f"a video idea {i} "))
            views.update(log.messages)
            most_folded = max(most_folded, log.folded)
        assert most_folded >= 2  # folding happened, so pruning met folded views
        assert log.hidden >= 30 and len(log.messages) == 10
        gc.collect()
        assert len(views) == 10, "views pruned from the chat are still held"
