"""The chat screen's start: its first frame is painted before the Session is built or any model
loads, and the prompt takes keys at once. Then, in order on the core thread: the Session is
built, the conversation asked for is found, the model is loaded; a message sent meanwhile waits
behind them, and its reply says what it waits for. A mixin of ChatScreen."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from textual import work

WAITING = "waiting for the model…"


class ChatStartup:
    """Needs from the screen: core, current, cid, use_task, preload, resume_latest, queued
    (the reply not started yet), loading_model, begun, status, log_view, app, query_one,
    call_after_refresh, open_conversation(), welcome(), offer_starter() and preload_model()."""

    core: Any
    current: Any
    use_task: str | None
    preload: bool
    resume_latest: bool
    queued: Any
    loading_model: str | None
    begun: Future[str | None] | None
    status: Any
    log_view: Any
    app: Any
    call_after_refresh: Any

    async def start_up(self) -> None:
        """On mount. A core started already (tests, benchmarks) is waited for and used at
        once; otherwise the first frame is painted first, and the core starts after it."""
        self.welcomed = False  # shown in the first frame (a new conversation, not a resumed one)
        if self.core.started:
            self.begun = Future()
            try:
                self.begun.set_result(self.find_conversation())
            except Exception as exc:  # an unknown conversation or task: said, the chat closes
                self.app.fail(exc)
                return
            await self.set_up(self.begun.result())
            return
        if self.cid is None and not self.resume_latest:
            self.welcomed = True
            await self.welcome()
        if self.preload:
            self.status.model_state = "loading"  # "starting…" until the model is known
        self.call_after_refresh(self.begin)

    def begin(self) -> Future[str | None]:
        """Start the core (once): the Session is built, then the conversation found. Sending
        calls this first, so a message sent meanwhile always queues behind them."""
        if self.begun is None:
            self.begun = self.core.submit(self.find_conversation)
            self.wait_for_core(self.begun)
        return self.begun

    @work(group="startup")
    async def wait_for_core(self, begun: Future[str | None]) -> None:
        import asyncio

        try:
            cid = await asyncio.wrap_future(begun)
        except Exception as exc:  # the Session did not open, or the conversation is unknown
            self.app.fail(exc)
            return
        await self.set_up(cid)

    def find_conversation(self) -> str | None:
        """The conversation asked for (its full id), the latest with `--continue`; checks the
        task asked for. On the core thread it runs before any turn, which then continues it."""
        from creator_assistant.session import UserInputError

        session = self.core.session
        if self.use_task and self.use_task not in session.tasks:
            raise UserInputError(f"unknown task {self.use_task!r}; tasks: "
                                 f"{', '.join(sorted(session.tasks))}")
        conversations = session.conversations
        cid = conversations.latest() if self.resume_latest else self.current.cid
        self.current.cid = conversations.get(cid)["id"] if cid else None
        return self.current.cid

    async def set_up(self, cid: str | None) -> None:
        """The Session is there: keys, slash menu, the conversation, the starter offer, the
        model. A message sent already keeps its exchange on the screen."""
        from creator_assistant.ui.slash import slash_entries
        from creator_assistant.ui.widgets.slash_menu import SlashMenu

        self.app.use_keys(self.core.session.config.keys)
        self.query_one(SlashMenu).entries = slash_entries(self.core.session)
        if not any(v.role == "user" for v in self.log_view.messages):
            if cid is not None:
                await self.open_conversation(cid)
            elif not self.welcomed:
                await self.welcome()
        self.offer_starter()
        if self.preload:
            self.preload_model()

    # -- a message sent while the model loads -----------------------------------------------

    def waiting_text(self) -> str:
        """The line under a reply that has not started: what it waits for."""
        if self.loading_model:
            return f"waiting for {self.loading_model} to load…"
        return WAITING

    def show_waiting(self) -> None:
        """Tell the reply waiting in the queue (if any) what it waits for now."""
        if self.queued is not None and not self.queued.writing:
            self.queued.view.set_meta(self.waiting_text())

    # Provided by ChatScreen and its other mixins.
    cid: str | None
    welcomed: bool
    open_conversation: Any
    welcome: Any
    offer_starter: Any
    preload_model: Any
    query_one: Any
