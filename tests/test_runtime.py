"""What only the local runtime has: llama.cpp in a worker process, its exact token counts and its
crash handling. Streaming, stops, grammars and cancel are tested for every backend in
tests/test_backends.py."""

from __future__ import annotations

import os
import signal

import pytest

from creator_assistant.runtime.local import LocalBackend
from creator_assistant.runtime.protocol import GenerateRequest, ModelError, WorkerCrashed

HELLO = [{"role": "user", "content": "hello, write me a video idea"}]


def greedy(max_tokens=24, **kw) -> GenerateRequest:
    return GenerateRequest(messages=kw.pop("messages", HELLO), temperature=0.0, top_k=1,
                           max_tokens=max_tokens, seed=1, repeat_penalty=1.0, **kw)


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
