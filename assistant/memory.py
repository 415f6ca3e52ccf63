"""Fit a conversation into the answering model's window, counted exactly with its tokenizer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Message = dict[str, str]
Counter = Callable[[list[Message]], int]

# No token in the vocabularies we run covers more than this many characters; a text longer than
# budget * this can be cut before counting, which keeps a 2 MB paste cheap.
MAX_CHARS_PER_TOKEN = 16
# History is evicted in chunks of this many messages, so consecutive prompts share a long prefix.
EVICT_CHUNK = 8


@dataclass
class Fitted:
    messages: list[Message]
    prompt_tokens: int
    evicted: int = 0
    notices: list[str] = field(default_factory=list)


def fit(system: str, history: list[Message], user: str, count: Counter, n_ctx: int,
        max_tokens: int, pinned: list[Message] | None = None) -> Fitted:
    """System prompt + pinned + newest history + user message, within n_ctx - max_tokens."""
    budget = n_ctx - max_tokens
    if budget < 64:
        raise ValueError(f"max_tokens {max_tokens} leaves no room in a {n_ctx}-token window")
    head = [{"role": "system", "content": system}] if system else []
    head += list(pinned or [])
    notices: list[str] = []

    def build(keep_from: int, text: str) -> list[Message]:
        return head + history[keep_from:] + [{"role": "user", "content": text}]

    too_long = len(user) > budget * MAX_CHARS_PER_TOKEN  # cannot fit: skip counting it whole
    if not too_long:
        tokens = count(build(0, user))
        if tokens <= budget:
            return Fitted(build(0, user), tokens)
    # Drop whole chunks of the oldest history until the prompt fits.
    evict = 0
    while evict < len(history) and not too_long:
        evict = min(len(history), evict + EVICT_CHUNK)
        # Never start the kept history on an assistant turn.
        while evict < len(history) and history[evict]["role"] == "assistant":
            evict += 1
        tokens = count(build(evict, user))
        if tokens <= budget:
            return Fitted(build(evict, user), tokens, evicted=evict)
    lo = len(history)
    # The message alone is larger than the window: shorten it, visibly.
    text = shorten(user, head, count, budget)
    notices.append(
        f"Your message was {len(user):,} characters, more than this model's {n_ctx:,}-token "
        f"window holds; only its first and last parts ({len(text):,} characters) were sent."
    )
    messages = build(lo, text)
    return Fitted(messages, count(messages), evicted=lo, notices=notices)


def shorten(text: str, head: list[Message], count: Counter, budget: int) -> str:
    """The longest head-and-tail cut of `text` that fits `budget` tokens with `head`."""
    marker = "\n[… part of this message was removed to fit the model's window …]\n"

    def cut(n: int) -> str:
        if n >= len(text):
            return text
        return text[: n * 2 // 3] + marker + text[len(text) - n // 3 :] if n > 0 else marker

    def fits(n: int) -> bool:
        return count(head + [{"role": "user", "content": cut(n)}]) <= budget

    lo, hi = 0, min(len(text), budget * MAX_CHARS_PER_TOKEN)
    if not fits(0):
        raise ValueError("the system prompt alone does not fit the model's window")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return cut(lo)
