"""The demo model is built offline, deterministically, and is a valid llama GGUF."""

from __future__ import annotations

import hashlib

from creator_assistant.runtime.demo import DemoShape, build_demo_model, demo_vocab
from creator_assistant.runtime.gguf_check import check_gguf


def test_same_seed_same_bytes(tmp_path, demo_model):
    again = build_demo_model(tmp_path / "again.gguf")
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(again) == digest(demo_model)


def test_vocabulary_is_byte_complete_and_unique():
    tokens, scores, types, _ = demo_vocab()
    assert len(set(tokens)) == len(tokens)
    assert all(f"<0x{b:02X}>" in tokens for b in range(256))
    assert "<start_of_turn>" in tokens and "<end_of_turn>" in tokens


def test_it_passes_validation_and_has_a_chat_template(demo_model):
    summary = check_gguf(demo_model)
    assert summary.architecture == "llama"
    assert summary.has_chat_template
    assert summary.context_length == DemoShape().context >= 4096


def test_it_round_trips_any_text_through_its_tokenizer(demo_model):
    from llama_cpp import Llama

    llm = Llama(str(demo_model), vocab_only=True, verbose=False)
    text = "Ünïcödé ✓ 🎬 {topic} <b> \x00 tabs\tand\nlines"
    ids = llm.tokenize(text.encode(), add_bos=False)
    assert llm.detokenize(ids).decode() == text
    # Known words are single tokens, so the window holds realistic amounts of text.
    assert len(llm.tokenize(b" video script", add_bos=False)) == 2
