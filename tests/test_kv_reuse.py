"""KV-cache reuse between turns: only new tokens are prefilled, and with sliding-window attention
(Gemma 3) the reused prefix gives exactly what a fresh context gives."""

from __future__ import annotations

import pytest

from creator_assistant.runtime.demo import DemoShape, build_demo_model
from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.protocol import GenerateRequest

WINDOW = 96  # the sliding window of the gemma3 demo: 5 of its 6 layers see only 96 positions
N_CTX = 2048
# llama.cpp sizes a sliding-window cache as window + batch, padded to 256: 768 cells here. Past
# that, the oldest positions are overwritten and a prefix reaching back there is no longer valid.
SWA_CELLS = 768
WORDS = "video script hook intro outro channel camera light edit upload thumbnail title".split()


def words(n: int, seed: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n))


def greedy(messages: list[dict[str, str]]) -> GenerateRequest:
    return GenerateRequest(messages=messages, temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
                           repeat_penalty=1.0, max_tokens=12, seed=1)


@pytest.fixture(scope="module")
def gemma3_model(tmp_path_factory):
    shape = DemoShape(arch="gemma3", sliding_window=WINDOW, n_layer=6, context=4096)
    return build_demo_model(tmp_path_factory.mktemp("gemma3") / "gemma3-swa.gguf", shape)


def script(reply) -> list[list[dict[str, str]]]:
    """A conversation that grows past the window and past the cache, then evicts its oldest
    turns (the prompt then shares only the system prompt with what is cached), then goes on."""
    system = {"role": "system", "content": "Be brief."}
    history: list[dict[str, str]] = []
    prompts = []
    for turn, size in enumerate([1, 2, 40, 60, 90, 120, 150, 180, 210, 240]):
        history.append({"role": "user", "content": words(size, turn)})
        prompts.append([system, *history])
        history.append({"role": "assistant", "content": reply(prompts[-1])})
    for turn in range(3):
        history = history[4:] if turn == 0 else history
        history.append({"role": "user", "content": words(30, 50 + turn)})
        prompts.append([system, *history])
        history.append({"role": "assistant", "content": reply(prompts[-1])})
    return prompts


def run(backend: LocalBackend, prompts) -> list[tuple[str, int, int]]:
    out = []
    for messages in prompts:
        text = "".join(backend.stream(greedy(messages)))
        usage = backend.last_usage
        out.append((text, usage.prompt_tokens, usage.cached_tokens))
    return out


def test_sliding_window_reuse_equals_a_fresh_context(gemma3_model):
    fresh = LocalBackend(gemma3_model, n_ctx=N_CTX, kv_reuse="never")
    safe = LocalBackend(gemma3_model, n_ctx=N_CTX)
    naive = LocalBackend(gemma3_model, n_ctx=N_CTX, kv_reuse="naive")
    try:
        assert fresh.load().sliding_window == WINDOW

        def reply(messages):
            return "".join(fresh.stream(greedy(messages)))

        prompts = script(reply)
        expected = run(fresh, prompts)
        got = run(safe, prompts)
        sizes = [p for _, p, _ in got]
        # The script covers: inside the window, past the window, past the cache's cells.
        assert sizes[1] < WINDOW < sizes[2] < SWA_CELLS < sizes[8]
        assert [t for t, _, _ in got] == [t for t, _, _ in expected]
        cached = [c for _, _, c in got]
        # Consecutive turns really reuse the cache, even after the window is exceeded ...
        assert all(c > 0.8 * sizes[i - 1] for i, c in enumerate(cached[1:10], 1))
        # ... but not after the eviction, whose shared prefix is no longer in the window's cache.
        assert cached[10] == 0 and cached[11] > 0.8 * sizes[10]
        # A brand-new worker agrees with the reused one on the last turn.
        alone = LocalBackend(gemma3_model, n_ctx=N_CTX)
        try:
            assert run(alone, prompts[-1:])[0][0] == got[-1][0]
        finally:
            alone.close()
        # The trap is real: trusting any matching prefix (llama-cpp-python's own rule) gives a
        # different reply after the eviction, while agreeing before it.
        wrong = run(naive, prompts)
        assert [t for t, _, _ in wrong[:10]] == [t for t, _, _ in expected[:10]]
        assert [t for t, _, _ in wrong[10:]] != [t for t, _, _ in expected[10:]]
    finally:
        for backend in (fresh, safe, naive):
            backend.close()


def test_a_full_size_window_cache_keeps_every_prefix_valid(gemma3_model):
    """With swa_full the cache never forgets, so the eviction turn reuses its prefix too."""
    fresh = LocalBackend(gemma3_model, n_ctx=N_CTX, kv_reuse="never")
    full = LocalBackend(gemma3_model, n_ctx=N_CTX, swa_full=True)
    try:
        prompts = script(lambda messages: "".join(fresh.stream(greedy(messages))))
        got = run(full, prompts)
        assert [t for t, _, _ in got] == [t for t, _, _ in run(fresh, prompts)]
        assert got[10][2] > 0
    finally:
        fresh.close()
        full.close()


def test_consecutive_turns_prefill_only_new_tokens(paths):
    from creator_assistant.session import Session

    (paths.config_file).write_text("[tasks.chat]\nmax_tokens = 16\ncontext = 2048\n")
    session = Session.open(paths)
    try:
        first = session.ask("plan a video about bread", task="chat")
        "".join(first)
        cid = first.result.conversation_id
        second = session.ask("and one about cheese", task="chat", conversation_id=cid)
        "".join(second)
        u1, u2 = first.result.usage, second.result.usage
        assert u2.prompt_tokens > u1.prompt_tokens + u1.completion_tokens
        assert u2.cached_tokens >= u1.prompt_tokens  # the whole first prompt was reused
    finally:
        session.close()
