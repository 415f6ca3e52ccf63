"""`creator route`: which task a message goes to, with its score, the runner-up and why."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from creator_assistant.commands import CommandError

BATCH = 512  # --jsonl lines routed together at most


def add_parser(sub: argparse._SubParsersAction) -> None:
    route = sub.add_parser("route", help="show which task a message is routed to, and why",
                           description="Show which task a message would be routed to, with its "
                           "score, the runner-up and why. No model is called (unless "
                           "CREATOR_ROUTER_TIEBREAK is set).")
    route.add_argument("text", metavar="TEXT", nargs="*", help="the message")
    route.add_argument("--json", action="store_true", help="one JSON object instead of text")
    route.add_argument("--jsonl", action="store_true",
                       help="read one message per line on stdin, write one JSON object per line")
    route.add_argument("--words", action="store_true",
                       help="words only: do not ask the embedding model, even when installed")
    route.add_argument("--after", metavar="TASK",
                       help="the conversation's current task, to see how a follow-up routes")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.paths import get_paths
    from creator_assistant.plugin_manager import load_host
    from creator_assistant.router import TIEBREAK_ENV, Router
    from creator_assistant.router.meaning import meaning_for

    if args.jsonl and args.text:
        raise CommandError("give TEXT or --jsonl (messages on stdin), not both", 2)
    if not args.jsonl and not args.text:
        raise CommandError("give a message to route, or --jsonl to read them from stdin", 2)
    paths = get_paths()
    host = load_host(paths.user_plugins_dir)
    if args.after and args.after not in host.registry.tasks:
        raise CommandError(f"unknown task {args.after!r}; tasks: "
                           f"{', '.join(sorted(host.registry.tasks))}", 2)
    meaning = None if args.words else meaning_for(paths, host.route_examples)
    router = Router(host, meaning=meaning)
    session = _session_for_tiebreak(TIEBREAK_ENV)

    def decide(text: str) -> Any:
        decision = router.route(text, args.after)
        if session is not None:
            from creator_assistant.router import maybe_tie_break

            decision = maybe_tie_break(session, text, decision)
        return decision

    try:
        if args.jsonl:
            return route_lines(router, args.after, session)
        decision = decide(" ".join(args.text))
        if args.json:
            print(json.dumps(decision.explained()))
        else:
            print(explain(decision))
        return 0
    finally:
        if meaning is not None:
            meaning.close()
        if session is not None:
            session.close()


def route_lines(router: Any, after: str | None, session: Any = None) -> int:
    """One JSON object per stdin line, in order; a line that is not UTF-8 gets an error object.
    The lines that have arrived are routed together: their embeddings in one batch, on a
    thread of their own while the next batch is scored by words. A line typed by hand is
    answered as soon as it is complete."""
    import os
    import select
    from concurrent.futures import ThreadPoolExecutor

    out, fd = sys.stdout, sys.stdin.fileno()
    number, rest, pending = 0, b"", None
    with ThreadPoolExecutor(1, thread_name_prefix="route-meaning") as meaning:
        while True:
            if pending is not None and not _ready(select, fd):
                _write(pending.result(), session, out)  # nothing more yet: answer now
                pending = None
            chunk = os.read(fd, 1 << 16)
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop() if chunk else b""
            if not chunk and lines == [b""]:
                lines = []
            for start in range(0, len(lines), BATCH):
                batch = _read_batch(lines[start:start + BATCH], number)
                good = [text for text, error in batch if error is None]
                words = router.by_words(good, after)
                job = meaning.submit(router.finish, good, words, after)
                if pending is not None:
                    _write(pending.result(), session, out)
                pending = _Batch(number, batch, job)
                number += len(batch)
            if not chunk:
                if pending is not None:
                    _write(pending.result(), session, out)
                return 0


class _Batch:
    """Lines read (after line `number`) and their decisions to come."""

    def __init__(self, number: int, batch: list[tuple[str, str | None]], job: Any) -> None:
        self.number, self.batch, self.job = number, batch, job

    def result(self) -> tuple[int, list[tuple[str, str | None]], list[Any]]:
        return self.number, self.batch, self.job.result()


def _ready(select: Any, fd: int) -> bool:
    try:
        return bool(select.select([fd], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _read_batch(raws: list[bytes], number: int) -> list[tuple[str, str | None]]:
    """Each line's text, or its error: (text, None) or ("", error)."""
    batch: list[tuple[str, str | None]] = []
    for i, raw in enumerate(raws, number + 1):
        try:
            batch.append((raw.decode("utf-8").rstrip("\r"), None))
        except UnicodeDecodeError as exc:
            batch.append(("", f"line {i} is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                          "convert the input first, for example with `iconv -f latin1 -t utf-8`"))
    return batch


def _write(done: tuple[int, list[tuple[str, str | None]], list[Any]], session: Any,
           out: Any) -> None:
    number, batch, decisions = done
    found = iter(decisions)
    for line, (text, error) in enumerate(batch, number + 1):
        if error is not None:
            out.write(json.dumps({"line": line, "task": None, "score": None,
                                  "error": error}) + "\n")
            continue
        decision = next(found)
        if session is not None:
            from creator_assistant.router import maybe_tie_break

            decision = maybe_tie_break(session, text, decision)
        out.write(json.dumps({"line": line, **decision.as_dict()}) + "\n")
    out.flush()


def explain(decision: Any) -> str:
    """The decision in a few lines a person can read."""
    lines = [f"task: {decision.task} (score {decision.score:.2f})"]
    if decision.runner_up:
        lines.append(f"runner-up: {decision.runner_up} (score {decision.runner_up_score:.2f})")
    lines.append(f"why: {decision.reason}")
    if decision.runner_up and decision.why.get(decision.runner_up):
        lines.append(f"runner-up because: {decision.why[decision.runner_up]}")
    if decision.by_meaning:
        lines.append(f"meaning asked: {decision.by_meaning}")
    if decision.tiebreak:
        lines.append(f"tie-break: {decision.tiebreak}")
    return "\n".join(lines)


def _session_for_tiebreak(env: str) -> Any:
    import os

    if os.environ.get(env, "").strip().lower() in ("", "0", "off", "false", "no"):
        return None
    from creator_assistant.session import Session

    return Session.open()
