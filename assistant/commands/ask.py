"""`creator ask`: one message, the answer streamed to stdout."""

from __future__ import annotations

import argparse
import json
import sys

from creator_assistant.commands import CommandError


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


def run(args: argparse.Namespace) -> int:
    from creator_assistant.session import Session
    from creator_assistant.turn import Status

    text = read_message(args.text)
    session = Session.open()
    session.summaries.enabled = False  # one answer, then exit: summaries are written in chat
    try:
        turn = session.ask(text, task=args.task, model=args.model,
                           conversation_id=args.conversation)
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
                        out.write(result.facts.rstrip() + "\n\n")
                out.write(piece)
                out.flush()
        except KeyboardInterrupt:
            stream.close()  # the turn stops the model and saves the reply so far as stopped
            print(f"\n(stopped: the reply so far is saved in conversation "
                  f"{result.conversation_id})", file=sys.stderr)
            raise
        out.write("\n")
        for notice in result.notices:
            print(f"note: {notice}", file=sys.stderr)
        if args.json:
            out.write(json.dumps(result.as_dict()) + "\n")
        out.flush()
        if result.status == Status.ERROR:
            print(f"creator: {result.error}", file=sys.stderr)
            print(f"(your message is saved in conversation {result.conversation_id})",
                  file=sys.stderr)
            return 1
        return 0
    finally:
        session.close()
