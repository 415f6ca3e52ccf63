"""Property-based tests over random conversation shapes, message sizes and window sizes: the prompt
always fits, the newest message is always kept, nothing saved is lost."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creator_assistant.context.fitting import CUT, LOW_WATER, fit, history_of
from tests.test_memory import LocalCounter

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
WORDS = ["video", "hook", "thumbnail", "sourdough", "🍳", "{braces}", "ünïcode", "\n", "42,"]
# Message sizes in words: mostly chat-sized, some long, a few larger than any window here.
SIZES = st.one_of(st.integers(0, 30), st.integers(30, 600), st.sampled_from([5_000, 40_000]))
WINDOWS = st.sampled_from([256, 384, 512, 1024, 2048])
ALLOWANCES = st.sampled_from([1, 16, 100, 300, 5000])


def text(size: int, seed: int) -> str:
    return " ".join(WORDS[(seed + i * 7) % len(WORDS)] for i in range(size)) or "ok"


_counter: LocalCounter | None = None


def counter_for(demo_model) -> LocalCounter:
    global _counter
    if _counter is None:
        _counter = LocalCounter(demo_model)
    return _counter


@pytest.fixture(scope="module", autouse=True)
def _close_counter():
    yield
    global _counter
    if _counter is not None:
        _counter.llm.close()
        _counter = None


def check(fitted, user: str, n_ctx: int, max_tokens: int, counter) -> None:
    """The invariants every fitted prompt has."""
    assert fitted.prompt_tokens == counter.count(fitted.messages)  # counted exactly
    assert 1 <= fitted.max_tokens <= max_tokens
    assert fitted.prompt_tokens + fitted.max_tokens <= n_ctx  # it fits, reply included
    last = fitted.messages[-1]
    assert last["role"] == "user"
    if last["content"] != user:  # shortened: visibly, keeping its beginning and end
        assert CUT in last["content"] and any("characters" in n for n in fitted.notices)
        head, _, tail = last["content"].partition(CUT)
        assert user.startswith(head) and user.endswith(tail)
    budget = n_ctx - fitted.max_tokens
    if counter.sizes([user])[0] + 16 <= budget // 4:  # one that fits comfortably is never cut
        assert last["content"] == user


@SETTINGS
@given(sizes=st.lists(SIZES, max_size=40), system=st.integers(0, 3000), user=SIZES,
       n_ctx=WINDOWS, max_tokens=ALLOWANCES, data=st.data())
def test_the_prompt_always_fits_and_keeps_the_newest_message(demo_model, sizes, system, user,
                                                             n_ctx, max_tokens, data):
    counter = counter_for(demo_model)
    history = [{"role": "user" if i % 2 == 0 else "assistant", "content": text(n, i)}
               for i, n in enumerate(sizes)]
    start = data.draw(st.integers(0, len(history)))
    pinned = data.draw(st.lists(st.integers(0, max(len(history) - 1, 0)), max_size=3,
                                unique=True)) if history else []
    summary = text(data.draw(st.integers(0, 400)), 3)
    message = text(user, 5)
    before = copy.deepcopy(history)
    fitted = fit(text(system, 1), history, message, counter, n_ctx, max_tokens, start=start,
                 pinned=pinned, summary=summary)
    assert history == before  # fitting never changes what it was given
    check(fitted, message, n_ctx, max_tokens, counter)
    # The prompt holds a suffix of the history from a user turn, never older than `start`.
    body = [m for m in fitted.messages[:-1] if m["role"] != "system"]
    assert body == history[fitted.kept_from:] and fitted.kept_from >= start
    assert fitted.kept_from == len(history) or history[fitted.kept_from]["role"] == "user"


class WorkerLike:
    """The worker's counting interface over the in-process tokenizer (same template, same
    tokenizer), so a database-level property test runs many conversations quickly."""

    def __init__(self, counter: LocalCounter, path) -> None:
        self.counter, self.path = counter, path
        self.sizes_key = f"{path.name}:{path.stat().st_size}"  # as LocalBackend's

    def count_tokens(self, messages):
        return self.counter.count(messages)

    def token_sizes(self, texts):
        return self.counter.sizes(texts)


@SETTINGS
@given(turns=st.lists(st.tuples(SIZES, st.booleans(), st.booleans()), min_size=1, max_size=25),
       n_ctx=WINDOWS, max_tokens=ALLOWANCES)
def test_a_conversation_keeps_every_saved_message_and_every_prompt_fits(demo_model, turns,
                                                                        n_ctx, max_tokens):
    from creator_assistant.context.conversation import fit_conversation
    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    counter = counter_for(demo_model)
    backend = WorkerLike(counter, demo_model)
    store = Store(open_db(":memory:"))
    cid = store.new_conversation()
    sent: list[str] = []
    starts = []
    for i, (size, reply_fails, pin) in enumerate(turns):
        message = text(size, i)
        memory = history_of(store.messages(cid))  # as Session.ask does
        mid = store.add_message(cid, "user", message)
        sent.append(message)
        body = message
        if memory.messages and memory.messages[-1]["role"] == "user":
            body = memory.messages.pop()["content"] + "\n\n" + body
        fitted = fit_conversation(store, backend, cid, "Be brief.", memory, body, n_ctx,
                                  max_tokens)
        check(fitted, body, n_ctx, max_tokens, counter)
        starts.append(store.memory_state(cid)["kept_from"])
        reply = text(min(size, 40), i + 1)
        store.add_message(cid, "assistant", reply, status="error" if reply_fails else "ok")
        sent.append(reply)
        if pin:
            store.pin(mid)
    rows = store.messages(cid)
    assert [r["content"] for r in rows] == sent  # every message, in order, unchanged
    assert starts == sorted(starts)  # the prompt's start only moves forward


def test_evictions_are_rare_chunks_not_one_message_per_turn(demo_model):
    """A long conversation of similar turns: after the window fills, each eviction frees
    enough room that the next one is several turns away."""
    from creator_assistant.context.conversation import fit_conversation
    from creator_assistant.storage.db import open_db
    from creator_assistant.storage.store import Store

    counter = counter_for(demo_model)
    backend = WorkerLike(counter, demo_model)
    store = Store(open_db(":memory:"))
    cid = store.new_conversation()
    n_ctx, max_tokens, evictions, last = 2048, 256, 0, 0
    budget = n_ctx - max_tokens

    def plain(n: int, i: int) -> str:
        return f"turn {i}: " + " ".join(("video", "hook", "idea", "script")[j % 4]
                                        for j in range(n))

    per_turn = counter.count([{"role": "user", "content": plain(40, 0)},
                              {"role": "assistant", "content": plain(20, 0)}])
    for i in range(120):
        memory = history_of(store.messages(cid))
        store.add_message(cid, "user", plain(40, i))
        fitted = fit_conversation(store, backend, cid, "Be brief.", memory, plain(40, i),
                                  n_ctx, max_tokens)
        start = store.memory_state(cid)["kept_from"]
        if start != last:
            evictions += 1
            assert fitted.prompt_tokens <= LOW_WATER * budget
        last = start
        store.add_message(cid, "assistant", plain(20, i))
    # Each eviction frees 40% of the budget: the next is that many turns' growth away.
    gap = int((1 - LOW_WATER) * budget) // per_turn - 1
    assert gap >= 3 and 3 <= evictions <= 120 // gap + 1
    assert len(store.messages(cid)) == 240
