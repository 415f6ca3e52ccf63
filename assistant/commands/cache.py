"""`creator cache stats|clear [CATEGORY]`: what the reply cache holds, and emptying it."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

CATEGORIES = ("content", "research", "analytics")  # cache/settings.py (not imported for --help)

# Other caches' sections for `creator cache stats`, each `(paths, store) -> (name, data, lines)`:
# `data` goes under `name` in --json, `lines` (Markdown-free text) after the table.
# ── SECTIONS: the warm-resume KV states (creator_assistant.runtime.kv_states) add theirs here,
# ── one line: SECTIONS.append(kv_states.cache_section). Nothing else in this file changes.
SECTIONS: list[Callable[[Any, Any], tuple[str, Any, list[str]]]] = []
from creator_assistant.runtime import kv_states  # noqa: E402  (the standard library only)

SECTIONS.append(kv_states.cache_section)


def add_parser(sub: argparse._SubParsersAction) -> None:
    cache = sub.add_parser("cache", help="see or empty the reply cache",
                           description="The reply cache: replies and computed facts kept for "
                           "reuse, per category (content 24 h / 2 GB, research 7 d / 1 GB, "
                           "analytics 6 h / 500 MB; `[cache]` in config.toml). See docs/cache.md.")
    actions = cache.add_subparsers(dest="action", metavar="ACTION", required=True)
    stats = actions.add_parser("stats", help="entries, size, limit, TTL, hits and oldest entry "
                               "per category")
    stats.add_argument("--json", action="store_true", help="one JSON object")
    clear = actions.add_parser("clear", help="delete every entry, or one category's")
    clear.add_argument("category", metavar="CATEGORY", nargs="?", choices=CATEGORIES,
                       help=f"only this category ({', '.join(CATEGORIES)})")


def run(args: argparse.Namespace) -> int:
    from creator_assistant.cache.entries import Entries
    from creator_assistant.config import load_config
    from creator_assistant.paths import get_paths
    from creator_assistant.storage.store import open_store

    paths = get_paths().ensure()
    config = load_config(paths.config_file)
    store = open_store(paths.database)
    try:
        entries = Entries(store.db, config.cache)
        if args.action == "clear":
            gone = entries.clear(args.category)
            what = f"the {args.category} category" if args.category else "the reply cache"
            print(f"Deleted {gone:,} entr{'y' if gone == 1 else 'ies'} from {what}.")
            return 0
        return _stats(entries, config.cache.enabled, args.json, paths, store)
    finally:
        store.db.close()


def _stats(entries: Any, enabled: bool, as_json: bool, paths: Any, store: Any) -> int:
    from creator_assistant.cache.words import age

    rows = entries.stats(time.time())
    extra = [section(paths, store) for section in SECTIONS]
    if as_json:
        print(json.dumps({"enabled": enabled, "categories": rows,
                          **{name: data for name, data, _ in extra}}))
        return 0
    print(f"Reply cache: {'on' if enabled else 'off ([cache] enabled = false)'}")
    print(f"{'CATEGORY':<10} {'ENTRIES':>7} {'FACTS':>5} {'SIZE':>10} {'LIMIT':>8} {'TTL':>6} "
          f"{'HITS':>6}  OLDEST")
    for r in rows:
        oldest = "-" if r["oldest_age_s"] is None else age(r["oldest_age_s"])
        print(f"{r['category']:<10} {r['entries']:>7,} {r['facts']:>5,} "
              f"{_size(r['bytes']):>10} {_size(r['limit_bytes']):>8} "
              f"{age(r['ttl_hours'] * 3600):>6} {r['hits']:>6,}  {oldest}")
    for _, _, lines in extra:
        print()
        for line in lines:
            print(line)
    return 0


def _size(n: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{int(n)} B"
