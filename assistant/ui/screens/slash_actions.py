"""The chat screen's slash commands: the menu as you type `/`, completion, and running them.
A mixin of ChatScreen; handlers are named (`on_...`) so Textual finds them here."""

from __future__ import annotations

from typing import Any

from creator_assistant.ui.widgets.message_view import MessageView
from creator_assistant.ui.widgets.prompt_input import PromptInput
from creator_assistant.ui.widgets.slash_menu import SlashMenu

# The chat's own commands, run as actions unless a plugin registered the name.
APP_ACTIONS = {"help": "app.help", "new": "new", "models": "app.models", "stats": "stats",
               "quit": "app.quit"}


class SlashActions:
    """Needs from the screen: core, session, cid, prompt, log_view, put_in_prompt(),
    open_conversation() and action_new()."""

    core: Any
    session: Any
    cid: str | None

    def on_text_area_changed(self) -> None:  # PromptInput is a TextArea: its Changed message
        text = self.prompt.text
        menu = self.query_one(SlashMenu)
        show = text.startswith("/") and " " not in text and "\n" not in text
        menu.display = show and menu.filter(text[1:])
        self.prompt.menu_open = menu.display

    def on_prompt_input_menu_key(self, event: PromptInput.MenuKey) -> None:
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
        self.put_in_prompt(f"/{name} ")
        return True

    async def slash(self, text: str) -> bool:
        """Run a slash command; False when it is a task's (the message is then sent)."""
        name = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
        if name in APP_ACTIONS and name not in self.session.host.registry.commands:
            await self.run_action(APP_ACTIONS[name])
            return True
        from creator_assistant.registry import CommandContext  # pydantic: not before the first frame

        ctx = CommandContext(self.session, self.cid)
        output = await self.core.call(self.session.run_command, text, ctx)
        if output is None:
            return False
        if ctx.conversation_id != self.cid:  # /history ID, /new: the command switched
            if ctx.conversation_id:
                await self.open_conversation(ctx.conversation_id)
            else:
                await self.action_new()
        await self.log_view.add(MessageView("user", text),
                                MessageView("command", output, label=f"/{name}"))
        return True
