"""`python -m benches NAME`: run one benchmark and print its JSON line."""

from __future__ import annotations

import importlib
import sys

BENCHES = ("overhead", "ui", "frames", "workloads", "models", "memory", "router")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in BENCHES:
        print(f"usage: python -m benches {{{'|'.join(BENCHES)}}}", file=sys.stderr)
        return 2
    return importlib.import_module(f"benches.{argv[0]}").main()


raise SystemExit(main(sys.argv[1:]))
