"""What a turn's prompt keeps of its conversation: counting through the model's worker, each
message's tokens counted once per model, and the prompt's start saved as it moves."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from creator_assistant.memory import Fitted, History, Message, fit


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class BackendCounter:
    """Counts with a backend's worker (one round trip per call); raw texts' counts are kept in
    memory and, given a store, in the database, so each text is tokenized once per model."""

    def __init__(self, backend: Any, store: Any = None) -> None:
        self.backend = backend
        path = getattr(backend, "path", None)
        local = isinstance(path, Path) and path.is_file()
        # Keyed by file name and size: the same model file anywhere shares its counts.
        self.model = f"{path.name}:{path.stat().st_size}" if local else ""
        self.store = store if local else None
        self.known: dict[str, int] = {}

    def count(self, messages: list[Message]) -> int:
        return int(self.backend.count_tokens(messages))

    def sizes(self, texts: list[str]) -> list[int]:
        keys = [digest(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.known))
        if missing and self.store is not None:
            self.known.update(self.store.token_sizes(self.model, missing))
        new = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.known}
        if new and not hasattr(self.backend, "token_sizes"):
            # A remote server has no cheap tokenizer: a rough size (only where to cut depends
            # on it; the final prompt is counted by the server).
            self.known.update({k: len(t.encode("utf-8")) // 3 + 1 for k, t in new.items()})
        elif new:
            sizes = self.backend.token_sizes(list(new.values()))
            counted = dict(zip(new, sizes, strict=True))
            self.known.update(counted)
            if self.store is not None:
                self.store.save_token_sizes(self.model, counted)
        return [self.known[k] for k in keys]


def fit_conversation(store: Any, backend: Any, cid: str, system: str, history: History,
                     user: str, n_ctx: int, max_tokens: int) -> Fitted:
    """Fit a turn of conversation `cid` into `n_ctx`, starting where its last prompt started,
    and save the new start when older turns had to go."""
    state = store.memory_state(cid)
    start = next((i for i, seq in enumerate(history.seqs) if seq >= state["kept_from"]),
                 len(history.seqs))
    fitted = fit(system, history.messages, user, BackendCounter(backend, store), n_ctx,
                 max_tokens, start=start, pinned=history.pinned, summary=state["summary"])
    if fitted.kept_from > start:
        seqs = history.seqs
        # Past the last history item: the prompt starts at the new message.
        seq = seqs[fitted.kept_from] if fitted.kept_from < len(seqs) else (
            seqs[-1] + 1 if seqs else 0)
        store.keep_from(cid, seq)
    return fitted
