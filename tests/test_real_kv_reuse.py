"""KV-cache reuse proven on the real Gemma 3 270M (sliding window 512 on five of every six
layers): over a conversation that runs well past the window, greedy replies with reuse equal
greedy replies from a fresh context at every turn, and reuse really happens."""

from __future__ import annotations

import pytest

from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.protocol import GenerateRequest

WINDOW = 512
N_CTX = 4096
TURNS = 9  # then the oldest turns are evicted, and the conversation goes on
EVICTED = 3  # exchanges dropped at the eviction: the prompt then shares only its head
TOPICS = ["sourdough bread", "film cameras", "mountain hiking", "espresso coffee",
          "vegetable gardens", "road bicycles", "chess openings", "watercolor painting",
          "jazz piano", "small boat sailing", "wheel pottery", "backyard astronomy"]
CITIES = ["Lisbon", "Osaka", "Denver", "Nairobi", "Oslo", "Lima", "Hanoi", "Perth", "Quebec",
          "Tunis", "Seville", "Dublin"]
MONTHS = ["March", "June", "October", "January", "August", "May", "April", "July", "December",
          "February", "November", "September"]
# A long head, as a task's prompt is: after the eviction it is all the new prompt shares with
# the cache, and the sliding-window layers no longer hold it.
SYSTEM = "You answer questions about video channels. " + " ".join(
    f"Rule {i}: answer with facts from this conversation only, in one plain sentence."
    for i in range(1, 15))


def question(turn: int) -> str:
    """A message full of facts that ends with a question whose answer is in it."""
    topic = TOPICS[turn % len(TOPICS)]
    parts = [f"Channel {turn + 1} is about {topic}. Most of its viewers come from "
             f"{CITIES[turn % len(CITIES)]}."]
    parts += [f"Video {i + 1} was filmed in {MONTHS[(turn * 5 + i) % 12]} "
              f"{1990 + (turn * 7 + i) % 30} and had {(turn + 3) * (i + 11) * 37} views."
              for i in range(6)]
    parts.append(f"Where do most viewers of the {topic} channel come from?")
    return " ".join(parts)


def answer(turn: int) -> str:
    """The saved reply: one pattern the base model picks up, so its replies follow the
    conversation (the topic and city of the latest message) instead of echoing its start."""
    return (f"Most viewers of the {TOPICS[turn % len(TOPICS)]} channel come from "
            f"{CITIES[turn % len(CITIES)]}.")


def prompts() -> list[list[dict[str, str]]]:
    system = {"role": "system", "content": SYSTEM}
    history: list[dict[str, str]] = []
    out = []
    for turn in range(TURNS + 2):
        if turn == TURNS:
            history = history[2 * EVICTED:]
        history.append({"role": "user", "content": question(turn)})
        out.append([system, *history])
        history.append({"role": "assistant", "content": answer(turn)})
    return out


def answer_part(text: str) -> str:
    """A reply through its first full stop: the answer the turn asks for."""
    return text.split(".", 1)[0]


def greedy(messages: list[dict[str, str]]) -> GenerateRequest:
    return GenerateRequest(messages=messages, temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
                           repeat_penalty=1.0, max_tokens=12, seed=1)


def run(backend: LocalBackend, conversation) -> list[tuple[str, int, int]]:
    """(reply, prompt tokens, reused tokens) for each turn."""
    out = []
    for messages in conversation:
        text = "".join(backend.stream(greedy(messages)))
        usage = backend.last_usage
        out.append((text, usage.prompt_tokens, usage.cached_tokens))
    return out


def backend(model, kv_reuse: str = "safe") -> LocalBackend:
    return LocalBackend(model, n_ctx=N_CTX, n_threads=2, kv_reuse=kv_reuse)


@pytest.fixture(scope="module")
def fresh(gemma270m):
    """Every turn evaluated from an empty context: the replies reuse must give."""
    never = backend(gemma270m, "never")
    try:
        assert never.load().sliding_window == WINDOW
        results = run(never, prompts())
    finally:
        never.close()
    assert all(cached == 0 for _, _, cached in results)
    return results


def test_reuse_gives_the_fresh_context_replies_at_every_turn(gemma270m, fresh):
    safe = backend(gemma270m)  # the product's default
    try:
        got = run(safe, prompts())
    finally:
        safe.close()
    sizes = [size for _, size, _ in got]
    assert sizes == [size for _, size, _ in fresh]
    # Inside the window at first, then well past it (and past the cache's 1,024 cells).
    assert sizes[0] < WINDOW < sizes[2] and sizes[TURNS - 1] > 1500
    # The answer each turn asks for (through its first full stop) is the fresh context's at
    # every turn. The reply runs on past it to the 12-token limit, and there, at a near-tie,
    # one garbage token may differ past the window: on an AVX-512 machine turn 6 gave
    # "Hanoi.iatrics" reused against "Hanoi. bloodstream" fresh (llama.cpp lays the reused
    # cells out otherwise and attention sums round differently; logits moved by up to 1.5).
    assert [answer_part(t) for t, _, _ in got] == [answer_part(t) for t, _, _ in fresh]
    assert got[0][0] == fresh[0][0]  # inside the window: the whole reply
    # The replies follow the conversation: each names the latest channel's city.
    assert all(CITIES[turn % len(CITIES)] in text for turn, (text, _, _) in enumerate(got)
               if turn > 0)
    cached = [c for _, _, c in got]
    # Each turn that adds to the conversation reuses the whole previous prompt ...
    assert all(cached[t] >= sizes[t - 1] for t in range(1, TURNS)), cached
    # ... the eviction turn, whose shared head is gone from the window's cache, reuses none ...
    assert cached[TURNS] == 0, cached
    # ... and the turn after it reuses again.
    assert cached[TURNS + 1] >= sizes[TURNS]


def test_trusting_any_matching_prefix_is_the_trap_safe_reuse_avoids(gemma270m, fresh):
    """llama-cpp-python's own rule ("naive") reuses the stale head at the eviction turn."""
    conversation = prompts()[TURNS - 1 : TURNS + 1]  # the longest prompt, then the eviction
    naive = backend(gemma270m, "naive")
    try:
        got = run(naive, conversation)
    finally:
        naive.close()
    assert got[0][0] == fresh[TURNS - 1][0]  # nothing cached yet: the same reply
    # It kept the head (the system text) that the window's layers had forgotten, where "safe"
    # kept nothing. On this model and conversation the greedy reply survives it (measured: the
    # first reply token's logits moved by up to 3.0, its lead over the next token is 5.9), so
    # only the reuse itself is asserted; the demo model's test (test_kv_reuse.py) shows replies
    # that change.
    assert got[1][2] > 250
