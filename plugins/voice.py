"""`/rate N` in the chat: rate the latest reply 1-5; a reply rated 4 or 5 becomes one of the
creator's voice samples, and rating it lower again takes it away."""

from __future__ import annotations

from typing import Any

from creator_assistant.api import Command, CommandContext, hookimpl

USAGE = ("Usage: `/rate N` — N from 1 to 5 rates the latest reply; 4 or 5 makes it one of your "
         "voice samples (`creator voice list`).")


def rate(args: str, ctx: CommandContext) -> str:
    words = args.split()
    if len(words) != 1:
        return USAGE
    if ctx.conversation_id is None:
        return "Nothing to rate yet: there is no reply in this conversation."
    replies = [r for r in ctx.conversations.messages(ctx.conversation_id)
               if r["role"] == "assistant" and (r.get("content") or "").strip()]
    if not replies:
        return "Nothing to rate yet: there is no reply in this conversation."
    try:
        done = ctx.conversations.rate(replies[-1]["id"], words[0])
    except ValueError as exc:
        return f"Not rated: {exc}. {USAGE}"
    return str(done["said"])


@hookimpl
def register_commands(register: Any) -> None:
    register(Command("rate", "Rate the latest reply 1-5; 4 or 5 makes it a voice sample.",
                     rate, usage="N"))
