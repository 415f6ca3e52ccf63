"""`creator ask`: one message, the answer streamed to stdout."""

from __future__ import annotations

import argparse
import json
import sys

from creator_assistant.commands import CommandError
from creator_assistant.terminal_text import safe


def read_message(parts: list[str]) -> str:
    if parts != ["-"]:
        return " ".join(parts)
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"stdin is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it first, for example with `iconv -f latin1 -t utf-8`"
        ) from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    ask = sub.add_parser("ask", help="ask once and stream the answer to stdout")
    ask.add_argument("text", metavar="TEXT", nargs="+", help="the message; `-` reads stdin")
    ask.add_argument("--task", help="skip routing and use this task")
    ask.add_argument("--model", help="answer with this model (catalogue id or .gguf path)")
    ask.add_argument("--conversation", metavar="ID", help="add to conversation ID")
    ask.add_argument("--json", action="store_true", help="end with one JSON line of details")
    ask.add_argument("--no-voice", dest="voice", action="store_false",
                     help="keep your samples (`creator voice`) out of this prompt")
    ask.add_argument("--no-cache", dest="cache", action="store_false",
                     help="answer afresh, not from the reply cache (the new reply is kept)")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.paths import get_paths
    from creator_assistant.session import Session
    from creator_assistant.storage.errors import StorageError, storage_errors
    from creator_assistant.turn import Status
    from creator_assistant.unsaved import MessageNotSaved

    text = read_message(args.text)
    try:
        with storage_errors(get_paths().database):
            session = Session.open()
    except StorageError as exc:  # a full or damaged disk at open: the message was not saved
        return not_saved(MessageNotSaved(exc, text))
    session.summaries.enabled = False  # one answer, then exit: summaries are written in chat
    try:
        try:
            turn = session.ask(text, task=args.task, model=args.model,
                               conversation_id=args.conversation, voice=args.voice,
                               fresh=not args.cache)
        except MessageNotSaved as exc:
            return not_saved(exc)
        result = turn.result
        if result.model_note:
            print(f"note: {result.model_note}", file=sys.stderr)
        out = sys.stdout
        facts_shown = False
        stream = iter(turn)
        try:
            for piece in stream:
                if not facts_shown:  # tasks that compute facts show them before the reply
                    facts_shown = True
                    if result.facts:
                        import shutil

                        from creator_assistant.plots import as_text

                        width = min(100, shutil.get_terminal_size((80, 24)).columns)
                        out.write(safe(as_text(result.facts.rstrip(), width)) + "\n\n")
                out.write(safe(piece))  # a reply's escape sequences are shown, not obeyed
                out.flush()
        except KeyboardInterrupt:
            stream.close()  # the turn stops the model and saves the reply so far as stopped
            kept = result.unsaved or (f"the reply so far is saved in conversation "
                                      f"{result.conversation_id}")
            print(f"\n(stopped: {kept})", file=sys.stderr)
            raise
        out.write("\n")
        for notice in result.notices:
            print(f"note: {notice}", file=sys.stderr)
        if result.voice:
            used = ", ".join(f"#{s['id']}" for s in result.voice)
            print(f"voice: your samples {used} were in the prompt (`creator voice show ID`)",
                  file=sys.stderr)
        if result.cache is not None:
            from creator_assistant.cache.words import served

            said = served(result.cache["age_s"], "run again with --no-cache")
            print(f"cache: {said}", file=sys.stderr)
        if args.json:
            out.write(json.dumps(result.as_dict()) + "\n")
        out.flush()
        if result.unsaved:  # the reply above streamed, but the database could not take it
            print(f"creator: {result.unsaved}", file=sys.stderr)
            return 1
        if result.status == Status.ERROR:
            print(f"creator: {result.error}", file=sys.stderr)
            print(f"(your message is saved in conversation {result.conversation_id})",
                  file=sys.stderr)
            return 1
        return 0
    except StorageError as exc:  # a write outside the turn (the conversation, say) failed
        print(f"creator: {exc}", file=sys.stderr)
        return 1
    finally:
        session.close()


def not_saved(exc: Exception) -> int:
    """Even the message could not be saved: say so, and show it back to copy."""
    print(f"creator: {exc}\nYour message:\n{getattr(exc, 'text', '')}", file=sys.stderr)
    return 1
