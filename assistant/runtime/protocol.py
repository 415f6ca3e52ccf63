"""What the conversation process and the inference worker say to each other, and shared records."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    ttft_ms: float = 0.0
    tokens_per_s: float = 0.0
    total_ms: float = 0.0
    finish_reason: str = ""
    counted_by: str = "model tokenizer"
    draft_tokens: int = 0  # tokens prompt lookup drafted (runtime/lookup.py)
    accepted_tokens: int = 0  # tokens of the reply that came from those drafts
    restored_tokens: int = 0  # of cached_tokens, how many a saved state restored (warm resume)
    state_notice: str = ""  # a saved state that was damaged and ignored, in words

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class GenerateRequest:
    messages: list[dict[str, str]]
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    max_tokens: int = 512
    seed: int | None = None
    grammar: str | None = None
    stop: list[str] = field(default_factory=list)
    lookup: bool = False  # draft from the prompt, check drafts in batches (runtime/lookup.py)
    # Which conversation asks: warm resume saves the cache when the worker moves to another one
    # (not when the same one evicts its head); not part of what decides the reply.
    conversation: str = ""


@dataclass
class LoadInfo:
    path: str
    n_ctx: int
    n_ctx_train: int
    n_vocab: int
    load_ms: float
    has_chat_template: bool
    sliding_window: int = 0
    architecture: str = ""


class ModelError(RuntimeError):
    """A model could not be loaded or run; the message says what to do."""


class WorkerCrashed(ModelError):
    """The inference worker process died; it is restarted on the next request. `exit_code` is
    the worker's (negative: the signal that ended it), None when it was not seen."""

    exit_code: int | None = None


class ContextOverflow(ModelError):
    """A prompt did not fit the model's context window (a bug: prompts are trimmed before)."""


def held_elsewhere(lock: Any) -> bool:
    """True while another thread holds `lock`: a backend in use, which the model manager keeps."""
    if lock.acquire(blocking=False):
        lock.release()
        return False
    return True
