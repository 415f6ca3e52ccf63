"""`creator chat`: the full-screen chat, or a line-mode loop with --plain or without a terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from creator_assistant.commands import CommandError


def add_parser(sub: argparse._SubParsersAction) -> None:
    chat = sub.add_parser("chat", help="open the chat")
    chat.add_argument("--continue", dest="cont", action="store_true",
                      help="continue the most recent conversation")
    chat.add_argument("--conversation", metavar="ID", help="continue conversation ID")
    chat.add_argument("--task", help="start on this task")
    chat.add_argument("--model", help="answer with this model (catalogue id or .gguf path)")
    chat.add_argument("--plain", action="store_true", help="line-mode chat, no full-screen UI")


def run(args: argparse.Namespace) -> int:
    if not args.plain and sys.stdin.isatty() and sys.stdout.isatty():
        from creator_assistant.ui.app import run_chat

        return run_chat(conversation_id=args.conversation, task=args.task, model=args.model,
                        resume_latest=args.cont)
    from creator_assistant.session import Session

    session = Session.open()
    try:
        cid = args.conversation
        if args.cont:
            cid = session.store.latest_conversation()
        if cid is not None:
            cid = session.store.conversation(cid)["id"]
        if args.task and args.task not in session.tasks:
            raise CommandError(f"unknown task {args.task!r}")
        return line_chat(session, cid, args.task, args.model)
    finally:
        session.close()


def line_chat(session, cid: str | None, task: str | None, model: str | None) -> int:
    from creator_assistant.registry import CommandContext
    from creator_assistant.terminal_text import safe  # stored text: shown, never obeyed

    print("Creator Assistant — type a message, /help for commands, /quit to leave, "
          "Ctrl-C stops a reply.")
    if cid is not None:
        count = len(session.store.messages(cid))
        print(f"Continuing conversation {cid} ({count} messages saved; /history shows others).")
    while True:
        try:
            text = input("you> ")
        except EOFError:
            print()
            return 0
        if text.strip() in ("/quit", "/exit"):
            return 0
        if not text.strip():
            continue
        ctx = CommandContext(session, cid)
        output = session.run_command(text, ctx)
        if output is not None:  # a slash command (it may switch the conversation)
            print(safe(output))
            cid = ctx.conversation_id
            continue
        turn = ask_or_say(session, text, task, model, cid)
        if turn is None:
            continue
        cid = turn.result.conversation_id
        result = turn.result
        label = f"[{result.task} · {result.model}]"
        if result.model_note:
            label += f" ({result.model_note})"
        print(label)
        stream = iter(turn)
        try:
            for piece in stream:
                sys.stdout.write(safe(piece))
                sys.stdout.flush()
        except KeyboardInterrupt:
            stream.close()  # the turn stops the model and saves the reply so far as stopped
        print()
        print(safe(outcome(result)))
        if result.unsaved:  # a full disk: the reply is kept, and this says where
            print(f"not saved: {result.unsaved}")


def ask_or_say(session: Any, text: str, task: str | None, model: str | None,
               cid: str | None) -> Any:
    """Start a turn, or say why it could not start (a full disk, a locked database) and
    return None; the chat goes on either way."""
    from creator_assistant.storage.errors import StorageError
    from creator_assistant.unsaved import MessageNotSaved

    try:
        return session.ask(text, task=task, model=model, conversation_id=cid)
    except MessageNotSaved as exc:
        print(f"error: {exc}\nYour message:\n{exc.text}")
    except StorageError as exc:
        print(f"error: {exc}")
    return None


def outcome(result: Any) -> str:
    """The line under a reply: its status in the words the database and `ask --json` use."""
    from creator_assistant.turn import Status

    u = result.usage
    tokens = f"{u.completion_tokens:,} token{'' if u.completion_tokens == 1 else 's'}"
    if result.status == Status.ERROR:
        return f"error: {result.error}"
    if result.status == Status.QUESTION:
        return "  (question: your next message answers it)"
    if result.status == Status.STOPPED:
        return f"[stopped · {tokens}]"
    return f"  {tokens} · {u.tokens_per_s:.1f} tok/s · first token {u.ttft_ms:.0f} ms"
