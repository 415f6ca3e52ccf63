"""The model library screen: download with progress from a fake hub, load, unload, delete."""

from __future__ import annotations

from textual.widgets import DataTable, ProgressBar

from creator_assistant.ui.screens.confirm_screen import ConfirmScreen
from creator_assistant.ui.screens.models_screen import ModelsScreen
from tests.test_pull import FILE, REPO, hub, model_bytes, user_entry  # noqa: F401
from tests.test_ui import SIZE, app_for, replied, type_text, until


def status_of(screen: ModelsScreen, model_id: str) -> str:
    return next(r["status"] for r in screen.rows if r["id"] == model_id)


async def select(pilot, screen: ModelsScreen, model_id: str) -> None:
    """Move the table's cursor to a model with the arrow keys."""
    table = screen.query_one(DataTable)
    await pilot.press("home")
    target = [r["id"] for r in screen.rows].index(model_id)
    for _ in range(target):
        await pilot.press("down")
    assert screen.current["id"] == model_id and table.has_focus


async def test_library_lists_models_by_category_with_the_demo_labelled(paths):
    from creator_assistant.ui.core import Core

    core = Core(paths)
    try:
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f3")
            screen = app.screen
            assert isinstance(screen, ModelsScreen)
            table = screen.query_one(DataTable)
            cells = [table.get_row_at(i) for i in range(table.row_count)]
            categories = [r["category"] for r in screen.rows]
            assert categories == sorted(categories, key=lambda c: c != "text-generation")
            demo = next(c for c in cells if c[1].startswith("demo"))
            # Built here from code, never downloaded, so it cannot be deleted either.
            assert demo[1] == "demo (demo: meaningless text)" and demo[4] == "built in"
            assert any(c[4] == "available" for c in cells)
            await select(pilot, screen, "demo")
            await pilot.press("x")
            assert isinstance(app.screen, ModelsScreen)  # nothing to confirm
            assert any("The demo model is built in" in n.message for n in app._notifications)
            await pilot.press("escape")
            assert not isinstance(app.screen, ModelsScreen)
    finally:
        core.close()


async def test_download_load_unload_delete_from_the_keyboard(hub, paths, model_bytes):  # noqa: F811
    from creator_assistant.ui.core import Core

    user_entry(paths, model_bytes)  # a catalogue entry the fake hub serves
    hub.add(REPO, FILE, model_bytes)
    core = Core(paths)
    try:
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f3")
            screen = app.screen
            await select(pilot, screen, "demo-hub")
            assert status_of(screen, "demo-hub") == "available"
            await pilot.press("d")
            await until(pilot, lambda: status_of(screen, "demo-hub") == "downloaded")
            bar = screen.query_one(ProgressBar)
            assert bar.total == len(model_bytes) and bar.progress == len(model_bytes)
            assert not bar.display  # shown only while downloading
            assert sum(s.sent for s in hub.gets(FILE)) == len(model_bytes)
            await pilot.press("l")
            await until(pilot, lambda: status_of(screen, "demo-hub") == "loaded")
            await pilot.press("u")
            await until(pilot, lambda: status_of(screen, "demo-hub") == "downloaded")
            await pilot.press("x")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await until(pilot, lambda: status_of(screen, "demo-hub") == "available")
            assert not (paths.models_dir / "demo-hub").exists()
    finally:
        core.close()


async def test_a_failed_download_says_why(hub, paths, model_bytes, monkeypatch):  # noqa: F811
    from creator_assistant.ui.core import Core

    user_entry(paths, model_bytes)
    hub.add(REPO, FILE, model_bytes)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    core = Core(paths)
    try:
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f3")
            screen = app.screen
            await select(pilot, screen, "demo-hub")
            await pilot.press("d")
            await until(pilot, lambda: any("offline mode is on" in n.message
                                           for n in app._notifications))
            assert status_of(screen, "demo-hub") == "available"
            assert not screen.query_one(ProgressBar).display
    finally:
        core.close()


async def test_loading_a_model_makes_the_chat_answer_with_it(paths, model_bytes):  # noqa: F811
    """Like choosing a model in an Ollama client: the next replies come from that model."""
    from creator_assistant.ui.core import Core

    user_entry(paths, model_bytes)  # demo-hub, installed: what the chat would pick itself
    (paths.models_dir / "demo-hub").mkdir()
    (paths.models_dir / "demo-hub" / FILE).write_bytes(model_bytes)
    core = Core(paths)
    try:
        app = app_for(core)
        async with app.run_test(size=SIZE) as pilot:
            chat = app.screen
            await pilot.press("f3")
            screen = app.screen
            await select(pilot, screen, "demo")
            await pilot.press("l")
            await until(pilot, lambda: chat.use_model == "demo")
            assert str(chat.status.render()).startswith("● demo (demo model)")
            await pilot.press("escape")
            await type_text(pilot, "hello")
            await pilot.press("enter")
            await until(pilot, replied(chat))
            meta = str(chat.log_view.messages[-1].query_one(".meta").render())
            assert "· demo (demo model) ·" in meta
            await pilot.press("f3", "a")  # each task its own model again
            assert chat.use_model is None
    finally:
        core.close()
