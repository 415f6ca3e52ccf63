"""The model pool's records: a resident model, one switch of model, the pool's counters."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from pathlib import Path

from creator_assistant.runtime.local import LocalBackend


@dataclass
class Slot:
    model: str
    path: Path
    n_ctx: int
    backend: LocalBackend
    bytes: int
    last_used: float
    pinned: bool = False  # an essential (preloaded) model: exempt from the keep-alive
    kind: str = "cold"  # what loading it means now: cold (first time) or reload
    lora: Path | None = None  # the LoRA adapter applied to it, if any
    lora_scale: float = 1.0

    @property
    def key(self) -> tuple[str, int, str, float]:
        """What makes it one resident model: the file, the window and the adapter with its scale."""
        return str(self.path), self.n_ctx, str(self.lora or ""), self.lora_scale


@dataclass(frozen=True)
class Switch:
    """One change of answering model and what it cost until the model could answer."""

    model: str
    kind: str  # warm (already resident), cold (first load), reload (after eviction), remote
    ms: float
    load_ms: float = 0.0


@dataclass
class Stats:
    loads: int = 0
    evictions: int = 0
    expired: int = 0
    switches: collections.deque[Switch] = field(
        default_factory=lambda: collections.deque(maxlen=50))
