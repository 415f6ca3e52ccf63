"""Prompt-lookup decoding: the next tokens are drafted by finding the last few tokens earlier in
the prompt or the reply and copying what followed; the model checks the whole draft in one
batch, and the reply keeps each drafted token only where the sampler, reading the model's own
logits at that position, picks it. Every token is still the sampler's, in order, so a reply
copies text from its prompt faster and says the same (docs/prompt-lookup.md: the rounding caveat).

llama-cpp-python's own `LlamaPromptLookupDecoding` needs `logits_all`, which keeps logits for
every position of the window (n_ctx x n_vocab floats: gigabytes for Gemma 3's 262k vocabulary)
and computes them for every prompt token; this loop asks for logits only at the drafted positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Tuned with benches/revise.py (docs/prompt-lookup.md): one-token matches drafted too often in
# vain; longer drafts won on Gemma 3 270M, lost on SmolLM2.
NGRAM = 3  # tokens matched to find a draft; shorter n-grams are tried when it finds none
MIN_NGRAM = 2  # the shortest match that drafts
DRAFT = 10  # tokens drafted per step, at most


class Drafter:
    """Drafts from an n-gram index over the prompt and reply so far: the latest earlier place
    where the last `ngram` (or fewer, down to `min_ngram`) tokens occur, and what followed it."""

    def __init__(self, tokens: list[int], ngram: int = NGRAM, size: int = DRAFT,
                 min_ngram: int = MIN_NGRAM) -> None:
        self.tokens: list[int] = []
        self.ngram, self.size, self.min_ngram = ngram, size, min(min_ngram, ngram)
        self.index: dict[tuple[int, ...], int] = {}
        for token in tokens:
            self.add(token)

    def add(self, token: int) -> None:
        """Append a token: each n-gram that ended just before it now has a continuation."""
        tokens = self.tokens
        tokens.append(token)
        end = len(tokens) - 1
        for n in range(self.min_ngram, self.ngram + 1):
            if end >= n:
                self.index[tuple(tokens[end - n:end])] = end

    def draft(self, limit: int) -> list[int]:
        """Up to `limit` (and `size`) tokens that followed the latest earlier match."""
        limit = min(limit, self.size)
        if limit <= 0:
            return []
        tokens = self.tokens
        for n in range(min(self.ngram, len(tokens)), self.min_ngram - 1, -1):
            start = self.index.get(tuple(tokens[len(tokens) - n:]))
            if start is not None:
                return tokens[start:start + limit]
        return []


@dataclass
class Counts:
    """Tokens drafted and tokens of the reply that came from drafts."""

    drafted: int = 0
    accepted: int = 0


def generate(llm: Any, tokens: list[int], sampler: Any, drafter: Drafter, max_new: int,
             counts: Counts, min_batch: int = 1) -> Iterator[int]:
    """Yield the reply's tokens, as `Llama.generate` would, drafting and checking as it goes.

    `min_batch` > 1 fills each step's batch up to that size with guesses (the last token again):
    llama.cpp's CPU kernels round a one-token batch differently from larger ones, and on Gemma 3
    batches under 8 differently again, so with every batch in one such class the reply no longer
    depends on how well the drafts guessed (docs/prompt-lookup.md).

    `llm` holds the cache for `tokens[:llm.n_tokens]` (Engine.keep); the rest of the prompt is
    evaluated here. The caller stops reading at an end-of-generation token, a stop string or
    `max_new` tokens; the cache then holds every token it evaluated, drafts included, and
    `llm.input_ids` says which, so later prefix matching stays valid.
    """
    ctx, batch = llm._ctx, llm._batch
    if llm.n_tokens >= len(tokens):  # all cached: evaluate the last token again for its logits
        ctx.kv_cache_seq_rm(-1, len(tokens) - 1, -1)
        llm.n_tokens = len(tokens) - 1
    llm.eval(tokens[llm.n_tokens:])  # the prompt's new tokens: logits for the last one
    token = sampler.sample(ctx, -1)
    made = 1
    want = drafter.size  # halved after a draft the model left early, doubled after a whole one
    while True:
        yield token
        drafter.add(token)
        room = llm.n_ctx() - llm.n_tokens - 1
        draft = drafter.draft(min(room, max_new - made, want))
        draft += [token] * min(room - len(draft), min_batch - 1 - len(draft))
        step = [token, *draft]
        past = llm.n_tokens
        batch.set_batch(step, past, True)  # logits at each of these positions, none before
        ctx.decode(batch)
        llm.input_ids[past:past + len(step)] = step
        llm.n_tokens = past + len(step)
        counts.drafted += len(draft)
        for i, guess in enumerate(draft):
            token = sampler.sample(ctx, i)
            made += 1
            if token != guess:  # the model goes elsewhere: forget the rest of the draft
                ctx.kv_cache_seq_rm(-1, past + i + 1, -1)
                llm.n_tokens = past + i + 1
                want = max(1, want // 2)
                break
            counts.accepted += 1
            yield token
            drafter.add(token)
        else:
            token = sampler.sample(ctx, len(draft))
            made += 1
            if draft:
                want = min(drafter.size, want * 2)
