"""tiktoken estimates are built from local GGUF data and stay close to the exact count."""

from __future__ import annotations

from pathlib import Path

import pytest

from creator_assistant.context.tokens import encoding_for, estimate, ranks_from_vocab

TEXTS = [
    (Path(__file__).resolve().parents[1] / "README.md").read_text(),
    "Write a video script about morning routines for busy creators, 8 minutes, for beginners.",
    "Ünïcödé ✓ 🎬 {topic} — “quotes” and tabs\tand\nnew lines",
]


@pytest.mark.parametrize("text", TEXTS)
def test_estimate_is_within_two_percent_of_the_models_tokenizer(demo_model, text):
    from llama_cpp import Llama

    llm = Llama(str(demo_model), vocab_only=True, verbose=False)
    exact = len(llm.tokenize(text.encode(), add_bos=False))
    assert abs(estimate(text, demo_model) - exact) <= max(2, exact * 0.02)


def test_every_byte_is_encodable_and_round_trips(demo_model):
    enc = encoding_for(str(demo_model))
    data = "caf\u00e9 \x00\x7f 🎬".encode()
    assert enc.decode_bytes(enc.encode_ordinary(data.decode())) == data


def test_gpt2_style_vocabularies_decode_their_byte_alphabet():
    ranks = ranks_from_vocab(["Ġthe", "Ġvideo", "ĠĠ", "Ċ"], "gpt2")
    assert b" the" in ranks and b" video" in ranks and b"  " in ranks
    assert len([r for r in ranks if len(r) == 1]) == 256
