"""Fit a conversation into the answering model's window, counted exactly with its tokenizer.

A prompt is one system message (the task's prompt, pinned messages that left the prompt, the
running summary of evicted turns), the kept history, and the new message. History is evicted from
the oldest end in large chunks, so consecutive prompts share a long prefix and the model reuses
its KV cache. Evicted messages stay in the database; only the prompt forgets them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

Message = dict[str, str]

# No token in the vocabularies we run covers more than this many characters; a text longer than
# budget * this cannot fit and is never tokenized whole, which keeps a 2 MB paste cheap.
MAX_CHARS_PER_TOKEN = 16
# Chat-template tokens around one message and once per prompt: upper bounds for the templates we
# run. Estimates only choose where to cut; the final prompt is always counted exactly.
PER_MESSAGE = 8
PER_PROMPT = 16
# An eviction frees room until the prompt is at most this share of its budget, so the next
# evictions are many turns away and the turns between reuse the cache.
LOW_WATER = 0.6
HEAD_SHARE = 0.5  # the most of the budget the system message (with pins and summary) may take
PINNED_TITLE = "Pinned messages from earlier in this conversation:"
SUMMARY_TITLE = "Summary of the earlier conversation:"
CUT = "\n[… part of this message was removed to fit the model's window …]\n"


class Counter(Protocol):
    """Exact prompt tokens through the model's chat template, and token counts of raw texts."""

    def count(self, messages: list[Message]) -> int: ...

    def sizes(self, texts: list[str]) -> list[int]: ...


@dataclass
class History:
    """Saved messages as chat history, with the seq of each item's first message and pins."""

    messages: list[Message] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)
    pinned: list[int] = field(default_factory=list)  # indices of items holding a pinned message


def history_of(rows: Sequence[dict[str, Any]]) -> History:
    """Failed replies left out, same-role neighbours merged (templates such as Gemma's require
    user and assistant turns to alternate), never starting on a reply."""
    out = History()
    for row in rows:
        if row.get("status") == "error" or not row["content"]:
            continue
        if out.messages and out.messages[-1]["role"] == row["role"]:
            last = out.messages[-1]
            out.messages[-1] = {"role": last["role"],
                                "content": last["content"] + "\n\n" + row["content"]}
        else:
            out.messages.append({"role": row["role"], "content": row["content"]})
            out.seqs.append(row.get("seq", 0))
        if row.get("pinned") and (not out.pinned or out.pinned[-1] != len(out.messages) - 1):
            out.pinned.append(len(out.messages) - 1)
    if out.messages and out.messages[0]["role"] == "assistant":
        out.messages.pop(0)
        out.seqs.pop(0)
        out.pinned = [i - 1 for i in out.pinned if i > 0]
    return out


@dataclass
class Fitted:
    messages: list[Message]
    prompt_tokens: int
    kept_from: int = 0  # index in the history of the first message the prompt holds
    max_tokens: int = 0  # the reply's allowance (lowered when the task's would fill the window)
    notices: list[str] = field(default_factory=list)
    exact_counts: int = 0  # how many exact counts fitting took (each is a worker round trip)
    examples: int = 0  # how many of the creator's examples the prompt holds (context/examples.py)

    @property
    def evicted(self) -> int:
        return self.kept_from


