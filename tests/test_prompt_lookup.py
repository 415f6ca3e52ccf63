"""Prompt-lookup decoding on the real models: the drafts change how fast a reply comes, never what
it says, once every batch rounds alike; and the worker reports what the drafts gave."""

from __future__ import annotations

import pytest

from creator_assistant.runtime import lookup
from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.protocol import GenerateRequest
from creator_assistant.runtime.worker import Engine

PARAGRAPH = (
    "Last weekend I finaly tried the new ramen place downtown. The broth was rich and smoky, "
    "the noodles were chewy, and the staff were incredibly frendly. The only downside was the "
    "wait: we stood in line for almost fourty minutes before we got a table. Still, I would "
    "definately go back, especially on a weekday when it is quieter.")
REVISIONS = [  # the revision turns of issue 19: each reply copies much of its prompt
    [{"role": "user", "content": f"Fix the typos in this paragraph:\n\n{PARAGRAPH}"}],
    [{"role": "user", "content": f"Make it shorter:\n\n{PARAGRAPH}"}],
    [{"role": "user", "content": f"Rewrite this in my voice, casual and upbeat:\n\n{PARAGRAPH}"}],
    [{"role": "user", "content": "Write a short paragraph about my ramen night."},  # resent
     {"role": "assistant", "content": PARAGRAPH},
     {"role": "user", "content": "Good. Now give it back with the typos fixed, nothing else."}],
]
GREEDY = dict(top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0)
# The smallest batch whose rounding every larger batch shares (measured: docs/prompt-lookup.md).
ROUNDING = {"smollm2": 2, "gemma270m": 8}


def reply(engine: Engine, messages: list[dict[str, str]], drafter: lookup.Drafter,
          min_batch: int, n: int = 60, **sampling: float) -> tuple[list[int], lookup.Counts]:
    llm = engine.llm
    tokens = engine.prompt_tokens(messages)
    llm.reset()
    llm.set_seed(7)
    counts = lookup.Counts()
    out: list[int] = []
    for token in lookup.generate(llm, tokens, llm._init_sampler(**(sampling or GREEDY)),
                                 drafter, n, counts, min_batch):
        if llm.token_eos() == token or len(out) >= n:
            break
        out.append(token)
    return out, counts


@pytest.fixture(scope="module", params=sorted(ROUNDING))
def engine(request):
    path = request.getfixturevalue(request.param)
    engine = Engine(str(path), 2048, 2, 0)
    yield request.param, engine
    engine.llm.close()


def test_drafts_never_change_a_greedy_revision(engine):
    """With drafts and without, every batch in one rounding class: the same tokens."""
    name, eng = engine
    accepted = 0
    for messages in REVISIONS:
        tokens = eng.prompt_tokens(messages)
        # No drafts: each step's batch is the last token and guesses (the same token again).
        without, _ = reply(eng, messages, lookup.Drafter(tokens, size=0), ROUNDING[name])
        assert len(without) >= 20
        for size in (3, 10):
            with_drafts, counts = reply(eng, messages, lookup.Drafter(tokens, size=size),
                                        ROUNDING[name])
            assert with_drafts == without, (name, size, messages[-1]["content"][:30])
            accepted += counts.accepted
    assert accepted > 100  # the drafts were taken: the check above is not vacuous


def test_drafts_never_change_a_sampled_reply(engine):
    """Sampling (temperature 0.8, one seed) draws each token in order too: the same reply."""
    name, eng = engine
    messages = REVISIONS[0]
    tokens = eng.prompt_tokens(messages)
    sampled = dict(top_k=40, top_p=0.95, min_p=0.05, temp=0.8, repeat_penalty=1.1)
    without, _ = reply(eng, messages, lookup.Drafter(tokens, size=0), ROUNDING[name], **sampled)
    got, counts = reply(eng, messages, lookup.Drafter(tokens), ROUNDING[name], **sampled)
    assert got == without and counts.accepted > 0


def test_the_worker_drafts_when_asked_and_reports_it(smollm2):
    backend = LocalBackend(smollm2, n_ctx=2048, n_threads=2)
    try:
        backend.load()
        runs = {}
        for on in (False, True):
            request = GenerateRequest(messages=REVISIONS[0], temperature=0.0, top_k=1,
                                      top_p=1.0, min_p=0.0, repeat_penalty=1.0, max_tokens=60,
                                      seed=1, lookup=on)
            text = "".join(backend.stream(request))
            runs[on] = (text, backend.last_usage)
    finally:
        backend.close()
    (plain, off), (_, on) = runs[False], runs[True]
    assert plain and off.draft_tokens == off.accepted_tokens == 0
    assert on.completion_tokens > 20 and 0 < on.accepted_tokens <= on.draft_tokens
    assert on.accepted_tokens <= on.completion_tokens + 1  # an end token may come from a draft


def test_the_drafter_copies_what_followed_the_latest_match():
    drafter = lookup.Drafter([5, 6, 7, 8, 9, 5, 6, 7, 1, 2], ngram=3, size=3)
    for token in (5, 6, 7):
        drafter.add(token)
    assert drafter.draft(10) == [1, 2, 5]  # the latest 5 6 7 was followed by 1 2 (then 5)
    assert drafter.draft(1) == [1]
    drafter.add(42)  # never seen: no draft, not even from shorter n-grams
    assert drafter.draft(10) == []
