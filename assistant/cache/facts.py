"""Computed facts (the analytics, trends, competitor and ideas tables a task's prepare reads)
kept under the analytics category while a reply prepares: keyed by the kind of facts, its
arguments and every import present (id, sha256), so any import or removal misses; each entry
records the imports it read, so importing that data again deletes it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import sqlite_utils

from creator_assistant.cache.entries import Entries, Entry
from creator_assistant.cache.keys import VERSION, digest
from creator_assistant.cache.reads import current_cache, note, reading

if TYPE_CHECKING:
    from creator_assistant.data.facts import Facts

CATEGORY = "analytics"


def cached_facts(name: str, compute: Callable[[], Facts], db: sqlite_utils.Database,
                 *args: Any) -> Facts:
    """`compute()`, from the cache when a reply's prepare has one bound (`reading`); `args`
    are everything `compute` depends on besides the imports."""
    from creator_assistant.data.facts import Facts

    cache = current_cache()
    if cache is None or not cache.config.enabled:
        return compute()
    entries, key = Entries(db, cache.config), None
    try:
        present = db.execute("select id, sha256 from data_imports order by id").fetchall()
        key = digest({"v": VERSION, "kind": "facts", "name": name, "args": list(args),
                      "imports": [list(r) for r in present]})
        entry = entries.get(key, cache.clock())
        found = Facts(**json.loads(entry.text)) if entry is not None else None
    except Exception:  # a damaged or missing cache: compute
        entry = found = None
    if entry is not None and found is not None:
        for import_id in entry.sources:  # the reply built on these facts read these imports
            note(import_id)
        return found
    with reading() as seen:
        facts = compute()
    if key is None:
        return facts
    try:
        text = json.dumps(asdict(facts))
        # Kept only when JSON gives it back as it was (tuples come back as lists, which read
        # the same); anything else (a date, a number as a key) is computed each time.
        if json.loads(text) != _plain(asdict(facts)):
            return facts
        now = cache.clock()
        entries.put(Entry(key, CATEGORY, "facts", text, {}, now, sources=sorted(seen)), now,
                    task=name)
    except Exception:  # a full disk or a damaged cache: the facts are computed all the same
        pass
    return facts


def _plain(value: Any) -> Any:
    """`value` with its tuples as lists, as JSON gives them back."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
