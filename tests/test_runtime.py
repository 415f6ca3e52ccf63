"""The llama.cpp runtime in its worker process, on the real demo model."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.protocol import GenerateRequest, ModelError, WorkerCrashed

HELLO = [{"role": "user", "content": "hello, write me a video idea"}]


def greedy(max_tokens=24, **kw) -> GenerateRequest:
    return GenerateRequest(messages=kw.pop("messages", HELLO), temperature=0.0, top_k=1,
                           max_tokens=max_tokens, seed=1, repeat_penalty=1.0, **kw)


def test_streams_text_in_pieces_with_usage(demo_backend):
    pieces = list(demo_backend.stream(greedy(32)))
    usage = demo_backend.last_usage
    assert len(pieces) > 5 and "".join(pieces).strip()
    assert usage.completion_tokens == 32 and usage.finish_reason == "length"
    assert usage.prompt_tokens == demo_backend.count_tokens(HELLO)
    assert usage.ttft_ms > 0 and usage.tokens_per_s > 0


def test_greedy_is_deterministic(demo_backend):
    assert "".join(demo_backend.stream(greedy())) == "".join(demo_backend.stream(greedy()))


def test_token_count_matches_the_models_own_tokenizer(demo_backend, demo_model):
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    messages = [{"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Plan a cooking video 🍳 about {braces} & \"quotes\""},
                {"role": "assistant", "content": "Sure: hook, intro, three steps."},
                {"role": "user", "content": "now shorter"}]
    llm = Llama(str(demo_model), vocab_only=True, verbose=False)
    fmt = Jinja2ChatFormatter(llm.metadata["tokenizer.chat_template"], "<end_of_turn>", "<s>")
    expected = llm.tokenize(fmt(messages=messages).prompt.encode(), add_bos=False, special=True)
    assert demo_backend.count_tokens(messages) == len(expected)
    # The template's control tokens are single tokens, not spelled out byte by byte.
    assert expected.count(llm.tokenize(b"<start_of_turn>", add_bos=False, special=True)[0]) == 5


def test_stop_token_ends_generation(demo_backend):
    # A grammar that can only produce "ok" then end: generation stops on the end-of-turn token.
    pieces = list(demo_backend.stream(greedy(50, grammar='root ::= "ok"')))
    assert "".join(pieces) == "ok"
    assert demo_backend.last_usage.finish_reason == "stop"


def test_stop_strings_are_honoured(demo_backend):
    text = "".join(demo_backend.stream(greedy(60)))
    word = text.split()[3]
    cut = "".join(demo_backend.stream(greedy(60, stop=[word])))
    assert word not in cut and text.startswith(cut)


def test_cancel_stops_within_a_couple_of_tokens(demo_backend):
    seen = []
    for piece in demo_backend.stream(greedy(4000)):
        seen.append(piece)
        if len(seen) == 10:
            demo_backend.cancel()
    usage = demo_backend.last_usage
    assert usage.finish_reason == "cancelled"
    assert len(seen) == 10  # nothing after the cancel reaches the caller
    assert usage.completion_tokens < 400  # the worker stopped, far short of 4000


def test_cancel_from_another_thread(demo_backend):
    first = threading.Event()
    count = 0

    def consume():
        nonlocal count
        for _ in demo_backend.stream(greedy(100000)):
            count += 1
            first.set()

    t = threading.Thread(target=consume)
    t.start()
    assert first.wait(30)
    demo_backend.cancel()
    t.join(30)
    assert not t.is_alive() and demo_backend.last_usage.finish_reason == "cancelled"


def test_abandoned_stream_keeps_the_worker_in_step(demo_backend):
    stream = demo_backend.stream(greedy(5000))
    next(stream)
    stream.close()
    assert "".join(demo_backend.stream(greedy(8)))


def test_worker_crash_is_reported_and_the_worker_restarts(demo_model, tmp_path):
    backend = LocalBackend(demo_model, n_ctx=2048)
    try:
        backend.load()
        stream = backend.stream(greedy(100000))
        next(stream)
        os.kill(backend.pid, signal.SIGKILL)
        with pytest.raises(WorkerCrashed, match="SIGKILL"):
            for _ in stream:
                pass
        assert backend.restarts == 1
        assert "".join(backend.stream(greedy(8)))  # a fresh worker answers
    finally:
        backend.close()


def test_a_model_file_that_aborts_llama_cpp_leaves_a_clear_error(tmp_path, demo_model):
    from tests.makers import write_duplicate_vocab_model

    bad = write_duplicate_vocab_model(tmp_path / "dup.gguf")
    backend = LocalBackend(bad, n_ctx=512, log_path=tmp_path / "worker.log")
    with pytest.raises(WorkerCrashed, match="corrupt"):
        backend.load()
    backend.close()
    good = LocalBackend(demo_model, n_ctx=512)
    try:
        assert good.load().n_vocab > 256
    finally:
        good.close()


def test_overflow_is_an_error_not_a_crash(demo_model):
    backend = LocalBackend(demo_model, n_ctx=256)
    try:
        with pytest.raises(ModelError, match="context window"):
            list(backend.stream(greedy(8, messages=[{"role": "user", "content": "word " * 400}])))
        assert "".join(backend.stream(greedy(4)))
    finally:
        backend.close()


def test_a_grammar_that_does_not_parse_is_an_error_not_a_crash(demo_backend):
    with pytest.raises(ModelError, match="grammar does not parse"):
        list(demo_backend.stream(greedy(8, grammar='root ::= "unclosed')))
    assert "".join(demo_backend.stream(greedy(4)))
