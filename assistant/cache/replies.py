"""The session's reply cache as a turn uses it: look a fitted request up, stream a stored reply
at once, keep a complete new one. Whatever goes wrong in the cache (a damaged or missing table)
makes a lookup a miss and a keep a no-op: a reply never fails because of it."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from creator_assistant.cache.entries import Entries, Entry
from creator_assistant.cache.keys import file_identity, reply_key, sampled
from creator_assistant.cache.settings import CacheConfig
from creator_assistant.runtime.protocol import GenerateRequest, Usage

if TYPE_CHECKING:
    from creator_assistant.runtime.resolver import Choice
    from creator_assistant.turn import Turn, TurnResult

KEPT_USAGE = ("prompt_tokens", "completion_tokens", "finish_reason", "counted_by", "ttft_ms",
              "tokens_per_s")


def model_identity(choice: Choice) -> dict[str, Any]:
    """What identifies the model that answers: its id and backend, its file, any adapter."""
    local = choice.backend == "local"
    return {"id": choice.id, "backend": choice.backend,
            "file": file_identity(choice.path) if local else str(choice.path),
            "lora": file_identity(choice.lora),
            "lora_scale": choice.lora_scale if choice.lora is not None else None}


class ReplyCache:
    """The cache over the session's database; `clock` (seconds since the epoch) is injectable."""

    def __init__(self, db: sqlite_utils.Database, config: CacheConfig,
                 clock: Callable[[], float] = time.time) -> None:
        self.db, self.config, self.clock = db, config, clock
        self.entries = Entries(db, config)

    def lookup(self, turn: Turn, request: GenerateRequest) -> Lookup:
        """The key of this fitted request and, unless the turn bypasses the cache or the reply
        is sampled (and `[cache] sampled` is off), the live entry stored under it."""
        started = time.perf_counter()
        category = turn.task.cache
        if not self.config.enabled or category is None:
            return Lookup(None)
        try:
            key = reply_key(model=model_identity(turn.choice), task=turn.task.name,
                            request=request, n_ctx=turn.n_ctx,
                            data=self.data_of(turn.result.sources))
        except Exception:  # the imports table unreadable, say: no cache for this turn
            return Lookup(None)
        found = Lookup(self, key, category, started=started)
        if getattr(turn, "fresh", False) or (sampled(request) and not self.config.sampled):
            return found
        try:
            entry = self.entries.get(key, self.clock())
        except Exception:  # a damaged or missing cache is a miss
            entry = None
        if entry is not None and entry.kind == "reply":
            found.hit = entry
        return found

    def data_of(self, import_ids: list[int]) -> list[tuple[int, str]]:
        """(id, sha256) of each import a task read."""
        if not import_ids:
            return []
        marks = ", ".join("?" * len(import_ids))
        return [(int(i), str(s)) for i, s in self.db.execute(
            f"select id, sha256 from data_imports where id in ({marks})", list(import_ids))]


@dataclass
class Lookup:
    """One turn's look in the cache: `hit` is the stored reply, if one is served."""

    cache: ReplyCache | None  # None: this task's replies are not cached
    key: str = ""
    category: str = ""
    hit: Entry | None = None
    started: float = 0.0  # perf_counter at the lookup: a hit's time to first token starts here

    def stream(self, result: TurnResult) -> Generator[str, None, None]:
        """The stored reply in one piece; sets `result.cache` and `result.usage` (its time to
        first token is the lookup's, not the original generation's)."""
        assert self.hit is not None and self.cache is not None
        entry, meta = self.hit, self.hit.meta
        result.cache = {"age_s": round(max(0.0, self.cache.clock() - entry.created), 1),
                        "category": entry.category, "key": entry.key}
        ttft = (time.perf_counter() - self.started) * 1000
        result.usage = Usage(prompt_tokens=meta.get("prompt_tokens", 0),
                             completion_tokens=meta.get("completion_tokens", 0), ttft_ms=ttft,
                             total_ms=ttft, finish_reason=meta.get("finish_reason", "stop"),
                             counted_by=meta.get("counted_by", "model tokenizer"))
        yield entry.text

    def keep(self, result: TurnResult, text: str) -> None:
        """Store a complete new reply (`text`) under this turn's key."""
        if self.cache is None or self.hit is not None or result.status != "ok" or not text:
            return
        usage = result.usage.as_dict()
        now = self.cache.clock()
        entry = Entry(self.key, self.category, "reply", text,
                      {k: usage[k] for k in KEPT_USAGE}, now, sources=list(result.sources))
        try:
            self.cache.entries.put(entry, now, task=result.task, model=result.model)
        except Exception:  # a full disk or a damaged cache: the reply is saved all the same
            pass
