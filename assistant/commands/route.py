"""`creator route`: which task a message goes to, with its score, the runner-up and why."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from creator_assistant.commands import CommandError


def add_parser(sub: argparse._SubParsersAction) -> None:
    route = sub.add_parser("route", help="show which task a message is routed to, and why",
                           description="Show which task a message would be routed to, with its "
                           "score, the runner-up and why. No model is called (unless "
                           "CREATOR_ROUTER_TIEBREAK is set).")
    route.add_argument("text", metavar="TEXT", nargs="*", help="the message")
    route.add_argument("--json", action="store_true", help="one JSON object instead of text")
    route.add_argument("--jsonl", action="store_true",
                       help="read one message per line on stdin, write one JSON object per line")
    route.add_argument("--after", metavar="TASK",
                       help="the conversation's current task, to see how a follow-up routes")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.paths import get_paths
    from creator_assistant.plugin_manager import load_host
    from creator_assistant.router import TIEBREAK_ENV, router_for

    if args.jsonl and args.text:
        raise CommandError("give TEXT or --jsonl (messages on stdin), not both", 2)
    if not args.jsonl and not args.text:
        raise CommandError("give a message to route, or --jsonl to read them from stdin", 2)
    host = load_host(get_paths().user_plugins_dir)
    if args.after and args.after not in host.registry.tasks:
        raise CommandError(f"unknown task {args.after!r}; tasks: "
                           f"{', '.join(sorted(host.registry.tasks))}", 2)
    router = router_for(host)
    session = _session_for_tiebreak(TIEBREAK_ENV)

    def decide(text: str) -> Any:
        decision = router.route(text, args.after)
        if session is not None:
            from creator_assistant.router import maybe_tie_break

            decision = maybe_tie_break(session, text, decision)
        return decision

    try:
        if args.jsonl:
            return route_lines(decide)
        decision = decide(" ".join(args.text))
        if args.json:
            print(json.dumps({**decision.as_dict(), "why": decision.why}))
        else:
            print(explain(decision))
        return 0
    finally:
        if session is not None:
            session.close()


def route_lines(decide: Any) -> int:
    """One JSON object per stdin line, in order; a line that is not UTF-8 gets an error object."""
    out = sys.stdout
    for number, raw in enumerate(sys.stdin.buffer, 1):
        try:
            text = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            out.write(json.dumps({"line": number, "task": None, "score": None, "error": (
                f"line {number} is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); convert the "
                "input first, for example with `iconv -f latin1 -t utf-8`")}) + "\n")
            continue
        decision = decide(text)
        out.write(json.dumps({"line": number, **decision.as_dict()}) + "\n")
    out.flush()
    return 0


def explain(decision: Any) -> str:
    """The decision in a few lines a person can read."""
    lines = [f"task: {decision.task} (score {decision.score:.2f})"]
    if decision.runner_up:
        lines.append(f"runner-up: {decision.runner_up} (score {decision.runner_up_score:.2f})")
    lines.append(f"why: {decision.reason}")
    if decision.runner_up and decision.why.get(decision.runner_up):
        lines.append(f"runner-up because: {decision.why[decision.runner_up]}")
    if decision.tiebreak:
        lines.append(f"tie-break: {decision.tiebreak}")
    return "\n".join(lines)


def _session_for_tiebreak(env: str) -> Any:
    import os

    if os.environ.get(env, "").strip().lower() in ("", "0", "off", "false", "no"):
        return None
    from creator_assistant.session import Session

    return Session.open()
