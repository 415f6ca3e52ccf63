"""`python -m benches NAME [OPTIONS]`: run one benchmark and print its results."""

from __future__ import annotations

import importlib
import inspect
import sys

BENCHES = ("overhead", "ui", "frames", "workloads", "models", "memory", "router", "quality",
           "chat_soak", "embed", "faults", "ideas", "search", "lora", "voice", "cache",
           "startup", "gpu", "resume", "revise")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in BENCHES:
        print(f"usage: python -m benches {{{'|'.join(BENCHES)}}} [OPTIONS]", file=sys.stderr)
        return 2
    run = importlib.import_module(f"benches.{argv[0]}").main
    if inspect.signature(run).parameters:  # a bench with options (`--help` lists them)
        return int(run(argv[1:]))
    if argv[1:]:
        print(f"python -m benches {argv[0]} takes no options", file=sys.stderr)
        return 2
    return int(run())


raise SystemExit(main(sys.argv[1:]))
