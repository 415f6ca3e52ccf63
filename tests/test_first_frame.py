"""The chat paints at once, through Textual's pilot: its first frame and a prompt that takes keys
come before the Session is built and before any model loads; a message sent while the model
loads waits in the queue, says so, and then streams. The Session's build and the model's load
are real, each held at its start by an Event the test owns (nothing waits on the clock)."""

from __future__ import annotations

import re
import threading

import pytest

from creator_assistant.services import Models
from creator_assistant.session import Session
from creator_assistant.ui.app import CreatorApp
from creator_assistant.ui.core import Core
from creator_assistant.ui.screens.chat_screen import ChatScreen
from tests.realmodels import install
from tests.terminal import screen_text, split
from tests.test_ui import replied, type_text, until

SIZE = (110, 36)


class Held:
    """Holds every call of `owner.name` at its start until `release()`; `entered` is set once
    a call is waiting."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> None:
        self.entered, self.gate = threading.Event(), threading.Event()
        real = getattr(owner, name)

        def held(*args, **kwargs):
            self.entered.set()
            assert self.gate.wait(120), "the test never released the hold"
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, held)  # Session.open too: called on the class

    def release(self) -> None:
        self.gate.set()


@pytest.fixture
def held_session(monkeypatch):
    return Held(monkeypatch, Session, "open")


@pytest.fixture
def held_load(monkeypatch):
    return Held(monkeypatch, Models, "load")


def status_text(app) -> str:
    return app.screen.status.model_text()


def box(app) -> list[str]:
    return split(screen_text(app))[1]


def reply_meta(screen: ChatScreen) -> str:
    views = [v for v in screen.log_view.messages if v.role == "assistant"]
    return views[-1]._meta if views else ""


class TestBeforeTheSession:
    """`creator chat` paints before the Session exists: the core starts after the first frame."""

    async def test_first_frame_and_typing_while_the_session_is_being_built(
            self, paths, held_session, held_load):
        core = Core(paths, start=False)
        try:
            app = CreatorApp(core)
            async with app.run_test(size=SIZE) as pilot:
                screen = app.screen
                assert isinstance(screen, ChatScreen)
                # The first frame: the welcome, the message box, the status bar saying the
                # core is starting; the Session's build began after it and is held.
                await until(pilot, held_session.entered.is_set)
                assert core.started and not core.ready
                shown = screen_text(app)
                assert box(app) and "Message" in box(app)[0], shown
                assert "Type a message and press" in shown
                assert "starting…" in status_text(app)
                # Typing works meanwhile, in the prompt.
                assert screen.prompt.has_focus
                await type_text(pilot, "plan a video")
                assert screen.prompt.text == "plan a video"
                assert any("plan a video" in row for row in box(app))
                held_session.release()
                # Then the model the chat answers with loads, shown in the status bar.
                await until(pilot, lambda: held_load.entered.is_set()
                            and screen.status.model_name == "demo")
                assert status_text(app).endswith("loading demo… (demo model)")
                assert "loading demo…" in screen_text(app)
                assert screen.query_one("#slash").entries  # the session's commands are in
                held_load.release()
                await until(pilot, lambda: screen.status.model_state == "loaded")
                assert status_text(app) == "● demo (demo model)"
                assert "loading" not in screen_text(app)
                assert screen.prompt.text == "plan a video"  # the draft is still there
        finally:
            held_session.release()
            held_load.release()
            core.close()

    async def test_an_unknown_conversation_closes_the_chat_and_says_why(self, paths):
        from creator_assistant.storage.store import NotFound

        core = Core(paths, start=False)
        try:
            app = CreatorApp(core, "no-such-conversation")
            async with app.run_test(size=SIZE) as pilot:
                await until(pilot, lambda: app.failure is not None)
            assert isinstance(app.failure, NotFound)
            assert app.return_code == 1
        finally:
            core.close()

    async def test_continue_opens_the_latest_conversation_after_the_first_frame(self, paths):
        from creator_assistant.storage.store import open_store

        store = open_store(paths.database)
        cid = store.new_conversation(title="Bread")
        store.add_message(cid, "user", "a video about sourdough", task="chat")
        store.db.close()
        core = Core(paths, start=False)
        try:
            app = CreatorApp(core, preload=False, resume_latest=True)
            async with app.run_test(size=SIZE) as pilot:
                screen = app.screen
                await until(pilot, lambda: any(v.role == "user"
                                               for v in screen.log_view.messages))
                assert screen.cid == cid
                assert [v.text for v in screen.log_view.messages] == ["a video about sourdough"]
        finally:
            core.close()


class TestWhileTheModelLoads:
    """A message sent while the model loads waits in the queue, says so, then streams."""

    async def test_a_message_sent_during_the_load_waits_then_streams(
            self, paths, smollm2, held_load):
        install("smollm2-135m", paths)
        core = Core(paths)
        try:
            app = CreatorApp(core, task="chat", model="smollm2-135m")
            async with app.run_test(size=SIZE) as pilot:
                screen = app.screen
                await until(pilot, lambda: held_load.entered.is_set()
                            and screen.status.model_name == "smollm2-135m")
                assert re.fullmatch(r". loading smollm2-135m…( \(.+\))?", status_text(app))
                await type_text(pilot, "hello")
                await pilot.press("enter")
                # Under the message: what it waits for, while the load is still held.
                await until(pilot, lambda: reply_meta(screen)
                            == "waiting for smollm2-135m to load…")
                assert "waiting for smollm2-135m to load…" in screen_text(app)
                assert screen.reply is not None and not screen.reply.writing
                held_load.release()
                await until(pilot, replied(screen), timeout=120)
                user, reply = screen.log_view.messages[-2:]
                assert (user.role, user.text) == ("user", "hello")
                assert reply.info.model == "smollm2-135m" and reply.info.status == "ok"
                assert reply.info.tokens > 0 and reply.text.strip()
                assert "waiting for" not in screen_text(app)
                assert status_text(app).startswith("● smollm2-135m")
                saved = core.run(core.session.store.messages, screen.cid)
                assert [r["role"] for r in saved] == ["user", "assistant"]
                assert saved[-1]["content"] == reply.text
        finally:
            held_load.release()
            core.close()