def fit(system: str, history: list[Message], user: str, counter: Counter, n_ctx: int,
        max_tokens: int, *, start: int = 0, pinned: Sequence[int] = (),
        summary: str = "") -> Fitted:
    """The prompt for `user`: its tokens plus the reply's allowance never exceed `n_ctx`."""
    notices: list[str] = []
    reserve = min(max_tokens, n_ctx // 2)
    if reserve < max_tokens:
        notices.append(f"The reply is limited to {reserve:,} tokens so the conversation fits "
                       f"this model's {n_ctx:,}-token window.")
    budget = n_ctx - reserve
    if budget < 64:
        raise ValueError(f"a {n_ctx}-token window is too small for a conversation")

    def fits_raw(text: str) -> bool:
        return len(text) <= budget * MAX_CHARS_PER_TOKEN

    def clip(text: str) -> str:  # what can never fit is cut first, so it can be measured
        return text if fits_raw(text) else _cut(text, budget * MAX_CHARS_PER_TOKEN)

    start = min(max(start, 0), len(history))
    pins = sorted({i for i in pinned if 0 <= i < len(history)})
    system, summary = clip(system), clip(summary)
    pinned_messages = {i: {**history[i], "content": clip(history[i]["content"])} for i in pins}
    texts = [system, summary, user, CUT] + [pinned_messages[i]["content"] for i in pins]
    texts += [m["content"] for m in history[start:]]
    measured = counter.sizes([t if fits_raw(t) else "" for t in texts])
    size = [n if fits_raw(t) else budget + 1 for t, n in zip(texts, measured, strict=True)]
    sys_n, sum_n, user_n, cut_n = size[:4]
    pin_n = dict(zip(pins, size[4 : 4 + len(pins)], strict=True))
    est = [0] * start + [n + PER_MESSAGE for n in size[4 + len(pins) :]]
    tail = [0] * (len(history) + 1)  # tail[k]: estimated tokens of history[k:]
    for i in range(len(history) - 1, -1, -1):
        tail[i] = tail[i + 1] + est[i]
    cap = int(HEAD_SHARE * budget)

    def head_raw(k: int) -> int:
        return sys_n + (sum_n + 8 if summary else 0) + sum(pin_n[i] + 8 for i in pins if i < k)

    def head_n(k: int) -> int:
        return min(head_raw(k), cap) + PER_MESSAGE

    def total(k: int) -> int:
        return PER_PROMPT + head_n(k) + tail[k] + user_n + PER_MESSAGE

    cuts = [i for i in range(start, len(history)) if history[i]["role"] == "user"]
    cuts.append(len(history))

    def evict(after: int, extra: int) -> int:
        later = [k for k in cuts if k > after]
        for limit in (LOW_WATER * budget, budget):
            for k in later:
                if total(k) + extra <= limit:
                    return k
        return len(history)

    k = cuts[0]
    if total(k) > budget:
        k = evict(k, 0)
    exact_counts = 0
    while fits_raw(user):
        head = _head(system, [pinned_messages[i] for i in pins if i < k], summary, cap,
                     head_raw(k), cut_n, notices)
        messages = head + history[k:] + [{"role": "user", "content": user}]
        tokens = counter.count(messages)
        exact_counts += 1
        if tokens <= budget:
            return Fitted(messages, tokens, k, reserve, notices, exact_counts)
        if k >= len(history):
            break
        k = evict(k, tokens - total(k))  # the estimate's error carries into the next choice
    # The message alone is larger than the window (or, rarely, the head is): shorten, visibly.
    k = len(history)
    # The head gets at most its share: a message that fits the rest is never cut for it.
    small = fits_raw(user) and user_n + PER_MESSAGE <= budget - cap
    probe = user if small else min(user, CUT, key=len) if fits_raw(user) else CUT
    head = []
    while cap > cut_n:
        head = _head(system, list(pinned_messages.values()), summary, cap, head_raw(k), cut_n,
                     notices)
        exact_counts += 1
        if counter.count(head + [{"role": "user", "content": probe}]) <= budget:
            break
        cap //= 2  # the estimate of the head was too low: cut it harder
    else:
        head = []  # a window too small for even a cut of the instructions
    text, counted = shorten(user, head, counter, budget)
    if text != user:
        notices.append(
            f"Your message was {len(user):,} characters, more than this model's {n_ctx:,}-token "
            f"window holds; only its first and last parts ({len(text):,} characters) were sent."
        )
    messages = head + [{"role": "user", "content": text}]
    return Fitted(messages, counter.count(messages), k, reserve, notices, exact_counts + counted)


def _head(system: str, pinned: list[Message], summary: str, cap: int, tokens: int,
          marker: int, notices: list[str]) -> list[Message]:
    """The one system message; when its estimated `tokens` exceed `cap`, cut in proportion to
    what `cap` leaves beside the cut's `marker` tokens."""
    def joined(summary: str) -> str:
        parts = [system] if system else []
        if pinned:
            lines = [f"- {'You' if m['role'] == 'assistant' else 'The user'} said: "
                     f"{m['content']}" for m in pinned]
            parts.append("\n".join([PINNED_TITLE, *lines]))
        if summary:
            parts.append(f"{SUMMARY_TITLE}\n{summary}")
        return "\n\n".join(parts)

    text = joined(summary)
    if tokens > cap:
        room = len(text) * max(cap - marker, 0) // max(tokens, 1)  # characters that fit
        if summary and len(text) > room:  # the summary gives way first: pins are the user's
            keep = len(summary) - (len(text) - room)
            text = joined(_cut(summary, keep) if keep >= 80 else "")  # a stub says nothing
        text = _cut(text, room)
        notice = ("Pinned messages, the summary or the task's instructions were shortened to "
                  "fit this model's window.")
        if notice not in notices:
            notices.append(notice)
    return [{"role": "system", "content": text}] if text else []


def _cut(text: str, n: int) -> str:
    """The first two thirds and last third of `n` characters of `text`, with a visible marker."""
    if n >= len(text):
        return text
    return text[: n * 2 // 3] + CUT + text[len(text) - n // 3 :] if n > 0 else CUT


def shorten(text: str, head: list[Message], counter: Counter, budget: int) -> tuple[str, int]:
    """The longest head-and-tail cut of `text` that fits `budget` tokens with `head`, and how
    many exact counts finding it took."""
    counts = 0

    def fits(n: int) -> bool:
        nonlocal counts
        counts += 1
        return counter.count(head + [{"role": "user", "content": _cut(text, n)}]) <= budget

    if len(text) <= budget * MAX_CHARS_PER_TOKEN and fits(len(text)):
        return text, counts  # whole: a short text may fit where a cut, with its marker, would not
    lo, hi = 0, min(len(text), budget * MAX_CHARS_PER_TOKEN)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return _cut(text, lo), counts
