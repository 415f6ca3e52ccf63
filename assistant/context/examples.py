"""The creator's own examples in a turn's prompt: as many of them (best first) as fit in the room
the conversation leaves, counted exactly, never pushing history out of the window or cutting the
creator's words. They go into this turn's message, before the task's prompt, so the system
message and the history stay the prefix the model's cache holds: examples give way first.
"""

from __future__ import annotations

from collections.abc import Sequence

from creator_assistant.context.fitting import Counter, Fitted, Message, fit

SHARE = 0.25  # the most of the prompt's budget examples may take
TITLE = ("Examples of my own writing, for my voice (match their tone, rhythm and habits; do not "
         "copy their content):")
END = "My request:"
FRAME = 48  # tokens of TITLE and END, at most


def with_examples(user: str, examples: Sequence[str]) -> str:
    """The turn's message with `examples` before it (none: the message as it is)."""
    if not examples:
        return user
    shown = "\n\n".join(f"<example {n}>\n{text.strip()}\n</example {n}>"
                        for n, text in enumerate(examples, 1))
    return f"{TITLE}\n\n{shown}\n\n{END}\n{user}"


def fit_examples(base: Fitted, examples: Sequence[str], system: str, history: list[Message],
                 user: str, counter: Counter, n_ctx: int, max_tokens: int, *, start: int,
                 pinned: Sequence[int], summary: str) -> Fitted:
    """`base` (the turn fitted without examples) with the longest best-first run of `examples`
    that fits its room: no more than SHARE of the budget, no message evicted beyond `base`'s,
    no notice added. `fitted.examples` says how many it holds."""
    if not examples or base.notices and any("Your message was" in n for n in base.notices):
        return base
    budget = n_ctx - base.max_tokens
    room = min(int(SHARE * budget), budget - base.prompt_tokens - FRAME)
    sizes = counter.sizes(list(examples))
    count, used = 0, 0
    for n in sizes:
        if used + n + 16 > room:  # 16: the example's tags and the line between
            break
        used += n + 16
        count += 1
    while count:
        fitted = fit(system, history, with_examples(user, examples[:count]), counter, n_ctx,
                     max_tokens, start=start, pinned=pinned, summary=summary)
        if fitted.kept_from == base.kept_from and fitted.notices == base.notices:
            fitted.exact_counts += base.exact_counts
            fitted.examples = count
            return fitted
        count -= 1  # the estimate was short: one example fewer
    return base
