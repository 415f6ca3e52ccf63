"""The chat: messages, the prompt with its slash menu, the sidebar, and the status bar."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from creator_assistant.registry import CommandContext
from creator_assistant.ui.info import ReplyInfo
from creator_assistant.ui.keys import binding
from creator_assistant.ui.reply import Current, Outcome, Reply, Request, produce
from creator_assistant.ui.slash import APP_COMMANDS, slash_entries
from creator_assistant.ui.widgets.chat_log import ChatLog
from creator_assistant.ui.widgets.conversation_sidebar import ConversationSidebar
from creator_assistant.ui.widgets.message_view import MessageView
from creator_assistant.ui.widgets.prompt_input import PromptInput
from creator_assistant.ui.widgets.slash_menu import SlashMenu
from creator_assistant.ui.widgets.status_bar import StatusBar

FRAME_S = 1 / 30  # streamed text is drawn at most this often
CPU_SHARE = 0.25  # and drawing it takes at most this share of the UI thread (see TokenFeed)
WELCOME = ("Type a message and press **Enter** (Shift+Enter or Ctrl+J for a new line). "
           "Type **/** for commands, **F1** for help, **Ctrl+B** for your conversations, "
           "**Ctrl+P** for every action.")


class ChatScreen(Screen[None]):
    """One conversation at a time; replies stream from the core thread through a TokenFeed."""

    AUTO_FOCUS = "#prompt"
    BINDINGS = [binding(b) for b in ("cancel", "sidebar", "new", "regenerate", "edit_last",
                                     "copy", "rename")]

    def __init__(self, core: Any, store: Any, conversation_id: str | None = None,
                 task: str | None = None, model: str | None = None,
                 preload: bool = True) -> None:
        super().__init__()
        self.core, self.store = core, store
        self.current = Current(conversation_id)
        self.use_task, self.use_model = task, model
        self.preload = preload
        self.reply: Reply | None = None
        self.editing = False
        self.notes_shown: set[str] = set()

    @property
    def session(self) -> Any:
        return self.core.session

    @property
    def cid(self) -> str | None:
        return self.current.cid

    @cid.setter
    def cid(self, value: str | None) -> None:
        self.current.cid = value

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            sidebar = ConversationSidebar(self.store, id="sidebar")
            sidebar.display = False
            yield sidebar
            with Vertical(id="main"):
                yield ChatLog(id="log")
                yield SlashMenu(id="slash")
                yield PromptInput(id="prompt")
        yield StatusBar(id="status")
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one(SlashMenu).entries = slash_entries(self.session)
        self.query_one(SlashMenu).display = False
        self.prompt.border_title = "Message"
        self.status.task_name = self.use_task or ""
        if self.cid:
            await self.open_conversation(self.cid)
        else:
            await self.welcome()
        if self.preload:
            self.preload_model()

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

    @work(thread=True, group="preload")
    def preload_model(self) -> None:
        session = self.session
        task = session.tasks.get(self.use_task or "chat") or next(iter(session.tasks.values()))
        try:
            choice, profile = session.task_settings(task, self.use_model)
            self.app.call_from_thread(self.show_model, choice.id, "loading")
            session.pool.backend(choice, min(profile["context"], choice.context)).load()
            self.app.call_from_thread(self.show_model, choice.id, "loaded")
        except Exception as exc:  # the first message reports it again, in the chat
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10)

    def show_model(self, model: str, state: str) -> None:
        status = self.status
        if state == "loaded" and status.model_name not in ("", model):
            return  # a reply already moved on to another model
        status.model_name, status.demo, status.model_state = model, model == "demo", state

    # -- sending ----------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def submitted(self, event: PromptInput.Submitted) -> None:
        menu = self.query_one(SlashMenu)
        if menu.display and menu.choice and self.complete(menu.choice.name):
            return
        text = event.text
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
        if self.reply is not None:
            self.reply.stop()
        if rewind:
            await self.log_view.drop_last(self.exchange_size())
        user, view = MessageView("user", text), MessageView("assistant")
        await self.log_view.add(user, view)
        view.set_meta("waiting for the model…")
        self.run_reply(Request(text, self.current, self.use_task, self.use_model, rewind), view)

    @work(group="reply")
    async def run_reply(self, req: Request, view: MessageView) -> None:
        from creator_assistant.ui.feed import TokenFeed

        loop = asyncio.get_running_loop()
        reply = Reply(TokenFeed(loop), loop.call_soon_threadsafe)
        self.reply = reply
        future = self.core.submit(produce, self.session, reply, req,
                                  lambda *a: self.started(view, *a),
                                  lambda facts: self.call_later(view.show_facts, facts))
        first = True
        async for batch in reply.feed.batches(FRAME_S, CPU_SHARE):
            if first:
                first = False
                view.set_meta("writing…")
                self.status.model_state = "loaded"
            if view.is_attached:  # a view dropped by regenerate or a new conversation is not drawn
                await view.body.write(batch)
        if view.is_attached:
            await view.body.finish()
        outcome: Outcome = await asyncio.wrap_future(future)
        if self.reply is reply:
            self.reply = None
        if view.is_attached:
            self.finished(view, outcome)

    def started(self, view: MessageView, result: Any, n_ctx: int, loaded: bool) -> None:
        status = self.status
        status.model_name, status.demo = result.model, result.model == "demo"
        status.model_state = "loaded" if loaded else "loading"
        status.task_name, status.context_window = result.task, n_ctx
        view.set_meta(f"{result.task} ({result.route.reason}) · "
                      + ("thinking…" if loaded else f"loading {result.model}…"))

    def finished(self, view: MessageView, outcome: Outcome) -> None:
        if outcome.result is None:
            view.set_class(True, "failed")
            view.set_meta("not sent")
            view.set_info(ReplyInfo(status="error", error=outcome.error))
            return
        info = ReplyInfo.from_result(outcome.result, outcome.n_ctx)
        first_note = bool(info.note) and info.note not in self.notes_shown
        self.notes_shown.add(info.note)
        view.set_info(info, first_note=first_note)
        status = self.status
        if info.tps:
            status.ttft_ms, status.tps = info.ttft_ms, info.tps
            status.context_used = info.context_used
        if self.sidebar.display:
            self.sidebar.reload(self.cid)

    def exchange_size(self) -> int:
        """How many views at the bottom belong to the last exchange (your message, its reply)."""
        views = self.log_view.messages
        for back, view in enumerate(reversed(views), 1):
            if view.role == "user":
                return back
        return 0

    # -- slash commands ---------------------------------------------------------------------

    @on(PromptInput.Changed, "#prompt")
    def typed(self) -> None:
        text = self.prompt.text
        menu = self.query_one(SlashMenu)
        show = text.startswith("/") and " " not in text and "\n" not in text
        menu.display = show and menu.filter(text[1:])
        self.prompt.menu_open = menu.display

    @on(PromptInput.MenuKey)
    def menu_key(self, event: PromptInput.MenuKey) -> None:
        menu = self.query_one(SlashMenu)
        if event.key in ("up", "down"):
            menu.move(-1 if event.key == "up" else 1)
        elif event.key == "tab" and menu.choice:
            self.complete(menu.choice.name)
        else:
            menu.display = self.prompt.menu_open = False

    def complete(self, name: str) -> bool:
        """Put `/name ` in the prompt; False when it is already there (then Enter sends)."""
        if self.prompt.text.strip() == f"/{name}":
            return False
        self.prompt.text = f"/{name} "
        self.prompt.move_cursor(self.prompt.document.end)
        return True

    async def slash(self, text: str) -> bool:
        """Run a slash command; False when it is a task's (the message is then sent)."""
        name = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
        if name in APP_COMMANDS and name not in self.session.host.registry.commands:
            await self.run_action({"help": "app.help", "new": "new", "models": "app.models",
                                   "quit": "app.quit"}[name])
            return True
        ctx = CommandContext(self.session, self.cid)
        output = await self.core.call(self.session.run_command, text, ctx)
        if output is None:
            return False
        if ctx.conversation_id != self.cid:
            if ctx.conversation_id:
                await self.open_conversation(ctx.conversation_id)
            else:
                await self.action_new()
        await self.log_view.add(MessageView("user", text),
                                MessageView("command", output, label=f"/{name}"))
        return True

    # -- conversations ----------------------------------------------------------------------

    async def open_conversation(self, cid: str) -> None:
        self.stop_reply()
        conversation = self.store.conversation(cid)
        self.cid = conversation["id"]
        rows = self.store.messages(self.cid)
        log = self.log_view
        await log.clear()
        keep = rows[-log.keep:]
        log.hidden = len(rows) - len(keep)
        views = [MessageView("user", r["content"]) if r["role"] == "user" else
                 MessageView("assistant", r["content"], info=ReplyInfo.from_row(r))
                 for r in keep]
        await log.add(*views)
        self.status.task_name = conversation["task"] or ""
        self.status.context_used = self.status.context_window = 0
        self.sub_title = conversation["title"]

    def stop_reply(self) -> None:
        if self.reply is not None:
            self.reply.stop()

    # -- actions ----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.reply is not None:
            self.reply.stop()
            self.notify("Stopping the reply; what was written is kept.", timeout=2)
        elif self.editing:
            self.editing = False
            self.prompt.clear()
            self.prompt.border_title = "Message"
        elif self.query_one(SlashMenu).display:
            self.query_one(SlashMenu).display = self.prompt.menu_open = False

    async def action_new(self) -> None:
        self.stop_reply()
        self.cid = None
        await self.log_view.clear()
        await self.welcome()
        self.status.task_name = self.use_task or ""
        self.status.context_used = self.status.context_window = 0
        self.prompt.focus()

    def action_sidebar(self) -> None:
        sidebar = self.sidebar
        sidebar.display = not sidebar.display
        if sidebar.display:
            sidebar.reload(self.cid)
            sidebar.options.focus()
        else:
            self.prompt.focus()

    async def action_regenerate(self) -> None:
        users = [v for v in self.log_view.messages if v.role == "user"]
        if not users or self.cid is None:
            self.notify("Nothing to regenerate yet.", timeout=3)
            return
        await self.send(users[-1].text, rewind=True)

    def action_edit_last(self) -> None:
        users = [v for v in self.log_view.messages if v.role == "user"]
        if not users or self.cid is None:
            self.notify("No message of yours to edit yet.", timeout=3)
            return
        self.stop_reply()
        self.editing = True
        self.prompt.text = users[-1].text
        self.prompt.move_cursor(self.prompt.document.end)
        self.prompt.border_title = "Editing your last message: Enter resends, Esc cancels"
        self.prompt.focus()

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

    def action_rename(self) -> None:
        if self.cid is not None:
            title = self.store.conversation(self.cid)["title"]
            self.post_message(ConversationSidebar.Rename(self.cid, title))

    # -- sidebar requests -------------------------------------------------------------------

    @on(ConversationSidebar.Open)
    async def sidebar_open(self, event: ConversationSidebar.Open) -> None:
        await self.open_conversation(event.cid)
        self.prompt.focus()

    @on(ConversationSidebar.New)
    async def sidebar_new(self) -> None:
        await self.action_new()

    @on(ConversationSidebar.Close)
    def sidebar_close(self) -> None:
        self.sidebar.display = False
        self.prompt.focus()

    @on(ConversationSidebar.Rename)
    def sidebar_rename(self, event: ConversationSidebar.Rename) -> None:
        from creator_assistant.ui.screens.rename_screen import RenameScreen

        def done(title: str | None) -> None:
            if title:
                self.store.rename(event.cid, title)
                if event.cid == self.cid:
                    self.sub_title = title
                self.sidebar.reload(event.cid)

        self.app.push_screen(RenameScreen(event.title), done)

    @on(ConversationSidebar.Delete)
    def sidebar_delete(self, event: ConversationSidebar.Delete) -> None:
        from creator_assistant.ui.screens.confirm_screen import ConfirmScreen

        if event.cid == self.cid and self.reply is not None:
            self.notify("A reply is streaming in this conversation; stop it first (Esc).")
            return

        async def done(yes: bool | None) -> None:
            if not yes:
                return
            self.store.delete(event.cid)
            if event.cid == self.cid:
                await self.action_new()
            self.sidebar.reload(self.cid)
            self.sidebar.options.focus()
            self.notify(f"Deleted “{event.title}”.", timeout=3)

        question = (f"Delete the conversation “{event.title}” and all its messages? "
                    "This cannot be undone.")
        self.app.push_screen(ConfirmScreen(question), done)

    # -- the command palette ----------------------------------------------------------------

    def palette_commands(self) -> Iterator[SystemCommand]:
        """The chat's actions and every slash command, for Textual's command palette."""
        yield SystemCommand("New conversation", "Start a new conversation", self.action_new)
        yield SystemCommand("Conversations", "Show or hide the sidebar", self.action_sidebar)
        yield SystemCommand("Regenerate", "Regenerate the last reply", self.action_regenerate)
        yield SystemCommand("Edit last message", "Edit and resend your last message",
                            self.action_edit_last)
        yield SystemCommand("Copy", "Copy the last reply (OSC 52)", self.action_copy)
        yield SystemCommand("Rename conversation", "Give this conversation a title",
                            self.action_rename)
        yield SystemCommand("Stop the reply", "Stop generating", self.action_cancel)
        for entry in slash_entries(self.session):
            yield SystemCommand(f"/{entry.name}", f"{entry.kind}: {entry.description}",
                                lambda name=entry.name: self.palette_slash(name))

    def palette_slash(self, name: str) -> None:
        self.prompt.text = f"/{name} "
        self.prompt.move_cursor(self.prompt.document.end)
        self.prompt.focus()

    async def on_unmount(self) -> None:
        self.stop_reply()
