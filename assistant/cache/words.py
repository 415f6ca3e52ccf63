"""How a reply served from the cache is described under it, in the chat and on the CLI."""

from __future__ import annotations


def age(seconds: float) -> str:
    """`40 s`, `12 min`, `3 h`, `2 d`: rounded down to the largest whole unit."""
    s = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if s >= size:
            return f"{s // size} {unit}"
    return f"{s} s"


def served(age_s: float, fresh: str = "Ctrl+R") -> str:
    """`from the cache, 3 h old — Ctrl+R for a fresh one` (`fresh`: how to get a new reply)."""
    return f"from the cache, {age(age_s)} old — {fresh} for a fresh one"
