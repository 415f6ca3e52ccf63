"""The chat: messages, the prompt with its slash menu, the sidebar, and the status bar."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from creator_assistant.ui.core import Core, Later
from creator_assistant.ui.info import ReplyInfo
from creator_assistant.ui.keys import binding
from creator_assistant.ui.palette import chat_commands
from creator_assistant.ui.reply import Current, Outcome, Reply, Request, produce
from creator_assistant.ui.screens.chat_startup import ChatStartup
from creator_assistant.ui.screens.conversation_actions import ConversationActions
from creator_assistant.ui.screens.model_actions import ModelActions, StarterOffer
from creator_assistant.ui.screens.slash_actions import SlashActions
from creator_assistant.ui.widgets.chat_log import ChatLog
from creator_assistant.ui.widgets.conversation_sidebar import ConversationSidebar
from creator_assistant.ui.widgets.message_view import MessageView
from creator_assistant.ui.widgets.prompt_input import PromptInput
from creator_assistant.ui.widgets.slash_menu import SlashMenu
from creator_assistant.ui.widgets.status_bar import StatusBar

FRAME_S = 1 / 30  # streamed text is drawn at most this often
CPU_SHARE = 0.2  # and drawing it takes at most this share of the UI thread (see TokenFeed)
WELCOME = ("Type a message and press **Enter** (Shift+Enter or Ctrl+J for a new line). "
           "Type **/** for commands, **F1** for help, **Ctrl+B** for your conversations, "
           "**Ctrl+P** for every action.")


class ChatScreen(ChatStartup, ConversationActions, SlashActions, ModelActions, Screen[None]):
    """One conversation at a time; replies stream from the core thread through a TokenFeed,
    and the core's messages (Core.ReplyStarted, ... Core.ModelLoaded) say how they go."""

    AUTO_FOCUS = "#prompt"
    # The footer shows bindings in this order and cuts what does not fit: the keys a narrow
    # terminal must keep (stop, copy, help, quit) come first; help and quit repeat the app's.
    # The starter model's key works only while it is on offer (see check_action); the offer
    # above the messages names it, so the footer keeps its room for the others.
    BINDINGS = [binding("cancel"), binding("interrupt", priority=True), binding("copy"),
                binding("help"), binding("quit", priority=True),
                binding("starter"),
                *(binding(b) for b in ("sidebar", "new", "regenerate", "edit_last", "rename",
                                       "rate", "stats"))]

    def __init__(self, core: Any, conversation_id: str | None = None,
                 task: str | None = None, model: str | None = None,
                 preload: bool = True, resume_latest: bool = False) -> None:
        super().__init__()
        self.core = core
        self.current = Current(conversation_id)
        self.use_task, self.use_model = task, model
        self.preload, self.resume_latest = preload, resume_latest
        self.begun: Future[str | None] | None = None  # the core started (see ChatStartup)
        self.loading_model: str | None = None  # the model the core is loading now
        self.queued: Reply | None = None  # a reply sent that has not started yet
        self.reply: Reply | None = None
        self.editing = False
        self.notes_shown: set[str] = set()
        self.offer: dict[str, Any] | None = None  # the starter model on offer (no chat model)
        self.pulling, self.pull_step = False, ""
        self.starter_cancel = threading.Event()
        self.model_tags: dict[str, dict[str, str]] = {}

    @property
    def session(self) -> Any:
        return self.core.session

    @property
    def conversations(self) -> Any:
        return self.core.session.conversations  # waits for the Session if it is being built

    @property
    def cid(self) -> str | None:
        return self.current.cid

    @cid.setter
    def cid(self, value: str | None) -> None:
        self.current.cid = value

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            # Composed before the Session is built: the sidebar reaches it when it is opened.
            sidebar = ConversationSidebar(Later(self.core, "conversations"), id="sidebar")
            sidebar.display = False
            yield sidebar
            with Vertical(id="main"):
                yield ChatLog(id="log")
                offer = StarterOffer("", id="starter-offer")  # beside the prompt, where eyes are
                offer.display = False
                yield offer
                yield SlashMenu(id="slash")
                yield PromptInput(id="prompt")
        yield StatusBar(id="status")
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one(SlashMenu).display = False
        self.prompt.border_title = "Message"
        self.status.task_name = self.use_task or ""
        await self.start_up()  # the Session, the conversation and the model (ChatStartup)

    # -- parts ------------------------------------------------------------------------------

    @property
    def log_view(self) -> ChatLog:
        return self.query_one(ChatLog)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def sidebar(self) -> ConversationSidebar:
        return self.query_one(ConversationSidebar)

    async def welcome(self) -> None:
        await self.log_view.add(MessageView("command", WELCOME, label="Creator Assistant"))

    # -- the model, loaded ahead of the first message ---------------------------------------

    @on(Core.ModelLoading)
    def model_loading(self, event: Core.ModelLoading) -> None:
        self.loading_model = event.model
        self.show_model(event.model, "loading")
        self.show_waiting()

    @on(Core.ModelLoaded)
    def model_loaded(self, event: Core.ModelLoaded) -> None:
        self.loading_model = None
        self.show_model(event.model, "loaded")
        self.show_waiting()

    @on(Core.ModelFailed)
    def model_failed(self, event: Core.ModelFailed) -> None:
        self.loading_model = None
        if self.status.model_state == "loading" and not self.status.model_name:
            self.status.model_state = ""  # "starting…" is over
        self.show_waiting()
        self.notify(event.error, severity="error", timeout=10)  # the first message says it again

    # -- sending ----------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def submitted(self, event: PromptInput.Submitted) -> None:
        menu = self.query_one(SlashMenu)
        text = event.text
        if menu.display and menu.choice:
            entry = menu.choice
            if entry.kind != "task" and not entry.usage:
                text = f"/{entry.name}"  # nothing to add: run it at once
            elif self.complete(entry.name):
                return
        menu.display = self.prompt.menu_open = False
        if not text.strip():
            return
        self.prompt.clear()
        rewind, self.editing = self.editing, False
        self.prompt.border_title = "Message"
        if text.lstrip().startswith("/") and not rewind and await self.slash(text.strip()):
            return
        await self.send(text, rewind=rewind)

    async def send(self, text: str, rewind: bool = False) -> None:
        """Show the message and a reply that streams in; a reply already running is stopped."""
        from creator_assistant.ui.feed import TokenFeed

        self.stop_reply()
        self.begin()  # the core's start comes first (a message sent as the chat opens waits)
        view = MessageView("assistant")
        view.set_meta(self.waiting_text())
        reply = Reply(TokenFeed(asyncio.get_running_loop()), target=self, view=view)
        self.reply = self.queued = reply
        # The model starts first; the screen is updated while it reads the prompt.
        future = self.core.submit(
            produce_later, self.core, reply,
            Request(text, self.current, self.use_task, self.use_model, rewind))
        if rewind:
            await self.log_view.drop_last(self.exchange_size())
        await self.log_view.add(MessageView("user", text), view)
        self.run_reply(reply, future, view)

    # A failure while drawing must not close the chat: the reply is saved whatever happens.
    @work(group="reply", exit_on_error=False)
    async def run_reply(self, reply: Reply, future: Future[Outcome], view: MessageView) -> None:
        drawn = False
        try:
            first = True
            async for batch in reply.feed.batches(FRAME_S, CPU_SHARE):
                if first:
                    first = False
                    reply.writing = True
                    view.set_meta("writing…")
                    self.status.model_state = "loaded"
                if view.is_attached:  # one dropped by regenerate or a new conversation is not
                    await view.body.write(batch)
                    self.log_view.fold_above()
            if view.is_attached:
                await view.body.finish()
                self.log_view.fold_above()
            drawn = True
        finally:
            if not drawn:  # cancelled (the chat is closing) or failed: stop the model too
                reply.stop()
            await asyncio.wrap_future(future)  # the turn is over on the core thread
            if self.reply is reply:
                self.reply = None
        reply.drawn = True
        self.finish(reply)

    @on(Core.ReplyStarted)
    def started(self, event: Core.ReplyStarted) -> None:
        if self.queued is event.reply:
            self.queued = None
        result, loaded = event.result, event.loaded or event.reply.writing
        status = self.status
        self.label_model(result.model, "loaded" if loaded else "loading")
        status.task_name = result.task
        if not event.reply.writing:  # text already streaming says more than this would
            event.reply.view.set_meta(f"{result.task} ({result.route.reason}) · "
                                      + ("thinking…" if loaded else f"loading {result.model}…"))

    @on(Core.FactsReady)
    async def facts_ready(self, event: Core.FactsReady) -> None:
        await event.reply.view.show_facts(event.facts)  # tables, and charts drawn

    @on(Core.ReplyDone)
    def reply_done(self, event: Core.ReplyDone) -> None:
        if self.queued is event.reply:
            self.queued = None
        event.reply.outcome = event.outcome
        self.finish(event.reply)

    def finish(self, reply: Reply) -> None:
        """Show how the reply ended once both its text is drawn and the core says it is done."""
        if reply.drawn and reply.outcome is not None and reply.view.is_attached:
            self.finished(reply.view, reply.outcome)

    def finished(self, view: MessageView, outcome: Outcome) -> None:
        if outcome.result is None:
            view.set_class(True, "failed")
            view.set_meta("not sent")
            view.set_info(ReplyInfo(status="error", error=outcome.error))
            return
        info = ReplyInfo.from_result(outcome.result, outcome.n_ctx,
                                     self.model_tag(outcome.result.model)["tag"])
        first_note = bool(info.note) and info.note not in self.notes_shown
        self.notes_shown.add(info.note)
        view.set_info(info, first_note=first_note)
        status = self.status
        if info.tps:
            status.ttft_ms, status.tps = info.ttft_ms, info.tps
            status.context_used, status.context_window = info.context_used, info.context_window
        if self.sidebar.display:
            self.sidebar.reload(self.cid)

    def exchange_size(self) -> int:
        """How many views at the bottom belong to the last exchange (your message, its reply)."""
        views = self.log_view.messages
        for back, view in enumerate(reversed(views), 1):
            if view.role == "user":
                return back
        return 0

    # -- actions ----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        """Esc: stop the reply, else leave editing or the slash menu; always back to the prompt."""
        if self.reply is not None:
            self.reply.stop()
            self.notify("Stopping the reply; what was written is kept.", timeout=2)
        elif self.editing:
            self.editing = False
            self.prompt.clear()
            self.prompt.border_title = "Message"
        elif self.query_one(SlashMenu).display:
            self.query_one(SlashMenu).display = self.prompt.menu_open = False
        self.prompt.focus()

    def action_interrupt(self) -> None:
        """Ctrl+C: stop a streaming reply like Esc; otherwise Textual's Ctrl+C (copy the
        selected text, else the hint that Ctrl+Q quits)."""
        if self.reply is None:
            raise SkipAction()
        self.action_cancel()

    async def action_regenerate(self) -> None:
        users = [v for v in self.log_view.messages if v.role == "user"]
        if not users or self.cid is None:
            self.notify("Nothing to regenerate yet.", timeout=3)
            return
        await self.send(users[-1].text, rewind=True)

    def action_edit_last(self) -> None:
        from creator_assistant.ui.screens.confirm_screen import ConfirmScreen

        users = [v for v in self.log_view.messages if v.role == "user"]
        if not users or self.cid is None:
            self.notify("No message of yours to edit yet.", timeout=3)
            return
        last, draft = users[-1].text, self.prompt.text
        if not draft.strip() or draft == last:
            self.edit(last)
            return

        def done(replace: bool | None) -> None:
            if replace:
                self.edit(last)
            else:
                self.prompt.focus()

        self.app.push_screen(ConfirmScreen(
            "Replace your unsent draft in the prompt with your last message, to edit and "
            "resend it? The draft is lost.", yes="Replace", no="Keep the draft"), done)

    def action_rate(self) -> None:
        """Start `/rate ` in the prompt: the digit and Enter rate the last reply."""
        if not any(v.role == "assistant" for v in self.log_view.messages):
            self.notify("No reply to rate yet.", timeout=3)
            return
        self.put_in_prompt("/rate ")

    def edit(self, text: str) -> None:
        self.stop_reply()
        self.editing = True
        self.put_in_prompt(text)
        self.prompt.border_title = "Editing your last message: Enter resends, Esc cancels"

    @on(PromptInput.EditLast)
    def edit_last_key(self) -> None:
        self.action_edit_last()

    def action_copy(self) -> None:
        focused = self.focused if isinstance(self.focused, MessageView) else None
        replies = [v for v in self.log_view.messages if v.role in ("assistant", "command")]
        target = focused or (replies[-1] if replies else None)
        if target is None:
            self.notify("Nothing to copy yet.", timeout=3)
        else:
            target.action_copy()

    def stop_reply(self) -> None:
        if self.reply is not None:
            self.reply.stop()

    def put_in_prompt(self, text: str) -> None:
        self.prompt.text = text
        self.prompt.move_cursor(self.prompt.document.end)
        self.prompt.focus()

    def palette_commands(self) -> Iterator[SystemCommand]:
        yield from chat_commands(self)
        yield SystemCommand("Usage stats", "Time saved, speed figures and charts from your use",
                            self.action_stats)

    def action_stats(self) -> None:
        """F5: the stats screen (your usage, with charts)."""
        from creator_assistant.ui.screens.stats_screen import StatsScreen

        if not isinstance(self.app.screen, StatsScreen):
            self.app.push_screen(StatsScreen(self.core))

    @on(MessageView.Typed)
    def typed_on_a_message(self, event: MessageView.Typed) -> None:
        """Typing with a message selected goes on in the prompt, where the user meant it."""
        self.set_focus(self.prompt)
        self.prompt.insert(event.character)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pull_starter":
            return self.offer is not None and not self.pulling
        return True

    async def on_unmount(self) -> None:
        self.starter_cancel.set()  # a pull in progress stops; what arrived is kept
        self.stop_reply()
        self.leave_conversation()


def produce_later(core: Core, reply: Reply, req: Request) -> Outcome:
    """`produce` on the core thread, with the Session as built by then."""
    try:
        session = core.session
    except Exception as exc:  # it did not open: the chat is closing, and says why
        reply.feed.close()
        return Outcome(error=str(exc) or type(exc).__name__)
    return produce(session, reply, req)
