"""The chat screen's conversation keeping: open, new, rename and delete, from keys or the
sidebar. A mixin of ChatScreen; handlers are named (`on_...`) so Textual finds them here."""

from __future__ import annotations

from typing import Any

from creator_assistant.ui.info import ReplyInfo
from creator_assistant.ui.widgets.conversation_sidebar import ConversationSidebar
from creator_assistant.ui.widgets.message_view import MessageView


class ConversationActions:
    """Needs from the screen: core, session, conversations, cid, use_task, log_view, prompt,
    status, sidebar, reply, stop_reply() and welcome(). Conversations are kept through the
    session's `conversations` service; tidying after a turn runs on the core thread, in order."""

    core: Any
    session: Any
    conversations: Any
    cid: str | None
    reply: Any

    async def open_conversation(self, cid: str) -> None:
        """Show a saved conversation: its latest messages, with what answered each reply."""
        self.stop_reply()
        conversation = self.conversations.get(cid)
        if conversation["id"] != self.cid:
            self.leave_conversation()
        self.cid = conversation["id"]
        rows = self.conversations.messages(self.cid)
        log = self.log_view
        await log.clear()
        keep = rows[-log.keep:]
        log.hidden = len(rows) - len(keep)
        views = [MessageView("user", r["content"]) if r["role"] == "user" else
                 MessageView("assistant", r["content"], info=ReplyInfo.from_row(r))
                 for r in keep]
        await log.add(*views)
        self.status.task_name = conversation["task"] or ""
        self.sub_title = conversation["title"]
        await self.show_figures(rows)

    async def show_figures(self, rows: list[dict[str, Any]]) -> None:
        """The status bar's context use and speed: this conversation's last reply's, or none."""
        last = next((r for r in reversed(rows) if r["role"] == "assistant"
                     and r.get("tokens_per_s")), None)
        info = ReplyInfo.from_row(last) if last else ReplyInfo()
        status = self.status
        status.ttft_ms, status.tps, status.context_used = info.ttft_ms, info.tps, info.context_used
        status.context_window = 0
        if last:
            cid = self.cid
            window = await self.core.call(self.session.models.window, last.get("task"),
                                          last.get("model"))
            if self.cid == cid:  # not moved on to another conversation meanwhile
                status.context_window = window

    def leave_conversation(self) -> None:
        """A conversation left with no messages (a failed resend emptied it) is not kept."""
        if self.cid is not None:
            self.core.submit(self.conversations.delete_if_empty, self.cid)

    async def action_new(self) -> None:
        self.stop_reply()
        self.leave_conversation()
        self.cid = None
        self.sub_title = ""
        await self.log_view.clear()
        await self.welcome()
        self.status.task_name = self.use_task or ""
        await self.show_figures([])
        self.prompt.focus()

    def action_sidebar(self) -> None:
        sidebar = self.sidebar
        sidebar.display = not sidebar.display
        if sidebar.display:
            sidebar.reload(self.cid)
            sidebar.options.focus()
        else:
            self.prompt.focus()

    def action_rename(self) -> None:
        if self.cid is not None:
            title = self.conversations.get(self.cid)["title"]
            self.post_message(ConversationSidebar.Rename(self.cid, title))

    # -- what the sidebar asks for ----------------------------------------------------------

    async def on_conversation_sidebar_open(self, event: ConversationSidebar.Open) -> None:
        await self.open_conversation(event.cid)
        self.prompt.focus()

    async def on_conversation_sidebar_new(self) -> None:
        await self.action_new()

    def on_conversation_sidebar_close(self) -> None:
        self.sidebar.display = False
        self.prompt.focus()

    def on_conversation_sidebar_rename(self, event: ConversationSidebar.Rename) -> None:
        from creator_assistant.ui.screens.rename_screen import RenameScreen

        def done(title: str | None) -> None:
            if title:
                self.conversations.rename(event.cid, title)
                if event.cid == self.cid:
                    self.sub_title = title
                self.sidebar.reload(event.cid)

        self.app.push_screen(RenameScreen(event.title), done)

    def on_conversation_sidebar_delete(self, event: ConversationSidebar.Delete) -> None:
        from creator_assistant.ui.screens.confirm_screen import ConfirmScreen

        if event.cid == self.cid and self.reply is not None:
            self.notify("A reply is streaming in this conversation; stop it first (Esc).")
            return

        async def done(yes: bool | None) -> None:
            if not yes:
                return
            self.conversations.delete(event.cid)
            if event.cid == self.cid:
                await self.action_new()
            self.sidebar.reload(self.cid)
            self.sidebar.options.focus()
            self.notify(f"Deleted “{event.title}”.", timeout=3)

        question = (f"Delete the conversation “{event.title}” and all its messages? "
                    "This cannot be undone.")
        self.app.push_screen(ConfirmScreen(question), done)
