"""Which imports a task read while it prepared a reply: `DataStore.rows` notes each import whose
rows it returns, into the set of the `reading()` block around the task's prepare (one per
thread); outside such a block nothing is noted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_seen: ContextVar[set[int] | None] = ContextVar("imports_read", default=None)
_cache: ContextVar[Any] = ContextVar("facts_cache", default=None)


@contextmanager
def reading(cache: Any = None) -> Iterator[set[int]]:
    """Collect the ids of the imports read inside the block (nested blocks add to the outer
    ones too); `cache`: the session's ReplyCache, which computed facts may use meanwhile."""
    outer = _seen.get()
    seen: set[int] = set()
    token, cache_token = _seen.set(seen), _cache.set(cache if cache is not None else _cache.get())
    try:
        yield seen
    finally:
        _seen.reset(token)
        _cache.reset(cache_token)
        if outer is not None:
            outer.update(seen)


def note(import_id: int) -> None:
    """An import's rows were read."""
    seen = _seen.get()
    if seen is not None:
        seen.add(int(import_id))


def current_cache() -> Any:
    """The ReplyCache bound by the `reading()` block around this code, or None."""
    return _cache.get()
